package runs

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

// Commits is what the exporters have committed, read once by ReadCommits
// and asked about many events: the last committed stream sequence of each
// part of the conversations stream (one part unless streams.partitions is
// above 1). The zero Commits has committed nothing.
type Commits struct {
	lastSeq []uint64
}

// ReadCommits reads every part's commit record (schemas.BucketExporter,
// schemas.ExporterCommitKey). No record yet, or no bucket yet (no exporter
// ever ran), is nothing committed.
func ReadCommits(ctx context.Context, js jetstream.JetStream) (Commits, error) {
	kv, err := js.KeyValue(ctx, schemas.BucketExporter)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		return Commits{}, nil
	}
	if err != nil {
		return Commits{}, pipeline.FromNATS(fmt.Errorf("exporter commit: %w", err))
	}
	n, err := pipeline.StoredPartitions(ctx, kv)
	if err != nil {
		return Commits{}, err
	}
	c := Commits{lastSeq: make([]uint64, n)}
	for i := range c.lastSeq {
		rec, _, _, err := pipeline.GetJSON[schemas.ExportCommit](ctx, kv, schemas.ExporterCommitKey(i, n))
		if err != nil {
			return Commits{}, fmt.Errorf("exporter commit of part %d: %w", i, err)
		}
		c.lastSeq[i] = rec.LastSeq
	}
	return c, nil
}

// Committed reports whether the exporter of the part that holds the job
// whose schemas.JobKey is jobKey has committed the event stored at seq in
// schemas.StreamConversations: it is then in the lake. Every event of a
// job falls in one part (schemas.PartOf). Sequence 0 (a job that published
// nothing) is always committed.
func (c Commits) Committed(jobKey string, seq uint64) bool {
	if seq == 0 {
		return true
	}
	if len(c.lastSeq) == 0 {
		return false
	}
	return seq <= c.lastSeq[schemas.PartOf(jobKey, len(c.lastSeq))]
}

package runs

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

// Commits is what the exporter has committed, read once by ReadCommits and
// asked about many events. The zero Commits has committed nothing.
type Commits struct {
	lastSeq uint64
}

// ReadCommits reads the exporter's commit record (schemas.BucketExporter,
// schemas.KeyExporterCommit). No record yet, or no bucket yet (no exporter
// ever ran), is nothing committed.
func ReadCommits(ctx context.Context, js jetstream.JetStream) (Commits, error) {
	kv, err := js.KeyValue(ctx, schemas.BucketExporter)
	if err == jetstream.ErrBucketNotFound {
		return Commits{}, nil
	}
	if err != nil {
		return Commits{}, fmt.Errorf("exporter commit: %w", err)
	}
	rec, _, _, err := pipeline.GetJSON[schemas.ExportCommit](ctx, kv, schemas.KeyExporterCommit)
	if err != nil {
		return Commits{}, fmt.Errorf("exporter commit: %w", err)
	}
	return Commits{lastSeq: rec.LastSeq}, nil
}

// Committed reports whether the exporter has committed the event stored at
// seq in schemas.StreamConversations on subject: it is then in the lake.
// Every event of a job has the job's subject. Sequence 0 (a job that
// published nothing) is always committed.
func (c Commits) Committed(subject string, seq uint64) bool {
	return seq <= c.lastSeq
}

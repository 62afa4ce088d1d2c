package exporter

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

// part is the share of the conversations stream one exporter owns: part
// index of n (see schemas.PartOf). Each part has its own durable consumer,
// its own commit record (and lease), its own file names and, in an
// Iceberg table, its own snapshot summary keys; part 0 of 1 uses the
// names of an unpartitioned lake.
type part struct{ index, n int }

func (p part) String() string { return fmt.Sprintf("%d/%d", p.index, p.n) }

func (p part) consumer() string { return schemas.ExporterConsumer(p.index, p.n) }
func (p part) key() string      { return schemas.ExporterCommitKey(p.index, p.n) }
func (p part) filter() string   { return schemas.PartFilter(p.index, p.n) }

// fileStem begins the base name of every file of the part:
// part-<epoch>-<owner>-<k>.parquet in an unpartitioned lake,
// part-p<part>-<epoch>-<owner>-<k>.parquet otherwise, so that parts never
// write the same name and each sweeps only its own remnants.
func (p part) fileStem() string {
	if p.n <= 1 {
		return "part-"
	}
	return "part-p" + strconv.Itoa(p.index) + "-"
}

// owns reports whether name is one of this part's files; Sweep deletes
// only those. In an unpartitioned lake every file is part 0's.
func (p part) owns(name string) bool {
	return p.n <= 1 || strings.HasPrefix(path.Base(name), p.fileStem())
}

// summaryKey is the Iceberg snapshot summary key of field (epoch,
// last_seq, owner) for this part: chatlake.<field> in an unpartitioned
// lake, chatlake.p<part>.<field> otherwise.
func (p part) summaryKey(field string) string {
	if p.n <= 1 {
		return summaryPrefix + field
	}
	return summaryPrefix + "p" + strconv.Itoa(p.index) + "." + field
}

// PartOf returns the part of a stream of n parts that holds the events
// published on subject, and the key in schemas.BucketExporter of that
// part's commit record: once the record's LastSeq is at or past an
// event's stream sequence, the event is in the lake. All events of one
// job share one part (schemas.PartOf of its JobKey).
func PartOf(subject string, n int) (part int, commitKey string, err error) {
	part, err = schemas.SubjectPart(subject, n)
	if err != nil {
		return 0, "", err
	}
	return part, schemas.ExporterCommitKey(part, n), nil
}

// ReadParts returns the commit record of every part, in part order, as
// pipeline.ReadParts does, each checked as the exporter checks the record
// it recovers from: every file it names is a part file of the table.
func ReadParts(ctx context.Context, js jetstream.JetStream) ([]schemas.ExportCommit, error) {
	recs, err := pipeline.ReadParts(ctx, js)
	if err != nil {
		return nil, err
	}
	for _, rec := range recs {
		if err := checkCommit(rec); err != nil {
			return nil, err
		}
	}
	return recs, nil
}

// candidates returns the parts this exporter may own: Config.Parts, or
// every part.
func (c Config) candidates() []part {
	n := max(c.Partitions, 1)
	if len(c.Parts) == 0 {
		ps := make([]part, n)
		for i := range ps {
			ps[i] = part{i, n}
		}
		return ps
	}
	ps := make([]part, len(c.Parts))
	for i, k := range c.Parts {
		ps[i] = part{k, n}
	}
	return ps
}

// acquireAny stands by until this exporter owns the commit record of one
// of stores' parts, and returns that store and record. It watches every
// part as acquire watches one, starting from a random one so that
// standbys started together spread over the free parts, and claims the
// first that is free or whose owner stopped renewing.
func acquireAny(ctx context.Context, stores []*commitStore, owner string, log *slog.Logger) (*commitStore, schemas.ExportCommit, error) {
	watches := make([]watch, len(stores))
	first := rand.IntN(len(stores))
	for {
		pause := standbyPoll
		for i := range stores {
			k := (first + i) % len(stores)
			rec, claimed, wait, err := stores[k].probe(ctx, owner, log, &watches[k])
			if claimed || err != nil {
				return stores[k], rec, err
			}
			pause = min(pause, wait)
		}
		select {
		case <-ctx.Done():
			return nil, schemas.ExportCommit{}, ctx.Err()
		case <-time.After(pause):
		}
	}
}

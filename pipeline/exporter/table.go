package exporter

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/chatlake/chatlake/lake/iceberg"
	"github.com/chatlake/chatlake/schemas"
)

// Table is the Iceberg table the exporter appends its epochs to, when
// Config.Table is set; *iceberg.Table implements it. See lake/iceberg for
// the meaning of each method: Append is fenced (an error wrapping
// iceberg.ErrConflict when the table moved since its base), Latest
// reloads the base.
type Table interface {
	Append(ctx context.Context, files []string, summary map[string]string) error
	Latest(ctx context.Context, key string) (map[string]string, bool, error)
	DataLocation(rel string) string
}

// Fields of an epoch's snapshot summary, each under its part's key (see
// part.summaryKey): chatlake.epoch, chatlake.last_seq and chatlake.owner
// in an unpartitioned lake, chatlake.p<part>.epoch and so on otherwise.
// Append carries every chatlake.* key forward, so the current snapshot
// names every part's last epoch.
const (
	summaryPrefix  = iceberg.SummaryPrefix
	summaryEpoch   = "epoch"
	summaryLastSeq = "last_seq"
	summaryOwner   = "owner"
)

// tableData is the folder of an Iceberg table's data files, relative to
// the table's location (the lake's root in the iceberg format).
const tableData = "data"

// appendAttempts bounds the appends of one epoch that meet a conflict
// (another commit, a compaction's or another part's, moved the table),
// per part of the stream; each is preceded by a check of the lease and of
// whether the epoch is in already.
const appendAttempts = 8

// appendEpoch appends rec's files to the table in one snapshot, once: a
// conflict is followed by a look at the table (the epoch may be in: a
// standby that took over appended it, or an earlier answer was lost) and,
// while this exporter still holds its lease, by another append on the
// fresh base. Nothing to do without a table or without files.
func (e *Exporter) appendEpoch(ctx context.Context, store *commitStore, rec schemas.ExportCommit) error {
	if e.cfg.Table == nil || len(rec.Files) == 0 {
		return nil
	}
	files := make([]string, len(rec.Files))
	for i, name := range rec.Files {
		files[i] = e.cfg.Table.DataLocation(strings.TrimPrefix(name, tableData+"/"))
	}
	p := store.part
	summary := map[string]string{
		p.summaryKey(summaryEpoch):   strconv.FormatUint(rec.Epoch, 10),
		p.summaryKey(summaryLastSeq): strconv.FormatUint(rec.LastSeq, 10),
		p.summaryKey(summaryOwner):   rec.Owner,
	}
	backoff := 20 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := e.cfg.Table.Append(ctx, files, summary)
		if !errors.Is(err, iceberg.ErrConflict) {
			if err != nil {
				return fmt.Errorf("append epoch %d to the table: %w", rec.Epoch, err)
			}
			return nil
		}
		if attempt == appendAttempts*p.n {
			return fmt.Errorf("append epoch %d to the table: %d conflicts in a row: %w", rec.Epoch, attempt, err)
		}
		e.log.Info("exporter append conflict", "part", p, "epoch", rec.Epoch, "attempt", attempt, "err", err)
		if err := store.owns(); err != nil {
			return err
		}
		in, err := e.tableEpoch(ctx, p)
		if err != nil {
			return err
		}
		if in >= rec.Epoch {
			return nil // in already: a takeover's recovery, or a lost answer
		}
		// Jitter keeps parts that conflicted together from retrying in
		// step. The wait does not move the base tableEpoch just loaded: a
		// commit meanwhile makes the next append conflict again.
		select {
		case <-time.After(backoff/2 + rand.N(backoff/2+1)):
		case <-ctx.Done():
			return ctx.Err()
		}
		backoff = min(2*backoff, time.Second)
	}
}

// tableEpoch reloads the table and returns the newest epoch of part p its
// snapshots name; 0 if none.
func (e *Exporter) tableEpoch(ctx context.Context, p part) (uint64, error) {
	key := p.summaryKey(summaryEpoch)
	last, found, err := e.cfg.Table.Latest(ctx, key)
	if err != nil || !found {
		return 0, err
	}
	n, err := strconv.ParseUint(last[key], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("table snapshot summary: bad %s %q", key, last[key])
	}
	return n, nil
}

// recoverTable appends the last committed epoch rec if the table lacks
// it. A table ahead of the commit record (an epoch above rec's) was
// written by another lineage, for example with a new NATS: appending would
// double its events, so the exporter refuses to start.
func (e *Exporter) recoverTable(ctx context.Context, store *commitStore, rec schemas.ExportCommit) error {
	if e.cfg.Table == nil {
		return nil
	}
	in, err := e.tableEpoch(ctx, store.part)
	if err != nil {
		return err
	}
	switch {
	case in > rec.Epoch:
		return fmt.Errorf("the table holds epoch %d of part %s, its commit record only %d: the table was written with another commit record (another NATS?); refusing to double its events", in, store.part, rec.Epoch)
	case in == rec.Epoch:
		return nil
	}
	return e.appendEpoch(ctx, store, rec)
}

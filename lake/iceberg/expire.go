package iceberg

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/apache/iceberg-go/table"
)

const (
	// DefaultSnapshotAge is ExpireOptions.OlderThan when zero (Iceberg's
	// own default, history.expire.max-snapshot-age-ms).
	DefaultSnapshotAge = 5 * 24 * time.Hour
	// DefaultOrphanAge is ExpireOptions.OrphansOlderThan when zero.
	DefaultOrphanAge = 3 * 24 * time.Hour
)

// ExpireOptions tune Expire. Zero values mean the documented defaults.
type ExpireOptions struct {
	// OlderThan is the age beyond which snapshots are removed; 0 means
	// DefaultSnapshotAge.
	OlderThan time.Duration
	// RetainLast snapshots are kept whatever their age; 0 means 1.
	RetainLast int
	// OrphansOlderThan is the age beyond which a file under the table's
	// location that no kept snapshot references is deleted; 0 means
	// DefaultOrphanAge. It must stay well above the time an exporter
	// takes from writing a data file to committing it, or Expire deletes
	// the files of an epoch in flight.
	OrphansOlderThan time.Duration
	// MaxAttempts bounds the rounds when a concurrent commit conflicts; 0
	// means DefaultAttempts.
	MaxAttempts int
	// DryRun reports without changing anything. Its orphan count does not
	// include the files the expiry itself would free.
	DryRun bool
	// Progress, when not nil, is called at each step.
	Progress func(Progress)
}

// ExpireReport says what Expire removed (or, on a dry run, would remove).
type ExpireReport struct {
	DryRun                          bool
	SnapshotsBefore, SnapshotsAfter int
	OrphanFiles                     []string // deleted, or found on a dry run
	OrphanBytes                     int64
}

// SnapshotsRemoved is how many snapshots Expire removed.
func (r ExpireReport) SnapshotsRemoved() int { return r.SnapshotsBefore - r.SnapshotsAfter }

// Expire removes the snapshots older than OlderThan beyond the RetainLast
// newest, with the files only they referenced, then deletes orphan files:
// files under the table's location no snapshot references (data files of
// commits that failed or conflicted, outputs of conflicting compactions,
// stale metadata). The current snapshot is always kept, and with it every
// row. Expire does not move the Table's base.
func (t *Table) Expire(ctx context.Context, o ExpireOptions) (ExpireReport, error) {
	o.defaults()
	rep := ExpireReport{DryRun: o.DryRun}
	tbl, err := t.expireSnapshots(ctx, &o, &rep)
	if err != nil {
		return rep, err
	}
	res, err := tbl.DeleteOrphanFiles(ctx, table.WithFilesOlderThan(o.OrphansOlderThan), table.WithDryRun(o.DryRun))
	if err != nil {
		return rep, fmt.Errorf("iceberg: expire: orphan files: %w", err)
	}
	rep.OrphanFiles, rep.OrphanBytes = res.OrphanFileLocations, res.TotalSizeBytes
	if !o.DryRun {
		rep.OrphanFiles = res.DeletedFiles
	}
	o.report(Progress{Step: "orphans", Files: len(rep.OrphanFiles), Bytes: rep.OrphanBytes})
	return rep, nil
}

func (o *ExpireOptions) defaults() {
	if o.OlderThan <= 0 {
		o.OlderThan = DefaultSnapshotAge
	}
	if o.RetainLast <= 0 {
		o.RetainLast = 1
	}
	if o.OrphansOlderThan <= 0 {
		o.OrphansOlderThan = DefaultOrphanAge
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultAttempts
	}
}

func (o *ExpireOptions) report(p Progress) {
	if o.Progress != nil {
		o.Progress(p)
	}
}

// expireSnapshots commits the expiry, again on a fresh base when a
// concurrent commit conflicts, and returns the table after it.
func (t *Table) expireSnapshots(ctx context.Context, o *ExpireOptions, rep *ExpireReport) (*table.Table, error) {
	for attempt := 1; ; attempt++ {
		base, err := t.load(ctx)
		if err != nil {
			return nil, err
		}
		rep.SnapshotsBefore = len(base.Metadata().Snapshots())
		tx := base.NewTransaction()
		if err := tx.ExpireSnapshots(table.WithOlderThan(o.OlderThan), table.WithRetainLast(o.RetainLast)); err != nil {
			return nil, fmt.Errorf("iceberg: expire: %w", err)
		}
		next, err := expireResult(ctx, tx, o.DryRun)
		if err == nil {
			rep.SnapshotsAfter = len(next.Metadata().Snapshots())
			o.report(Progress{Step: "expired", Attempt: attempt, Files: rep.SnapshotsRemoved()})
			if o.DryRun {
				return base, nil
			}
			return next, nil
		}
		err = t.commitError(ctx, base, nil, err)
		if !errors.Is(err, ErrConflict) || attempt >= o.MaxAttempts {
			return nil, fmt.Errorf("iceberg: expire: %w", err)
		}
		o.report(Progress{Step: "conflict", Attempt: attempt})
	}
}

// expireResult commits tx, or on a dry run only stages it.
func expireResult(ctx context.Context, tx *table.Transaction, dryRun bool) (*table.Table, error) {
	if !dryRun {
		return tx.Commit(ctx)
	}
	staged, err := tx.StagedTable()
	if err != nil {
		return nil, err
	}
	return staged.Table, nil
}

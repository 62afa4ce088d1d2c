package iceberg

import (
	"context"
	"errors"
	"fmt"
	"time"

	ice "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
	"github.com/apache/iceberg-go/table/compaction"
)

const (
	// DefaultTargetFileSize is CompactOptions.TargetFileSize when zero.
	DefaultTargetFileSize = 128 << 20
	// DefaultMinInputFiles is CompactOptions.MinInputFiles when zero.
	DefaultMinInputFiles = 2
	// DefaultAttempts is how many times Compact and Expire plan and commit
	// when concurrent commits keep moving the table, when their MaxAttempts
	// is zero.
	DefaultAttempts = 5
)

// Partition names one partition of the table.
type Partition struct {
	Provider, App string
	Day           time.Time // the UTC day of fetched_at; the time of day is ignored
}

// CompactOptions tune Compact. Zero values mean the documented defaults.
type CompactOptions struct {
	// Partition limits the compaction to one partition; nil means every
	// partition.
	Partition *Partition
	// TargetFileSize is the size of the files written; files below 75% of
	// it are rewritten, files above 180% never. 0 means
	// DefaultTargetFileSize.
	TargetFileSize int64
	// MinInputFiles is the fewest small files a partition needs to be
	// rewritten; 0 means DefaultMinInputFiles.
	MinInputFiles int
	// MaxAttempts bounds the plan-rewrite-commit rounds when concurrent
	// commits make the commit conflict; 0 means DefaultAttempts.
	MaxAttempts int
	// DryRun plans and reports without writing anything.
	DryRun bool
	// Progress, when not nil, is called at each step, from the calling
	// goroutine.
	Progress func(Progress)
}

// Progress reports one step of Compact or Expire.
type Progress struct {
	Step    string // planned, rewritten, conflict, committed; expired, orphans
	Attempt int
	Files   int   // files concerned by the step
	Bytes   int64 // their size
}

// CompactReport says what Compact did (or, on a dry run, would do) to the
// partitions it looked at.
type CompactReport struct {
	DryRun                  bool
	Attempts                int
	Groups                  int // rewrite groups: bins of small files, each in one partition
	FilesBefore, FilesAfter int
	BytesBefore, BytesAfter int64 // after is estimated on a dry run
	SnapshotID              int64 // the replace snapshot; 0 when none was made
}

// Compact rewrites the small data files of a partition (or of every
// partition) into files near the target size, in one replace snapshot.
// The rows do not change. It is safe while appends commit: when one lands
// between planning and commit, the commit conflicts and Compact reloads,
// plans and rewrites again, up to MaxAttempts times. The snapshot's
// summary repeats the newest chatlake.* keys of its base, so Latest keeps
// finding them. The files a failed attempt wrote are orphans for Expire.
// Compact does not move the Table's base.
func (t *Table) Compact(ctx context.Context, opts CompactOptions) (CompactReport, error) {
	cfg, attempts := opts.config()
	var rep CompactReport
	rep.DryRun = opts.DryRun
	for rep.Attempts = 1; ; rep.Attempts++ {
		done, err := t.compactOnce(ctx, &opts, cfg, &rep)
		if done || err != nil {
			return rep, err
		}
		if rep.Attempts >= attempts {
			return rep, fmt.Errorf("iceberg: compact: gave up after %d attempts: %w", rep.Attempts, ErrConflict)
		}
	}
}

func (o CompactOptions) config() (compaction.Config, int) {
	target := o.TargetFileSize
	if target <= 0 {
		target = DefaultTargetFileSize
	}
	cfg := compaction.DefaultConfig()
	cfg.TargetFileSizeBytes = target
	cfg.MinFileSizeBytes = target * 3 / 4
	cfg.MaxFileSizeBytes = target * 9 / 5
	cfg.MinInputFiles = DefaultMinInputFiles
	if o.MinInputFiles > 0 {
		cfg.MinInputFiles = uint(o.MinInputFiles)
	}
	attempts := o.MaxAttempts
	if attempts <= 0 {
		attempts = DefaultAttempts
	}
	return cfg, attempts
}

// compactOnce is one round: load, plan, rewrite, commit. done is false
// when the commit conflicted and another round may succeed.
func (t *Table) compactOnce(ctx context.Context, o *CompactOptions, cfg compaction.Config, rep *CompactReport) (done bool, err error) {
	base, err := t.load(ctx)
	if err != nil {
		return true, err
	}
	tasks, err := partitionTasks(ctx, base, o.Partition)
	if err != nil {
		return true, err
	}
	plan, err := cfg.PlanCompaction(tasks)
	if err != nil {
		return true, fmt.Errorf("iceberg: compact: plan: %w", err)
	}
	rep.FilesBefore, rep.BytesBefore = len(tasks), sizeOf(tasks)
	rep.FilesAfter, rep.BytesAfter = rep.FilesBefore, rep.BytesBefore
	rep.Groups = len(plan.Groups)
	var in int
	var inBytes int64
	for _, g := range plan.Groups {
		in += len(g.Tasks)
		inBytes += g.TotalSizeBytes
	}
	o.report(Progress{Step: "planned", Attempt: rep.Attempts, Files: in, Bytes: inBytes})
	if len(plan.Groups) == 0 {
		return true, nil
	}
	if o.DryRun {
		rep.FilesAfter = rep.FilesBefore - in + plan.EstOutputFiles
		return true, nil
	}
	return t.rewrite(ctx, o, base, plan, rep)
}

func (t *Table) rewrite(ctx context.Context, o *CompactOptions, base *table.Table, plan compaction.Plan, rep *CompactReport) (bool, error) {
	groups := make([]table.CompactionTaskGroup, 0, len(plan.Groups))
	for _, g := range plan.Groups {
		groups = append(groups, table.CompactionTaskGroup{PartitionKey: g.PartitionKey, Tasks: g.Tasks, TotalSizeBytes: g.TotalSizeBytes})
	}
	tx, err := base.NewTransactionOnBranchWithError(table.MainBranch)
	if err != nil {
		return true, fmt.Errorf("iceberg: compact: %w", err)
	}
	res, err := tx.RewriteDataFiles(ctx, groups, table.RewriteDataFilesOptions{SnapshotProps: carried(base)})
	if err != nil {
		return true, fmt.Errorf("iceberg: compact: rewrite: %w", err)
	}
	o.report(Progress{Step: "rewritten", Attempt: rep.Attempts, Files: res.AddedDataFiles, Bytes: res.BytesAfter})
	next, err := tx.Commit(ctx)
	if err != nil {
		err = t.commitError(ctx, base, nil, err)
		if errors.Is(err, ErrConflict) {
			o.report(Progress{Step: "conflict", Attempt: rep.Attempts})
			return false, nil
		}
		return true, err
	}
	rep.FilesAfter = rep.FilesBefore - res.RemovedDataFiles + res.AddedDataFiles
	rep.BytesAfter = rep.BytesBefore - res.BytesBefore + res.BytesAfter
	rep.SnapshotID = snapshotID(next.CurrentSnapshot())
	o.report(Progress{Step: "committed", Attempt: rep.Attempts, Files: rep.FilesAfter, Bytes: rep.BytesAfter})
	return true, nil
}

func (o *CompactOptions) report(p Progress) {
	if o.Progress != nil {
		o.Progress(p)
	}
}

// partitionTasks lists the current snapshot's data files, of one partition
// when p is not nil. Files are matched on their partition values, not with
// a row filter, so no residual filter can drop rows from the rewrite.
func partitionTasks(ctx context.Context, tbl *table.Table, p *Partition) ([]table.FileScanTask, error) {
	if tbl.CurrentSnapshot() == nil {
		return nil, nil
	}
	tasks, err := tbl.Scan().PlanFiles(ctx)
	if err != nil {
		return nil, fmt.Errorf("iceberg: plan files: %w", err)
	}
	if p == nil {
		return tasks, nil
	}
	day := p.Day.UTC().Truncate(24*time.Hour).Unix() / 86400
	out := tasks[:0]
	for _, task := range tasks {
		v := task.File.Partition()
		if v[partProviderID] == p.Provider && v[partAppID] == p.App && dayNumber(v[partDayID]) == day {
			out = append(out, task)
		}
	}
	return out, nil
}

// dayNumber reads a day() partition value, days since 1970-01-01; -1 << 62
// when it is none.
func dayNumber(v any) int64 {
	switch v := v.(type) {
	case int32:
		return int64(v)
	case int64:
		return v
	case int:
		return int64(v)
	case ice.Date:
		return int64(v)
	}
	return -1 << 62
}

func sizeOf(tasks []table.FileScanTask) int64 {
	var n int64
	for _, t := range tasks {
		n += t.File.FileSizeBytes()
	}
	return n
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/internal/stack"
	"github.com/chatlake/chatlake/internal/stack/lakestack"
	"github.com/chatlake/chatlake/lake/iceberg"
)

const lakeSynopsis = `
Usage: chatlake lake compact|expire --config FILE [flags]

Maintains the lake's Iceberg table (exporter.format: iceberg). Streaming
commits make many small files and many snapshots; run these from cron or a
scheduler while the exporter runs:

  compact  rewrites a partition's small files into files near a target
           size, in one snapshot, without changing a row. Safe while an
           exporter commits: a conflicting commit is planned and written
           again. Hourly or daily.
  expire   removes old snapshots, the files only they referenced, and
           orphan files (left by failed or conflicting commits). Daily,
           after compact.

Both take --dry-run, print their progress on standard error and a summary
on standard output, and exit 1 on failure. They read the exporter's config
file (exporter.root, exporter.iceberg, exporter.s3). Run
'chatlake lake compact --help' for its flags.`

// lakeCommands are the subcommands of chatlake lake.
var lakeCommands = map[string]command{
	"compact": {"rewrite small files into large ones", runCompact},
	"expire":  {"remove old snapshots and orphan files", runExpire},
}

func runLake(ctx context.Context, args []string, sio *stdio) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(sio.stderr, strings.TrimSpace(lakeSynopsis))
		if len(args) == 0 {
			return errors.New("lake: no subcommand (compact or expire)")
		}
		return flag.ErrHelp
	}
	cmd, ok := lakeCommands[args[0]]
	if !ok {
		fmt.Fprintln(sio.stderr, strings.TrimSpace(lakeSynopsis))
		return fmt.Errorf("lake: unknown subcommand %q (compact or expire)", args[0])
	}
	return cmd.run(ctx, args[1:], sio)
}

const compactSynopsis = `
Usage: chatlake lake compact --config FILE [--partition P/A/YYYY-MM-DD] [--target-size BYTES] [--dry-run]

Rewrites the small data files of the lake's Iceberg table (files below 75%
of --target-size) into files near --target-size, in one replace snapshot.
The rows do not change. A partition needs at least two small files to be
rewritten. --partition limits it to one partition: provider/app/day, for
example volcengine/123456/2026-11-30 (the UTC day of fetched_at); "all"
(the default) compacts every partition.

It is safe while an exporter commits: when an append lands first, the
compaction's commit conflicts and it plans and rewrites again (up to 5
times). The files of a lost attempt become orphans that 'chatlake lake
expire' deletes later. Progress goes to standard error, a summary (files
and bytes before and after) to standard output.`

func runCompact(ctx context.Context, args []string, sio *stdio) error {
	fs := newFlagSet("lake compact", compactSynopsis, sio)
	var o iceberg.CompactOptions
	partition := fs.String("partition", "all", "provider/app/YYYY-MM-DD of one partition, or all")
	fs.Int64Var(&o.TargetFileSize, "target-size", iceberg.DefaultTargetFileSize, "target size of the files written, in bytes")
	fs.BoolVar(&o.DryRun, "dry-run", false, "plan and report, write nothing")
	open := tableFlags(fs, sio)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	p, err := parsePartition(*partition)
	if err != nil {
		return err
	}
	o.Partition = p
	o.Progress = printProgress(sio.stderr, "compact")
	tbl, err := open(ctx)
	if err != nil {
		return err
	}
	defer tbl.Close()
	rep, err := tbl.Compact(ctx, o)
	if err != nil {
		return fmt.Errorf("lake compact: %w", err)
	}
	printCompact(sio.stdout, rep)
	return nil
}

// parsePartition reads provider/app/YYYY-MM-DD; "all" or "" is nil.
func parsePartition(s string) (*iceberg.Partition, error) {
	if s == "" || s == "all" {
		return nil, nil
	}
	parts := strings.Split(s, "/")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return nil, fmt.Errorf("--partition %q: want provider/app/YYYY-MM-DD or all", s)
	}
	day, err := time.Parse(time.DateOnly, parts[2])
	if err != nil {
		return nil, fmt.Errorf("--partition %q: the day must be YYYY-MM-DD", s)
	}
	return &iceberg.Partition{Provider: parts[0], App: parts[1], Day: day}, nil
}

func printCompact(w io.Writer, r iceberg.CompactReport) {
	verb := "compacted"
	if r.DryRun {
		verb = "dry run: would compact"
	}
	if r.Groups == 0 {
		fmt.Fprintf(w, "nothing to compact: %d files, %s\n", r.FilesBefore, size(r.BytesBefore))
		return
	}
	fmt.Fprintf(w, "%s %d groups of small files: files %d -> %d, bytes %s -> %s", verb, r.Groups, r.FilesBefore, r.FilesAfter, size(r.BytesBefore), size(r.BytesAfter))
	if r.DryRun {
		fmt.Fprintln(w, " (estimated)")
		return
	}
	fmt.Fprintf(w, ", in %d attempts, snapshot %d\n", r.Attempts, r.SnapshotID)
}

const expireSynopsis = `
Usage: chatlake lake expire --config FILE [--older-than D] [--retain-last N] [--orphans-older-than D] [--dry-run]

Removes the snapshots of the lake's Iceberg table older than --older-than,
beyond the --retain-last newest, with the data and manifest files only they
referenced; then deletes orphan files: files under the table's location
that no kept snapshot references and older than --orphans-older-than (the
output of failed or conflicting commits, stale metadata). The current
snapshot, and with it every row, is always kept. Time travel to an expired
snapshot is no longer possible.

--orphans-older-than must stay well above the longest time from writing a
data file to appending it to the table: the longest epoch
(exporter.max_file_age, plus a commit delayed by a slow catalog or bucket),
plus the longest exporter outage (an epoch published just before a crash is
appended when the exporter starts again). Otherwise expire deletes the
files of an epoch about to be appended. The default, 72h, is far above the
exporter's defaults (max_file_age 10m). Durations are Go durations: 30m,
36h, 120h.`

func runExpire(ctx context.Context, args []string, sio *stdio) error {
	fs := newFlagSet("lake expire", expireSynopsis, sio)
	var o iceberg.ExpireOptions
	fs.DurationVar(&o.OlderThan, "older-than", iceberg.DefaultSnapshotAge, "remove snapshots older than this")
	fs.IntVar(&o.RetainLast, "retain-last", 1, "keep at least this many newest snapshots, whatever their age")
	fs.DurationVar(&o.OrphansOlderThan, "orphans-older-than", iceberg.DefaultOrphanAge, "delete unreferenced files older than this")
	fs.BoolVar(&o.DryRun, "dry-run", false, "report what would be removed, remove nothing")
	open := tableFlags(fs, sio)
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	case o.OlderThan <= 0 || o.OrphansOlderThan <= 0:
		return errors.New("--older-than and --orphans-older-than must be positive")
	case o.RetainLast < 1:
		return errors.New("--retain-last must be at least 1")
	}
	o.Progress = printProgress(sio.stderr, "expire")
	tbl, err := open(ctx)
	if err != nil {
		return err
	}
	defer tbl.Close()
	rep, err := tbl.Expire(ctx, o)
	if err != nil {
		return fmt.Errorf("lake expire: %w", err)
	}
	verb := "expired"
	if rep.DryRun {
		verb = "dry run: would expire"
	}
	fmt.Fprintf(sio.stdout, "%s %d snapshots (%d -> %d), %d orphan files (%s)\n",
		verb, rep.SnapshotsRemoved(), rep.SnapshotsBefore, rep.SnapshotsBefore-rep.SnapshotsRemoved(), len(rep.OrphanFiles), size(rep.OrphanBytes))
	return nil
}

// tableFlags registers --config and the exporter.* settings on fs; call
// the returned function after fs.Parse to open the table.
func tableFlags(fs *flag.FlagSet, sio *stdio) func(context.Context) (*iceberg.Table, error) {
	var cfg config.Config
	l := config.NewLoader(fs, &cfg, "exporter")
	return func(ctx context.Context) (*iceberg.Table, error) {
		if err := l.Load(sio.getenv, stack.Providers()); err != nil {
			return nil, err
		}
		if cfg.Exporter.Format != config.FormatIceberg {
			return nil, fmt.Errorf("config: exporter.format is %q: lake compact and expire need an iceberg lake (exporter.format: iceberg)", cfg.Exporter.Format)
		}
		return lakestack.OpenTable(ctx, &cfg)
	}
}

// printProgress writes each step as a line: "compact: planned 12 files,
// 3.1 MB (attempt 1)".
func printProgress(w io.Writer, op string) func(iceberg.Progress) {
	return func(p iceberg.Progress) {
		what := fmt.Sprintf("%d files, %s", p.Files, size(p.Bytes))
		switch p.Step {
		case "expired":
			what = fmt.Sprintf("%d snapshots", p.Files)
		case "conflict":
			what = "a concurrent commit landed first; planning again"
		}
		fmt.Fprintf(w, "%s: %s %s", op, p.Step, what)
		if p.Attempt > 0 {
			fmt.Fprintf(w, " (attempt %d)", p.Attempt)
		}
		fmt.Fprintln(w)
	}
}

// size prints n bytes in B, kB or MB.
func size(n int64) string {
	switch {
	case n < 10_000:
		return fmt.Sprintf("%d B", n)
	case n < 10_000_000:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

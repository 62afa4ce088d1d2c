package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/parquet-go/parquet-go"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/pipeline/exporter"
	"github.com/chatlake/chatlake/pipeline/runs"
	"github.com/chatlake/chatlake/schemas"
)

// exportProgress is where a whole export stands.
type exportProgress struct {
	jobsLeft     uint64 // jobs not yet done or failed: the work queue's messages
	streamSeq    uint64 // last event in the conversations stream
	committedSeq uint64 // last event the exporter committed to the lake
}

// progressNow reads the jobs and conversations streams and the exporter's
// commit record: three cheap requests, whatever the number of jobs.
func progressNow(ctx context.Context, js jetstream.JetStream) (exportProgress, error) {
	var p exportProgress
	jobs, err := js.Stream(ctx, schemas.StreamJobs)
	if err != nil {
		return p, err
	}
	p.jobsLeft = jobs.CachedInfo().State.Msgs
	s, err := js.Stream(ctx, schemas.StreamConversations)
	if err != nil {
		return p, err
	}
	p.streamSeq = s.CachedInfo().State.LastSeq
	p.committedSeq, err = committedSeq(ctx, js)
	return p, err
}

// jobCounts reads every job status record once.
type jobCounts struct {
	byState       map[string]int
	jobs          int
	conversations int
}

func countJobs(ctx context.Context, js jetstream.JetStream) (jobCounts, error) {
	c := jobCounts{byState: map[string]int{}}
	st, err := pipeline.OpenJobStatuses(ctx, js)
	if err != nil {
		return c, err
	}
	err = st.All(ctx, func(s schemas.JobStatus) bool {
		c.byState[s.State]++
		c.jobs++
		c.conversations += s.Conversations
		return true
	})
	return c, err
}

// committedSeq is the last stream sequence in the exporter's commit record.
func committedSeq(ctx context.Context, js jetstream.JetStream) (uint64, error) {
	rec, err := exporter.ReadCommit(ctx, js)
	return rec.LastSeq, err
}

// follow starts following run. Started before the run's jobs are
// submitted, it reads each job's status as it is written, while the
// server still has it in memory; started after, it reads the whole run at
// once, which at 100,000 jobs loads some 45 MB of the server's blocks.
func (l *local) follow(ctx context.Context, run string) (*runs.Follower, error) {
	r, err := runs.NewReader(ctx, l.js)
	if err != nil {
		return nil, err
	}
	return r.Follow(ctx, run)
}

// waitRun waits until the completion of the run f follows is signalled,
// drawing progress on bar if not nil, and returns its last summary.
func (l *local) waitRun(ctx context.Context, f *runs.Follower, bar io.Writer) (runs.Summary, error) {
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	var est eta
	for {
		s, err := f.Summary(ctx)
		if err != nil {
			return s, err
		}
		if bar != nil {
			fmt.Fprintf(bar, "\r%s %s", progressBar(int(s.Ended()), int(s.Submitted)), progressLine(s, est.left(time.Now(), s.Ended()+s.Exported, s.Submitted+s.Conversations)))
		}
		if s.State != runs.StateRunning {
			if bar != nil {
				fmt.Fprintln(bar)
			}
			return s, nil
		}
		if err := l.failed(); err != nil {
			return s, err
		}
		select {
		case <-ctx.Done():
			return s, ctx.Err()
		case <-tick.C:
		}
	}
}

func progressBar(n, total int) string {
	const width = 24
	done := width
	if total > 0 {
		done = min(width, width*n/total)
	}
	return "[" + strings.Repeat("#", done) + strings.Repeat(".", width-done) + "]"
}

// exportSummary is what the demo reports at the end.
type exportSummary struct {
	exportProgress
	jobCounts
	deadLetters uint64
	lake        lakeStats
	elapsed     time.Duration
	run         *runs.Summary // the demo's export run, once complete
}

// lakeStats is what the lake holds.
type lakeStats struct {
	files int
	bytes int64
	rows  int64
	root  string     // absolute path of exporter.root
	table *tableInfo // for an Iceberg lake
}

// summarize reads the final state: jobs, dead letters, and the lake's
// rows.
func (l *local) summarize(ctx context.Context) (exportSummary, error) {
	var s exportSummary
	var err error
	if s.exportProgress, err = progressNow(ctx, l.js); err != nil {
		return s, err
	}
	if s.jobCounts, err = countJobs(ctx, l.js); err != nil {
		return s, err
	}
	dlq, err := l.js.Stream(ctx, schemas.StreamDeadLetters)
	if err != nil {
		return s, err
	}
	s.deadLetters = dlq.CachedInfo().State.Msgs
	if l.cfg.Exporter.Format == config.FormatIceberg {
		s.lake, err = icebergStats(ctx, &l.cfg)
		return s, err
	}
	s.lake, err = parquetStats(l.cfg.Exporter.Root)
	return s, err
}

// parquetStats counts the Parquet files under root and their rows, from
// their footers.
func parquetStats(root string) (lakeStats, error) {
	st := lakeStats{root: absPath(root)}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".parquet" {
			return err
		}
		rows, size, err := parquetRows(path)
		if err != nil {
			return err
		}
		st.files++
		st.rows += rows
		st.bytes += size
		return nil
	})
	return st, err
}

func absPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

func parquetRows(path string) (rows, size int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, 0, err
	}
	pf, err := parquet.OpenFile(f, st.Size(), parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w", path, err)
	}
	return pf.NumRows(), st.Size(), nil
}

func (s exportSummary) print(w io.Writer) {
	fmt.Fprintf(w, "\nexported in %s\n", s.elapsed.Round(10*time.Millisecond))
	fmt.Fprintf(w, "  jobs           %d: done %d, failed %d\n", s.jobs, s.byState[schemas.JobDone], s.byState[schemas.JobFailed])
	fmt.Fprintf(w, "  conversations  %d fetched, %d events in the stream\n", s.conversations, s.streamSeq)
	if s.lake.table == nil {
		fmt.Fprintf(w, "  lake           %d rows in %d Parquet files, %.1f MB, under %s\n", s.lake.rows, s.lake.files, float64(s.lake.bytes)/1e6, s.lake.root)
	} else {
		fmt.Fprintf(w, "  lake           %d rows in %d Parquet files, %.1f MB, Iceberg table %s\n", s.lake.rows, s.lake.files, float64(s.lake.bytes)/1e6, s.lake.table.name)
	}
	if secs := s.elapsed.Seconds(); secs > 0 {
		fmt.Fprintf(w, "  throughput     %.0f conversations/s, %.0f jobs/s\n", float64(s.conversations)/secs, float64(s.jobs)/secs)
	}
	fmt.Fprintf(w, "  dead letters   %d\n", s.deadLetters)
	if s.run != nil {
		fmt.Fprintf(w, "  run            %s %s: completion event on %s\n", s.run.Name, s.run.State, schemas.RunSubject(s.run.Name))
	}
	if s.lake.table != nil {
		s.lake.table.printQueries(w)
		return
	}
	fmt.Fprintf(w, "\nQuery it with DuckDB:\n  duckdb -c \"SELECT provider, app, count(*) AS conversations, count(DISTINCT user_id) AS users FROM read_parquet('%s/conversations/**/*.parquet', hive_partitioning = true) GROUP BY ALL ORDER BY ALL\"\n", s.lake.root)
}

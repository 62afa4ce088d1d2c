package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/sync/errgroup"

	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/pipeline/runs"
	"github.com/chatlake/chatlake/schemas"
)

const submitSynopsis = `
Usage: chatlake submit --provider P --app A [--run NAME] [USER_ID... | --file F | -]

Publishes one job per user ID on chatlake.jobs.<provider>.<app>. User IDs
come from the arguments, from --file, or from standard input ("-"): one per
line, blank lines and lines starting with # ignored; or CSV with a header
that has a user_id column.

The jobs form an export run: --run NAME starts that run or joins it (adds
jobs to it); without --run a new run is started under a generated name.
The run's name is printed; follow it with chatlake status --run NAME
[--watch], and chatlake wait --run NAME blocks until it is complete. A run
cannot complete while a submit adds jobs to it: one interrupted leaves the
run open until a submit to it finishes (submit the same list again).

Each job's ID is derived from its content and its run, so submitting the
same list twice to one run does not double the work: a job whose status
already exists is skipped (--force submits it again), and the jobs stream
drops duplicates within its duplicate window. A progress bar is drawn on a
terminal; the final count is printed on standard output.`

type submitOptions struct {
	provider, app, file string
	run                 string
	dataType, inboxType int
	force               bool
	ids                 []string
	progress            io.Writer // nil: no progress bar
	stdin               io.Reader
}

func runSubmit(ctx context.Context, args []string, sio *stdio) error {
	fs := newFlagSet("submit", submitSynopsis, sio)
	var o submitOptions
	fs.StringVar(&o.provider, "provider", "", "provider: volcengine or yunxin (required)")
	fs.StringVar(&o.app, "app", "", "Volcengine AppId or Yunxin AppKey (required)")
	fs.StringVar(&o.file, "file", "", "file of user IDs, one a line, or CSV with a user_id header")
	fs.IntVar(&o.dataType, "data-type", -1, "Volcengine DataType: 0 cache by activity, 1 DB by creation, 2 live groups (default: provider's)")
	fs.IntVar(&o.inboxType, "inbox-type", -1, "Volcengine InboxType (default: provider's)")
	fs.BoolVar(&o.force, "force", false, "submit jobs whose status already exists")
	fs.StringVar(&o.run, "run", "", "the export run to start or join (default: a new run with a generated name)")
	connect := natsFlags(fs, sio)
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.ids, o.stdin = fs.Args(), sio.stdin
	if isTerminal(sio.stderr) {
		o.progress = sio.stderr
	}
	if o.run == "" {
		o.run = runs.NewName(time.Now())
	}
	jobs, bad, err := o.jobs()
	if err != nil {
		return err
	}
	nc, js, err := connect()
	if err != nil {
		return err
	}
	defer nc.Close()
	c, err := submitRun(ctx, js, o.run, func() (submitCounts, error) { return submit(ctx, js, jobs, o) })
	fmt.Fprintf(sio.stdout, "run %s: submitted %d, skipped %d already known, invalid %d\n", o.run, c.submitted, c.skipped, len(bad))
	for _, b := range bad {
		fmt.Fprintln(sio.stderr, b)
	}
	if err == nil && len(bad) > 0 {
		err = fmt.Errorf("%d invalid user IDs", len(bad))
	}
	return err
}

// jobs reads the user IDs and makes their jobs; invalid ones come back as
// messages.
func (o submitOptions) jobs() ([]schemas.Job, []string, error) {
	if err := schemas.ValidateProvider(o.provider); err != nil {
		return nil, nil, err
	}
	if err := schemas.ValidateApp(o.provider, o.app); err != nil {
		return nil, nil, err
	}
	users, err := o.users()
	if err != nil {
		return nil, nil, err
	}
	if o.run != "" {
		if err := schemas.ValidateRun(o.run); err != nil {
			return nil, nil, err
		}
	}
	var jobs []schemas.Job
	var bad []string
	for i, u := range users {
		j := schemas.Job{Provider: o.provider, App: o.app, UserID: u, Run: o.run}
		if o.dataType >= 0 {
			j.DataType = ptr(int32(o.dataType))
		}
		if o.inboxType >= 0 {
			j.InboxType = ptr(int32(o.inboxType))
		}
		if err := j.Validate(); err != nil {
			bad = append(bad, fmt.Sprintf("user %d: %v", i+1, err))
			continue
		}
		jobs = append(jobs, j)
	}
	return jobs, bad, nil
}

func ptr[T any](v T) *T { return &v }

// users returns the user IDs from the arguments, the file or standard input.
func (o submitOptions) users() ([]string, error) {
	switch {
	case o.file != "" && len(o.ids) > 0:
		return nil, errors.New("give user IDs or --file, not both")
	case o.file != "":
		f, err := os.Open(o.file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return readUsers(f)
	case len(o.ids) == 1 && o.ids[0] == "-":
		return readUsers(o.stdin)
	case len(o.ids) == 0:
		return nil, errors.New("no user IDs: give them as arguments, --file F, or - for standard input")
	}
	return o.ids, nil
}

// readUsers reads one user ID a line, or CSV with a user_id header.
func readUsers(r io.Reader) ([]string, error) {
	br := bufio.NewReader(r)
	first, err := br.Peek(4096)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	if strings.HasPrefix(string(first), "\ufeff") { // a BOM from spreadsheet exports
		br.Discard(3)
		first = first[3:]
	}
	header, _, _ := strings.Cut(string(first), "\n")
	if strings.Contains(header, ",") || strings.EqualFold(strings.TrimSpace(header), "user_id") {
		return readCSV(br)
	}
	var users []string
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			users = append(users, line)
		}
	}
	return users, sc.Err()
}

func readCSV(r io.Reader) ([]string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("csv header: %w", err)
	}
	col := -1
	for i, h := range head {
		if strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")), "user_id") {
			col = i
		}
	}
	if col < 0 {
		return nil, fmt.Errorf("csv header %q has no user_id column", head)
	}
	var users []string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return users, nil
		}
		if err != nil {
			return nil, fmt.Errorf("csv: %w", err)
		}
		if col < len(rec) && strings.TrimSpace(rec[col]) != "" {
			users = append(users, strings.TrimSpace(rec[col]))
		}
	}
}

type submitCounts struct{ submitted, skipped int }

// submitRun opens run (creating it, or unsealing it to add jobs), calls
// submit, and seals the run once submit succeeded: from then on it may
// complete. A failed submit leaves the run open.
func submitRun(ctx context.Context, js jetstream.JetStream, run string, submit func() (submitCounts, error)) (submitCounts, error) {
	recs, err := runs.OpenRecords(ctx, js)
	if err != nil {
		return submitCounts{}, fmt.Errorf("%w (has a producer run once to create it?)", err)
	}
	if _, err := recs.Begin(ctx, run); err != nil {
		return submitCounts{}, err
	}
	c, err := submit()
	if err != nil {
		return c, fmt.Errorf("%w (run %s stays open: submit again to finish it)", err, run)
	}
	return c, recs.Seal(ctx, run)
}

// submitWorkers is how many jobs submit has in flight: each takes five
// round trips to the server (status lookup, run index, publish, status,
// run status), so one at a time held a 100,000-job submit to ~170 jobs/s
// and made it the slowest part of a large export.
const submitWorkers = 32

// submit publishes the jobs not known yet (all with force) and counts
// them, drawing progress. A job given twice is submitted once and counted
// skipped the second time. Jobs go out submitWorkers at a time, so they
// may reach the stream out of their input order.
func submit(ctx context.Context, js jetstream.JetStream, jobs []schemas.Job, o submitOptions) (submitCounts, error) {
	var c submitCounts
	sub, err := pipeline.NewSubmitter(ctx, js)
	if err != nil {
		return c, fmt.Errorf("%w (has a producer run once to create it?)", err)
	}
	bar := newProgress(o.progress, len(jobs))
	defer bar.finish()
	var mu sync.Mutex // c and bar
	count := func(published bool) {
		mu.Lock()
		defer mu.Unlock()
		if published {
			c.submitted++
		} else {
			c.skipped++
		}
		bar.step()
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(submitWorkers)
	seen := make(map[string]struct{}, len(jobs))
	for _, j := range jobs {
		if gctx.Err() != nil {
			break
		}
		if j.JobID == "" {
			j.JobID = schemas.DeriveJobID(j)
		}
		if _, dup := seen[schemas.JobKey(j)]; dup {
			count(false)
			continue
		}
		seen[schemas.JobKey(j)] = struct{}{}
		g.Go(func() error {
			published, err := sub.Submit(gctx, j, o.force)
			if err != nil {
				return err
			}
			count(published)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return c, err
	}
	return c, ctx.Err()
}

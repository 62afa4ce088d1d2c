package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

const statusSynopsis = `
Usage: chatlake status [--provider P] [--app A] [--failures N]
       chatlake status --run NAME [--watch] [--json]

Shows the progress of submitted jobs from the job status bucket: jobs by
state (queued, running, retrying, waiting, done, failed), pages and
conversations exported, and the failed jobs with their reasons.

With --run, shows one export run: its jobs by state, conversations
published and in the lake, dead letters, and its completion. --watch
follows it until complete, with a progress bar and ETA on a terminal (a
line per refresh otherwise); --json prints the run as JSON (with --watch,
one object per refresh).`

func runStatus(ctx context.Context, args []string, sio *stdio) error {
	fs := newFlagSet("status", statusSynopsis, sio)
	provider := fs.String("provider", "", "only jobs of this provider")
	app := fs.String("app", "", "only jobs of this app")
	maxFailures := fs.Int("failures", 20, "how many failed jobs to list")
	ro := runStatusOptions{}
	fs.StringVar(&ro.run, "run", "", "show this export run")
	fs.BoolVar(&ro.watch, "watch", false, "with --run: follow the run until it is complete")
	fs.BoolVar(&ro.asJSON, "json", false, "with --run: print JSON")
	fs.DurationVar(&ro.every, "every", time.Second, "with --watch: refresh interval")
	connect := natsFlags(fs, sio)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if ro.run == "" && (ro.watch || ro.asJSON) {
		return errors.New("--watch and --json need --run")
	}
	if ro.every <= 0 {
		return errors.New("--every must be positive")
	}
	nc, js, err := connect()
	if err != nil {
		return err
	}
	defer nc.Close()
	if ro.run != "" {
		ro.maxFailures = *maxFailures
		return showRun(ctx, js, ro, sio)
	}
	st, err := pipeline.OpenJobStatuses(ctx, js)
	if err != nil {
		return err
	}
	var sum statusSummary
	err = st.All(ctx, func(s schemas.JobStatus) bool {
		if (*provider == "" || s.Provider == *provider) && (*app == "" || s.App == *app) {
			sum.add(s)
		}
		return true
	})
	if err != nil {
		return err
	}
	sum.print(sio.stdout, *maxFailures)
	return nil
}

type statusSummary struct {
	byState                    map[string]int
	jobs, pages, conversations int
	failedItems                int
	failures                   []schemas.JobStatus
}

func (s *statusSummary) add(st schemas.JobStatus) {
	if s.byState == nil {
		s.byState = map[string]int{}
	}
	s.jobs++
	s.byState[st.State]++
	s.pages += st.Pages
	s.conversations += st.Conversations
	s.failedItems += max(st.FailedItemsTotal, len(st.FailedItems))
	if st.State == schemas.JobFailed {
		s.failures = append(s.failures, st)
	}
}

var stateOrder = []string{schemas.JobQueued, schemas.JobRunning, schemas.JobRetrying, schemas.JobWaiting, schemas.JobDone, schemas.JobFailed}

func (s *statusSummary) print(w io.Writer, maxFailures int) {
	fmt.Fprintf(w, "jobs %d, pages %d, conversations %d, failed conversation IDs %d\n", s.jobs, s.pages, s.conversations, s.failedItems)
	for _, state := range stateOrder {
		fmt.Fprintf(w, "  %-9s %d\n", state, s.byState[state])
	}
	if len(s.failures) == 0 {
		return
	}
	slices.SortFunc(s.failures, func(a, b schemas.JobStatus) int { return b.UpdatedAt.Compare(a.UpdatedAt) })
	if len(s.failures) > maxFailures {
		s.failures = s.failures[:maxFailures]
	}
	fmt.Fprintln(w, "\nfailed jobs (most recent first):")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROVIDER\tAPP\tUSER\tJOB\tCLASS\tATTEMPTS\tREASON")
	for _, f := range s.failures {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", f.Provider, f.App, f.UserID, f.JobID, f.Class, f.Attempts, f.Reason)
	}
	tw.Flush()
}

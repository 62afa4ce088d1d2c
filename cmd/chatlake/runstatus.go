package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/pipeline/runs"
	"github.com/chatlake/chatlake/schemas"
)

// runStatusOptions are status's flags for one run.
type runStatusOptions struct {
	run         string
	watch       bool
	asJSON      bool
	every       time.Duration
	maxFailures int
}

// showRun shows one run; with watch it follows it until complete.
func showRun(ctx context.Context, js jetstream.JetStream, o runStatusOptions, sio *stdio) error {
	r, err := runs.NewReader(ctx, js)
	if err != nil {
		return err
	}
	if !o.watch {
		s, err := r.Get(ctx, o.run)
		if err != nil {
			return err
		}
		return printRunStatus(sio.stdout, s, o)
	}
	var bar io.Writer
	if !o.asJSON && isTerminal(sio.stderr) {
		bar = sio.stderr
	}
	s, err := watchRun(ctx, r, o, func(s runs.Summary, left time.Duration) {
		switch {
		case o.asJSON:
			json.NewEncoder(sio.stdout).Encode(s)
		case bar != nil:
			fmt.Fprintf(bar, "\r%s %s", progressBar(int(s.Ended()), int(s.Submitted)), progressLine(s, left))
		default:
			fmt.Fprintln(sio.stdout, progressLine(s, left))
		}
	})
	if bar != nil {
		fmt.Fprintln(bar)
	}
	if err != nil || o.asJSON {
		return err
	}
	return printRunStatus(sio.stdout, s, o)
}

// watchRun calls show with the run's summary every o.every until the run
// is complete, and returns its last summary.
func watchRun(ctx context.Context, r *runs.Reader, o runStatusOptions, show func(runs.Summary, time.Duration)) (runs.Summary, error) {
	f, err := r.Follow(ctx, o.run)
	if err != nil {
		return runs.Summary{}, err
	}
	defer f.Stop()
	tick := time.NewTicker(o.every)
	defer tick.Stop()
	var est eta
	for {
		s, err := f.Summary(ctx)
		if err != nil {
			return s, err
		}
		show(s, est.left(time.Now(), s.Ended()+s.Exported, s.Submitted+s.Conversations))
		if s.State != runs.StateRunning {
			return s, nil
		}
		select {
		case <-ctx.Done():
			return s, ctx.Err()
		case <-tick.C:
		}
	}
}

func progressLine(s runs.Summary, left time.Duration) string {
	line := fmt.Sprintf("jobs %d/%d  failed %d  exported %d/%d events  %s", s.Ended(), s.Submitted, s.DeadLetters, s.Exported, s.Conversations, s.State)
	if left > 0 {
		line += fmt.Sprintf("  ETA %v", left)
	}
	return line + "   "
}

func printRunStatus(w io.Writer, s runs.Summary, o runStatusOptions) error {
	if o.asJSON {
		return json.NewEncoder(w).Encode(s)
	}
	sealed := ""
	if !s.Sealed {
		sealed = " (a submit is adding jobs)"
	}
	fmt.Fprintf(w, "run %s: %s%s, created %s\n", s.Name, s.State, sealed, s.Created.Format(time.RFC3339))
	fmt.Fprintf(w, "  jobs           %d submitted, %d ended\n", s.Submitted, s.Ended())
	for _, state := range stateOrder {
		fmt.Fprintf(w, "    %-9s %d\n", state, s.Jobs[state])
	}
	fmt.Fprintf(w, "  conversations  %d published, %d in the lake\n", s.Conversations, s.Exported)
	fmt.Fprintf(w, "  dead letters   %d\n", s.DeadLetters)
	if s.CompletedAt != nil {
		fmt.Fprintf(w, "  completed      %s (completion %d, event on %s)\n", s.CompletedAt.Format(time.RFC3339), s.Completions, schemas.RunSubject(s.Name))
	}
	if len(s.Failures) > 0 {
		fmt.Fprintf(w, "\nfailed jobs (chatlake dlq list --run %s):\n", s.Name)
		for i, f := range s.Failures {
			if i == o.maxFailures {
				break
			}
			fmt.Fprintf(w, "  %s/%s %s  %s: %s\n", f.Provider, f.App, f.UserID, f.Class, f.Reason)
		}
	}
	return nil
}

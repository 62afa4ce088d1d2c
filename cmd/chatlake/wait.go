package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/chatlake/chatlake/pipeline/runs"
)

const waitSynopsis = `
Usage: chatlake wait --run NAME [--timeout D] [--every D]

Blocks until the export run is complete: every job done or dead-lettered,
every event committed in the lake, and the completion signalled (the event
on chatlake.runs.<run> and the lake's marker). It then prints the run's
summary. An exporter (or chatlake run) must be running: it signals the
completion.

Exit status:
  0  the run is complete and no job failed
  1  the run is complete and some jobs were dead-lettered (chatlake dlq list --run NAME)
  2  an error: no such run, NATS unreachable, bad flags
  3  --timeout passed before the run completed`

// Exit codes of chatlake wait.
const (
	exitFailures = 1
	exitError    = 2
	exitTimeout  = 3
)

// exitStatus is an error with the process's exit code.
type exitStatus struct {
	code int
	err  error
}

func (e exitStatus) Error() string { return e.err.Error() }
func (e exitStatus) Unwrap() error { return e.err }

// exitCode is the exit code for err: its exitStatus's, else 1.
func exitCode(err error) int {
	var e exitStatus
	if errors.As(err, &e) {
		return e.code
	}
	return 1
}

func runWait(ctx context.Context, args []string, sio *stdio) error {
	fs := newFlagSet("wait", waitSynopsis, sio)
	o := runStatusOptions{maxFailures: 20}
	fs.StringVar(&o.run, "run", "", "the export run to wait for (required)")
	timeout := fs.Duration("timeout", 0, "give up after this long, exit 3 (0: wait for ever)")
	fs.DurationVar(&o.every, "every", time.Second, "how often to look")
	connect := natsFlags(fs, sio)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return exitStatus{exitError, err}
	}
	if o.run == "" || o.every <= 0 || *timeout < 0 {
		return exitStatus{exitError, errors.New("--run is required, --every must be positive and --timeout not negative")}
	}
	err := wait(ctx, connect, o, *timeout, sio)
	var e exitStatus
	if err != nil && !errors.As(err, &e) {
		err = exitStatus{exitError, err}
	}
	return err
}

func wait(ctx context.Context, connect connectFunc, o runStatusOptions, timeout time.Duration, sio *stdio) error {
	nc, js, err := connect()
	if err != nil {
		return err
	}
	defer nc.Close()
	r, err := runs.NewReader(ctx, js)
	if err != nil {
		return err
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	s, err := watchRun(ctx, r, o, func(runs.Summary, time.Duration) {})
	if errors.Is(err, context.DeadlineExceeded) {
		return exitStatus{exitTimeout, fmt.Errorf("run %s not complete after %v: %d of %d jobs ended, %d of %d events in the lake", o.run, timeout, s.Ended(), s.Submitted, s.Exported, s.Conversations)}
	}
	if err != nil {
		return err
	}
	printRunStatus(sio.stdout, s, o)
	if s.State == runs.StateFailed {
		return exitStatus{exitFailures, fmt.Errorf("run %s complete with %d failed jobs", o.run, s.DeadLetters)}
	}
	return nil
}

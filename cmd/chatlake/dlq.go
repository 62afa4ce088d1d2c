package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/chatlake/chatlake/pipeline/dlq"
	"github.com/chatlake/chatlake/schemas"
)

const dlqSynopsis = `
Usage: chatlake dlq list|show|replay|purge [flags] [SEQ...]

Works on the dead letters of CHATLAKE_DLQ: jobs the producer gave up on and
conversation events the exporter could not write, each with its reason.

  list     a table of the dead letters the filters select (--json: one
           JSON object a line, the whole dead letter)
  show SEQ one dead letter whole: its fields, headers, and data (as text
           when it is text), and whether the data was truncated
  replay   republishes the original message of each dead letter selected,
           once its cause is fixed, and records that it did
  purge    deletes the dead letters selected (--dry-run, --yes)

SEQ is a dead letter's sequence, the first column of list. Run
'chatlake dlq COMMAND --help' for a command's flags.`

const dlqFilterHelp = `
Filters: --kind jobs|conversations, --provider, --app, --class (throttled,
transient, permanent, unavailable, invalid), --reason (a substring, any
case), --run (an export run), --since and --until (a time such as 2026-12-01T08:00:00Z or
2026-12-01, or a duration ago such as 90m, 24h or 7d). SEQ arguments select
those dead letters only.`

// dlqCommands are the subcommands of chatlake dlq.
var dlqCommands = map[string]func(ctx context.Context, args []string, sio *stdio) error{
	"list":   runDLQList,
	"show":   runDLQShow,
	"replay": runDLQReplay,
	"purge":  runDLQPurge,
}

func runDLQ(ctx context.Context, args []string, sio *stdio) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(sio.stderr, strings.TrimSpace(dlqSynopsis))
		if len(args) == 0 {
			return errors.New("dlq: no command: list, show, replay or purge")
		}
		return nil
	}
	cmd, ok := dlqCommands[args[0]]
	if !ok {
		return fmt.Errorf("dlq: unknown command %q: list, show, replay or purge", args[0])
	}
	return cmd(ctx, args[1:], sio)
}

// dlqFlags are the flags every dlq command shares: the filters and the
// connection.
type dlqFlags struct {
	fs                                 *flag.FlagSet
	kind, provider, app, class, reason string
	run, since, until                  string
	connect                            func() (*dlq.Queue, func(), error)
	args                               []string
	all                                bool
}

func newDLQFlags(name, synopsis string, sio *stdio) *dlqFlags {
	f := &dlqFlags{fs: newFlagSet("dlq "+name, synopsis+"\n"+dlqFilterHelp, sio)}
	f.fs.StringVar(&f.kind, "kind", "", "jobs or conversations")
	f.fs.StringVar(&f.provider, "provider", "", "only dead letters of this provider")
	f.fs.StringVar(&f.app, "app", "", "only dead letters of this app")
	f.fs.StringVar(&f.class, "class", "", "only dead letters of this error class")
	f.fs.StringVar(&f.reason, "reason", "", "only dead letters whose reason contains this, in any case")
	f.fs.StringVar(&f.run, "run", "", "only dead letters of jobs of this export run")
	f.fs.StringVar(&f.since, "since", "", "only dead letters that failed at or after this time, or this long ago")
	f.fs.StringVar(&f.until, "until", "", "only dead letters that failed before this time, or this long ago")
	connect := natsFlags(f.fs, sio)
	f.connect = func() (*dlq.Queue, func(), error) {
		nc, js, err := connect()
		if err != nil {
			return nil, nil, err
		}
		q, err := dlq.Open(context.Background(), js)
		if err != nil {
			nc.Close()
			return nil, nil, fmt.Errorf("%w (has a producer or exporter run once to create it?)", err)
		}
		return q, nc.Close, nil
	}
	return f
}

// parse parses args, flags and sequences in any order, into a filter.
func (f *dlqFlags) parse(args []string, now time.Time) (dlq.Filter, error) {
	for {
		if err := f.fs.Parse(args); err != nil {
			return dlq.Filter{}, err
		}
		if args = f.fs.Args(); len(args) == 0 {
			break
		}
		f.args, args = append(f.args, args[0]), args[1:]
	}
	flt := dlq.Filter{Kind: f.kind, Provider: f.provider, App: f.app, Class: schemas.ErrorClass(f.class), Reason: f.reason, Run: f.run}
	var err error
	if flt.Since, err = parseWhen(f.since, now); err != nil {
		return flt, fmt.Errorf("--since: %w", err)
	}
	if flt.Until, err = parseWhen(f.until, now); err != nil {
		return flt, fmt.Errorf("--until: %w", err)
	}
	for _, a := range f.args {
		seq, err := strconv.ParseUint(a, 10, 64)
		if err != nil || seq == 0 {
			return flt, fmt.Errorf("%q is not a dead letter's sequence (a number from 1, the first column of list)", a)
		}
		flt.Seqs = append(flt.Seqs, seq)
	}
	return flt, flt.Validate()
}

// requireSelection refuses to act on every dead letter unless --all.
func (f *dlqFlags) requireSelection(flt dlq.Filter, verb string) error {
	if f.all || flt.Kind != "" || flt.Provider != "" || flt.App != "" || flt.Class != "" || flt.Reason != "" || flt.Run != "" ||
		!flt.Since.IsZero() || !flt.Until.IsZero() || len(flt.Seqs) > 0 {
		return nil
	}
	return fmt.Errorf("no dead letters selected: give sequences or filters, or --all to %s every one", verb)
}

// parseWhen reads an RFC 3339 time, a date (UTC), or a duration before
// now (Go's units, and d for days); "" is the zero time.
func parseWhen(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 {
			return now.Add(-time.Duration(n) * 24 * time.Hour).UTC(), nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return time.Time{}, fmt.Errorf("%q is neither a time (2026-12-01T08:00:00Z, 2026-12-01) nor a duration ago (90m, 24h, 7d)", s)
	}
	return now.Add(-d).UTC(), nil
}

// replayer names who replays: the user and the host.
func replayer(sio *stdio) string {
	host, _ := os.Hostname()
	return cmp.Or(sio.getenv("USER"), sio.getenv("LOGNAME"), "unknown") + "@" + cmp.Or(host, "unknown")
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/internal/ops"
	"github.com/chatlake/chatlake/internal/stack"
)

// stdio is a command's outside world: the environment and standard streams.
type stdio struct {
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer
}

// command is one subcommand. Add new ones to commands.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, io *stdio) error
}

// commands lists the subcommands by name.
var commands = map[string]command{
	"submit": {"publish jobs: one per user ID", runSubmit},
	"demo":   {"run a whole export on this machine against simulated providers", runDemo},
	"run":    {"run NATS, producer and exporter in one process against real providers", runRun},
	"status": {"show the progress of submitted jobs, or of one export run", runStatus},
	"runs":   {"list the export runs", runRuns},
	"wait":   {"wait until an export run is complete; exit 1 if jobs failed", runWait},
	"dlq":    {"list, show, replay and purge dead letters", runDLQ},
	"lake":   {"maintain the Iceberg table: compact small files, expire old snapshots", runLake},
}

// run dispatches to the subcommand named by args[0].
func run(ctx context.Context, args []string, sio *stdio) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(sio.stderr)
		if len(args) == 0 {
			return errors.New("no command")
		}
		return nil
	}
	cmd, ok := commands[args[0]]
	if !ok {
		usage(sio.stderr)
		return fmt.Errorf("unknown command %q", args[0])
	}
	err := cmd.run(ctx, args[1:], sio)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: chatlake COMMAND [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'chatlake COMMAND --help' for a command's flags.")
}

// connectFunc connects to NATS once the flags are parsed.
type connectFunc = func() (*nats.Conn, jetstream.JetStream, error)

// natsFlags registers --config and the nats.* settings on fs; call the
// returned function after fs.Parse to connect.
func natsFlags(fs *flag.FlagSet, sio *stdio) connectFunc {
	var cfg config.Config
	l := config.NewLoader(fs, &cfg, "nats")
	return func() (*nats.Conn, jetstream.JetStream, error) {
		if err := l.Load(sio.getenv, stack.Providers()); err != nil {
			return nil, nil, err
		}
		log, err := ops.NewLogger(sio.stderr, "warn")
		if err != nil {
			return nil, nil, err
		}
		nc, err := ops.ConnectNATS(cfg.NATS, "chatlake-cli", log)
		if err != nil {
			return nil, nil, err
		}
		js, err := jetstream.New(nc)
		if err != nil {
			nc.Close()
			return nil, nil, fmt.Errorf("jetstream: %w", err)
		}
		return nc, js, nil
	}
}

func newFlagSet(name, synopsis string, sio *stdio) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(sio.stderr)
	fs.Usage = func() {
		fmt.Fprintln(sio.stderr, strings.TrimSpace(synopsis)+"\n\nFlags:")
		fs.PrintDefaults()
	}
	return fs
}

// isTerminal reports whether w is a character device, to draw progress.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

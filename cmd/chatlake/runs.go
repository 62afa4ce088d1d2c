package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/chatlake/chatlake/pipeline/runs"
)

const runsSynopsis = `
Usage: chatlake runs [--json]

Lists the export runs, newest first: state (running, complete, or failed:
complete with dead-lettered jobs), jobs ended of submitted, conversations
in the lake of those published, dead letters. chatlake status --run NAME
shows one.`

func runRuns(ctx context.Context, args []string, sio *stdio) error {
	fs := newFlagSet("runs", runsSynopsis, sio)
	asJSON := fs.Bool("json", false, "print the runs as a JSON array")
	connect := natsFlags(fs, sio)
	if err := fs.Parse(args); err != nil {
		return err
	}
	nc, js, err := connect()
	if err != nil {
		return err
	}
	defer nc.Close()
	list, err := runs.List(ctx, js)
	if err != nil {
		return err
	}
	if *asJSON {
		if list == nil {
			list = []runs.Summary{}
		}
		return json.NewEncoder(sio.stdout).Encode(list)
	}
	printRuns(sio.stdout, list)
	return nil
}

func printRuns(w io.Writer, list []runs.Summary) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tSTATE\tCREATED\tJOBS\tCONVERSATIONS\tDEAD LETTERS")
	for _, s := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d/%d\t%d/%d\t%d\n", s.Name, s.State, s.Created.Format(time.RFC3339),
			s.Ended(), s.Submitted, s.Exported, s.Conversations, s.DeadLetters)
	}
	tw.Flush()
}

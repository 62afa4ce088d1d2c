package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/chatlake/chatlake/pipeline/dlq"
)

const dlqReplaySynopsis = `
Usage: chatlake dlq replay [filters] [--force] [--all] [SEQ...]

Republishes the original message of each dead letter selected, once the
cause is fixed: its data and headers on its original subject. A job goes
back to the jobs stream and the producer runs it afresh (its status says
failed until a producer picks it up; its attempts start again from 0).
Each replay is recorded in the key-value bucket chatlake_dlq_replays (when,
who, the new message's stream sequence), and a dead letter replayed before
is skipped unless --force.

Conversation events the exporter dead-lettered are replayed only with
--kind conversations: each is republished on its subject into
CHATLAKE_CONVERSATIONS, and the exporter reads it again (fix the exporter,
or the publisher that wrote it, first). The event keeps its event_id, but
its Nats-Msg-Id is the replay's: under its own, the stream would drop it
within the duplicate window as the event it already holds.

A dead letter whose data was truncated to fit in a message is refused: the
original is lost. The command exits 1 if any was refused.

Replay can be interrupted and run again: the republished message's
Nats-Msg-Id derives from the dead letter's sequence, and the record is
written after the stream stored it, so a second run finds the record or
republishes a duplicate the stream drops. (After the duplicate window,
2h by default, an interrupted replay run again publishes once more.)

With no SEQ and no filter, give --all to replay every dead letter.`

const dlqPurgeSynopsis = `
Usage: chatlake dlq purge [filters] [--dry-run | --yes] [--all] [SEQ...]

Deletes the dead letters selected, for good. --dry-run lists them and
deletes nothing; otherwise --yes is required. Selected by kind, provider
and app alone, they are purged from the stream by subject in one request;
otherwise one by one. Dead letters arriving while purge runs are kept.

With no SEQ and no filter, give --all to purge every dead letter.`

func runDLQReplay(ctx context.Context, args []string, sio *stdio) error {
	f := newDLQFlags("replay", dlqReplaySynopsis, sio)
	force := f.fs.Bool("force", false, "replay dead letters replayed before again")
	f.fs.BoolVar(&f.all, "all", false, "select every dead letter when no filter or SEQ is given")
	flt, err := f.parse(args, time.Now())
	if err != nil {
		return err
	}
	if err := f.requireSelection(flt, "replay"); err != nil {
		return err
	}
	q, closeFn, err := f.connect()
	if err != nil {
		return err
	}
	defer closeFn()
	var c replayCounts
	err = q.Replay(ctx, flt, dlq.ReplayOptions{Force: *force, By: replayer(sio)}, func(r dlq.ReplayResult) { c.print(sio.stdout, r) })
	fmt.Fprintf(sio.stdout, "replayed %d, already replayed %d, skipped %d, refused %d\n", c.replayed, c.already, c.skipped, c.refused)
	if err == nil && c.refused > 0 {
		err = fmt.Errorf("%d dead letters refused", c.refused)
	}
	return err
}

type replayCounts struct{ replayed, already, skipped, refused int }

// print writes one line per dead letter and counts it.
func (c *replayCounts) print(w io.Writer, r dlq.ReplayResult) {
	switch r.Outcome {
	case dlq.Replayed:
		c.replayed++
		note := ""
		if r.Record.Duplicate {
			note = " (the stream held it already: an interrupted replay had published it)"
		}
		fmt.Fprintf(w, "replayed %d: %s into %s seq %d%s\n", r.Entry.Seq, r.Record.Subject, r.Record.Stream, r.Record.StreamSeq, note)
	case dlq.AlreadyReplayed:
		c.already++
		fmt.Fprintf(w, "already replayed %d: at %s into %s seq %d; --force replays it again\n", r.Entry.Seq, formatTime(r.Record.ReplayedAt), r.Record.Stream, r.Record.StreamSeq)
	case dlq.SkippedEvent:
		c.skipped++
		fmt.Fprintf(w, "skipped %d: %s\n", r.Entry.Seq, r.Why)
	default:
		c.refused++
		fmt.Fprintf(w, "refused %d: %s\n", r.Entry.Seq, r.Why)
	}
}

func runDLQPurge(ctx context.Context, args []string, sio *stdio) error {
	f := newDLQFlags("purge", dlqPurgeSynopsis, sio)
	dryRun := f.fs.Bool("dry-run", false, "list what would be deleted, delete nothing")
	yes := f.fs.Bool("yes", false, "delete: confirms the purge")
	f.fs.BoolVar(&f.all, "all", false, "select every dead letter when no filter or SEQ is given")
	flt, err := f.parse(args, time.Now())
	if err != nil {
		return err
	}
	if err := f.requireSelection(flt, "purge"); err != nil {
		return err
	}
	if !*dryRun && !*yes {
		return errors.New("purge deletes dead letters for good: add --yes, or --dry-run to list them")
	}
	q, closeFn, err := f.connect()
	if err != nil {
		return err
	}
	defer closeFn()
	if *dryRun {
		t := newDLQTable(sio.stdout)
		_, err := q.Purge(ctx, flt, true, t.row)
		t.flush("dead letters would be deleted")
		return err
	}
	n, err := q.Purge(ctx, flt, false, nil)
	fmt.Fprintf(sio.stdout, "deleted %d dead letters\n", n)
	return err
}

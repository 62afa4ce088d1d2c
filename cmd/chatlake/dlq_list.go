package main

import (
	"cmp"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/chatlake/chatlake/pipeline/dlq"
)

const dlqListSynopsis = `
Usage: chatlake dlq list [filters] [--json] [SEQ...]

Lists the dead letters the filters select, oldest first: sequence, when it
failed, kind, provider/app, user, error class, whether it was replayed, and
the reason (clipped; show has it whole). --json writes one JSON object a
line instead: the whole dead letter with its seq, kind and replay record.`

const dlqShowSynopsis = `
Usage: chatlake dlq show [--json] SEQ

Shows one dead letter whole: the original subject and headers, the reason,
class, provider code and attempts, its replay record, and the original
data, as text when it is text, else as a hex dump. A dead letter whose
data was truncated to fit in a message says so: it holds only the start of
the original, which data_size and data_sha256 identify, and cannot be
replayed.`

// reasonWidth is how much of a reason a list row shows.
const reasonWidth = 72

func runDLQList(ctx context.Context, args []string, sio *stdio) error {
	f := newDLQFlags("list", dlqListSynopsis, sio)
	asJSON := f.fs.Bool("json", false, "one JSON object a line")
	flt, err := f.parse(args, time.Now())
	if err != nil {
		return err
	}
	q, closeFn, err := f.connect()
	if err != nil {
		return err
	}
	defer closeFn()
	if *asJSON {
		enc := json.NewEncoder(sio.stdout)
		var encErr error
		err = q.Each(ctx, flt, func(e dlq.Entry) bool { encErr = enc.Encode(e); return encErr == nil })
		return cmp.Or(err, encErr)
	}
	t := newDLQTable(sio.stdout)
	if err := q.Each(ctx, flt, func(e dlq.Entry) bool { t.row(e); return true }); err != nil {
		return err
	}
	t.flush("dead letters")
	return nil
}

// dlqTable writes dead letters as a table, with a count at the end.
type dlqTable struct {
	w        io.Writer
	tw       *tabwriter.Writer
	n, again int
}

func newDLQTable(w io.Writer) *dlqTable {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tFAILED_AT\tKIND\tPROVIDER/APP\tUSER\tCLASS\tREPLAYED\tREASON")
	return &dlqTable{w: w, tw: tw}
}

func (t *dlqTable) row(e dlq.Entry) {
	t.n++
	replayed := "-"
	if e.Replay != nil {
		t.again++
		replayed = fmt.Sprintf("%s #%d", e.Replay.Stream, e.Replay.StreamSeq)
	}
	reason := cmp.Or(e.DecodeError, e.Reason)
	fmt.Fprintf(t.tw, "%d\t%s\t%s\t%s/%s\t%s\t%s\t%s\t%s\n", e.Seq, formatTime(e.FailedAt), e.Kind, e.Provider, e.App,
		cmp.Or(e.UserID, "-"), cmp.Or(string(e.Class), "-"), replayed, clip(oneLine(reason), reasonWidth))
}

func (t *dlqTable) flush(what string) {
	t.tw.Flush()
	fmt.Fprintf(t.w, "%d %s, %d of them replayed\n", t.n, what, t.again)
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// oneLine turns control characters into spaces, so a reason keeps to its
// row.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// clip cuts s to n runes, marking the cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func runDLQShow(ctx context.Context, args []string, sio *stdio) error {
	f := newDLQFlags("show", dlqShowSynopsis, sio)
	asJSON := f.fs.Bool("json", false, "the dead letter as JSON")
	flt, err := f.parse(args, time.Now())
	if err != nil {
		return err
	}
	if len(flt.Seqs) != 1 {
		return fmt.Errorf("show takes one SEQ, the first column of list")
	}
	q, closeFn, err := f.connect()
	if err != nil {
		return err
	}
	defer closeFn()
	e, err := q.Get(ctx, flt.Seqs[0])
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(sio.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(e)
	}
	showEntry(sio.stdout, e)
	return nil
}

// showEntry writes e whole, a field a line, then its data.
func showEntry(w io.Writer, e dlq.Entry) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	line := func(k, format string, a ...any) { fmt.Fprintf(tw, "%s\t"+format+"\n", append([]any{k}, a...)...) }
	line("dead letter", "%d on %s, stored %s", e.Seq, e.DeadLetterSubject, formatTime(e.Stored))
	if e.DecodeError != "" {
		line("error", "%s", e.DecodeError)
		tw.Flush()
		return
	}
	line("failed at", "%s", formatTime(e.FailedAt))
	line("subject", "%s (stream seq %d)", e.Subject, e.StreamSeq)
	line("job", "%s", cmp.Or(e.JobID, "-"))
	line("provider/app", "%s/%s", cmp.Or(e.DeadLetter.Provider, e.Provider), cmp.Or(e.DeadLetter.App, e.App))
	line("user", "%s", cmp.Or(e.UserID, "-"))
	line("class", "%s", cmp.Or(string(e.Class), "-"))
	line("provider code", "%s", cmp.Or(e.ProviderCode, "-"))
	line("attempts", "%d", e.Attempts)
	line("reason", "%s", oneLine(e.Reason))
	line("headers", "%s", showHeaders(e))
	line("data", "%s", showDataSummary(e))
	line("replayed", "%s", showReplay(e))
	tw.Flush()
	fmt.Fprintln(w)
	fmt.Fprintln(w, showData(e.Data))
}

func showHeaders(e dlq.Entry) string {
	if e.HeadersOmitted {
		return "left out for size"
	}
	var parts []string
	for k, vs := range e.Headers {
		for _, v := range vs {
			parts = append(parts, k+": "+v)
		}
	}
	return cmp.Or(strings.Join(parts, "; "), "none")
}

func showDataSummary(e dlq.Entry) string {
	s := fmt.Sprintf("%d bytes, sha256 %s", e.DataSize, cmp.Or(e.DataSHA256, "-"))
	if e.DataTruncated {
		s += fmt.Sprintf("; TRUNCATED to its first %d bytes to fit in a message: cannot be replayed", len(e.Data))
	}
	return s
}

func showReplay(e dlq.Entry) string {
	r := e.Replay
	if r == nil {
		return "never"
	}
	return fmt.Sprintf("%d time(s), last at %s by %s into %s seq %d (Nats-Msg-Id %s)",
		r.Replays, formatTime(r.ReplayedAt), cmp.Or(r.By, "-"), r.Stream, r.StreamSeq, r.MsgID)
}

// showData returns data as it is if it is text, else a hex dump.
func showData(data []byte) string {
	text := utf8.Valid(data) && !strings.ContainsFunc(string(data), func(r rune) bool {
		return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t'
	})
	if text {
		return string(data)
	}
	return strings.TrimSuffix(hex.Dump(data), "\n")
}

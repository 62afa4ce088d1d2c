package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

var dlqT0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// dlqSeed publishes, at sequences 1 to 3: a Volcengine job that failed
// permanently with a long reason, a Yunxin job truncated to fit, and a
// conversation event that is not text.
func (c *cli) dlqSeed(t *testing.T) {
	t.Helper()
	job := func(provider, app, user string, seq uint64, class schemas.ErrorClass, reason string, at time.Time) schemas.DeadLetter {
		data := []byte(`{"provider":"` + provider + `","app":"` + app + `","user_id":"` + user + `"}`)
		sum := sha256.Sum256(data)
		return schemas.DeadLetter{SchemaVersion: 1, Subject: schemas.JobSubject(provider, app), Data: data, DataSize: len(data),
			DataSHA256: hex.EncodeToString(sum[:]), StreamSeq: seq, Reason: reason, Class: class, JobID: "j" + user,
			Provider: provider, App: app, UserID: user, FailedAt: at}
	}
	long := "fetch page 1: provider said: user does not exist " + strings.Repeat("and more ", 20)
	cut := job(schemas.ProviderYunxin, "appkey1", "u2", 2, schemas.ClassInvalid, "job exceeds the size limit", dlqT0.Add(time.Hour))
	cut.DataSize, cut.DataTruncated = 1<<20, true
	ev := schemas.DeadLetter{SchemaVersion: 1, Subject: schemas.ConversationSubject(schemas.ProviderVolcengine, "123456"),
		Data: []byte{0xff, 0x00, 'x'}, DataSize: 3, StreamSeq: 3, Reason: "decode event: invalid character", Class: schemas.ClassInvalid,
		Provider: schemas.ProviderVolcengine, App: "123456", Attempts: 1, FailedAt: dlqT0.Add(2 * time.Hour)}
	for _, d := range []struct {
		kind string
		dl   schemas.DeadLetter
	}{
		{schemas.DeadLetterKindJobs, job(schemas.ProviderVolcengine, "123456", "10001", 1, schemas.ClassPermanent, long, dlqT0)},
		{schemas.DeadLetterKindJobs, cut},
		{schemas.DeadLetterKindConversations, ev},
	} {
		if err := pipeline.PublishDeadLetter(t.Context(), c.js, d.kind, d.dl); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDLQListTableAndJSON(t *testing.T) {
	c := newCLI(t)
	c.dlqSeed(t)
	out, _, err := c.run(t, "", "dlq", "list")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "SEQ") || !strings.HasSuffix(lines[4], "3 dead letters, 0 of them replayed") {
		t.Fatalf("dlq list =\n%s\nwant a header, 3 rows and a count", out)
	}
	for i, want := range []string{
		"1  2026-11-30T12:00:00Z  jobs          volcengine/123456  10001  permanent  -         fetch page 1: provider said: user does not exist and more",
		"2  2026-11-30T13:00:00Z  jobs          yunxin/appkey1     u2     invalid    -         job exceeds the size limit",
		"3  2026-11-30T14:00:00Z  conversations  volcengine/123456  -      invalid    -         decode event: invalid character",
	} {
		if !strings.HasPrefix(strings.Join(strings.Fields(lines[i+1]), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("row %d = %q, want it to start %q", i+1, lines[i+1], want)
		}
	}
	if !strings.HasSuffix(lines[1], "…") || len([]rune(lines[1])) > 200 {
		t.Errorf("row 1 = %q, want its reason clipped", lines[1])
	}

	out, _, err = c.run(t, "", "dlq", "list", "--json", "--provider", "volcengine", "--since", "2026-11-30T11:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	var seqs []uint64
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var e struct {
			Seq    uint64 `json:"seq"`
			Kind   string `json:"kind"`
			Reason string `json:"reason"`
			Data   []byte `json:"data"`
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil || e.Kind == "" || e.Reason == "" || len(e.Data) == 0 {
			t.Errorf("json line %q: %+v, %v; want a whole dead letter", l, e, err)
		}
		seqs = append(seqs, e.Seq)
	}
	if len(seqs) != 2 || seqs[0] != 1 || seqs[1] != 3 {
		t.Errorf("dlq list --json --provider volcengine = seqs %v, want 1 and 3", seqs)
	}
}

func TestDLQListFilterErrors(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{
		{"dlq"}, {"dlq", "burn"}, {"dlq", "list", "--kind", "events"}, {"dlq", "list", "--since", "yesterday"},
		{"dlq", "list", "--class", "fatal"}, {"dlq", "list", "x1"}, {"dlq", "show"}, {"dlq", "show", "1", "2"},
		{"dlq", "show", "9"}, {"dlq", "replay"}, {"dlq", "purge", "--provider", "yunxin"},
	} {
		if _, _, err := c.run(t, "", args...); err == nil {
			t.Errorf("chatlake %s = nil, want an error", strings.Join(args, " "))
		}
	}
	if _, errOut, err := c.run(t, "", "dlq", "replay", "--help"); err != nil || !strings.Contains(errOut, "--kind conversations") {
		t.Errorf("dlq replay --help = %v, %q; want the synopsis", err, errOut)
	}
}

func TestDLQShow(t *testing.T) {
	c := newCLI(t)
	c.dlqSeed(t)
	for _, tc := range []struct {
		seq  string
		want []string
	}{
		{"1", []string{"dead letter    1 on chatlake.dlq.jobs.volcengine.123456", "subject        chatlake.jobs.volcengine.123456 (stream seq 1)",
			"user does not exist and more and more", "replayed       never", "\n\n" + `{"provider":"volcengine","app":"123456","user_id":"10001"}`}},
		{"2", []string{"TRUNCATED to its first", "cannot be replayed", "1048576 bytes"}},
		{"3", []string{"conversations", "00000000  ff 00 78"}},
	} {
		out, _, err := c.run(t, "", "dlq", "show", tc.seq)
		for _, w := range tc.want {
			if err != nil || !strings.Contains(out, w) {
				t.Errorf("dlq show %s = %v,\n%s\nwant it to hold %q", tc.seq, err, out, w)
			}
		}
	}
}

func TestDLQReplayAndPurge(t *testing.T) {
	c := newCLI(t)
	c.dlqSeed(t)
	out, _, err := c.run(t, "", "dlq", "replay", "--all")
	for _, w := range []string{
		"replayed 1: chatlake.jobs.volcengine.123456 into CHATLAKE_JOBS seq 1\n",
		"refused 2: its data was truncated to",
		"skipped 3: a conversation event: replay events with --kind conversations\n",
		"replayed 1, already replayed 0, skipped 1, refused 1\n",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("dlq replay --all =\n%s\nwant it to hold %q", out, w)
		}
	}
	if err == nil || !strings.Contains(err.Error(), "1 dead letters refused") {
		t.Errorf("dlq replay --all = %v, want 1 refused", err)
	}
	out, _, err = c.run(t, "", "dlq", "replay", "1")
	if err != nil || !strings.Contains(out, "already replayed 1: at ") || c.jobsInStream(t) != 1 {
		t.Errorf("dlq replay 1 again = %v,\n%s\n%d jobs; want already replayed, 1 job", err, out, c.jobsInStream(t))
	}
	out, _, _ = c.run(t, "", "dlq", "list", "1")
	if !strings.Contains(out, "CHATLAKE_JOBS #1") || !strings.Contains(out, "1 of them replayed") {
		t.Errorf("dlq list after replay =\n%s\nwant the replay shown", out)
	}

	out, _, err = c.run(t, "", "dlq", "purge", "--kind", "jobs", "--dry-run")
	if err != nil || !strings.Contains(out, "2 dead letters would be deleted") {
		t.Errorf("dlq purge --dry-run = %v,\n%s\nwant 2 listed", err, out)
	}
	if _, _, err := c.run(t, "", "dlq", "purge", "--kind", "jobs"); err == nil || !strings.Contains(err.Error(), "--yes") {
		t.Errorf("dlq purge without --yes = %v, want a request for --yes", err)
	}
	out, _, err = c.run(t, "", "dlq", "purge", "--kind", "jobs", "--yes")
	if err != nil || out != "deleted 2 dead letters\n" {
		t.Errorf("dlq purge --yes = %v, %q; want 2 deleted", err, out)
	}
	out, _, err = c.run(t, "", "dlq", "purge", "--reason", "INVALID CHARACTER", "--yes")
	if err != nil || out != "deleted 1 dead letters\n" {
		t.Errorf("dlq purge --reason = %v, %q; want 1 deleted", err, out)
	}
	if out, _, _ := c.run(t, "", "dlq", "list"); !strings.Contains(out, "0 dead letters") {
		t.Errorf("dlq list after purges =\n%s\nwant none", out)
	}
}

func TestParseWhen(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"":                          {},
		"2026-11-30T08:00:00+01:00": time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC),
		"2026-11-30T08:00":          time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC),
		"2026-11-30":                time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
		"90m":                       now.Add(-90 * time.Minute),
		"7d":                        now.Add(-7 * 24 * time.Hour),
	} {
		if got, err := parseWhen(in, now); err != nil || !got.Equal(want) {
			t.Errorf("parseWhen(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"yesterday", "-5m", "3x", "-1d"} {
		if _, err := parseWhen(in, now); err == nil {
			t.Errorf("parseWhen(%q) = nil error, want one", in)
		}
	}
}

package schemas_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chatlake/chatlake/schemas"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// goldenValues are one fully populated value of every contract. The golden
// files pin their wire form: a change that renames or drops a field fails
// here. Additions need -update and a review of the diff.
func goldenValues() map[string]any {
	at := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	name, one := "项目讨论组", int64(1)
	vconv := schemas.Conversation{
		Provider: schemas.ProviderVolcengine, App: "123456", UserID: "10001", ConversationID: "9007199254740993",
		Type: schemas.ConversationTypeGroup, Name: &name, OwnerUserID: p("10001"), CreateTime: p(at.Add(-time.Hour)), UpdateTime: &at,
		Volcengine: &schemas.VolcengineConversation{ConversationShortID: 9007199254740993, AppID: p(int32(123456)), ConversationType: p(int32(2)),
			OwnerUserID: p(int64(10001)), CreatorUserID: p(int64(10001)), Notice: p(""), Ext: map[string]string{"k": "v"}, MemberCount: &one},
		Raw: json.RawMessage(`{"ConversationShortId":9007199254740993, "Name":"项目讨论组","Notice":"","Ext":{"k":"v"}}`),
	}
	yconv := schemas.Conversation{
		Provider: schemas.ProviderYunxin, App: "abc123", UserID: "alice", ConversationID: "alice|1|bob",
		Type: schemas.ConversationTypeOneToOne, PeerID: p("bob"), OwnerUserID: p("alice"), CreateTime: p(at.Add(-time.Hour)), UpdateTime: &at,
		Yunxin: &schemas.YunxinConversation{Type: p(int32(1)), SenderID: p("alice"), ReceiverID: p("bob"), GroupIDs: []int64{},
			ServerExtension: p(""), MessageState: p(int32(1)), UnreadCount: p(int64(2)), LastReadTime: &at,
			LastMessage:        &schemas.YunxinMessage{MessageServerID: p(int64(7)), CreateTime: &at, Text: p("hi"), Attachment: json.RawMessage(`{ "a" : 1 }`)},
			RevokeNotification: &schemas.YunxinRevokeNotification{ServerID: p(int64(8)), RevokeType: p(int32(1))}},
		Raw: json.RawMessage(`{"conversation_id":"alice|1|bob","group_ids":[],"server_extension":"","x":"\u003c\/a\u003e"}`),
	}
	ev := func(c schemas.Conversation) schemas.ConversationEvent {
		return schemas.ConversationEvent{SchemaVersion: schemas.EventSchemaVersion, EventID: schemas.EventID(&c), JobID: "j-1", FetchedAt: at, Conversation: c}
	}
	dt := int32(1)
	completion := schemas.RunCompletion{SchemaVersion: schemas.RunSchemaVersion, Run: "nightly-2026-11-24", Completion: 1, CompletedAt: at,
		JobsSubmitted: 2, JobsDone: 1, JobsFailed: 1, Conversations: 20,
		Failures:      []schemas.RunFailure{{JobID: "j-4", Provider: "yunxin", App: "abc123", UserID: "ghost-1", Class: schemas.ClassPermanent, Reason: "user does not exist"}},
		FailuresTotal: 1, LastSeq: 4242,
		Lake: schemas.RunLake{Format: "parquet", Partitions: []string{"provider=volcengine/app=123456/dt=2026-11-24"},
			Markers: []string{"conversations/provider=volcengine/app=123456/dt=2026-11-24/_SUCCESS.nightly-2026-11-24"}}}
	failed := []schemas.FailedItem{{ConversationID: "alice|1|carol", Code: 414, Message: "not found"}}
	return map[string]any{
		"job":                           schemas.Job{JobID: "j-1", Provider: "volcengine", App: "123456", UserID: "10001", DataType: &dt, InboxType: &dt},
		"job_yunxin":                    schemas.Job{JobID: "j-2", Provider: "yunxin", App: "abc123", UserID: "alice", ConversationIDs: []string{"alice|1|bob"}},
		"conversation_event_volcengine": ev(vconv),
		"conversation_event_yunxin":     ev(yconv),
		"dead_letter": schemas.DeadLetter{SchemaVersion: schemas.DeadLetterSchemaVersion, Subject: "chatlake.jobs.volcengine.123456",
			Headers: map[string][]string{"Nats-Msg-Id": {"j-1"}}, Data: []byte("10001"), DataSize: 5,
			DataSHA256: "e443169117a184f91186b401133b20be670c7c0896f9886075e5d9b81e9d076b", StreamSeq: 42, Reason: "user not found",
			Class: schemas.ClassPermanent, ProviderCode: "InvalidParam", Attempts: 1, JobID: "j-1", Provider: "volcengine", App: "123456", UserID: "10001", Run: "nightly-2026-11-24", FailedAt: at},
		"dead_letter_truncated": schemas.DeadLetter{SchemaVersion: schemas.DeadLetterSchemaVersion, Subject: "chatlake.conversations.yunxin.abc123",
			Data: []byte(`{"schema_version":1,"raw":"`), DataSize: 1048000, DataSHA256: "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881",
			DataTruncated: true, HeadersOmitted: true, StreamSeq: 7, Reason: "event: undecodable: unexpected end of JSON input",
			Class: schemas.ClassInvalid, Attempts: 1, Provider: "yunxin", App: "abc123", FailedAt: at},
		"job_status": schemas.JobStatus{JobID: "j-2", Provider: "yunxin", App: "abc123", UserID: "alice", State: schemas.JobDone, Pages: 1,
			Conversations: 1, Attempts: 1, Reason: "timeout", Class: schemas.ClassTransient, FailedItems: failed, FailedItemsTotal: 1, UpdatedAt: at},
		"checkpoint": schemas.Checkpoint{Cursor: "20", Pages: 1, Conversations: 20, FailedItems: failed, FailedItemsTotal: 1, LastSeq: 20, Days: []string{"2026-11-24"}},
		"job_run":    schemas.Job{JobID: "j-3", Provider: "volcengine", App: "123456", UserID: "10001", Run: "nightly-2026-11-24"},
		"job_status_run": schemas.JobStatus{JobID: "j-3", Provider: "volcengine", App: "123456", UserID: "10001", State: schemas.JobDone, Pages: 1,
			Conversations: 20, UpdatedAt: at, Run: "nightly-2026-11-24", LastSeq: 4242, Days: []string{"2026-11-24"}},
		"run": schemas.Run{SchemaVersion: schemas.RunSchemaVersion, Name: "nightly-2026-11-24", Created: at.Add(-time.Hour), Updated: at,
			State: schemas.RunComplete, Sealed: true, Completions: 1, Completion: &completion},
		"run_completion": completion,
		"run_completion_iceberg": schemas.RunCompletion{SchemaVersion: schemas.RunSchemaVersion, Run: "nightly-2026-11-24", Completion: 2, CompletedAt: at,
			JobsSubmitted: 2, JobsDone: 2, Conversations: 40, LastSeq: 4300,
			Lake: schemas.RunLake{Format: "iceberg", SnapshotID: 6254981394523587000, Tag: "chatlake-run-nightly-2026-11-24"}},
	}
}

func TestGolden(t *testing.T) {
	for name, v := range goldenValues() {
		t.Run(name, func(t *testing.T) {
			got := indentJSON(t, v)
			path := filepath.Join("testdata", name+".golden.json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden (run go test ./schemas -update): %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("json.Marshal(%s) =\n%s\nwant (%s)\n%s", name, got, path, want)
			}
		})
	}
}

// TestSchemaFilesDescribeGolden checks that every field of a golden value is
// a property of its JSON Schema file, and every required property is there.
func TestSchemaFilesDescribeGolden(t *testing.T) {
	files := map[string]string{
		"job": "job", "job_yunxin": "job", "conversation_event_volcengine": "conversation_event",
		"conversation_event_yunxin": "conversation_event", "dead_letter": "dead_letter", "dead_letter_truncated": "dead_letter", "job_status": "job_status", "checkpoint": "checkpoint",
		"job_run": "job", "job_status_run": "job_status", "run": "run", "run_completion": "run_completion", "run_completion_iceberg": "run_completion",
	}
	for golden, schema := range files {
		var s struct {
			Properties map[string]json.RawMessage `json:"properties"`
			Required   []string                   `json:"required"`
		}
		readJSON(t, schema+".schema.json", &s)
		var g map[string]json.RawMessage
		readJSON(t, filepath.Join("testdata", golden+".golden.json"), &g)
		for k := range g {
			if _, ok := s.Properties[k]; !ok {
				t.Errorf("%s.schema.json lacks property %q of %s", schema, k, golden)
			}
		}
		for _, k := range s.Required {
			if _, ok := g[k]; !ok {
				t.Errorf("%s: required %q of %s.schema.json missing", golden, k, schema)
			}
		}
	}
}

// indentJSON encodes v as the pipeline does (AppendEvent for events),
// indented.
func indentJSON(t *testing.T, v any) []byte {
	t.Helper()
	var b []byte
	var err error
	if ev, ok := v.(schemas.ConversationEvent); ok {
		b, err = schemas.AppendEvent(nil, &ev)
	} else {
		b, err = json.Marshal(v)
	}
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		t.Fatal(err)
	}
	out.WriteByte('\n')
	return out.Bytes()
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

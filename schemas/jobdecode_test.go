package schemas_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/chatlake/chatlake/schemas"
)

func ptr[T any](v T) *T { return &v }

func TestDecodeJob(t *testing.T) {
	vol := schemas.JobSubject(schemas.ProviderVolcengine, "123456")
	yx := schemas.JobSubject(schemas.ProviderYunxin, "abc123")
	tests := []struct {
		name, subject, payload string
		want                   schemas.Job
	}{
		{"bare id", vol, "10001\n", schemas.Job{Provider: "volcengine", App: "123456", UserID: "10001"}},
		{"json", vol, `{"user_id":"10001","job_id":"j-1","data_type":1,"inbox_type":0}`,
			schemas.Job{JobID: "j-1", Provider: "volcengine", App: "123456", UserID: "10001", DataType: ptr(int32(1)), InboxType: ptr(int32(0))}},
		{"yunxin ids", yx, ` {"user_id":"alice","conversation_ids":["alice|1|bob"]}`,
			schemas.Job{Provider: "yunxin", App: "abc123", UserID: "alice", ConversationIDs: []string{"alice|1|bob"}}},
		{"same provider in payload", yx, `{"user_id":"u","provider":"yunxin","app":"abc123","extra":1}`,
			schemas.Job{Provider: "yunxin", App: "abc123", UserID: "u"}},
		{"unicode user", yx, "用户", schemas.Job{Provider: "yunxin", App: "abc123", UserID: "用户"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := schemas.DecodeJob(tt.subject, []byte(tt.payload))
			if err != nil {
				t.Fatalf("DecodeJob(%q, %q) error %v", tt.subject, tt.payload, err)
			}
			if tt.want.JobID == "" {
				tt.want.JobID = schemas.DeriveJobID(tt.want)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("DecodeJob(%q, %q) mismatch (-want +got):\n%s", tt.subject, tt.payload, diff)
			}
		})
	}
}

func TestDecodeJobRejects(t *testing.T) {
	vol := schemas.JobSubject(schemas.ProviderVolcengine, "123456")
	tests := []struct{ name, subject, payload, reason string }{
		{"invalid json", vol, `{"user_id":`, "not a JSON job"},
		{"unknown provider", "chatlake.jobs.wechat.1", "1", "unknown provider"},
		{"empty user", vol, "  ", "user_id is empty"},
		{"huge user", vol, strings.Repeat("9", 10<<20), "exceeds"},
		{"long user", vol, strings.Repeat("9", 200), "exceeds"},
		{"space in user", vol, "a b", "space"},
		{"control in user", vol, "a\x00b", "control"},
		{"subject injection", "chatlake.jobs.volcengine.1.>", "1", "not chatlake.jobs."},
		{"wildcard app", "chatlake.jobs.yunxin.*", "1", "[A-Za-z0-9_-]"},
		{"missing app", "chatlake.jobs.yunxin", "1", "not chatlake.jobs."},
		{"other prefix", "chatlake.conversations.yunxin.a", "1", "not under"},
		{"volc app not numeric", "chatlake.jobs.volcengine.abc", "1", "AppId"},
		{"volc app zero padded", "chatlake.jobs.volcengine.0123", "1", "AppId"},
		{"provider mismatch", vol, `{"user_id":"1","provider":"yunxin"}`, "payload names"},
		{"app mismatch", vol, `{"user_id":"1","app":"9"}`, "payload names"},
		{"bad job id", vol, `{"user_id":"1","job_id":"a.b"}`, "job_id"},
		{"bad data type", vol, `{"user_id":"1","data_type":7}`, "data_type"},
		{"yunxin option on volcengine", vol, `{"user_id":"1","conversation_ids":["x"]}`, "Yunxin option"},
		{"volcengine option on yunxin", "chatlake.jobs.yunxin.a", `{"user_id":"1","data_type":1}`, "Volcengine options"},
		{"empty conversation id", "chatlake.jobs.yunxin.a", `{"user_id":"1","conversation_ids":[""]}`, "conversation_id is empty"},
		{"json array", vol, `[1]`, "not a job object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := schemas.DecodeJob(tt.subject, []byte(tt.payload))
			var je *schemas.JobError
			if !errors.As(err, &je) {
				t.Fatalf("DecodeJob(%q, %.40q) = %v, want a *JobError", tt.subject, tt.payload, err)
			}
			if !strings.Contains(je.Reason, tt.reason) {
				t.Errorf("DecodeJob(%q, %.40q) reason = %q, want it to contain %q", tt.subject, tt.payload, je.Reason, tt.reason)
			}
			if je.ErrorClass() != schemas.ClassInvalid {
				t.Errorf("class = %v, want %v", je.ErrorClass(), schemas.ClassInvalid)
			}
		})
	}
}

func TestDeriveJobIDStableAndDistinct(t *testing.T) {
	a := schemas.Job{Provider: "volcengine", App: "1", UserID: "10001"}
	b := a
	b.DataType = ptr(int32(1))
	if got, want := schemas.DeriveJobID(a), "8f330f705365b7c4518936d35731ca45"; got != want {
		t.Errorf("DeriveJobID(%+v) = %s, want %s", a, got, want)
	}
	if schemas.DeriveJobID(a) == schemas.DeriveJobID(b) {
		t.Errorf("DeriveJobID ignores data_type")
	}
}

func TestDeadLetterSubject(t *testing.T) {
	tests := []struct{ provider, app, want string }{
		{"volcengine", "123", "chatlake.dlq.jobs.volcengine.123"},
		{"volcengine", "x.>", "chatlake.dlq.jobs.volcengine._invalid"},
		{"evil.>", "1", "chatlake.dlq.jobs._invalid._invalid"},
	}
	for _, tt := range tests {
		if got := schemas.DeadLetterSubject(schemas.DeadLetterKindJobs, tt.provider, tt.app); got != tt.want {
			t.Errorf("DeadLetterSubject(jobs, %q, %q) = %q, want %q", tt.provider, tt.app, got, tt.want)
		}
	}
}

// FuzzDecodeJob checks that any subject and payload either decode to a job
// that validates and has safe tokens, or fail with a *JobError.
func FuzzDecodeJob(f *testing.F) {
	f.Add("chatlake.jobs.volcengine.123456", []byte("10001"))
	f.Add("chatlake.jobs.yunxin.abc", []byte(`{"user_id":"a","conversation_ids":["x","y"]}`))
	f.Add("chatlake.jobs.volcengine.1", []byte(`{"user_id":"1","data_type":2,"inbox_type":3,"job_id":"j"}`))
	f.Add("chatlake.jobs.yunxin.a.b", []byte("{"))
	f.Add("chatlake.jobs.yunxin.a", []byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, subject string, payload []byte) {
		j, err := schemas.DecodeJob(subject, payload)
		if err != nil {
			var je *schemas.JobError
			if !errors.As(err, &je) {
				t.Fatalf("DecodeJob error %T %v, want *JobError", err, err)
			}
			return
		}
		if err := j.Validate(); err != nil {
			t.Fatalf("decoded job does not validate: %v", err)
		}
		if j.JobID == "" || strings.ContainsAny(schemas.JobKey(j), " *>") {
			t.Fatalf("unsafe job key %q", schemas.JobKey(j))
		}
		if schemas.JobSubject(j.Provider, j.App) != subject {
			t.Fatalf("subject %q decoded to %s/%s", subject, j.Provider, j.App)
		}
	})
}

// TestDeriveJobIDRun checks that a run changes a job's ID (a job without
// one keeps its ID: TestDeriveJobIDStableAndDistinct pins it).
func TestDeriveJobIDRun(t *testing.T) {
	j := schemas.Job{Provider: "volcengine", App: "123456", UserID: "10001"}
	plain := schemas.DeriveJobID(j)
	j.Run = "nightly"
	inRun := schemas.DeriveJobID(j)
	if plain == inRun {
		t.Errorf("DeriveJobID with run %q = %s, the same as without", j.Run, inRun)
	}
	j.Run = "other"
	if other := schemas.DeriveJobID(j); other == inRun {
		t.Errorf("DeriveJobID of two runs = %s for both", other)
	}
}

func TestDecodeJobRun(t *testing.T) {
	j, err := schemas.DecodeJob("chatlake.jobs.yunxin.abc", []byte(`{"user_id":"alice","run":"r-1"}`))
	if err != nil || j.Run != "r-1" {
		t.Fatalf("DecodeJob(run r-1) = %+v, %v", j, err)
	}
	if _, err := schemas.DecodeJob("chatlake.jobs.yunxin.abc", []byte(`{"user_id":"alice","run":"a.b"}`)); err == nil {
		t.Error("DecodeJob(run a.b) = nil error, want invalid")
	}
}

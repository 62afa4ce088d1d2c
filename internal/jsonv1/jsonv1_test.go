package jsonv1_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/chatlake/chatlake/internal/jsonv1"
	"github.com/chatlake/chatlake/internal/jsonv1/jsonv1test"
	"github.com/chatlake/chatlake/schemas"
)

// records are the job and the KV records the producer reads for every
// job.
type records struct {
	Job        schemas.Job        `json:"job"`
	Status     schemas.JobStatus  `json:"status"`
	Checkpoint schemas.Checkpoint `json:"checkpoint"`
	Commit     *schemas.ExportCommit
	When       *time.Time `json:"when"`
	Any        any        `json:"any"`
}

// FuzzUnmarshal: Unmarshal gives what encoding/json gives, value and
// error alike, and so does its single pass alone whenever it accepts a
// document.
func FuzzUnmarshal(f *testing.F) {
	st := schemas.JobStatus{JobID: "j", Provider: "volcengine", App: "1", UserID: "u", State: schemas.JobDone, Pages: 2, Conversations: 30,
		FailedItems: []schemas.FailedItem{{ConversationID: "c", Code: 1, Message: "m"}}, UpdatedAt: time.Date(2026, 12, 2, 1, 2, 3, 456789, time.UTC),
		Run: "r", LastSeq: 9, Days: []string{"2026-12-02"}}
	b, err := json.Marshal(records{Status: st, Checkpoint: schemas.Checkpoint{Cursor: "20", Pages: 1}})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		string(b), `{"status":{"updated_at":"2026-12-02T01:02:03+08:00"}}`, `{"status":{"updated_at":"2026-12-02t01:02:03z"}}`,
		`{"status":{"updated_at":"2026-12-02T01:02:03.Z"}}`, `{"status":{"updated_at":null,"pages":null}}`, `{"when":"0000-01-01T00:00:00Z"}`,
		`{"status":{"UPDATED_AT":"2026-12-02T01:02:03Z","Job_ID":"x"}}`, `{"status":{"jobid":"y","LastSeq":3}}`, `{"status":{"pages":1.5}}`, `{"status":{"pages":"1"}}`,
		`{"status":{"last_seq":-1}}`, `{"status":{"state":"a","state":"b"}}`, `{"any":{"a":[1,"x",null,true,1e400]}}`, `{"any":1e400}`,
		`{"checkpoint":{"days":["a",null]}}`, `{"status":{"failed_items":[{"code":1e2}]}}`, "{\"status\":{\"reason\":\"\xff\"}}",
		`{"status":{"reason":"\ud800"}}`, `{"ſtatus":{}}`, `[]`, `null`, ` {} `, `{}x`,
		`{"job":{"user_id":"1","data_type":2,"inbox_type":3,"job_id":"j","conversation_ids":["x",null]}}`, `{"job":{"data_type":2147483648}}`, `{"job":{"Run":"r","ConversationIDs":[]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		jsonv1test.Compare(t, b, jsonv1.Unmarshal[records], jsonv1.Strict[records])
	})
}

// TestStrictTakesRecords: the records as the producer writes them take
// the single pass, so that the fuzz test compares it.
func TestStrictTakesRecords(t *testing.T) {
	b, err := json.Marshal(records{Status: schemas.JobStatus{JobID: "j", UpdatedAt: time.Now()}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := jsonv1.Strict[records](b); !ok {
		t.Errorf("single pass refuses %s", b)
	}
}

// BenchmarkUnmarshalStatus decodes a job's status record as the producer
// reads it at the start of every job, with Unmarshal and with
// encoding/json.
func BenchmarkUnmarshalStatus(b *testing.B) {
	rec, err := json.Marshal(schemas.JobStatus{JobID: "0123456789abcdef", Provider: "volcengine", App: "123456", UserID: "300042",
		State: schemas.JobQueued, UpdatedAt: time.Now().UTC(), Run: "r1"})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("jsonv1", func(b *testing.B) {
		for b.Loop() {
			if _, err := jsonv1.Unmarshal[schemas.JobStatus](rec); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		for b.Loop() {
			var st schemas.JobStatus
			if err := json.Unmarshal(rec, &st); err != nil {
				b.Fatal(err)
			}
		}
	})
}

package pipeline

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chatlake/chatlake/schemas"
)

// TestDeadLetterFormsFit checks that every form fits the limit, the last
// resort whatever the original, and that all of them keep the whole
// original's size and digest.
func TestDeadLetterFormsFit(t *testing.T) {
	base := schemas.DeadLetter{
		SchemaVersion: schemas.DeadLetterSchemaVersion, Subject: "chatlake.jobs.volcengine.1", Data: []byte("10001"),
		DataSize: 5, DataSHA256: strings.Repeat("ab", 32), StreamSeq: 9, Reason: "invalid job: exceeds",
		Class: schemas.ClassInvalid, Attempts: 1, FailedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	const limit = 64 << 10
	big := bytes.Repeat([]byte{0xff, '<', '"'}, limit)
	for _, c := range []struct {
		name      string
		edit      func(*schemas.DeadLetter)
		forms     int
		truncated bool
	}{
		{"small", func(*schemas.DeadLetter) {}, 2, false},
		{"big data", func(dl *schemas.DeadLetter) { dl.Data = big }, 2, true},
		{"big data and headers", func(dl *schemas.DeadLetter) {
			dl.Data, dl.Headers = big, map[string][]string{"Nats-Msg-Id": {"j-1"}}
		}, 3, true},
		{"big headers", func(dl *schemas.DeadLetter) { dl.Headers = map[string][]string{"X": {string(big)}} }, 2, false},
		{"big subject", func(dl *schemas.DeadLetter) { dl.Subject += strings.Repeat("<", limit) }, 1, true},
		{"big reason", func(dl *schemas.DeadLetter) { dl.Reason = strings.Repeat("é", limit) }, 1, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			dl := base
			c.edit(&dl)
			forms, err := deadLetterForms(dl, limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(forms) != c.forms {
				t.Fatalf("deadLetterForms() = %d forms, want %d", len(forms), c.forms)
			}
			for i, b := range forms {
				var got schemas.DeadLetter
				if err := json.Unmarshal(b, &got); err != nil {
					t.Fatal(err)
				}
				if len(b) > limit-deadLetterSlack {
					t.Errorf("form %d of %d is %d bytes, over the limit %d less %d", i, len(forms), len(b), limit, deadLetterSlack)
				}
				if got.DataSize != dl.DataSize || got.DataSHA256 != dl.DataSHA256 || got.StreamSeq != dl.StreamSeq || !bytes.HasPrefix(dl.Data, got.Data) {
					t.Errorf("form %d lost the original's size, digest, sequence or data prefix", i)
				}
			}
			var first schemas.DeadLetter
			json.Unmarshal(forms[0], &first)
			if first.DataTruncated != c.truncated {
				t.Errorf("first form data_truncated = %v, want %v", first.DataTruncated, c.truncated)
			}
			var last schemas.DeadLetter
			json.Unmarshal(forms[len(forms)-1], &last)
			// Escaped, every clipped byte takes at most 6.
			if n := len(forms[len(forms)-1]); n > 12*schemas.DeadLetterClipBytes+512 {
				t.Errorf("last resort of %d bytes", n)
			}
			if len(last.Subject) > schemas.DeadLetterClipBytes || len(last.Reason) > schemas.DeadLetterClipBytes || last.Headers != nil || len(last.Data) != 0 {
				t.Errorf("last resort %+v, want subject and reason within %d bytes, no headers, no data", last, schemas.DeadLetterClipBytes)
			}
		})
	}
}

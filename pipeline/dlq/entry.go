package dlq

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/chatlake/chatlake/schemas"
)

// Entry is one message of the dead-letter stream: its sequence and
// subject there, the dead letter it holds and, if it was replayed, the
// record of its last replay.
type Entry struct {
	// Seq is the message's sequence in the dead-letter stream: the number
	// show, replay and purge take.
	Seq uint64 `json:"seq"`
	// DeadLetterSubject is chatlake.dlq.<kind>.<provider>.<app>.
	DeadLetterSubject string `json:"dead_letter_subject"`
	// Kind, and Provider and App as the subject names them (the dead
	// letter's own fields are empty when the original did not decode).
	Kind     string `json:"kind"`
	Provider string `json:"-"`
	App      string `json:"-"`
	// Stored is when the stream stored the dead letter.
	Stored time.Time `json:"stored"`
	schemas.DeadLetter
	// Replay is the record of the last replay; nil if never replayed.
	Replay *schemas.DeadLetterReplay `json:"replay,omitempty"`
	// DecodeError is set when the message is not a dead letter (another
	// publisher wrote on chatlake.dlq.>); DeadLetter is then zero.
	DecodeError string `json:"decode_error,omitempty"`
}

// newEntry decodes the message stored at seq.
func newEntry(seq uint64, subject string, stored time.Time, data []byte) Entry {
	e := Entry{Seq: seq, DeadLetterSubject: subject, Stored: stored.UTC()}
	e.Kind, e.Provider, e.App = subjectTokens(subject)
	if err := json.Unmarshal(data, &e.DeadLetter); err != nil {
		e.DeadLetter = schemas.DeadLetter{}
		e.DecodeError = fmt.Sprintf("not a dead letter: %v", err)
	}
	return e
}

// subjectTokens splits chatlake.dlq.<kind>.<provider>.<app>; missing
// tokens are empty.
func subjectTokens(subject string) (kind, provider, app string) {
	rest, _ := strings.CutPrefix(subject, schemas.SubjectDeadLetterPrefix)
	kind, rest, _ = strings.Cut(rest, ".")
	provider, app, _ = strings.Cut(rest, ".")
	return kind, provider, app
}

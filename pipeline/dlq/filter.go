package dlq

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chatlake/chatlake/schemas"
)

// Filter selects dead letters. The zero Filter selects all of them; each
// set field narrows the selection.
type Filter struct {
	// Kind is schemas.DeadLetterKindJobs or DeadLetterKindConversations.
	Kind string
	// Provider and App are the subject's tokens (schemas.DeadLetterUnknownToken
	// for a provider or app that was not valid).
	Provider, App string
	// Class is the error class that decided the fate.
	Class schemas.ErrorClass
	// Reason is a substring of the reason, matched without regard to case.
	Reason string
	// Run is the export run of the dead-lettered job (schemas.DeadLetter.Run).
	Run string
	// Since and Until bound FailedAt: at or after Since, before Until.
	Since, Until time.Time
	// Seqs, when not empty, are the only sequences selected.
	Seqs []uint64
}

var classes = []schemas.ErrorClass{schemas.ClassThrottled, schemas.ClassTransient, schemas.ClassPermanent, schemas.ClassUnavailable, schemas.ClassInvalid}

// Validate reports a filter that cannot select anything as asked.
func (f Filter) Validate() error {
	switch {
	case f.Kind != "" && f.Kind != schemas.DeadLetterKindJobs && f.Kind != schemas.DeadLetterKindConversations:
		return fmt.Errorf("kind %q is not %s or %s", f.Kind, schemas.DeadLetterKindJobs, schemas.DeadLetterKindConversations)
	case f.Class != "" && !slices.Contains(classes, f.Class):
		return fmt.Errorf("class %q is not one of %v", f.Class, classes)
	case !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until):
		return fmt.Errorf("since %s is not before until %s", f.Since.Format(time.RFC3339), f.Until.Format(time.RFC3339))
	case slices.Contains(f.Seqs, 0):
		return errors.New("sequence 0: sequences start at 1")
	}
	for name, tok := range map[string]string{"provider": f.Provider, "app": f.App} {
		if tok != "" && strings.ContainsAny(tok, ".*> \t\r\n") {
			return fmt.Errorf("%s %q is not a subject token", name, tok)
		}
	}
	return nil
}

// subject is the subject filter of f's kind, provider and app.
func (f Filter) subject() string {
	if f.Kind == "" && f.Provider == "" && f.App == "" {
		return schemas.SubjectDeadLetterPrefix + ">"
	}
	tok := func(s string) string {
		if s == "" {
			return "*"
		}
		return s
	}
	return schemas.SubjectDeadLetterPrefix + tok(f.Kind) + "." + tok(f.Provider) + "." + tok(f.App)
}

// bySubjectOnly reports whether the subject filter selects exactly what f
// does.
func (f Filter) bySubjectOnly() bool {
	return f.Class == "" && f.Reason == "" && f.Run == "" && f.Since.IsZero() && f.Until.IsZero() && len(f.Seqs) == 0
}

// Match reports whether f selects e.
func (f Filter) Match(e Entry) bool {
	switch {
	case f.Kind != "" && e.Kind != f.Kind,
		f.Provider != "" && e.Provider != f.Provider,
		f.App != "" && e.App != f.App,
		f.Class != "" && e.Class != f.Class,
		f.Reason != "" && !strings.Contains(strings.ToLower(e.Reason), strings.ToLower(f.Reason)),
		f.Run != "" && e.Run != f.Run,
		!f.Since.IsZero() && e.FailedAt.Before(f.Since),
		!f.Until.IsZero() && !e.FailedAt.Before(f.Until),
		len(f.Seqs) > 0 && !slices.Contains(f.Seqs, e.Seq):
		return false
	}
	return true
}

package exporter

import (
	"fmt"

	"github.com/chatlake/chatlake/schemas"
)

// checkEventSubject checks that an event's provider and app are those of
// the subject it came on, so the partition path cannot be chosen by what a
// publisher writes inside the event, and, in a partitioned stream, that
// the subject's part is that of the event's job and of p. The provider is
// already known valid. The error is an *EventError.
func checkEventSubject(subject string, ev *schemas.ConversationEvent, p part) error {
	if schemas.ValidateApp(ev.Provider, ev.App) != nil {
		return &EventError{Reason: fmt.Sprintf("app %.64q is not a %s app token", ev.App, ev.Provider)}
	}
	job := schemas.Job{Provider: ev.Provider, App: ev.App, JobID: ev.JobID}
	if want := schemas.EventSubject(job, p.n); subject != want {
		return &EventError{Reason: fmt.Sprintf("provider %s, app %s and job %.64q do not match subject %.160q (want %s)", ev.Provider, ev.App, ev.JobID, subject, want)}
	}
	return nil
}

package exporter

import (
	"fmt"

	"github.com/chatlake/chatlake/schemas"
)

// checkEventSubject checks that an event's provider and app are those of
// the subject it came on, so the partition path cannot be chosen by what a
// publisher writes inside the event. The provider is already known valid.
// The error is an *EventError.
func checkEventSubject(subject string, ev *schemas.ConversationEvent) error {
	if schemas.ValidateApp(ev.Provider, ev.App) != nil {
		return &EventError{Reason: fmt.Sprintf("app %.64q is not a %s app token", ev.App, ev.Provider)}
	}
	if want := schemas.ConversationSubject(ev.Provider, ev.App); subject != want {
		return &EventError{Reason: fmt.Sprintf("provider %s and app %s do not match subject %.160q (want %s)", ev.Provider, ev.App, subject, want)}
	}
	return nil
}

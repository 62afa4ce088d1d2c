package exporter_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chatlake/chatlake/schemas"
)

func TestExporterDeadLettersSubjectMismatch(t *testing.T) {
	_, js := exporterStreams(t)
	root := t.TempDir()
	events := testEvents(4, time.Date(2026, 6, 5, 0, 0, 0, 0, time.UTC))
	good, liar := events[:2], events[2:]
	publishTestEvents(t, js, good[:1])
	subjects := []string{
		schemas.ConversationSubject(liar[0].Provider, "654321"),              // another app
		schemas.ConversationSubject(schemas.ProviderVolcengine, liar[1].App), // another provider
	}
	for i := range liar {
		publishRaw(t, js, subjects[i], liar[i].EventID, mustJSON(t, liar[i]))
	}
	last := publishTestEvents(t, js, good[1:])

	for i, dl := range exportDeadLetters(t, js, root, last, good, len(liar)) {
		if dl.Subject != subjects[i] || dl.Class != schemas.ClassInvalid || !strings.Contains(dl.Reason, "do not match subject") {
			t.Errorf("dead letter %d: subject %s, class %s, reason %q; want %s, invalid, do not match subject", i, dl.Subject, dl.Class, dl.Reason, subjects[i])
		}
	}
}

package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/chatlake/chatlake/internal/natstest"
	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

// TestRunGetsPastAnEventNearMaxPayload runs the exporter over an
// undecodable event as large as NATS allows: it goes to the dead letters,
// cut down, and the events after it reach the lake.
func TestRunGetsPastAnEventNearMaxPayload(t *testing.T) {
	srv := natstest.Start(t)
	nc, js := srv.Connect(t)
	if err := pipeline.EnsureStreams(t.Context(), js, pipeline.StreamsConfig{}); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	evs := events(60, 0)
	publish(t, js, evs[:30])
	huge := nats.NewMsg(schemas.ConversationSubject(schemas.ProviderYunxin, "app_0"))
	huge.Data = bytes.Repeat([]byte("{"), int(nc.MaxPayload())-100)
	if _, err := js.PublishMsg(t.Context(), huge); err != nil {
		t.Fatal(err)
	}
	last := publish(t, js, evs[30:])

	env := testEnv(srv.ClientURL(), root)
	stderr := runUntilCommitted(t, js, env, last)
	checkLake(t, root, evs)
	if !strings.Contains(stderr.String(), "event dead-lettered") {
		t.Errorf("no dead letter logged:\n%.2000s", stderr.String())
	}
}

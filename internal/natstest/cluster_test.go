package natstest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/internal/natstest"
)

// TestClusterSurvivesKilledLeader checks the harness: an R3 stream keeps
// every acknowledged message when its leader is killed, takes writes again
// under a new leader, and the killed node comes back on its own store.
func TestClusterSurvivesKilledLeader(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs nats-server processes")
	}
	c := natstest.StartCluster(t, natstest.BuildServer(t), 3)
	_, js := c.Connect(t)
	ctx := t.Context()
	_, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "S", Subjects: []string{"s.>"}, Replicas: 3})
	if err != nil {
		t.Fatal(err)
	}
	publish := func(from, to int) {
		t.Helper()
		for i := from; i < to; i++ {
			retry(t, fmt.Sprintf("publish %d", i), func(ctx context.Context) error {
				_, err := js.Publish(ctx, "s.x", []byte(fmt.Sprint(i)), jetstream.WithMsgID(fmt.Sprint(i)))
				return err
			})
		}
	}
	publish(0, 100)
	leader, err := c.StreamLeader(ctx, js, "S")
	if err != nil {
		t.Fatal(err)
	}
	c.Kill(leader)
	publish(100, 200)
	retry(t, "a new stream leader", func(ctx context.Context) error {
		l, err := c.StreamLeader(ctx, js, "S")
		if err == nil && l == leader {
			err = fmt.Errorf("leader is still %s", c.Nodes[l].Name)
		}
		return err
	})
	c.Restart(leader)
	if _, err := c.MetaLeader(); err != nil {
		t.Fatal(err)
	}
	var msgs uint64
	retry(t, "200 messages", func(ctx context.Context) error {
		s, err := js.Stream(ctx, "S")
		if err != nil {
			return err
		}
		if msgs = s.CachedInfo().State.Msgs; msgs != 200 {
			return fmt.Errorf("stream holds %d messages", msgs)
		}
		return nil
	})
}

// retry calls f until it succeeds, within a generous deadline.
func retry(t *testing.T, what string, f func(context.Context) error) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		err := f(ctx)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(100 * time.Millisecond) // polling interval, not synchronization
	}
}

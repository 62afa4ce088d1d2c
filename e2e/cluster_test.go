package e2e_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/internal/natstest"
	"github.com/chatlake/chatlake/schemas"
)

// TestClusterNodeLost exports the data set through a 3-node NATS cluster,
// every stream and bucket on 3 replicas, and kills -9 a node twice
// mid-export: first the leader of the conversations stream, then the
// leader of the exporter's commit bucket. The producer (with the default
// max_attempts) and the exporter carry on with two nodes, each killed node
// comes back on its own store, and the lake equals the data set exactly,
// with no process restarted and nothing dead-lettered.
func TestClusterNodeLost(t *testing.T) {
	bin := buildBinaries(t, "github.com/nats-io/nats-server/v2", "./cmd/imsim", "./cmd/producer", "./cmd/exporter", "./cmd/chatlake")
	users := e2eUsers()
	want := expected(users)
	nodes := natstest.StartCluster(t, filepath.Join(bin, "nats-server"), 3)
	c := &cluster{t: t, bin: bin, dir: t.TempDir(), natsURL: nodes.URL()}
	c.deploy(nil, "CHATLAKE_STREAMS_REPLICAS=3", "CHATLAKE_PRODUCER_MAX_ATTEMPTS=5")
	_, js := nodes.Connect(t)

	c.submit(users)
	for i, stream := range []string{schemas.StreamConversations, "KV_" + schemas.BucketExporter} {
		c.waitLake((1+4*i)*len(want)/10, 2*time.Minute)
		victim := leaderOf(t, nodes, js, stream)
		nodes.Kill(victim)
		rows := c.lakeCount()
		c.waitLake(min(rows+len(want)/10, len(want)), 2*time.Minute) // progress on two nodes
		nodes.Restart(victim)
	}
	c.waitLake(len(want), 3*time.Minute)
	// A job whose last event was stored but whose acknowledgement died
	// with the leader ends after the producer's publish timeout (30s).
	// `chatlake status` may fail while the restarted node catches up.
	waitFor(t, 2*time.Minute, "every job done", func() (bool, error) {
		cmd := exec.CommandContext(t.Context(), filepath.Join(c.bin, "chatlake"), "status")
		cmd.Env = append(os.Environ(), c.env...)
		out, err := cmd.CombinedOutput()
		return err == nil && strings.Contains(string(out), fmt.Sprintf("done      %d", 2*len(users))), fmt.Errorf("%v: %s", err, out)
	})
	c.alive(c.producer, c.exporter)
	c.stop()
	c.check(want)
	checkReplicated(t, js, 3)
}

// leaderOf returns the node leading stream.
func leaderOf(t *testing.T, nodes *natstest.Cluster, js jetstream.JetStream, stream string) int {
	t.Helper()
	var leader int
	waitFor(t, time.Minute, "a leader of "+stream, func() (bool, error) {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		var err error
		leader, err = nodes.StreamLeader(ctx, js, stream)
		return err == nil, err
	})
	meta, err := nodes.MetaLeader()
	t.Logf("killing %s, leader of %s (meta leader %d, %v)", nodes.Nodes[leader].Name, stream, meta, err)
	return leader
}

// lakeCount returns the rows in the lake now.
func (c *cluster) lakeCount() int {
	rows, err := lakeRows(c.t, c.lake)
	if err != nil {
		c.t.Fatal(err)
	}
	return len(rows)
}

// alive fails the test if one of ps has exited: a lost node must not stop
// them.
func (c *cluster) alive(ps ...*process) {
	for _, p := range ps {
		select {
		case <-p.done:
			c.t.Errorf("%s exited (%v) while the cluster lost a node", p.name, p.err)
		default:
		}
	}
}

// checkReplicated checks that every stream, key-value buckets included,
// has replicas copies, and that nothing was dead-lettered.
func checkReplicated(t *testing.T, js jetstream.JetStream, replicas int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	names := js.ListStreams(ctx)
	n := 0
	for info := range names.Info() {
		n++
		if info.Config.Replicas != replicas {
			t.Errorf("stream %s has %d replicas, want %d", info.Config.Name, info.Config.Replicas, replicas)
		}
		if info.Config.Name == schemas.StreamDeadLetters && info.State.Msgs != 0 {
			t.Errorf("%d dead letters, want none", info.State.Msgs)
		}
	}
	if err := names.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 4 {
		t.Errorf("%d streams and buckets, want at least the 3 streams and the buckets", n)
	}
}

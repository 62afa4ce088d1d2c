package natstest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/internal/lockedbuf"
)

// BuildServer compiles nats-server from the module this repository pins
// into a temporary folder and returns the binary's path.
func BuildServer(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "nats-server")
	cmd := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "github.com/nats-io/nats-server/v2")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build nats-server: %v\n%s", err, out)
	}
	return bin
}

// Cluster is a JetStream cluster of nats-server processes on loopback:
// client, route and monitoring ports picked at random, each node's store in
// its own temporary folder. A node can be killed with SIGKILL and started
// again on the same ports and store, as after a crash. Every node is
// killed at cleanup, and its output logged if the test failed.
type Cluster struct {
	t     testing.TB
	bin   string
	Nodes []*Node
}

// Node is one server of a Cluster.
type Node struct {
	// Name is the server name, as JetStream reports a leader.
	Name string
	// Port, RoutePort and MonitorPort are its loopback ports.
	Port, RoutePort, MonitorPort int
	// StoreDir holds its JetStream data, kept across restarts.
	StoreDir string
	conf     string
	cmd      *exec.Cmd
	done     chan struct{}
	out      *lockedbuf.Buffer
}

// StartCluster starts n nats-server processes of bin, routed to each
// other, and waits until JetStream has a meta leader and every node is
// healthy. With n = 1 it is a single server, not clustered, for a
// comparison on the same harness.
func StartCluster(t testing.TB, bin string, n int) *Cluster {
	t.Helper()
	c := &Cluster{t: t, bin: bin}
	for i := range n {
		c.Nodes = append(c.Nodes, &Node{
			Name: fmt.Sprintf("nats-%d", i+1), Port: freePort(t), RoutePort: freePort(t), MonitorPort: freePort(t),
			StoreDir: t.TempDir(),
		})
	}
	for _, nd := range c.Nodes {
		c.writeConfig(nd)
	}
	for i := range c.Nodes {
		c.start(i)
	}
	t.Cleanup(func() {
		for _, nd := range c.Nodes {
			nd.kill()
			if t.Failed() {
				t.Logf("--- %s output:\n%s", nd.Name, tail(nd.out.String(), 3000))
			}
		}
	})
	for i := range c.Nodes {
		c.WaitHealthy(i)
	}
	return c
}

func (c *Cluster) writeConfig(nd *Node) {
	var routes []string
	for _, o := range c.Nodes {
		routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", o.RoutePort))
	}
	nd.conf = filepath.Join(nd.StoreDir, "server.conf")
	conf := fmt.Sprintf("server_name: %s\nlisten: 127.0.0.1:%d\nhttp: 127.0.0.1:%d\njetstream { store_dir: %q }\n",
		nd.Name, nd.Port, nd.MonitorPort, filepath.Join(nd.StoreDir, "js"))
	if len(c.Nodes) > 1 { // one node is a plain server: JetStream does not cluster alone
		conf += fmt.Sprintf("cluster {\n  name: chatlake\n  listen: 127.0.0.1:%d\n  routes: [%s]\n}\n", nd.RoutePort, strings.Join(routes, ", "))
	}
	if err := os.WriteFile(nd.conf, []byte(conf), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

func (c *Cluster) start(i int) {
	nd := c.Nodes[i]
	nd.out = &lockedbuf.Buffer{}
	nd.done = make(chan struct{})
	nd.cmd = exec.Command(c.bin, "-c", nd.conf)
	nd.cmd.Stdout, nd.cmd.Stderr = nd.out, nd.out
	if err := nd.cmd.Start(); err != nil {
		c.t.Fatalf("start %s: %v", nd.Name, err)
	}
	go func() { _ = nd.cmd.Wait(); close(nd.done) }()
}

// URL lists every node's client URL, comma-separated, as a client
// configured for the cluster does.
func (c *Cluster) URL() string {
	var urls []string
	for _, nd := range c.Nodes {
		urls = append(urls, fmt.Sprintf("nats://127.0.0.1:%d", nd.Port))
	}
	return strings.Join(urls, ",")
}

// Kill ends node i with SIGKILL and waits for it to exit.
func (c *Cluster) Kill(i int) {
	c.Nodes[i].kill()
}

func (nd *Node) kill() {
	if nd.cmd == nil || nd.cmd.Process == nil {
		return
	}
	_ = nd.cmd.Process.Signal(syscall.SIGKILL)
	<-nd.done
}

// Restart starts node i again, on its ports and store, and waits until it
// is healthy: routed, its JetStream assets caught up.
func (c *Cluster) Restart(i int) {
	c.t.Helper()
	c.start(i)
	c.WaitHealthy(i)
}

// WaitHealthy waits until node i answers its health check with JetStream
// current, within a minute: generous, for loaded machines.
func (c *Cluster) WaitHealthy(i int) {
	c.t.Helper()
	nd := c.Nodes[i]
	url := fmt.Sprintf("http://127.0.0.1:%d/healthz", nd.MonitorPort)
	poll(c.t, time.Minute, nd.Name+" healthy", func() error {
		select {
		case <-nd.done:
			return fmt.Errorf("exited:\n%s", tail(nd.out.String(), 2000))
		default:
		}
		resp, err := http.Get(url)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	})
}

// MetaLeader returns the index of the node leading the JetStream meta
// group, as the live nodes' monitoring endpoints report it.
func (c *Cluster) MetaLeader() (int, error) {
	var last error
	for _, nd := range c.Nodes {
		var jsz struct {
			Meta *struct {
				Leader string `json:"leader"`
			} `json:"meta_cluster"`
		}
		if err := getJSON(fmt.Sprintf("http://127.0.0.1:%d/jsz", nd.MonitorPort), &jsz); err != nil {
			last = err
			continue
		}
		if jsz.Meta != nil {
			if i := c.index(jsz.Meta.Leader); i >= 0 {
				return i, nil
			}
		}
		last = fmt.Errorf("%s knows no meta leader", nd.Name)
	}
	return -1, fmt.Errorf("meta leader: %w", last)
}

// StreamLeader returns the index of the node leading stream's replicas.
func (c *Cluster) StreamLeader(ctx context.Context, js jetstream.JetStream, stream string) (int, error) {
	s, err := js.Stream(ctx, stream)
	if err != nil {
		return -1, fmt.Errorf("stream leader of %s: %w", stream, err)
	}
	info := s.CachedInfo()
	if info.Cluster == nil {
		return -1, fmt.Errorf("stream leader of %s: not clustered", stream)
	}
	if i := c.index(info.Cluster.Leader); i >= 0 {
		return i, nil
	}
	return -1, fmt.Errorf("stream leader of %s: %q is no node of the cluster", stream, info.Cluster.Leader)
}

func (c *Cluster) index(name string) int {
	for i, nd := range c.Nodes {
		if nd.Name == name {
			return i
		}
	}
	return -1
}

// Connect returns a connection to every node, reconnecting without end,
// and its JetStream context; closed at cleanup.
func (c *Cluster) Connect(t testing.TB) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc, err := nats.Connect(c.URL(), nats.Timeout(5*time.Second), nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		t.Fatalf("connect to nats cluster: %v", err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatalf("jetstream: %v", err)
	}
	return nc, js
}

func getJSON(url string, v any) error {
	client := http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: status %d", url, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// poll calls cond until it returns nil or timeout passes.
func poll(t testing.TB, timeout time.Duration, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s: %v", timeout, what, err)
		}
		time.Sleep(100 * time.Millisecond) // polling interval, not synchronization
	}
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

package main

import (
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chatlake/chatlake/internal/natstest"
	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

// supervised is the exporter binary under a supervisor that restarts it
// whenever it exits, as systemd's Restart=always or a Kubernetes pod would.
type supervised struct {
	name, addr string
	mu         sync.Mutex
	cmd        *exec.Cmd
	exits      []string // how each run ended, but the last
	stopping   bool
	done       chan error // the last run's exit, once stopped
}

// supervise starts bin with env and its own ops address, and restarts it
// after every exit until stop.
func supervise(t *testing.T, name, bin string, env map[string]string) *supervised {
	t.Helper()
	s := &supervised{name: name, addr: freeAddr(t), done: make(chan error, 1)}
	own := map[string]string{"CHATLAKE_HTTP_ADDR": s.addr}
	for k, v := range env {
		if k != "CHATLAKE_HTTP_ADDR" {
			own[k] = v
		}
	}
	go func() {
		for {
			s.mu.Lock()
			if s.stopping { // during the restart delay: nothing runs
				s.mu.Unlock()
				s.done <- nil
				return
			}
			cmd := startBinary(t, bin, own)
			s.cmd = cmd
			s.mu.Unlock()
			err := cmd.Wait()
			s.mu.Lock()
			stopping := s.stopping
			if !stopping {
				s.exits = append(s.exits, fmt.Sprint(err))
			}
			s.mu.Unlock()
			if stopping {
				s.done <- err
				return
			}
			time.Sleep(100 * time.Millisecond) // the supervisor's restart delay
		}
	}()
	t.Cleanup(func() { s.stop(t) })
	return s
}

// restarts returns how each run so far ended.
func (s *supervised) restarts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.exits...)
}

// kill sends SIGKILL to the running process; the supervisor restarts it.
func (s *supervised) kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cmd.Process.Kill()
}

// stop ends supervision with SIGTERM and returns the process's exit.
func (s *supervised) stop(t *testing.T) error {
	t.Helper()
	s.mu.Lock()
	if s.stopping {
		s.mu.Unlock()
		return nil
	}
	s.stopping = true
	s.cmd.Process.Signal(syscall.SIGTERM)
	s.mu.Unlock()
	select {
	case err := <-s.done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not exit within 30s of SIGTERM", s.name)
		return nil
	}
}

// active reports the process's chatlake_exporter_active gauge; false if it
// cannot be read.
func (s *supervised) active(t *testing.T) bool {
	return strings.Contains(get(t, "http://"+s.addr+"/metrics"), "\nchatlake_exporter_active 1\n")
}

// holdsOwnership fails unless, for d, owner stays active, standby stays
// ready but inactive, and neither process exits: no fencing loop.
func holdsOwnership(t *testing.T, owner, standby *supervised, d time.Duration) {
	t.Helper()
	ownerExits, standbyExits := len(owner.restarts()), len(standby.restarts())
	for deadline := time.Now().Add(d); time.Now().Before(deadline); {
		if n, m := len(owner.restarts()), len(standby.restarts()); n != ownerExits || m != standbyExits {
			t.Fatalf("fencing loop: %s exited %v, %s exited %v", owner.name, owner.restarts(), standby.name, standby.restarts())
		}
		if !owner.active(t) || standby.active(t) {
			t.Fatalf("%s active %v, %s active %v; want the owner alone active", owner.name, owner.active(t), standby.name, standby.active(t))
		}
		time.Sleep(20 * time.Millisecond) // poll interval
	}
	if get(t, "http://"+standby.addr+"/readyz") == "" {
		t.Errorf("%s /readyz fails while standing by, want ready", standby.name)
	}
}

// waitOwner polls until exactly one of the processes is active.
func waitOwner(t *testing.T, a, b *supervised) (owner, standby *supervised) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; {
		switch aa, ba := a.active(t), b.active(t); {
		case aa && !ba:
			return a, b
		case ba && !aa:
			return b, a
		}
		if time.Now().After(deadline) {
			t.Fatalf("no single active exporter after 30s; exits: a %v, b %v", a.restarts(), b.restarts())
		}
		time.Sleep(20 * time.Millisecond) // poll interval
	}
}

// TestSupervisedStandbyTakesOverAfterKill9 runs two supervised exporters
// on one stream and lake, kills the owner with SIGKILL, and checks that the
// standby takes over, the restarted owner stands by, neither fences the
// other in a loop, and the lake holds every event exactly once.
func TestSupervisedStandbyTakesOverAfterKill9(t *testing.T) {
	bin := buildExporter(t)
	// NATS runs as its own process here: two exporters starting at once
	// update the streams while the other creates its consumer, which
	// trips a data race inside nats-server v2.15.2 when it runs in this
	// race-instrumented test process.
	nc := natstest.StartCluster(t, natstest.BuildServer(t), 1)
	_, js := nc.Connect(t)
	if err := pipeline.EnsureStreams(t.Context(), js, pipeline.StreamsConfig{}); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	env := testEnv(nc.URL(), root)
	a, b := supervise(t, "a", bin, env), supervise(t, "b", bin, env)

	var all []schemas.ConversationEvent
	round := func(n int) {
		evs := events(n, len(all))
		all = append(all, evs...)
		waitCommitted(t, js, publish(t, js, evs))
	}
	round(200)
	owner, standby := waitOwner(t, a, b)
	holdsOwnership(t, owner, standby, 10*testLease)
	round(200)

	owner.kill()
	round(200) // only the standby can commit these
	owner, standby = waitOwner(t, a, b)
	if ea, eb := a.restarts(), b.restarts(); len(ea)+len(eb) != 1 {
		t.Errorf("runs ended: a %v, b %v; want one, the kill", ea, eb)
	}
	holdsOwnership(t, owner, standby, 10*testLease)
	round(200)

	if err := standby.stop(t); err != nil {
		t.Errorf("standby %s after SIGTERM: %v, want exit 0", standby.name, err)
	}
	if err := owner.stop(t); err != nil {
		t.Errorf("owner %s after SIGTERM: %v, want exit 0", owner.name, err)
	}
	checkLake(t, root, all)
}

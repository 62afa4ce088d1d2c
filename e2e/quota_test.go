package e2e_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatlake/chatlake/providers/imsim"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/schemas"
)

// quotaQPS is the simulator's cap and the account's qps: one budget for
// every producer together.
const quotaQPS = 100

// arrivals counts the Volcengine requests reaching the simulator, by
// second since start.
type arrivals struct {
	mu    sync.Mutex
	start time.Time
	bins  []int
}

func (a *arrivals) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/im/") {
			a.mu.Lock()
			i := int(time.Since(a.start) / time.Second)
			for len(a.bins) <= i {
				a.bins = append(a.bins, 0)
			}
			a.bins[i]++
			a.mu.Unlock()
		}
		h.ServeHTTP(w, r)
	})
}

// rate returns the requests per second in every whole second of [from, to).
func (a *arrivals) rate(from, to time.Duration) []int {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []int
	for i := int(from / time.Second); i < int(to/time.Second) && i < len(a.bins); i++ {
		out = append(out, a.bins[i])
	}
	return out
}

// TestSharedQuota runs three producers as separate processes on one
// account capped at 100 QPS by the simulator, kills one with kill -9 and
// adds another mid-run. The simulator must turn nothing away, and outside
// the seconds after each membership change the producers together must
// reach 90% of the budget.
func TestSharedQuota(t *testing.T) {
	bin := buildBinaries(t, "github.com/nats-io/nats-server/v2", "./cmd/producer", "./cmd/chatlake")
	sim, err := imsim.New(imsim.Options{Seed: seed, VolcengineQPS: quotaQPS})
	if err != nil {
		t.Fatal(err)
	}
	arr := &arrivals{}
	srv := httptest.NewServer(arr.wrap(sim))
	t.Cleanup(srv.Close)

	dir := t.TempDir()
	natsPort := freePort(t)
	natsURL := fmt.Sprintf("nats://127.0.0.1:%d", natsPort)
	start(t, "nats-server", filepath.Join(bin, "nats-server"), nil,
		"-js", "-a", "127.0.0.1", "-p", strconv.Itoa(natsPort), "-sd", filepath.Join(dir, "nats"))
	waitTCP(t, fmt.Sprintf("127.0.0.1:%d", natsPort))
	cfgFile := filepath.Join(dir, "chatlake.yaml")
	cfg := fmt.Sprintf(`accounts:
  - name: volc
    provider: volcengine
    endpoint: %s
    access_key_id: %s
    secret_access_key_env: TEST_VOLC_SK
    apps: ["%d"]
    qps: %d
producer:
  concurrency: 16
`, srv.URL, volcsim.TestAccessKeyID, volcsim.TestAppID, quotaQPS)
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"CHATLAKE_CONFIG=" + cfgFile, "CHATLAKE_NATS_URL=" + natsURL, "TEST_VOLC_SK=" + volcsim.TestSecretAccessKey}
	producer := func(name string) *process {
		addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
		p := start(t, name, filepath.Join(bin, "producer"), append(env, "CHATLAKE_HTTP_ADDR="+addr, "CHATLAKE_LOG_LEVEL=warn"))
		waitReady(t, addr)
		return p
	}
	p1, p2, p3 := producer("producer-1"), producer("producer-2"), producer("producer-3")

	// About 1.5 requests a user: far more work than the run gets done.
	users := make([]string, 4000)
	for i := range users {
		users[i] = strconv.Itoa(300000 + i)
	}
	file := filepath.Join(dir, "users.txt")
	if err := os.WriteFile(file, []byte(strings.Join(users, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	arr.mu.Lock()
	arr.start = time.Now()
	arr.mu.Unlock()
	run(t, filepath.Join(bin, "chatlake"), env, "submit", "--provider", schemas.ProviderVolcengine,
		"--app", strconv.Itoa(int(volcsim.TestAppID)), "--file", file)

	// Phases, from the submission: three producers; one killed, whose
	// lease expires after 4s; a fourth added.
	since := func() time.Duration { return time.Since(arr.start) }
	sleepUntil := func(d time.Duration) { time.Sleep(d - since()) } // the phases' length, not synchronization
	sleepUntil(10 * time.Second)
	p1.kill()
	killed := since()
	sleepUntil(killed + 13*time.Second)
	p4 := producer("producer-4")
	joined := since()
	sleepUntil(joined + 10*time.Second)
	end := since()
	for _, p := range []*process{p2, p3, p4} {
		if err := p.stop(10 * time.Second); err != nil {
			t.Errorf("%s: %v", p.name, err)
		}
	}

	st := sim.Volcengine.Stats()
	if st.QPSViolations != 0 {
		t.Errorf("simulator turned away %d requests over %d QPS, want 0", st.QPSViolations, quotaQPS)
	}
	if st.Pages == 0 {
		t.Fatal("no page served")
	}
	// The first seconds start the producers' shares; a crashed member's
	// share returns after its lease's TTL and a period or two; a new one
	// waits a period before taking its share.
	for _, ph := range []struct {
		name     string
		from, to time.Duration
	}{
		{"3 producers", 3 * time.Second, killed},
		{"2 producers after kill -9", killed + 7*time.Second, joined},
		{"3 producers after a join", joined + 4*time.Second, end},
	} {
		r := arr.rate(ph.from, ph.to)
		sum, low := 0, quotaQPS
		for _, n := range r {
			sum += n
			low = min(low, n)
		}
		t.Logf("%s, %v to %v: %.1f requests/s of %d on average, %d in the slowest second; per second %v",
			ph.name, ph.from.Round(time.Second), ph.to.Round(time.Second), float64(sum)/float64(max(len(r), 1)), quotaQPS, low, r)
		// The achieved share is a speed, measured (logged here and quoted
		// in BENCHMARKS.md from a quiet run), not asserted: under CI's
		// load the producers' answers slow down and the send window,
		// which holds a slot from a request's start until a second after
		// its answer, gives budget/(1 s + latency). What is asserted is
		// that no second of any phase stalls.
		if len(r) < 3 || low == 0 {
			t.Errorf("%s: %v requests in its seconds, want requests in every second", ph.name, r)
		}
	}
}

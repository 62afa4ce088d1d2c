package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/sync/errgroup"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/internal/natstest"
	"github.com/chatlake/chatlake/internal/stack"
	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/providers/yunxin/yunxinsim"
	"github.com/chatlake/chatlake/schemas"
)

// TestProducerThroughputBinary measures the real producer binary against
// the real imsim binary (no latency, no QPS cap) over NATS, once per
// provider: CPU time of the producer process (user + system, from
// /proc/<pid>/stat) per event published, and events/s. The users are
// those of the data set (0 to 40 conversations, about 20 on average),
// with realistic group names (imsim -short-names: items of about 400 bytes
// on average) unless CHATLAKE_BENCH_PRODUCER_NAMES=hard serves the data
// set's 9,000-byte name in about one conversation of eleven (1.2 kB on
// average, 70% of the bytes in those names); all
// jobs are submitted before the producer starts, and its start-up is
// counted in its CPU. It runs only when CHATLAKE_BENCH_PRODUCER_USERS
// gives the users per provider; CHATLAKE_BENCH_PRODUCER_CONCURRENCY sets
// producer.concurrency and CHATLAKE_BENCH_PRODUCER_GOGC the producer's
// GOGC (default: the producer's defaults); CHATLAKE_BENCH_PRODUCER_BIN
// measures another producer binary, such as an older build;
// CHATLAKE_BENCH_PRODUCER_PROFILE=FILE writes a CPU profile of the
// producer's first CHATLAKE_BENCH_PRODUCER_PROFILE_SECONDS (default 10)
// to FILE.<provider> (through its /debug/pprof/):
//
//	CHATLAKE_BENCH_PRODUCER_USERS=4000 go test ./cmd/producer -run TestProducerThroughputBinary -v -timeout 30m
func TestProducerThroughputBinary(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("CHATLAKE_BENCH_PRODUCER_USERS"))
	if n <= 0 {
		t.Skip("set CHATLAKE_BENCH_PRODUCER_USERS to the number of users per provider")
	}
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", bin+string(os.PathSeparator), ".", "../imsim")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	producer := cmp.Or(os.Getenv("CHATLAKE_BENCH_PRODUCER_BIN"), filepath.Join(bin, "producer"))
	simAddr := freeAddr(t)
	simArgs := []string{"-addr", simAddr, "-volcengine-qps", "-1", "-yunxin-qps", "-1"}
	names := cmp.Or(os.Getenv("CHATLAKE_BENCH_PRODUCER_NAMES"), "short")
	switch names {
	case "short":
		simArgs = append(simArgs, "-short-names")
	case "hard":
	default:
		t.Fatalf("CHATLAKE_BENCH_PRODUCER_NAMES=%q: want short or hard", names)
	}
	startProcess(t, io.Discard, filepath.Join(bin, "imsim"), nil, simArgs...)
	users := make([]string, n)
	for i := range users {
		users[i] = strconv.Itoa(300000 + i)
	}
	var cpu, took time.Duration
	events := 0
	for _, prov := range []struct {
		name, app string
		count     func(user string) int
	}{
		{schemas.ProviderVolcengine, fmt.Sprint(volcsim.TestAppID), func(u string) int { return len(volcsim.Expected(simulator.Dataset{}, volcsim.TestAppID, u, 0)) }},
		{schemas.ProviderYunxin, yunxinsim.TestAppKey, func(u string) int { return len(yunxinsim.Expected(simulator.Dataset{}, yunxinsim.TestAppKey, u)) }},
	} {
		t.Run(prov.name, func(t *testing.T) {
			want := 0
			for _, u := range users {
				want += prov.count(u)
			}
			c, d, rss := benchProducer(t, producer, "http://"+simAddr, prov.name, prov.app, users, want)
			t.Logf("%s, %s names: %d users, %d events in %v: %.0f events/s, producer CPU %v: %.1f µs/event, peak RSS %d MiB",
				prov.name, names, n, want, d.Round(time.Millisecond), float64(want)/d.Seconds(),
				c.Round(time.Millisecond), float64(c.Microseconds())/float64(want), rss/1024)
			cpu, took, events = cpu+c, took+d, events+want
		})
	}
	t.Logf("both providers, %s names: %d events in %v: %.0f events/s, producer CPU %v: %.1f µs/event",
		names, events, took.Round(time.Millisecond), float64(events)/took.Seconds(),
		cpu.Round(time.Millisecond), float64(cpu.Microseconds())/float64(events))
}

// benchProducer submits a job per user for prov, runs the producer binary
// on a fresh NATS server until every job is acknowledged and the stream
// holds want events, and returns the producer's CPU time, the time from
// its start to the last job, and its peak RSS in KiB.
func benchProducer(t *testing.T, bin, simURL, prov, app string, users []string, want int) (cpu, took time.Duration, rss int64) {
	srv := natstest.Start(t)
	_, js := srv.Connect(t)
	if err := stack.Ensure(t.Context(), js, config.Streams{}); err != nil {
		t.Fatal(err)
	}
	sub, err := pipeline.NewSubmitter(t.Context(), js)
	if err != nil {
		t.Fatal(err)
	}
	var g errgroup.Group
	g.SetLimit(16)
	for _, u := range users {
		g.Go(func() error {
			_, err := sub.Submit(t.Context(), schemas.Job{Provider: prov, App: app, UserID: u}, false)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(t.TempDir(), "chatlake.yaml")
	yaml := fmt.Sprintf(`accounts:
  - {name: volc, provider: volcengine, endpoint: %q, access_key_id: %q, secret_access_key_env: VOLC_SK, apps: ["%d"], qps: 1000000}
  - {name: yx, provider: yunxin, endpoint: %q, app_key: %q, app_secret_env: YX_SECRET, qps: 1000000}
log: {level: warn}
`, simURL, volcsim.TestAccessKeyID, volcsim.TestAppID, simURL, yunxinsim.TestAppKey)
	if err := os.WriteFile(cfgFile, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"CHATLAKE_NATS_URL=" + srv.ClientURL(), "CHATLAKE_HTTP_ADDR=off", "VOLC_SK=" + volcsim.TestSecretAccessKey,
		"YX_SECRET=" + yunxinsim.TestAppSecret, "GODEBUG=" + os.Getenv("BENCH_GODEBUG")}
	if c := os.Getenv("CHATLAKE_BENCH_PRODUCER_CONCURRENCY"); c != "" {
		env = append(env, "CHATLAKE_PRODUCER_CONCURRENCY="+c)
	}
	if g := os.Getenv("CHATLAKE_BENCH_PRODUCER_GOGC"); g != "" {
		env = append(env, "GOGC="+g)
	}
	profile := os.Getenv("CHATLAKE_BENCH_PRODUCER_PROFILE")
	var profiled chan error
	if profile != "" {
		addr := freeAddr(t)
		env = append(env, "CHATLAKE_HTTP_ADDR="+addr, "CHATLAKE_HTTP_PPROF=true")
		profiled = make(chan error, 1)
		go func() {
			profiled <- cpuProfile(t.Context(), addr, cmp.Or(os.Getenv("CHATLAKE_BENCH_PRODUCER_PROFILE_SECONDS"), "10"), profile+"."+prov)
		}()
	}
	start := time.Now()
	p := startProcess(t, os.Stderr, bin, env, "--config", cfgFile)
	waitDrained(t, js, want, 10*time.Minute)
	took = time.Since(start)
	cpu = processCPU(t, p.Process.Pid)
	rss = peakRSS(t, p.Process.Pid)
	if profiled != nil {
		if err := <-profiled; err != nil {
			t.Errorf("cpu profile: %v", err)
		}
	}
	p.Process.Signal(syscall.SIGTERM)
	if err := p.Wait(); err != nil {
		t.Errorf("producer: %v", err)
	}
	return cpu, took, rss
}

// cpuProfile polls addr until its ops HTTP answers, then stores a CPU
// profile of seconds in file.
func cpuProfile(ctx context.Context, addr, seconds, file string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(10 * time.Millisecond) // polling interval, not synchronization
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/debug/pprof/profile?seconds="+seconds, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", resp.Status, b)
	}
	return os.WriteFile(file, b, 0o600)
}

// startProcess starts bin, its errors to stderr, and kills it at cleanup
// unless it was waited for.
func startProcess(t *testing.T, stderr io.Writer, bin string, env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd
}

// waitDrained polls, ten times a second, until the producer's consumer
// has no job left and the events stream holds want events.
func waitDrained(t *testing.T, js jetstream.JetStream, want int, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for {
		err := drained(t, js, want)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("producer not done after %v: %v", timeout, err)
		}
		time.Sleep(100 * time.Millisecond) // polling interval, not synchronization
	}
}

func drained(t *testing.T, js jetstream.JetStream, want int) error {
	cons, err := js.Consumer(t.Context(), schemas.StreamJobs, schemas.ConsumerProducer)
	if err != nil {
		return err
	}
	ci := cons.CachedInfo()
	if ci.NumPending > 0 || ci.NumAckPending > 0 {
		return fmt.Errorf("jobs: %d pending, %d unacknowledged", ci.NumPending, ci.NumAckPending)
	}
	st, err := js.Stream(t.Context(), schemas.StreamConversations)
	if err != nil {
		return err
	}
	if got := st.CachedInfo().State.Msgs; got != uint64(want) {
		return fmt.Errorf("%d of %d events", got, want)
	}
	return nil
}

// peakRSS returns a process's peak resident set size (VmHWM) in KiB.
func peakRSS(t *testing.T, pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	t.Fatalf("/proc/%d/status: no VmHWM", pid)
	return 0
}

// processCPU returns the user plus system CPU time of a running process,
// from fields 14 and 15 of /proc/<pid>/stat, in clock ticks of Linux's
// USER_HZ, 100 a second.
func processCPU(t *testing.T, pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("/proc/%d/stat: %q", pid, b)
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

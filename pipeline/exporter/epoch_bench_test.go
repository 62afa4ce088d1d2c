package exporter_test

import (
	"cmp"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chatlake/chatlake/schemas"
)

// TestExporterEpochServerCPU measures what the epoch size costs
// nats-server. The real exporter binary (CHATLAKE_BENCH_EXPORTER_BIN, or
// one built from this tree) exports a preloaded stream of
// CHATLAKE_BENCH_EPOCH_EVENTS events to a folder, from the start, once per
// epoch size (exporter.max_epoch_events) of CHATLAKE_BENCH_EPOCHS (comma
// separated; default 250000 and the whole stream). It logs the wall time
// to the last commit, the CPU this test process spent meanwhile (it hosts
// the nats-server and does nothing else then), the exporter's CPU and the
// files' sizes. It runs only when CHATLAKE_BENCH_EPOCH_EVENTS is set:
//
//	CHATLAKE_BENCH_EPOCH_EVENTS=1500000 go test ./pipeline/exporter -run TestExporterEpochServerCPU -v -timeout 60m
func TestExporterEpochServerCPU(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("CHATLAKE_BENCH_EPOCH_EVENTS"))
	if n <= 0 {
		t.Skip("set CHATLAKE_BENCH_EPOCH_EVENTS to run")
	}
	bin := os.Getenv("CHATLAKE_BENCH_EXPORTER_BIN")
	if bin == "" {
		bin = filepath.Join(t.TempDir(), "exporter")
		if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/exporter").CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
	}
	srv, js := exporterStreams(t)
	last, size := preloadT(t, js, benchPayloads(n))
	for _, epoch := range strings.Split(cmp.Or(os.Getenv("CHATLAKE_BENCH_EPOCHS"), "250000,"+strconv.Itoa(n)), ",") {
		if kv, err := js.KeyValue(t.Context(), schemas.BucketExporter); err == nil {
			kv.Purge(t.Context(), schemas.KeyExporterCommit) // export the whole stream again
		}
		root := t.TempDir()
		self, children := cpuTime(syscall.RUSAGE_SELF), cpuTime(syscall.RUSAGE_CHILDREN)
		took, rss := runExporterBinary(t, bin, js, last, []string{
			"CHATLAKE_NATS_URL=" + srv.ClientURL(), "CHATLAKE_EXPORTER_ROOT=" + root, "CHATLAKE_EXPORTER_MAX_EPOCH_EVENTS=" + epoch,
		})
		server, exp := cpuTime(syscall.RUSAGE_SELF)-self, cpuTime(syscall.RUSAGE_CHILDREN)-children
		files, out := filesUnder(t, root, "/dt=")
		t.Logf("epoch %s: %d events (%.0f MB of JSON) in %v: %.0f events/s; nats-server CPU %.1f s, exporter CPU %.1f s, peak RSS %.0f MiB; %d files, %.1f MB of Parquet, %.1f MB a file",
			epoch, n, float64(size)/1e6, took.Round(time.Millisecond), float64(n)/took.Seconds(), server.Seconds(), exp.Seconds(),
			float64(rss)/1024, files, float64(out)/1e6, float64(out)/1e6/float64(max(files, 1)))
	}
}

// cpuTime is the user and system CPU time of who.
func cpuTime(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

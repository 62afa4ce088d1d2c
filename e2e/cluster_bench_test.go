package e2e_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/chatlake/chatlake/internal/natstest"
)

// TestClusterThroughput measures end-to-end events/s, from the first
// `chatlake submit` until the lake holds every event, on a single NATS
// server and on a 3-node cluster with every stream and bucket on 3
// replicas: the same users, binaries and settings, one after the other in
// the same run. The simulators and the accounts are not rate-limited, so
// NATS and chatlake set the pace. It runs only when
// CHATLAKE_BENCH_CLUSTER_USERS gives the number of users per provider.
func TestClusterThroughput(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("CHATLAKE_BENCH_CLUSTER_USERS"))
	if n <= 0 {
		t.Skip("set CHATLAKE_BENCH_CLUSTER_USERS to the number of users per provider")
	}
	bin := buildBinaries(t, "github.com/nats-io/nats-server/v2", "./cmd/imsim", "./cmd/producer", "./cmd/exporter", "./cmd/chatlake")
	users := make([]string, n)
	for i := range users {
		users[i] = strconv.Itoa(300000 + i)
	}
	want := expected(users)
	unlimited := []string{"-volcengine-qps", "-1", "-yunxin-qps", "-1"}
	for _, setup := range []struct {
		name  string
		nodes int // and replicas
	}{{"single node", 1}, {"3-node cluster, R3", 3}} {
		t.Run(setup.name, func(t *testing.T) {
			c := &cluster{t: t, bin: bin, dir: t.TempDir(), qps: 1_000_000}
			c.natsURL = natstest.StartCluster(t, filepath.Join(bin, "nats-server"), setup.nodes).URL()
			c.deploy(unlimited, "CHATLAKE_STREAMS_REPLICAS="+strconv.Itoa(setup.nodes))
			start := time.Now()
			c.submit(users)
			c.waitRowCount(len(want), 10*time.Minute)
			elapsed := time.Since(start)
			t.Logf("%s: %d events in %.2fs: %.0f events/s", setup.name, len(want), elapsed.Seconds(), float64(len(want))/elapsed.Seconds())
			c.stop()
			c.check(want)
		})
	}
}

// waitRowCount polls, a few times a second, the row counts in the footers
// of the lake's visible files until they add up to n: cheaper than
// reading the rows, so polling takes little from what it measures.
func (c *cluster) waitRowCount(n int, timeout time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got, err := lakeRowCount(c.lake)
		if err == nil && got >= int64(n) {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("timed out after %v waiting for %d rows in the lake: %d rows, %v", timeout, n, got, err)
		}
		time.Sleep(200 * time.Millisecond) // polling interval, not synchronization
	}
}

func lakeRowCount(lake string) (int64, error) {
	var rows int64
	err := filepath.WalkDir(lake, func(path string, d fs.DirEntry, err error) error {
		if os.IsNotExist(err) {
			return nil
		}
		if err != nil || d.IsDir() || !strings.HasPrefix(d.Name(), "part-") || filepath.Ext(path) != ".parquet" {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil {
			return err
		}
		pf, err := parquet.OpenFile(f, info.Size(), parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		rows += pf.NumRows()
		return nil
	})
	return rows, err
}

package e2e_test

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/pipeline/exporter"
	"github.com/chatlake/chatlake/schemas"
)

// TestExportersInParallel splits the conversations stream into 3 parts
// and runs 3 exporters on one lake, each free to own any part, and one
// producer. Mid-export one exporter is killed with kill -9 and started
// again: it stands by until the lease of its old part lapses, then takes
// that part over. Every event ends in exactly one visible file (or table
// row), each part's files carry its number, and every part committed.
func TestExportersInParallel(t *testing.T) {
	bin := buildBinaries(t, "github.com/nats-io/nats-server/v2", "./cmd/imsim", "./cmd/producer", "./cmd/exporter", "./cmd/chatlake")
	users := e2eUsers()
	want := expected(users)

	t.Run("parquet", func(t *testing.T) {
		c, exporters := newPartsCluster(t, bin, nil)
		c.submit(users)
		c.waitLake(len(want)/3, 2*time.Minute)
		exporters.killAndRestart(1)
		c.waitLake(len(want), 3*time.Minute)
		exporters.stop()
		c.check(want)
		rows, err := lakeRows(t, c.lake)
		if err != nil {
			t.Fatal(err)
		}
		checkPartFiles(t, c.lake, rows)
		checkPartsCommitted(t, c)
	})

	t.Run("iceberg", func(t *testing.T) {
		dir := t.TempDir()
		l := icebergLake{
			env: []string{"CHATLAKE_EXPORTER_FORMAT=iceberg"},
			cfg: &config.Config{Exporter: config.Exporter{Format: config.FormatIceberg, Root: filepath.Join(dir, "lake")}},
		}
		c, exporters := newPartsCluster(t, bin, l.env, dir)
		c.submit(users)
		waitTable(t, l, int64(len(want)/3), 2*time.Minute)
		exporters.killAndRestart(2)
		waitTable(t, l, int64(len(want)), 3*time.Minute)
		exporters.stop()
		checkRows(t, l.rows(t), want)
		checkPartsCommitted(t, c)
	})
}

// partExporters are the exporter processes of a partitioned lake.
type partExporters struct {
	c     *cluster
	procs []*process
	http  []string
}

const parts = 3

// newPartsCluster starts NATS, imsim, a producer and parts exporters on
// one lake, every process with streams.partitions 3, the exporters with
// a 2s lease and env. dir, if given, is the cluster's folder.
func newPartsCluster(t *testing.T, bin string, env []string, dir ...string) (*cluster, *partExporters) {
	c := &cluster{t: t, bin: bin, dir: t.TempDir()}
	if len(dir) > 0 {
		c.dir = dir[0]
	}
	natsPort := freePort(t)
	c.natsURL = fmt.Sprintf("nats://127.0.0.1:%d", natsPort)
	c.nats = start(t, "nats-server", filepath.Join(bin, "nats-server"), nil,
		"-js", "-a", "127.0.0.1", "-p", strconv.Itoa(natsPort), "-sd", filepath.Join(c.dir, "nats"))
	waitTCP(t, fmt.Sprintf("127.0.0.1:%d", natsPort))
	c.deploy(nil, append([]string{"CHATLAKE_STREAMS_PARTITIONS=" + strconv.Itoa(parts), "CHATLAKE_EXPORTER_LEASE=2s"}, env...)...)
	x := &partExporters{c: c, procs: []*process{c.exporter}, http: []string{c.exporterHTTP}}
	for range parts - 1 {
		x.http = append(x.http, fmt.Sprintf("127.0.0.1:%d", freePort(t)))
		x.procs = append(x.procs, nil)
		x.start(len(x.procs) - 1)
	}
	return c, x
}

func (x *partExporters) start(i int) {
	x.procs[i] = start(x.c.t, fmt.Sprintf("exporter-%d", i), filepath.Join(x.c.bin, "exporter"), append(x.c.env, "CHATLAKE_HTTP_ADDR="+x.http[i]))
	waitReady(x.c.t, x.http[i])
}

// killAndRestart kills exporter i with kill -9 and starts it again.
func (x *partExporters) killAndRestart(i int) {
	x.procs[i].kill()
	x.start(i)
}

// stop ends the producer and every exporter with SIGTERM: all must exit 0.
func (x *partExporters) stop() {
	if err := x.c.producer.stop(30 * time.Second); err != nil {
		x.c.t.Errorf("producer exit: %v", err)
	}
	for _, p := range x.procs {
		if err := p.stop(30 * time.Second); err != nil {
			x.c.t.Errorf("%s exit: %v", p.name, err)
		}
	}
}

// checkPartFiles checks that each part's rows are in files named after
// it, and that every part wrote some.
func checkPartFiles(t *testing.T, lake string, rows []schemas.ConversationRow) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(lake, "conversations", "*", "*", "*", "part-p*.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	perPart := map[string]int{}
	for _, f := range files {
		stem, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(f), "part-p"), "-")
		perPart[stem]++
	}
	for p := range parts {
		if perPart[strconv.Itoa(p)] == 0 {
			t.Errorf("no file of part %d among %d files", p, len(files))
		}
	}
	byJob := map[string]bool{}
	for _, r := range rows {
		byJob[r.Provider+"."+r.App+"."+r.JobID] = true
	}
	if len(byJob) < parts {
		t.Errorf("rows of %d jobs, want jobs in every part", len(byJob))
	}
}

// checkPartsCommitted checks, through exporter.ReadParts, that the lake
// has parts commit records, each with events.
func checkPartsCommitted(t *testing.T, c *cluster) {
	t.Helper()
	nc, err := nats.Connect(c.natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := exporter.ReadParts(t.Context(), js)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != parts {
		t.Fatalf("ReadParts() = %d records, want %d", len(recs), parts)
	}
	for p, rec := range recs {
		if rec.LastSeq == 0 || rec.Epoch == 0 {
			t.Errorf("part %d: commit record %+v, want epochs committed", p, rec)
		}
	}
}

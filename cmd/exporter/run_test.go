package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/parquet-go/parquet-go"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/internal/lockedbuf"
	"github.com/chatlake/chatlake/internal/natstest"
	"github.com/chatlake/chatlake/internal/s3test"
	"github.com/chatlake/chatlake/internal/stack"
	"github.com/chatlake/chatlake/internal/stack/lakestack"
	"github.com/chatlake/chatlake/lake"
	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/pipeline/exporter"
	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/schemas"
)

// events returns n Yunxin events with hard values from the data set.
func events(n, from int) []schemas.ConversationEvent {
	ds := simulator.Dataset{Seed: 3}
	out := make([]schemas.ConversationEvent, n)
	for i := range n {
		k := from + i
		s := ds.Conversation("300"+strconv.Itoa(k/40), k%40)
		raw, _ := json.Marshal(map[string]any{"id": s.ID, "name": s.Name, "k": k})
		a, b := "a", "b"
		c := schemas.Conversation{
			Provider: schemas.ProviderYunxin, App: "app_" + strconv.Itoa(k%3), UserID: "u" + strconv.Itoa(k/40),
			ConversationID: strconv.FormatInt(s.ID, 10) + "-" + strconv.Itoa(k), Type: s.Type, Name: &s.Name,
			CreateTime: &s.Created, UpdateTime: &s.Modified, Raw: raw,
			Yunxin: &schemas.YunxinConversation{Type: &s.Type, SenderID: &a, ReceiverID: &b, UnreadCount: &s.Unread},
		}
		out[i] = schemas.ConversationEvent{SchemaVersion: 1, EventID: schemas.EventID(&c), JobID: "j",
			FetchedAt: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(k) * time.Hour), Conversation: c}
	}
	return out
}

func publish(t *testing.T, js jetstream.JetStream, evs []schemas.ConversationEvent) uint64 {
	t.Helper()
	var last uint64
	for _, e := range evs {
		b, _ := json.Marshal(e)
		m := nats.NewMsg(schemas.ConversationSubject(e.Provider, e.App))
		m.Data = b
		m.Header.Set(nats.MsgIdHdr, e.EventID)
		ack, err := js.PublishMsg(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		last = ack.Sequence
	}
	return last
}

// committed returns the commit record's last sequence.
func committed(t *testing.T, js jetstream.JetStream) uint64 {
	t.Helper()
	rec, err := exporter.ReadCommit(context.Background(), js)
	if err != nil {
		t.Fatal(err)
	}
	return rec.LastSeq
}

func waitCommitted(t *testing.T, js jetstream.JetStream, seq uint64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for committed(t, js) < seq {
		if time.Now().After(deadline) {
			t.Fatalf("committed stream_seq %d after 30s, want %d", committed(t, js), seq)
		}
		time.Sleep(20 * time.Millisecond) // poll interval
	}
}

// checkLake fails unless the published files of the lake at root (a
// folder or an s3:// URL) hold each event exactly once, and a folder holds
// no temp file.
func checkLake(t *testing.T, root string, evs []schemas.ConversationEvent) {
	t.Helper()
	ctx := context.Background()
	store, err := lakestack.OpenLake(ctx, &config.Config{Exporter: config.Exporter{Root: root}})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	names, err := store.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, name := range names {
		for _, r := range readRows(t, store, name) {
			seen[r.EventID]++
		}
	}
	if !strings.Contains(root, "://") {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(p, ".tmp") {
				t.Errorf("temp file left: %s", p)
			}
			return nil
		})
	}
	bad := 0
	for _, e := range evs {
		if seen[e.EventID] != 1 {
			bad++
		}
		delete(seen, e.EventID)
	}
	if bad > 0 || len(seen) > 0 {
		t.Errorf("%d of %d events not exactly once, %d unknown", bad, len(evs), len(seen))
	}
}

// readRows reads the published Parquet file name of store.
func readRows(t *testing.T, store lake.Storage, name string) []schemas.ConversationRow {
	t.Helper()
	r, err := store.Open(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	rows, err := parquet.Read[schemas.ConversationRow](bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return rows
}

// testLakes are the lakes the kill -9 test runs with: exporter.root a
// folder, an S3 bucket on a real versitygw (whose credentials it puts in
// the environment of the test and of the binaries it starts), and an
// Iceberg table with its warehouse in such a bucket and an SQLite
// catalog. extra is added to the binaries' environment.
var testLakes = []struct {
	name  string
	lake  func(t *testing.T) (root string, extra map[string]string)
	kills int
}{
	{"folder", func(t *testing.T) (string, map[string]string) { return t.TempDir(), nil }, 30},
	{"s3", func(t *testing.T) (string, map[string]string) {
		srv := s3Env(t)
		return "s3://" + srv.Bucket + "/lake?endpoint=" + srv.Endpoint + "&region=" + srv.Region + "&path_style=true", nil
	}, 10},
	{"iceberg-s3", func(t *testing.T) (string, map[string]string) {
		srv := s3Env(t)
		return "", icebergEnv(srv, filepath.Join(t.TempDir(), "catalog.db"))
	}, 8},
}

// s3Env starts a versitygw and puts its credentials in the environment.
func s3Env(t *testing.T) *s3test.Server {
	srv := s3test.Start(t)
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	return srv
}

// icebergEnv configures the iceberg format: the warehouse in srv's
// bucket, the catalog at uri, credentials from the environment.
func icebergEnv(srv *s3test.Server, uri string) map[string]string {
	return map[string]string{
		"CHATLAKE_EXPORTER_FORMAT": config.FormatIceberg, "CHATLAKE_EXPORTER_ICEBERG_URI": uri,
		"CHATLAKE_EXPORTER_ICEBERG_WAREHOUSE": "s3://" + srv.Bucket + "/warehouse",
		"CHATLAKE_EXPORTER_S3_ENDPOINT":       srv.Endpoint, "CHATLAKE_EXPORTER_S3_REGION": srv.Region,
		"CHATLAKE_EXPORTER_S3_PATH_STYLE": "true",
	}
}

// checkTable fails unless the Iceberg table env configures, read with
// iceberg-go's scanner, holds each event exactly once.
func checkTable(t *testing.T, env map[string]string, evs []schemas.ConversationEvent) {
	t.Helper()
	cfg, err := config.Parse("exporter", usage, nil, func(k string) string { return env[k] }, io.Discard, stack.Providers(), "exporter")
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := lakestack.OpenTable(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Close()
	rows, err := tbl.Rows(t.Context(), "event_id")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, r := range rows {
		seen[r["event_id"].(string)]++
	}
	bad := 0
	for _, e := range evs {
		if seen[e.EventID] != 1 {
			bad++
		}
		delete(seen, e.EventID)
	}
	if bad > 0 || len(seen) > 0 {
		t.Errorf("table: %d of %d events not exactly once, %d unknown", bad, len(evs), len(seen))
	}
}

// testLease is the exporter's lease in these tests: a restart after a
// kill waits this long for the killed owner's lease.
const testLease = time.Second

func testEnv(url, root string) map[string]string {
	return map[string]string{
		"CHATLAKE_NATS_URL": url, "CHATLAKE_EXPORTER_ROOT": root, "CHATLAKE_HTTP_ADDR": "off",
		"CHATLAKE_EXPORTER_MAX_FILE_ROWS": "9", "CHATLAKE_EXPORTER_IDLE_FLUSH": "100ms",
		"CHATLAKE_EXPORTER_MAX_FILE_AGE": "300ms", "CHATLAKE_EXPORTER_BATCH": "25", "CHATLAKE_LOG_LEVEL": "warn",
		"CHATLAKE_EXPORTER_LEASE": testLease.String(),
	}
}

func TestRunExportsThenStopsCleanly(t *testing.T) {
	srv, js := testStreams(t)
	root := t.TempDir()
	evs := events(300, 0)
	last := publish(t, js, evs)
	env := testEnv(srv.ClientURL(), root)
	stderr := runUntilCommitted(t, js, env, last)
	checkLake(t, root, evs)
	if strings.Contains(stderr.String(), `"level":"ERROR"`) {
		t.Errorf("errors logged:\n%s", stderr.String())
	}
}

func TestRunHelpAndBadConfig(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), []string{"--help"}, func(string) string { return "" }, &out); err != nil {
		t.Errorf("run(--help) = %v, want nil", err)
	}
	if !strings.Contains(out.String(), "exporter.root") {
		t.Errorf("--help does not list exporter.root:\n%s", out.String())
	}
	if err := run(t.Context(), nil, func(string) string { return "" }, &out); err == nil || !strings.Contains(err.Error(), "exporter.root") {
		t.Errorf("run() without root = %v, want an error naming exporter.root", err)
	}
}

// TestKill9ExactlyOnce kills the real binary with SIGKILL at random
// instants while it exports, restarts it, and checks that the lake holds
// every event exactly once, on a folder and on S3 (fewer kills: each
// start is slower).
func TestKill9ExactlyOnce(t *testing.T) {
	bin := buildExporter(t)
	for _, l := range testLakes {
		t.Run(l.name, func(t *testing.T) {
			kills := l.kills
			if testing.Short() {
				kills = 5
			}
			root, extra := l.lake(t)
			kill9(t, bin, root, extra, kills)
		})
	}
}

func kill9(t *testing.T, bin, root string, extra map[string]string, kills int) {
	srv, js := testStreams(t)
	per := 150
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 2))
	var all []schemas.ConversationEvent
	env := testEnv(srv.ClientURL(), root)
	maps.Copy(env, extra)
	var last uint64
	for i := range kills {
		evs := events(per, i*per)
		all = append(all, evs...)
		last = publish(t, js, evs)
		cmd := startBinary(t, bin, env)
		// A random instant to kill at, once the lease the last one left has lapsed.
		time.Sleep(testLease + time.Duration(20+rng.IntN(400))*time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
	}
	addr := freeAddr(t)
	env["CHATLAKE_HTTP_ADDR"] = addr
	cmd := startBinary(t, bin, env)
	waitReady(t, addr) // SIGTERM before the handler is installed would kill it
	waitCommitted(t, js, last)
	if body := get(t, "http://"+addr+"/metrics"); !strings.Contains(body, "chatlake_exporter_rows_total") {
		t.Errorf("/metrics lacks chatlake_exporter_rows_total")
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exporter after SIGTERM: %v, want exit 0", err)
	}
	if env["CHATLAKE_EXPORTER_FORMAT"] == config.FormatIceberg {
		checkTable(t, env, all)
		return
	}
	checkLake(t, root, all)
}

// testStreams starts a NATS server with chatlake's streams.
func testStreams(t *testing.T) (*natstest.Server, jetstream.JetStream) {
	t.Helper()
	srv := natstest.Start(t)
	_, js := srv.Connect(t)
	if err := pipeline.EnsureStreams(t.Context(), js, pipeline.StreamsConfig{}); err != nil {
		t.Fatal(err)
	}
	return srv, js
}

// buildExporter builds this command into a temporary folder.
func buildExporter(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "exporter")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func startBinary(t *testing.T, bin string, env map[string]string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, fmt.Sprintf("%s=%s", k, v))
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return ""
	}
	return string(b)
}

// waitReady polls /readyz until the exporter is running.
func waitReady(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for get(t, "http://"+addr+"/readyz") == "" {
		if time.Now().After(deadline) {
			t.Fatal("exporter not ready after 20s")
		}
		time.Sleep(20 * time.Millisecond) // poll interval
	}
}

// runUntilCommitted runs the command in this process with env until the
// commit record reaches stream sequence last, then stops it as SIGTERM
// would and requires a clean exit. It returns what the command logged.
func runUntilCommitted(t *testing.T, js jetstream.JetStream, env map[string]string, last uint64) *lockedbuf.Buffer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stderr lockedbuf.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, &stderr) }()
	waitCommitted(t, js, last)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run() = %v, want nil after SIGTERM; log:\n%s", err, stderr.String())
	}
	return &stderr
}

package exporter_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"

	"github.com/chatlake/chatlake/internal/s3test"
	"github.com/chatlake/chatlake/pipeline/exporter"
	"github.com/chatlake/chatlake/schemas"
)

// benchEvents returns the number of events the benchmarks preload:
// CHATLAKE_BENCH_EVENTS, default 100,000.
func benchEvents(b *testing.B) int {
	n, err := strconv.Atoi(os.Getenv("CHATLAKE_BENCH_EVENTS"))
	if err != nil || n <= 0 {
		return 100_000
	}
	return n
}

// benchPayloads returns n realistic event payloads of about 900 bytes
// of JSON: the test data set with names cut to realistic lengths and a
// provider item (raw) of about 250 bytes.
func benchPayloads(n int) [][]byte {
	evs := testEvents(n, time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC))
	out := make([][]byte, n)
	for i := range evs {
		e := &evs[i]
		if len(strOf(e.Name)) > 48 {
			e.Name = ptrTo((*e.Name)[:48])
		}
		if v := e.Volcengine; v != nil {
			v.Description = e.Name
			e.Raw, _ = json.Marshal(map[string]any{"ConversationShortId": v.ConversationShortID, "Name": e.Name,
				"OwnerUserId": v.OwnerUserID, "MemberCount": v.MemberCount, "Ext": v.Ext, "AvatarUrl": v.AvatarURL})
		}
		if y := e.Yunxin; y != nil {
			y.RevokeNotification, y.LastMessage.Attachment, y.ServerExtension, y.GroupIDs = nil, nil, nil, nil
			y.LastMessage.Extension, y.LastMessage.MessageClientID, y.LastReadTime = nil, nil, nil
			e.Raw, _ = json.Marshal(map[string]any{"conversation_id": e.ConversationID, "name": e.Name,
				"unread_count": y.UnreadCount, "sort_order": y.SortOrder, "last_message": map[string]any{"text": y.LastMessage.Text}})
		}
		out[i], _ = json.Marshal(e)
	}
	return out
}

// preload stores payloads on the conversations stream, asynchronously.
func preload(b *testing.B, js jetstream.JetStream, payloads [][]byte) (last uint64, size int64) {
	return preloadT(b, js, payloads)
}

func preloadT(b testing.TB, js jetstream.JetStream, payloads [][]byte) (last uint64, size int64) {
	b.Helper()
	for i, p := range payloads {
		subject := schemas.ConversationSubject(schemas.ProviderVolcengine, "123456")
		if i%2 == 1 {
			subject = schemas.ConversationSubject(schemas.ProviderYunxin, "yx_app-1")
		}
		m := nats.NewMsg(subject)
		m.Data = p
		m.Header.Set(nats.MsgIdHdr, "bench-"+strconv.Itoa(i))
		if _, err := js.PublishMsgAsync(m); err != nil {
			b.Fatal(err)
		}
		if i%2000 == 1999 { // stay within the async publish window
			<-js.PublishAsyncComplete()
		}
		size += int64(len(p))
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(5 * time.Minute):
		b.Fatal("preload did not complete")
	}
	s, err := js.Stream(context.Background(), schemas.StreamConversations)
	if err != nil {
		b.Fatal(err)
	}
	return s.CachedInfo().State.LastSeq, size
}

// BenchmarkExporter exports the preloaded stream from the start, once per
// iteration, with the default configuration (zstd, 128 MiB files).
//
//	CHATLAKE_BENCH_EVENTS=1000000 go test ./pipeline -run '^$' -bench BenchmarkExporter -benchtime 1x
func BenchmarkExporter(b *testing.B) {
	_, js := exporterStreams(b)
	payloads := benchPayloads(benchEvents(b))
	last, size := preload(b, js, payloads)
	payloads = nil
	b.SetBytes(size)
	b.ReportAllocs()
	start := time.Now()
	runs := 0
	for b.Loop() {
		kv, err := js.KeyValue(context.Background(), schemas.BucketExporter)
		if err == nil {
			kv.Purge(context.Background(), schemas.KeyExporterCommit)
		}
		root := b.TempDir()
		// The idle flush commits the end of the backlog.
		r := startExporter(b, js, folderLake(b, root), exporter.Config{IdleFlush: 200 * time.Millisecond})
		waitCommitted(b, js, last, 10*time.Minute)
		if err := r.stop(b); err != nil {
			b.Fatal(err)
		}
		runs++
		b.StopTimer()
		os.RemoveAll(root)
		b.StartTimer()
	}
	b.ReportMetric(float64(runs)*float64(last)/time.Since(start).Seconds(), "events/s")
}

// BenchmarkBareLoop is the floor to compare the exporter with: consume,
// decode, write one Parquet file, no epochs, no commits.
//
//	CHATLAKE_BENCH_EVENTS=1000000 go test ./pipeline -run '^$' -bench BenchmarkBareLoop -benchtime 1x
func BenchmarkBareLoop(b *testing.B) {
	_, js := exporterStreams(b)
	payloads := benchPayloads(benchEvents(b))
	last, size := preload(b, js, payloads)
	payloads = nil
	for _, c := range []struct {
		name     string
		decode   func([]byte, any) error
		parallel bool
	}{
		{"goccy-1goroutine", gojson.Unmarshal, false},
		{"goccy-2goroutines", gojson.Unmarshal, true},
		{"encoding-json-1goroutine", json.Unmarshal, false},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			start := time.Now()
			runs := 0
			for b.Loop() {
				bareLoop(b, js, last, c.decode, c.parallel)
				runs++
			}
			b.ReportMetric(float64(runs)*float64(last)/time.Since(start).Seconds(), "events/s")
		})
	}
}

// bareLoop reads the whole stream with an ordered consumer, decodes each
// event and writes one Parquet file; with parallel, decoding and writing
// run on two goroutines.
func bareLoop(b *testing.B, js jetstream.JetStream, last uint64, decode func([]byte, any) error, parallel bool) {
	ctx := context.Background()
	cons, err := js.OrderedConsumer(ctx, schemas.StreamConversations, jetstream.OrderedConsumerConfig{})
	if err != nil {
		b.Fatal(err)
	}
	f, err := os.CreateTemp(b.TempDir(), "bare-*.parquet")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	w := parquet.NewGenericWriter[schemas.ConversationRow](f, parquet.Compression(&zstd.Codec{}), parquet.MaxRowsPerRowGroup(65536))
	batches := make(chan []schemas.ConversationRow, 4)
	done := make(chan error, 1)
	write := func(rows []schemas.ConversationRow) error { _, err := w.Write(rows); return err }
	go func() {
		for rows := range batches {
			if err := write(rows); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for seen := 0; uint64(seen) < last; {
		mb, err := cons.Fetch(1000, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			b.Fatal(err)
		}
		rows := make([]schemas.ConversationRow, 0, 1000)
		for m := range mb.Messages() {
			var ev schemas.ConversationEvent
			if err := decode(m.Data(), &ev); err != nil {
				b.Fatal(err)
			}
			rows = append(rows, schemas.RowFromEvent(&ev))
			seen++
		}
		if parallel {
			batches <- rows
		} else if err := write(rows); err != nil {
			b.Fatal(err)
		}
	}
	close(batches)
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkDecodeConversationEvent compares the JSON decoders on one
// realistic event.
func BenchmarkDecodeConversationEvent(b *testing.B) {
	payloads := benchPayloads(64)
	for _, c := range []struct {
		name   string
		decode func([]byte, any) error
	}{{"goccy", gojson.Unmarshal}, {"encoding-json", json.Unmarshal}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(payloads[0])))
			i := 0
			for b.Loop() {
				var ev schemas.ConversationEvent
				if err := c.decode(payloads[i%len(payloads)], &ev); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// TestExporterThroughputBinary measures the real exporter binary on a
// preloaded stream, once per lake of benchLakes in the same run: events/s,
// MB/s of event JSON, and its peak RSS. It runs only when
// CHATLAKE_BENCH_EVENTS is set; CHATLAKE_BENCH_LAKES picks lakes by name
// (comma-separated, default all):
//
//	CHATLAKE_BENCH_EVENTS=1000000 go test ./pipeline/exporter -run TestExporterThroughputBinary -v -timeout 60m
func TestExporterThroughputBinary(t *testing.T) {
	if os.Getenv("CHATLAKE_BENCH_EVENTS") == "" {
		t.Skip("set CHATLAKE_BENCH_EVENTS to run")
	}
	n, _ := strconv.Atoi(os.Getenv("CHATLAKE_BENCH_EVENTS"))
	bin := filepath.Join(t.TempDir(), "exporter")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/exporter").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	srv, js := exporterStreams(t)
	payloads := benchPayloads(n)
	last, size := preloadT(t, js, payloads)
	payloads = nil
	picked := os.Getenv("CHATLAKE_BENCH_LAKES")
	for _, lk := range benchLakes {
		if picked != "" && !slices.Contains(strings.Split(picked, ","), lk.name) {
			continue
		}
		t.Run(lk.name, func(t *testing.T) {
			// Every lake exports the whole stream from the start.
			if kv, err := js.KeyValue(t.Context(), schemas.BucketExporter); err == nil {
				kv.Purge(t.Context(), schemas.KeyExporterCommit)
			}
			env, dir := lk.env(t)
			took, rss := runExporterBinary(t, bin, js, last, append(env, "CHATLAKE_NATS_URL="+srv.ClientURL()))
			files, out := filesUnder(t, dir, lk.layout)
			t.Logf("%s: %d events (%.0f MB of JSON) in %v: %.0f events/s, %.1f MB/s; peak RSS %.0f MiB; %d files, %.1f MB of Parquet",
				lk.name, n, float64(size)/1e6, took.Round(time.Millisecond), float64(n)/took.Seconds(), float64(size)/1e6/took.Seconds(),
				float64(rss)/1024, files, float64(out)/1e6)
		})
	}
}

// benchLakes are the lakes TestExporterThroughputBinary measures: env is
// the exporter's lake settings, dir the local folder that ends up holding
// the lake's files (the S3 server's backend for a bucket), layout the
// partition folder every file of the format is in.
var benchLakes = []struct {
	name, layout string
	env          func(t *testing.T) (env []string, dir string)
}{
	{"folder-parquet", "/dt=", func(t *testing.T) ([]string, string) {
		root := t.TempDir()
		return []string{"CHATLAKE_EXPORTER_ROOT=" + root}, root
	}},
	{"s3-parquet", "/dt=", func(t *testing.T) ([]string, string) {
		srv := s3test.Start(t)
		return append(benchS3Env(srv), "CHATLAKE_EXPORTER_ROOT=s3://"+srv.Bucket+"/lake"), srv.Dir
	}},
	{"s3-iceberg", "/data/provider=", func(t *testing.T) ([]string, string) {
		srv := s3test.Start(t)
		return append(benchS3Env(srv), "CHATLAKE_EXPORTER_ROOT=s3://"+srv.Bucket+"/warehouse", "CHATLAKE_EXPORTER_FORMAT=iceberg",
			"CHATLAKE_EXPORTER_ICEBERG_URI="+filepath.Join(t.TempDir(), "catalog.db")), srv.Dir
	}},
}

func benchS3Env(srv *s3test.Server) []string {
	return []string{"CHATLAKE_EXPORTER_S3_ENDPOINT=" + srv.Endpoint, "CHATLAKE_EXPORTER_S3_REGION=" + srv.Region,
		"CHATLAKE_EXPORTER_S3_PATH_STYLE=true", "CHATLAKE_EXPORTER_S3_ACCESS_KEY_ID=" + srv.AccessKey,
		"CHATLAKE_EXPORTER_S3_SECRET_ACCESS_KEY=" + srv.SecretKey}
}

// runExporterBinary runs bin with env until it committed last, stops it,
// and returns the time to the commit and its peak RSS in KiB.
func runExporterBinary(t *testing.T, bin string, js jetstream.JetStream, last uint64, env []string) (time.Duration, int64) {
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "GODEBUG="+os.Getenv("BENCH_GODEBUG"), "CHATLAKE_HTTP_ADDR=off",
		"CHATLAKE_EXPORTER_IDLE_FLUSH=200ms", "CHATLAKE_LOG_LEVEL=warn")
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitCommitted(t, js, last, 20*time.Minute)
	took := time.Since(start)
	// VmHWM, not the rusage of the child: after a vfork-style exec, Linux
	// folds the parent's peak RSS into the child's ru_maxrss.
	rss := vmHWM(t, cmd.Process.Pid)
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exporter: %v", err)
	}
	return took, rss
}

// filesUnder counts the Parquet files under dir and their bytes; each
// must be in a folder named like layout.
func filesUnder(t *testing.T, dir, layout string) (files int, bytes int64) {
	for _, p := range lakeFiles(t, dir) {
		if !strings.Contains(filepath.ToSlash(p), layout) {
			t.Errorf("lake file %s is not in a %s folder", p, layout)
		}
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		files++
		bytes += st.Size()
	}
	return files, bytes
}

// vmHWM returns a process's peak resident set size in KiB.
func vmHWM(t *testing.T, pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	t.Fatal("no VmHWM")
	return 0
}

package e2e_test

import (
	"cmp"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/providers/yunxin/yunxinsim"
	"github.com/chatlake/chatlake/schemas"
)

// cluster is chatlake deployed as separate processes on loopback.
type cluster struct {
	t                  *testing.T
	bin, dir, lake     string
	natsURL, cfgFile   string
	env                []string
	producerHTTP       string
	exporterHTTP       string
	nats, producer     *process
	exporter, imsimPro *process
	qps                int // each account's qps; default 90
}

const seed = 5

func newCluster(t *testing.T, bin string, imsimArgs ...string) *cluster {
	c := &cluster{t: t, bin: bin, dir: t.TempDir()}
	natsPort := freePort(t)
	c.natsURL = fmt.Sprintf("nats://127.0.0.1:%d", natsPort)
	c.nats = start(t, "nats-server", filepath.Join(bin, "nats-server"), nil,
		"-js", "-a", "127.0.0.1", "-p", strconv.Itoa(natsPort), "-sd", filepath.Join(c.dir, "nats"))
	waitTCP(t, fmt.Sprintf("127.0.0.1:%d", natsPort))
	c.deploy(imsimArgs)
	return c
}

// deploy starts imsim with imsimArgs, then the producer and the exporter
// on c.natsURL, with env added to their environment.
func (c *cluster) deploy(imsimArgs []string, env ...string) {
	t := c.t
	c.lake = filepath.Join(c.dir, "lake")
	simAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	c.imsimPro = start(t, "imsim", filepath.Join(c.bin, "imsim"), nil,
		append([]string{"-addr", simAddr, "-seed", strconv.Itoa(seed)}, imsimArgs...)...)
	waitTCP(t, simAddr)
	c.writeConfig("http://" + simAddr)
	c.env = append([]string{"CHATLAKE_CONFIG=" + c.cfgFile, "CHATLAKE_NATS_URL=" + c.natsURL, "TEST_VOLC_SK=" + volcsim.TestSecretAccessKey}, env...)
	c.producerHTTP = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	c.exporterHTTP = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	c.startProducer()
	c.startExporter()
}

func (c *cluster) writeConfig(simURL string) {
	c.cfgFile = filepath.Join(c.dir, "chatlake.yaml")
	cfg := fmt.Sprintf(`accounts:
  - name: volc
    provider: volcengine
    endpoint: %[1]s
    access_key_id: %[2]s
    secret_access_key_env: TEST_VOLC_SK
    apps: ["%[3]d"]
    qps: %[7]d
  - name: yunxin
    provider: yunxin
    endpoint: %[1]s
    app_key: %[4]s
    app_secret: %[5]s
    qps: %[7]d
producer:
  concurrency: 16
  retry_initial: 100ms
  max_attempts: 50
  ack_wait: 5s
guard:
  breaker_timeout: 1s
exporter:
  root: %[6]s
  idle_flush: 300ms
  max_file_rows: 500
log:
  level: debug
`, simURL, volcsim.TestAccessKeyID, volcsim.TestAppID, yunxinsim.TestAppKey, yunxinsim.TestAppSecret, c.lake, cmp.Or(c.qps, 90))
	if err := os.WriteFile(c.cfgFile, []byte(cfg), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

func (c *cluster) startProducer() {
	c.producer = start(c.t, "producer", filepath.Join(c.bin, "producer"), append(c.env, "CHATLAKE_HTTP_ADDR="+c.producerHTTP))
	waitReady(c.t, c.producerHTTP)
}

func (c *cluster) startExporter() {
	c.exporter = start(c.t, "exporter", filepath.Join(c.bin, "exporter"), append(c.env, "CHATLAKE_HTTP_ADDR="+c.exporterHTTP))
	waitReady(c.t, c.exporterHTTP)
}

// waitReady polls /readyz until it answers 200.
func waitReady(t *testing.T, addr string) {
	t.Helper()
	waitFor(t, 30*time.Second, "/readyz on "+addr, func() (bool, error) {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			return false, err
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, fmt.Errorf("status %d", resp.StatusCode)
	})
}

func (c *cluster) chatlake(args ...string) string {
	return run(c.t, filepath.Join(c.bin, "chatlake"), c.env, args...)
}

// submit publishes jobs for users to both providers with `chatlake submit`.
func (c *cluster) submit(users []string) {
	file := filepath.Join(c.dir, "users.txt")
	if err := os.WriteFile(file, []byte(strings.Join(users, "\n")+"\n"), 0o600); err != nil {
		c.t.Fatal(err)
	}
	for _, pa := range [][2]string{
		{schemas.ProviderVolcengine, strconv.Itoa(int(volcsim.TestAppID))},
		{schemas.ProviderYunxin, yunxinsim.TestAppKey},
	} {
		out := c.chatlake("submit", "--provider", pa[0], "--app", pa[1], "--file", file)
		if !strings.Contains(out, fmt.Sprintf("submitted %d,", len(users))) {
			c.t.Fatalf("chatlake submit %s: %s", pa[0], out)
		}
	}
}

// expected maps provider/app/user/conversation to the item the simulators
// serve: the data set the lake must hold, exactly.
func expected(users []string) map[string]simulator.Spec {
	ds := simulator.Dataset{Seed: seed}
	raw := map[string]simulator.Spec{}
	for _, u := range users {
		for _, it := range volcsim.Expected(ds, volcsim.TestAppID, u, 0) {
			raw[key(schemas.ProviderVolcengine, strconv.Itoa(int(volcsim.TestAppID)), u, strconv.FormatInt(it.ConversationShortID, 10), string(it.Raw))] = it.Spec
		}
		for _, it := range yunxinsim.Expected(ds, yunxinsim.TestAppKey, u) {
			raw[key(schemas.ProviderYunxin, yunxinsim.TestAppKey, u, it.ConversationID, string(it.Raw))] = it.Spec
		}
	}
	return raw
}

func key(provider, app, user, conv, raw string) string {
	return strings.Join([]string{provider, app, user, conv, raw}, "\x00")
}

// lakeRows reads every visible Parquet file under the lake.
func lakeRows(t testing.TB, lake string) ([]schemas.ConversationRow, error) {
	var rows []schemas.ConversationRow
	err := filepath.WalkDir(lake, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".parquet" {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if !strings.HasPrefix(filepath.Base(path), "part-") {
			return nil
		}
		r, err := parquet.ReadFile[schemas.ConversationRow](path)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		rows = append(rows, r...)
		return nil
	})
	return rows, err
}

// waitLake polls until the lake holds at least n rows.
func (c *cluster) waitLake(n int, timeout time.Duration) {
	waitFor(c.t, timeout, fmt.Sprintf("%d rows in the lake", n), func() (bool, error) {
		rows, err := lakeRows(c.t, c.lake)
		return len(rows) >= n, fmt.Errorf("%d rows, %v", len(rows), err)
	})
}

// stop ends producer and exporter with SIGTERM: both must exit 0.
func (c *cluster) stop() {
	for _, p := range []*process{c.producer, c.exporter} {
		if err := p.stop(30 * time.Second); err != nil {
			c.t.Errorf("%s exit: %v", p.name, err)
		}
	}
}

// check compares the lake with the data set: every conversation exactly
// once, its raw item byte for byte, its normalized fields equal.
func (c *cluster) check(want map[string]simulator.Spec) {
	rows, err := lakeRows(c.t, c.lake)
	if err != nil {
		c.t.Fatal(err)
	}
	checkRows(c.t, rows, want)
}

// checkRows compares rows with the data set, as check does.
func checkRows(t *testing.T, rows []schemas.ConversationRow, want map[string]simulator.Spec) {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range rows {
		k := key(r.Provider, r.App, r.UserID, r.ConversationID, r.Raw)
		spec, ok := want[k]
		switch {
		case seen[k]:
			t.Errorf("lake holds %s/%s user %s conversation %s twice", r.Provider, r.App, r.UserID, r.ConversationID)
		case !ok:
			t.Errorf("lake holds %s/%s user %s conversation %s that the simulators never served (or with other bytes)", r.Provider, r.App, r.UserID, r.ConversationID)
		default:
			checkFields(t, r, spec)
		}
		seen[k] = true
	}
	if len(seen) != len(want) {
		t.Errorf("lake holds %d distinct conversations, want %d", len(seen), len(want))
	}
	if len(rows) != len(want) {
		t.Errorf("lake holds %d rows, want %d", len(rows), len(want))
	}
}

func checkFields(t *testing.T, r schemas.ConversationRow, s simulator.Spec) {
	t.Helper()
	if r.Provider == schemas.ProviderVolcengine {
		if r.ConversationIDInt64 == nil || *r.ConversationIDInt64 != s.ID {
			t.Errorf("conversation %s: conversation_id_int64 = %v, want %d", r.ConversationID, r.ConversationIDInt64, s.ID)
		}
		if s.Type == 1 && r.Name != nil || s.Type != 1 && (r.Name == nil || *r.Name != s.Name) {
			t.Errorf("conversation %s: name = %v, want %q (NULL for one-to-one)", r.ConversationID, r.Name, s.Name)
		}
	}
	if r.CreateTime == nil || *r.CreateTime != s.Created.UnixMicro() {
		t.Errorf("%s conversation %s: create_time = %v, want %v", r.Provider, r.ConversationID, r.CreateTime, s.Created)
	}
	wantType := s.Type
	if r.Provider == schemas.ProviderVolcengine && wantType == schemas.ConversationTypeSuperGroup {
		wantType = schemas.ConversationTypeGroup // Volcengine has groups only
	}
	if r.Type != wantType {
		t.Errorf("%s conversation %s: type = %d, want %d", r.Provider, r.ConversationID, r.Type, wantType)
	}
}

func e2eUsers() []string {
	users := []string{simulator.UserEmpty, simulator.UserOne, simulator.UserTwenty, simulator.UserTwentyOne, simulator.UserMany, "alice.wang", "用户-7"}
	for i := range 40 {
		users = append(users, strconv.Itoa(200000+i))
	}
	return users
}

func TestEndToEnd(t *testing.T) {
	bin := buildBinaries(t, "github.com/nats-io/nats-server/v2", "./cmd/imsim", "./cmd/producer", "./cmd/exporter", "./cmd/chatlake")
	users := e2eUsers()
	want := expected(users)

	t.Run("clean", func(t *testing.T) {
		c := newCluster(t, bin)
		c.submit(users)
		c.waitLake(len(want), 2*time.Minute)
		c.stop()
		c.check(want)
		if out := c.chatlake("status"); !strings.Contains(out, fmt.Sprintf("done      %d", 2*len(users))) {
			t.Errorf("chatlake status:\n%s\nwant every job done", out)
		}
		t.Run("duckdb reads the lake", func(t *testing.T) { checkDuckDB(t, c.lake, want) })
	})

	t.Run("export run", func(t *testing.T) { testExportRun(t, bin) })

	t.Run("faults and crashes", func(t *testing.T) {
		c := newCluster(t, bin, "-server-error-rate", "0.05", "-throttle-rate", "0.03",
			"-malformed-rate", "0.03", "-drop-rate", "0.03", "-retry-after", "1s")
		c.submit(users)
		// kill -9 both workers mid-export and start them again.
		c.waitLake(len(want)/4, 2*time.Minute)
		c.producer.kill()
		c.exporter.kill()
		c.startExporter()
		c.startProducer()
		c.waitLake(len(want), 3*time.Minute)
		c.stop()
		c.check(want)
	})
}

// checkDuckDB reads the lake as a data engineer would, with hive
// partitioning, and compares counts and a value above 2^53.
func checkDuckDB(t *testing.T, lake string, want map[string]simulator.Spec) {
	var wantRows, wantBig int
	var maxID int64
	for k, s := range want {
		wantRows++
		if strings.HasPrefix(k, schemas.ProviderVolcengine+"\x00") {
			maxID = max(maxID, s.ID)
			if s.ID > 1<<53 {
				wantBig++
			}
		}
	}
	rows := duckDB(t, fmt.Sprintf(`SELECT count(*) AS n, count(DISTINCT event_id) AS events,
		count(*) FILTER (WHERE conversation_id_int64 > 9007199254740992) AS big,
		max(conversation_id_int64)::VARCHAR AS max_id, count(*) FILTER (WHERE dt IS NULL) AS no_dt,
		count(*) FILTER (WHERE fetched_at IS NULL OR create_time IS NULL) AS null_times
		FROM read_parquet('%s/conversations/**/*.parquet', hive_partitioning = true)`, lake))
	got := rows[0]
	wantGot := map[string]string{
		"n": fmt.Sprint(wantRows), "events": fmt.Sprint(wantRows), "big": fmt.Sprint(wantBig),
		"max_id": fmt.Sprint(maxID), "no_dt": "0", "null_times": "0",
	}
	for k, w := range wantGot {
		if fmt.Sprint(got[k]) != w {
			t.Errorf("duckdb %s = %v, want %s", k, got[k], w)
		}
	}
}

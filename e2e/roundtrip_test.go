package e2e_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/schemas"
)

// wireColumn is where a typed column's value sits in a provider's item:
// a key path, and how the column holds it.
type wireColumn struct {
	column string
	path   []string
	kind   columnKind
}

type columnKind int

const (
	asIs     columnKind = iota // number, string, bool, map or list: the same JSON value
	millis                     // provider milliseconds: TIMESTAMP, compared in microseconds
	jsonText                   // any JSON value, held as its JSON text
)

// The columns of each provider, written from the wire protocol, not from
// the clients' mapping.
var (
	volcColumns = []wireColumn{
		{"conversation_id_int64", []string{"ConversationShortId"}, asIs},
		{"volc_conversation_id_str", []string{"ConversationId"}, asIs},
		{"volc_app_id", []string{"AppId"}, asIs},
		{"volc_inbox_type", []string{"InboxType"}, asIs},
		{"volc_conversation_type", []string{"ConversationType"}, asIs},
		{"volc_avatar_url", []string{"AvatarUrl"}, asIs},
		{"volc_description", []string{"Description"}, asIs},
		{"volc_notice", []string{"Notice"}, asIs},
		{"volc_owner_user_id", []string{"OwnerUserId"}, asIs},
		{"volc_owner_user_id_str", []string{"OwnerUserIdStr"}, asIs},
		{"volc_creator_user_id", []string{"CreatorUserId"}, asIs},
		{"volc_creator_user_id_str", []string{"CreatorUserIdStr"}, asIs},
		{"volc_other_user_id", []string{"OtherUserId"}, asIs},
		{"volc_other_user_id_str", []string{"OtherUserIdStr"}, asIs},
		{"volc_status", []string{"Status"}, asIs},
		{"volc_ext", []string{"Ext"}, asIs},
		{"volc_member_count", []string{"MemberCount"}, asIs},
		{"volc_online_count", []string{"OnlineCount"}, asIs},
	}
	yxColumns = []wireColumn{
		{"yx_type", []string{"type"}, asIs},
		{"yx_sender_id", []string{"sender_id"}, asIs},
		{"yx_receiver_id", []string{"receiver_id"}, asIs},
		{"yx_stick_top", []string{"stick_top"}, asIs},
		{"yx_group_ids", []string{"group_ids"}, asIs},
		{"yx_server_extension", []string{"server_extension"}, asIs},
		{"yx_message_state", []string{"message_state"}, asIs},
		{"yx_unread_count", []string{"unread_count"}, asIs},
		{"yx_sort_order", []string{"sort_order"}, asIs},
		{"yx_last_read_time", []string{"last_read_time"}, millis},
		{"yx_last_msg_server_id", []string{"last_message", "message_server_id"}, asIs},
		{"yx_last_msg_client_id", []string{"last_message", "message_client_id"}, asIs},
		{"yx_last_msg_sender_id", []string{"last_message", "sender_id"}, asIs},
		{"yx_last_msg_receiver_id", []string{"last_message", "receiver_id"}, asIs},
		{"yx_last_msg_team_id", []string{"last_message", "team_id"}, asIs},
		{"yx_last_msg_conversation_type", []string{"last_message", "conversation_type"}, asIs},
		{"yx_last_msg_sender_client_type", []string{"last_message", "sender_client_type"}, asIs},
		{"yx_last_msg_message_type", []string{"last_message", "message_type"}, asIs},
		{"yx_last_msg_sub_type", []string{"last_message", "sub_type"}, asIs},
		{"yx_last_msg_create_time", []string{"last_message", "create_time"}, millis},
		{"yx_last_msg_text", []string{"last_message", "text"}, asIs},
		{"yx_last_msg_attachment", []string{"last_message", "attachment"}, jsonText},
		{"yx_last_msg_extension", []string{"last_message", "extension"}, asIs},
		{"yx_revoke_server_id", []string{"revoke_notification", "server_id"}, asIs},
		{"yx_revoke_attach", []string{"revoke_notification", "attach"}, asIs},
		{"yx_revoke_id", []string{"revoke_notification", "revoke_id"}, asIs},
		{"yx_revoke_custom_info", []string{"revoke_notification", "custom_info"}, asIs},
		{"yx_revoke_type", []string{"revoke_notification", "revoke_type"}, asIs},
	}
)

// readFixture reads a simulator's hand-written items straight from its
// files: the bytes the simulator must put on the wire.
func readFixture(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("..", dir, "testdata", "fixture", "*.json"))
	if err != nil || len(names) == 0 {
		t.Fatalf("fixture %s: %v (%d files)", dir, err, len(names))
	}
	var out []string
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.TrimSuffix(string(b), "\n"))
	}
	return out
}

// decodeGeneric decodes JSON into maps, slices and json.Numbers.
func decodeGeneric(t *testing.T, s string) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return v
}

// lookup follows path in v; nil when a key is absent or null on the way.
func lookup(v any, path []string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// wantColumn is the value a column must hold for the item's value v.
func wantColumn(t *testing.T, c wireColumn, v any) any {
	if v == nil {
		return nil
	}
	switch c.kind {
	case millis:
		ms, err := v.(json.Number).Int64()
		if err != nil {
			t.Fatalf("%s: %v", c.column, err)
		}
		return json.Number(fmt.Sprint(ms * 1000))
	case jsonText:
		return v // compared after decoding the column's text
	}
	return v
}

// TestRoundTripKeepsWhatTheProviderSent serves each simulator's
// hand-written items (every hard case of the wire) through the real
// binaries and reads the lake back: raw must be the served bytes, each
// typed column the served value, NULL only for what was absent or null.
func TestRoundTripKeepsWhatTheProviderSent(t *testing.T) {
	bin := buildBinaries(t, "github.com/nats-io/nats-server/v2", "./cmd/imsim", "./cmd/producer", "./cmd/exporter", "./cmd/chatlake")
	served := map[string][]string{
		schemas.ProviderVolcengine: readFixture(t, "providers/volcengine/volcsim"),
		schemas.ProviderYunxin:     readFixture(t, "providers/yunxin/yunxinsim"),
	}
	n := len(served[schemas.ProviderVolcengine]) + len(served[schemas.ProviderYunxin])
	c := newCluster(t, bin)
	c.submit([]string{simulator.UserFixture})
	c.waitLake(n, 2*time.Minute)
	c.stop()

	rows, err := lakeRows(t, c.lake)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, r := range rows {
		got[r.Provider] = append(got[r.Provider], r.Raw)
	}
	for p, want := range served {
		if !sameSet(got[p], want) {
			t.Errorf("%s raw read with parquet-go:\n%q\nwant the served bytes\n%q", p, got[p], want)
		}
	}
	t.Run("duckdb", func(t *testing.T) { checkRoundTripDuckDB(t, c.lake, served) })
}

func sameSet(a, b []string) bool {
	count := map[string]int{}
	for _, s := range a {
		count[s]++
	}
	for _, s := range b {
		count[s]--
	}
	for _, n := range count {
		if n != 0 {
			return false
		}
	}
	return len(a) == len(b)
}

// checkRoundTripDuckDB reads the lake with DuckDB and compares every row
// with the item served with the same raw bytes.
func checkRoundTripDuckDB(t *testing.T, lake string, served map[string][]string) {
	rows := duckDB(t, fmt.Sprintf(`SELECT provider, raw,
		to_json(t)::VARCHAR AS j,
		epoch_us(yx_last_read_time) AS yx_last_read_time_us,
		epoch_us(yx_last_msg_create_time) AS yx_last_msg_create_time_us
		FROM read_parquet('%s/conversations/**/*.parquet', hive_partitioning = true) t`, lake))
	byRaw := map[string]map[string]any{}
	for _, r := range rows {
		raw, _ := r["raw"].(string)
		cols := decodeGeneric(t, r["j"].(string)).(map[string]any)
		for _, k := range []string{"yx_last_read_time", "yx_last_msg_create_time"} {
			cols[k] = nil
			if us := r[k+"_us"]; us != nil {
				cols[k] = json.Number(fmt.Sprint(us))
			}
		}
		byRaw[fmt.Sprint(r["provider"])+"\x00"+raw] = cols
	}
	for p, items := range served {
		columns := volcColumns
		if p == schemas.ProviderYunxin {
			columns = yxColumns
		}
		for _, raw := range items {
			cols, ok := byRaw[p+"\x00"+raw]
			if !ok {
				t.Errorf("%s: DuckDB finds no row whose raw is the served item %q", p, raw)
				continue
			}
			item := decodeGeneric(t, raw)
			for _, c := range columns {
				checkColumn(t, p, raw, c, wantColumn(t, c, lookup(item, c.path)), cols[c.column])
			}
		}
	}
}

func checkColumn(t *testing.T, provider, raw string, c wireColumn, want, got any) {
	t.Helper()
	if c.kind == jsonText && got != nil && want != nil {
		s, _ := got.(string)
		got = decodeGeneric(t, s)
	}
	if !reflect.DeepEqual(want, got) {
		t.Errorf("%s item %.60q: %s = %#v, want %#v (served %s)", provider, raw, c.column, got, want, strings.Join(c.path, "."))
	}
}

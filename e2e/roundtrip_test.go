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
// a key path, and how the column holds it; or, for a derived column, the
// README's definition of its value.
type wireColumn struct {
	column string
	path   []string
	kind   columnKind
	derive func(item map[string]any) any
}

type columnKind int

const (
	asIs     columnKind = iota // number, string, bool, map or list: the same JSON value
	seconds                    // provider seconds: TIMESTAMP, compared in microseconds
	millis                     // provider milliseconds: TIMESTAMP, compared in microseconds
	jsonText                   // any JSON value, held as its JSON text byte for byte
	derived                    // derive gives the value
)

// timeColumns are the TIMESTAMP columns, which the DuckDB query reads as
// microseconds since the epoch.
var timeColumns = []string{"create_time", "update_time", "yx_last_read_time", "yx_last_msg_create_time"}

// The columns of each provider, written from the wire protocol, not from
// the clients' mapping.
var (
	volcColumns = []wireColumn{
		{column: "name", path: []string{"Name"}},
		{column: "owner_user_id", kind: derived, derive: func(it map[string]any) any { return volcID(it, "OwnerUserId") }},
		{column: "peer_id", kind: derived, derive: func(it map[string]any) any { return volcID(it, "OtherUserId") }},
		{column: "create_time", path: []string{"CreateTime"}, kind: seconds},
		{column: "update_time", path: []string{"ModifyTime"}, kind: seconds},
		{"conversation_id_int64", []string{"ConversationShortId"}, asIs, nil},
		{"volc_conversation_id_str", []string{"ConversationId"}, asIs, nil},
		{"volc_app_id", []string{"AppId"}, asIs, nil},
		{"volc_inbox_type", []string{"InboxType"}, asIs, nil},
		{"volc_conversation_type", []string{"ConversationType"}, asIs, nil},
		{"volc_avatar_url", []string{"AvatarUrl"}, asIs, nil},
		{"volc_description", []string{"Description"}, asIs, nil},
		{"volc_notice", []string{"Notice"}, asIs, nil},
		{"volc_owner_user_id", []string{"OwnerUserId"}, asIs, nil},
		{"volc_owner_user_id_str", []string{"OwnerUserIdStr"}, asIs, nil},
		{"volc_creator_user_id", []string{"CreatorUserId"}, asIs, nil},
		{"volc_creator_user_id_str", []string{"CreatorUserIdStr"}, asIs, nil},
		{"volc_other_user_id", []string{"OtherUserId"}, asIs, nil},
		{"volc_other_user_id_str", []string{"OtherUserIdStr"}, asIs, nil},
		{"volc_status", []string{"Status"}, asIs, nil},
		{"volc_ext", []string{"Ext"}, asIs, nil},
		{"volc_member_count", []string{"MemberCount"}, asIs, nil},
		{"volc_online_count", []string{"OnlineCount"}, asIs, nil},
	}
	yxColumns = []wireColumn{
		{column: "name", kind: derived, derive: func(map[string]any) any { return nil }},
		{column: "owner_user_id", path: []string{"sender_id"}},
		{column: "peer_id", kind: derived, derive: yunxinPeer},
		{column: "create_time", path: []string{"create_time"}, kind: millis},
		{column: "update_time", path: []string{"update_time"}, kind: millis},
		{"yx_type", []string{"type"}, asIs, nil},
		{"yx_sender_id", []string{"sender_id"}, asIs, nil},
		{"yx_receiver_id", []string{"receiver_id"}, asIs, nil},
		{"yx_stick_top", []string{"stick_top"}, asIs, nil},
		{"yx_group_ids", []string{"group_ids"}, asIs, nil},
		{"yx_server_extension", []string{"server_extension"}, asIs, nil},
		{"yx_message_state", []string{"message_state"}, asIs, nil},
		{"yx_unread_count", []string{"unread_count"}, asIs, nil},
		{"yx_sort_order", []string{"sort_order"}, asIs, nil},
		{"yx_last_read_time", []string{"last_read_time"}, millis, nil},
		{"yx_last_msg_server_id", []string{"last_message", "message_server_id"}, asIs, nil},
		{"yx_last_msg_client_id", []string{"last_message", "message_client_id"}, asIs, nil},
		{"yx_last_msg_sender_id", []string{"last_message", "sender_id"}, asIs, nil},
		{"yx_last_msg_receiver_id", []string{"last_message", "receiver_id"}, asIs, nil},
		{"yx_last_msg_team_id", []string{"last_message", "team_id"}, asIs, nil},
		{"yx_last_msg_conversation_type", []string{"last_message", "conversation_type"}, asIs, nil},
		{"yx_last_msg_sender_client_type", []string{"last_message", "sender_client_type"}, asIs, nil},
		{"yx_last_msg_message_type", []string{"last_message", "message_type"}, asIs, nil},
		{"yx_last_msg_sub_type", []string{"last_message", "sub_type"}, asIs, nil},
		{"yx_last_msg_create_time", []string{"last_message", "create_time"}, millis, nil},
		{"yx_last_msg_text", []string{"last_message", "text"}, asIs, nil},
		{"yx_last_msg_attachment", []string{"last_message", "attachment"}, jsonText, nil},
		{"yx_last_msg_extension", []string{"last_message", "extension"}, asIs, nil},
		{"yx_revoke_server_id", []string{"revoke_notification", "server_id"}, asIs, nil},
		{"yx_revoke_attach", []string{"revoke_notification", "attach"}, asIs, nil},
		{"yx_revoke_id", []string{"revoke_notification", "revoke_id"}, asIs, nil},
		{"yx_revoke_custom_info", []string{"revoke_notification", "custom_info"}, asIs, nil},
		{"yx_revoke_type", []string{"revoke_notification", "revoke_type"}, asIs, nil},
	}
)

// volcID is the README's owner_user_id or peer_id of a Volcengine item,
// from <field>Str and <field>: the string when non-empty, else the number
// in decimal when sent, else the string as sent, else NULL.
func volcID(it map[string]any, field string) any {
	str, hasStr := it[field+"Str"].(string)
	if hasStr && str != "" {
		return str
	}
	if n, ok := it[field].(json.Number); ok {
		return n.String()
	}
	if hasStr {
		return str
	}
	return nil
}

// yunxinPeer is the README's peer_id of a Yunxin item: receiver_id when
// non-empty, else the third part of conversation_id, else receiver_id as
// sent, else NULL.
func yunxinPeer(it map[string]any) any {
	r, hasR := it["receiver_id"].(string)
	if hasR && r != "" {
		return r
	}
	if parts := strings.SplitN(it["conversation_id"].(string), "|", 3); len(parts) == 3 {
		return parts[2]
	}
	if hasR {
		return r
	}
	return nil
}

// wireBytes is the exact text of the value at path in the served item,
// or nil when absent or null: json.RawMessage takes a value's bytes as
// they are.
func wireBytes(t *testing.T, raw string, path []string) any {
	t.Helper()
	v := json.RawMessage(raw)
	for _, k := range path {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(v, &m); err != nil {
			return nil
		}
		if v = m[k]; v == nil {
			return nil
		}
	}
	if string(v) == "null" {
		return nil
	}
	if !strings.Contains(raw, string(v)) {
		t.Fatalf("%s of %q is not a substring of the item", strings.Join(path, "."), raw)
	}
	return string(v)
}

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

// wantColumn is the value a column must hold for the served item raw.
func wantColumn(t *testing.T, c wireColumn, raw string) any {
	item := decodeGeneric(t, raw)
	switch c.kind {
	case derived:
		return c.derive(item.(map[string]any))
	case jsonText:
		return wireBytes(t, raw, c.path)
	}
	v := lookup(item, c.path)
	if v == nil {
		return nil
	}
	switch c.kind {
	case seconds, millis:
		n, err := v.(json.Number).Int64()
		if err != nil {
			t.Fatalf("%s: %v", c.column, err)
		}
		per := int64(1000)
		if c.kind == seconds {
			per = 1000000
		}
		return json.Number(fmt.Sprint(n * per))
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
		to_json(t)::VARCHAR AS j, %s
		FROM read_parquet('%s/conversations/**/*.parquet', hive_partitioning = true) t`, epochColumns(), lake))
	byRaw := map[string]map[string]any{}
	for _, r := range rows {
		raw, _ := r["raw"].(string)
		cols := decodeGeneric(t, r["j"].(string)).(map[string]any)
		for _, k := range timeColumns {
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
			for _, c := range columns {
				checkColumn(t, p, raw, c, wantColumn(t, c, raw), cols[c.column])
			}
		}
	}
}

// epochColumns selects the time columns as microseconds.
func epochColumns() string {
	var sel []string
	for _, c := range timeColumns {
		sel = append(sel, fmt.Sprintf("epoch_us(%s) AS %s_us", c, c))
	}
	return strings.Join(sel, ", ")
}

func checkColumn(t *testing.T, provider, raw string, c wireColumn, want, got any) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		from := strings.Join(c.path, ".")
		if c.kind == derived {
			from = "derived as the README says"
		}
		t.Errorf("%s item %.60q: %s = %#v, want %#v (served %s)", provider, raw, c.column, got, want, from)
	}
}

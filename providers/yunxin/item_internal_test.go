package yunxin

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/chatlake/chatlake/providers"
)

// TestMapItemCommonFields checks the common fields against the README's
// definitions: what the provider sent, nil only for absent or null.
func TestMapItemCommonFields(t *testing.T) {
	s := func(v string) *string { return &v }
	epoch := time.Unix(0, 0).UTC()
	at := time.UnixMilli(1700000000123).UTC()
	type common struct {
		Owner, Peer    *string
		Create, Update *time.Time
	}
	for _, c := range []struct {
		raw  string
		want common
	}{
		{`{"conversation_id":"a|1|b","sender_id":"a","receiver_id":"b","create_time":1700000000123,"update_time":0}`,
			common{s("a"), s("b"), &at, &epoch}},
		{`{"conversation_id":"a|1|b","sender_id":"","receiver_id":""}`, common{Owner: s(""), Peer: s("b")}},
		{`{"conversation_id":"a|1|b","sender_id":null,"receiver_id":null,"create_time":null,"update_time":null}`, common{Peer: s("b")}},
		{`{"conversation_id":"odd","receiver_id":""}`, common{Peer: s("")}},
		{`{"conversation_id":"odd"}`, common{}},
	} {
		it, err := providers.DecodeJSON[providers.Item[item]]([]byte(c.raw))
		if err != nil {
			t.Fatal(err)
		}
		got, err := mapItem("k", "u", &it)
		if err != nil {
			t.Fatalf("mapItem(%s): %v", c.raw, err)
		}
		if got.Name != nil {
			t.Errorf("mapItem(%s).Name = %q, want nil", c.raw, *got.Name)
		}
		g := common{got.OwnerUserID, got.PeerID, got.CreateTime, got.UpdateTime}
		if d := cmp.Diff(c.want, g); d != "" {
			t.Errorf("mapItem(%s) common fields (-want +got):\n%s", c.raw, d)
		}
	}
}

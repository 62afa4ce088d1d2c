package yunxinsim

import (
	"bytes"
	"embed"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/chatlake/chatlake/providers/simulator"
)

// fixture holds hand-written v2 conversation items: every hard case of the wire
// (escapes, \/, whitespace, non-ASCII, U+2028/2029, numbers above 2^53, "",
// 0, {}, null and absent fields), one item per file.
//
//go:embed testdata/fixture/*.json
var fixture embed.FS

// Fixture returns the items served for simulator.UserFixture, in file
// order: each file's bytes without its final newline, exactly as they
// appear in the response body.
func Fixture() []json.RawMessage { return simulator.FixtureItems(fixture) }

// writeList writes a successful list response around d.Items, which go into
// the body verbatim: json.Marshal would compact them and escape <, >, & and
// U+2028/2029.
func writeList(w http.ResponseWriter, d listData) {
	tok, _ := json.Marshal(d.NextToken) // a string cannot fail
	var b bytes.Buffer
	b.WriteString(`{"code":200,"msg":"success","data":{"has_more":` + strconv.FormatBool(d.HasMore) + `,"next_token":`)
	b.Write(tok)
	b.WriteString(`,"items":[`)
	for i, it := range d.Items {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(it)
	}
	b.WriteString(`]}}`)
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Write(b.Bytes())
}

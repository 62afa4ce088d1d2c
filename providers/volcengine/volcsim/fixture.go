package volcsim

import (
	"bytes"
	"embed"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/chatlake/chatlake/providers/simulator"
)

// fixture holds hand-written ConversationInfos: every hard case of the wire
// (escapes, \/, whitespace, non-ASCII, U+2028/2029, numbers above 2^53, "",
// 0, {}, null and absent fields), one item per file.
//
//go:embed testdata/fixture/*.json
var fixture embed.FS

// Fixture returns the items served for simulator.UserFixture, in file
// order: each file's bytes without its final newline, exactly as they
// appear in the response body.
func Fixture() []json.RawMessage { return simulator.FixtureItems(fixture) }

// writePageBody writes a success response around items, which go into the
// body verbatim: json.Marshal would compact them and escape <, >, & and
// U+2028/2029.
func writePageBody(w http.ResponseWriter, md responseMetadata, items []json.RawMessage, hasMore bool, next int64) {
	head, err := json.Marshal(md)
	if err != nil {
		http.Error(w, "volcsim: marshal response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	var b bytes.Buffer
	b.WriteString(`{"ResponseMetadata":`)
	b.Write(head)
	b.WriteString(`,"Result":{"ConversationInfos":[`)
	for i, it := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(it)
	}
	b.WriteString(`],"HasMore":` + strconv.FormatBool(hasMore) + `,"NextCursor":` + strconv.FormatInt(next, 10) + `}}`)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write(b.Bytes())
}

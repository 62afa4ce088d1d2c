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

// writeList writes a successful list response around d.Items.
func writeList(w http.ResponseWriter, d listData) {
	tok, _ := json.Marshal(d.NextToken) // a string cannot fail
	writeItems(w, `{"code":200,"msg":"success","data":{"has_more":`+strconv.FormatBool(d.HasMore)+
		`,"next_token":`+string(tok)+`,"items":[`, d.Items, `]}}`)
}

// writeBatch writes a successful batch response around d.SuccessList.
func writeBatch(w http.ResponseWriter, d batchData) {
	failed, err := json.Marshal(d.FailedList)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeItems(w, `{"code":200,"msg":"success","data":{"success_list":[`, d.SuccessList, `],"failed_list":`+string(failed)+`}}`)
}

// writeItems writes head, the items separated by commas, and tail. The
// items go into the body verbatim: json.Marshal would compact them and
// escape <, >, & and U+2028/2029.
func writeItems(w http.ResponseWriter, head string, items []json.RawMessage, tail string) {
	var b bytes.Buffer
	b.WriteString(head)
	for i, it := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(it)
	}
	b.WriteString(tail)
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Write(b.Bytes())
}

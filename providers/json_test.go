package providers_test

import (
	"encoding/json"
	"testing"

	"github.com/chatlake/chatlake/internal/jsonv1/jsonv1test"
	"github.com/chatlake/chatlake/providers"
)

// jsonShapes has a field of every kind the provider wire types use.
type jsonShapes struct {
	ID    int64             `json:"id"`
	Small *int32            `json:"small"`
	Big   *int64            `json:"big"`
	Name  *string           `json:"name"`
	Flag  *bool             `json:"flag"`
	Ext   map[string]string `json:"ext"`
	IDs   []int64           `json:"ids"`
	Raw   json.RawMessage   `json:"raw"`
	Items []json.RawMessage `json:"items"`
	Kept  []providers.Item[struct {
		ID   int64   `json:"id"`
		Name *string `json:"name"`
	}] `json:"kept"`
	One    *providers.Item[map[string]int] `json:"one"`
	Nested *struct {
		Text *string `json:"text"`
	} `json:"nested"`
}

// FuzzDecodeJSON: DecodeJSON gives what encoding/json gives, value and
// error alike (an Item's Raw is what encoding/json hands a RawMessage:
// the element's exact bytes), and never panics.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"id":9007199254740993,"small":-5,"big":1,"name":"项目 🎉 \u2028 \ud83c\udf89","flag":true,"ext":{"a":"b","c":null},"ids":[1,2],"raw":{ "x" : [1, 2] },"items":[{},null,[1]],"nested":{"text":"t"}}`,
		`{"id":1.0}`, `{"small":2147483648}`, `{"name":"\ud800"}`, "{\"name\":\"a\xffb\"}", `{"ID":1,"Name":"case"}`,
		`{"id":1,"id":2}`, `{"raw":-}`, `{"items":[1,]}`, `{"ext":{"a":1}}`, `{"ids":[1e2]}`, `{"id":-0}`, `null`, `[]`, `{"nested":null}`,
		`{"id":"1"}`, `{"flag":1}`, `{"x":{"y":[tru]}}`, ` {"id" : 1 } `, `{"name":"\u0000"}`, `{"id":1}{"id":2}`, `{"ſmall":1}`, `{"\u017Fmall":1}`, `{"\u212Aey":1}`, `{"\u0069d":3}`, `{"nam\u0065":"esc"}`,
		`{"kept":[ {"id":1,"name":"a"} , {"ID":2,"x":[1,{"y":null}]},null,{} ],"one": {"a":1} }`, `{"kept":[{"id":"x"}]}`, `{"kept":{}}`, `{"kept":[1]}`,
		`{"kept":[{"id":1}],"kept":[{"id":2}]}`, "{\"kept\":[{\"name\":\"\xff\"}]}", `{"one":null}`, `{"one":{"a":1,"a":2}}`,
		`{"i_d":1,"NA-ME":"x"}`, `{"ID":1,"Name":"case","NESTED":{"TEXT":"t"}}`, `{"kept":[{"Id":1,"NAME":"n"}],"one":{"A":1}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		jsonv1test.Compare(t, b, providers.DecodeJSON[jsonShapes], providers.DecodeStrict[jsonShapes])
	})
}

// TestDecodeJSONSinglePass: the documents providers send, valid, in any
// letter case, with items of any JSON value, take the single pass (so the
// fuzz test compares it), and what it refuses falls back.
func TestDecodeJSONSinglePass(t *testing.T) {
	for _, s := range []string{
		`{"id":9007199254740993,"small":-5,"name":"项目 🎉 \u2028 \ud83c\udf89","ext":{"a":"b","c":null},"ids":[1,2],"raw":{ "x" : [1, 2] },"items":[{},null,[1]],"nested":{"text":"t"}}`,
		`{"ID":1,"Name":"case","NESTED":{"TEXT":"t"}}`,
		`{"kept":[ {"id":1,"name":"a"} , {"ID":2,"x":[1,{"y":null}]},null,{} ],"one": {"a":1} }`,
		`{"kept":null,"one":null}`, ` {"id" : 1 } `, `null`,
	} {
		if _, ok := providers.DecodeStrict[jsonShapes]([]byte(s)); !ok {
			t.Errorf("single pass refuses %s", s)
		}
	}
	for _, s := range []string{
		`{"id":1,"id":2}`, "{\"name\":\"a\xffb\"}", `{"\u017Fmall":1}`, `{"kept":[{"id":"x"}]}`, `{"kept":[1]}`, `{"items":[1,]}`,
	} {
		if _, ok := providers.DecodeStrict[jsonShapes]([]byte(s)); ok {
			t.Errorf("single pass accepts %s", s)
		}
	}
}

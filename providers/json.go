package providers

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	gojson "github.com/goccy/go-json"
)

// DecodeJSON decodes the JSON document b into a new T as encoding/json
// would, at a fraction of its cost. encoding/json checks the syntax in one
// strict pass (goccy/go-json does not check the values it skips, such as
// json.RawMessage fields), then goccy/go-json decodes. encoding/json
// decodes instead whatever goccy/go-json would read differently or
// refuses, so errors, and the fields set next to a type mismatch, are
// those of encoding/json: text that is not UTF-8 (encoding/json replaces
// the bad bytes), and the two letters that fold to ASCII (see
// asciiFolds).
func DecodeJSON[T any](b []byte) (T, error) {
	if !json.Valid(b) || !utf8.Valid(b) || asciiFolds(b) {
		var v T
		return v, json.Unmarshal(b, &v)
	}
	return DecodeValidJSON[T](b)
}

// DecodeValidJSON is DecodeJSON for b known to pass its checks, such as a
// json.RawMessage of a document DecodeJSON accepted: it skips them.
func DecodeValidJSON[T any](b []byte) (T, error) {
	var v T
	if gojson.UnmarshalNoEscape(b, &v) == nil {
		return v, nil
	}
	var std T
	err := json.Unmarshal(b, &std)
	return std, err
}

// foldingRunes are ſ (U+017F) and K (U+212A), raw or escaped (any last
// hex digit): encoding/json matches a key to a field name by Unicode case
// folding, where they equal s and k; goccy/go-json folds ASCII only.
var foldingRunes = [][]byte{[]byte("\u017f"), []byte("\u212a"), []byte(`\u017`), []byte(`\u212`)}

// asciiFolds reports whether b may hold a key that only Unicode case
// folding matches to an ASCII field name.
func asciiFolds(b []byte) bool {
	for _, r := range foldingRunes {
		if bytes.Contains(b, r) {
			return true
		}
	}
	return false
}

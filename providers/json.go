package providers

import (
	"bytes"
	"encoding/json"
	"slices"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
	gojson "github.com/goccy/go-json"
)

// strictV1 are the options of DecodeJSON's single pass: encoding/json/v2's
// defaults (strict UTF-8, no duplicate names, an error on any mismatch)
// with encoding/json's matching of names to fields, case-insensitive but
// with '_' and '-' significant.
var strictV1 = jsonv2.JoinOptions(jsonv2.MatchCaseInsensitiveNames(true), jsonv1.MatchCaseSensitiveDelimiter(true))

// DecodeJSON decodes the JSON document b into a new T as encoding/json
// would, at a fraction of its cost. One strict pass (encoding/json/v2,
// which checks the syntax of every value, skipped ones included, and
// UTF-8) decodes the document; an Item's value is checked by that pass
// and decoded by goccy/go-json. encoding/json decodes instead whatever
// the strict pass or goccy/go-json refuses, so errors, and the fields set
// next to a type mismatch, are those of encoding/json: text that is not
// UTF-8 (encoding/json replaces the bad bytes), duplicate names (the last
// wins; the strict pass refuses them), and the two letters that fold to
// ASCII (see asciiFolds). Fields of type Item[E] keep the exact bytes of
// their value beside its decoding.
func DecodeJSON[T any](b []byte) (T, error) {
	if v, ok := decodeStrict[T](b); ok {
		return v, nil
	}
	var std T
	return std, json.Unmarshal(b, &std)
}

// decodeStrict is DecodeJSON's single pass; false when it refuses b, and
// encoding/json must decode it.
func decodeStrict[T any](b []byte) (T, bool) {
	var v T
	if asciiFolds(b) || jsonv2.Unmarshal(b, &v, strictV1) != nil {
		return v, false
	}
	return v, true
}

// decodeChecked decodes b, known to be valid UTF-8 and syntax with no
// duplicate names and no folding letters, as encoding/json would.
func decodeChecked[T any](b []byte) (T, error) {
	var v T
	if gojson.UnmarshalNoEscape(b, &v) == nil {
		return v, nil
	}
	var std T
	err := json.Unmarshal(b, &std)
	return std, err
}

// Item is an element of a provider's list: Value decoded as encoding/json
// would, and Raw, the element's exact bytes as the provider sent them.
type Item[E any] struct {
	Raw   json.RawMessage
	Value E
}

// UnmarshalJSON decodes the value b, which encoding/json has checked the
// syntax of, once.
func (it *Item[E]) UnmarshalJSON(b []byte) error {
	it.Raw = slices.Clone(b)
	var err error
	if utf8.Valid(b) && !asciiFolds(b) {
		it.Value, err = decodeChecked[E](b)
	} else {
		it.Value = *new(E)
		err = json.Unmarshal(b, &it.Value)
	}
	return err
}

// UnmarshalJSONFrom is DecodeJSON's decoding of an Item: the strict pass
// reads (and checks) the value's bytes, goccy/go-json decodes them. It
// fails where goccy/go-json does, and DecodeJSON then decodes the whole
// document with encoding/json.
func (it *Item[E]) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	raw, err := dec.ReadValue()
	if err != nil {
		return err
	}
	it.Raw = json.RawMessage(slices.Clone(raw))
	return gojson.UnmarshalNoEscape(it.Raw, &it.Value)
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

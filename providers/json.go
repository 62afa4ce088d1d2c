package providers

import (
	"bytes"
	"encoding/json"
	"slices"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
	gojson "github.com/goccy/go-json"
)

// DecodeJSON decodes the JSON document b into a new T as encoding/json
// would, at a fraction of its cost. One strict pass checks the syntax
// (jsontext, the tokenizer of encoding/json/v2: every value, skipped ones
// included, and UTF-8), since goccy/go-json checks only what it decodes;
// then goccy/go-json decodes. encoding/json decodes instead whatever
// goccy/go-json would read differently or refuses, so errors, and the
// fields set next to a type mismatch, are those of encoding/json: text
// that is not UTF-8 (encoding/json replaces the bad bytes), duplicate
// names (the last wins; jsontext refuses them), and the two letters that
// fold to ASCII (see asciiFolds). Fields of type Item[E] keep the exact
// bytes of their value beside its decoding.
func DecodeJSON[T any](b []byte) (T, error) {
	if !jsontext.Value(b).IsValid() || asciiFolds(b) {
		var v T
		return v, json.Unmarshal(b, &v)
	}
	return decodeChecked[T](b)
}

// decodeChecked is DecodeJSON for b known to pass its checks.
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

// UnmarshalJSON decodes the value b, which the decoder calling it has
// checked the syntax of (encoding/json does; DecodeJSON did before
// goccy/go-json runs), once.
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

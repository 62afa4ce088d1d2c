package providers

import (
	"encoding/json"
	"slices"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
	gojson "github.com/goccy/go-json"

	"github.com/chatlake/chatlake/internal/jsonv1"
)

// DecodeJSON decodes the JSON document b into a new T as encoding/json
// would, at a fraction of its cost, in one strict pass (jsonv1.Unmarshal):
// an Item's value is checked by that pass and decoded by goccy/go-json;
// whatever either refuses, encoding/json decodes, so values and errors
// are those of encoding/json. Fields of type Item[E] keep the exact bytes
// of their value beside its decoding.
func DecodeJSON[T any](b []byte) (T, error) { return jsonv1.Unmarshal[T](b) }

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
	if utf8.Valid(b) && !jsonv1.MayFold(b) {
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

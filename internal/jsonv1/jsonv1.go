// Package jsonv1 decodes JSON exactly as encoding/json does, in one
// strict pass of encoding/json/v2 where it can: the producer decodes every
// provider page and every job's status, and encoding/json cost it more
// than the rest of that work.
package jsonv1

import (
	"bytes"
	"encoding/json"

	jsonv2 "github.com/go-json-experiment/json"
	v1opts "github.com/go-json-experiment/json/v1"
)

// strict are the options of the single pass: encoding/json/v2's defaults
// (strict UTF-8, no duplicate names, an error on any mismatch) with
// encoding/json's matching of names to fields, case-insensitive but with
// '_' and '-' significant.
var strict = jsonv2.JoinOptions(jsonv2.MatchCaseInsensitiveNames(true), v1opts.MatchCaseSensitiveDelimiter(true))

// Unmarshal decodes the JSON document b into a new T as json.Unmarshal
// would. One strict pass (encoding/json/v2, which checks the syntax of
// every value, skipped ones included, and UTF-8) decodes the document;
// encoding/json decodes instead whatever that pass refuses, so errors,
// and the fields set next to a type mismatch, are those of encoding/json:
// text that is not UTF-8 (encoding/json replaces the bad bytes),
// duplicate names (the last wins; the strict pass refuses them), and the
// two letters that fold to ASCII (see MayFold). A type whose methods
// encoding/json/v2 calls (UnmarshalJSONFrom) must decode as its
// UnmarshalJSON does, or fail.
func Unmarshal[T any](b []byte) (T, error) {
	if v, ok := Strict[T](b); ok {
		return v, nil
	}
	var std T
	return std, json.Unmarshal(b, &std)
}

// Strict is Unmarshal's single pass; false when it refuses b, and
// encoding/json must decode it.
func Strict[T any](b []byte) (T, bool) {
	var v T
	if MayFold(b) || jsonv2.Unmarshal(b, &v, strict) != nil {
		return v, false
	}
	return v, true
}

// foldingRunes are ſ (U+017F) and K (U+212A), raw or escaped (any last
// hex digit): encoding/json matches a key to a field name by Unicode case
// folding, where they equal s and k; the single pass, like goccy/go-json,
// folds ASCII only.
var foldingRunes = [][]byte{[]byte("\u017f"), []byte("\u212a"), []byte(`\u017`), []byte(`\u212`)}

// MayFold reports whether b may hold a key that only Unicode case folding
// matches to an ASCII field name.
func MayFold(b []byte) bool {
	for _, r := range foldingRunes {
		if bytes.Contains(b, r) {
			return true
		}
	}
	return false
}

// Package jsonv1test compares a decoder with encoding/json, for the fuzz
// tests of jsonv1 and of the decoders built on it.
package jsonv1test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Compare fails t unless unmarshal(b) gives what json.Unmarshal gives,
// value and error alike, and strict(b), when it accepts b, the same value.
// Values are compared field by field and as encoding/json writes them
// (times equal as instants may differ in zone).
func Compare[T any](t *testing.T, b []byte, unmarshal func([]byte) (T, error), strict func([]byte) (T, bool)) {
	t.Helper()
	got, err := unmarshal(b)
	var want T
	werr := json.Unmarshal(b, &want)
	if (err == nil) != (werr == nil) {
		t.Fatalf("decoding %q: error = %v, encoding/json %v", b, err, werr)
	}
	same(t, "decoding", b, want, got)
	if s, ok := strict(b); ok {
		if werr != nil {
			t.Fatalf("single pass accepts %q, encoding/json: %v", b, werr)
		}
		same(t, "single pass of", b, want, s)
	}
}

func same[T any](t *testing.T, what string, b []byte, want, got T) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("%s %q (-encoding/json +got):\n%s", what, b, d)
	}
	wb, _ := json.Marshal(want)
	if gb, _ := json.Marshal(got); string(gb) != string(wb) {
		t.Fatalf("%s %q writes %s, encoding/json's %s", what, b, gb, wb)
	}
}

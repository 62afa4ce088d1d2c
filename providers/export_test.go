package providers

import "github.com/chatlake/chatlake/internal/jsonv1"

// DecodeStrict exposes DecodeJSON's single pass to the comparison with
// encoding/json, which must hold whenever that pass accepts a document.
func DecodeStrict[T any](b []byte) (T, bool) { return jsonv1.Strict[T](b) }

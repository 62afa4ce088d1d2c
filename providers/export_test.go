package providers

// DecodeStrict exposes DecodeJSON's single pass to the comparison with
// encoding/json, which must hold whenever that pass accepts a document.
func DecodeStrict[T any](b []byte) (T, bool) { return decodeStrict[T](b) }

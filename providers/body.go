package providers

import (
	"fmt"
	"io"
	"net/http"
)

// ReadBody reads resp's whole body, failing past limit bytes. When the
// server announced its length, the buffer has that size from the start:
// a page is read with no copy into ever larger buffers.
func ReadBody(resp *http.Response, limit int) ([]byte, error) {
	size := 512
	if n := resp.ContentLength; n >= 0 && n <= int64(limit) {
		size = int(n) + 1 // room to see io.EOF without growing
	}
	b := make([]byte, 0, size)
	r := io.LimitReader(resp.Body, int64(limit)+1)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return b, err
		}
	}
	if len(b) > limit {
		return b, fmt.Errorf("body over %d bytes", limit)
	}
	return b, nil
}

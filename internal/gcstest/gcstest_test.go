package gcstest_test

import (
	"io"
	"strings"
	"testing"

	"github.com/chatlake/chatlake/internal/gcstest"
)

// TestPutGet stores an object through the JSON API and reads it back.
func TestPutGet(t *testing.T) {
	srv := gcstest.Start(t)
	if !strings.HasPrefix(srv.Endpoint, "http://127.0.0.1:") {
		t.Fatalf("endpoint %q is not on loopback", srv.Endpoint)
	}
	obj := srv.Client(t).Bucket(srv.Bucket).Object("lake/part-0.parquet")
	w := obj.NewWriter(t.Context())
	if _, err := io.WriteString(w, "hello lake"); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("upload: %v", err)
	}
	r, err := obj.NewReader(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if b, err := io.ReadAll(r); err != nil || string(b) != "hello lake" {
		t.Fatalf("read = %q, %v; want %q", b, err, "hello lake")
	}
}

package gcs_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"cloud.google.com/go/storage"
	"google.golang.org/api/iterator"

	"github.com/chatlake/chatlake/internal/gcstest"
	"github.com/chatlake/chatlake/lake"
	"github.com/chatlake/chatlake/lake/gcs"
	"github.com/chatlake/chatlake/lake/laketest"
)

// config returns the Config of a lake on srv below prefix, with the
// smallest chunks so that tests cross chunk boundaries.
func config(srv *gcstest.Server, prefix string) gcs.Config {
	return gcs.Config{
		Bucket: srv.Bucket, Prefix: prefix, Endpoint: srv.Endpoint, Anonymous: true,
		PartSize: gcs.PartQuantum * 4,
	}
}

func open(t testing.TB, cfg gcs.Config) *gcs.Storage {
	t.Helper()
	s, err := gcs.Open(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Open(%v) = %v", cfg, err)
	}
	return s
}

func TestConformance(t *testing.T) {
	srv := gcstest.Start(t)
	laketest.Run(t, func(t *testing.T) lake.Storage {
		return open(t, config(srv, "lake/"+t.Name()))
	})
}

// objects lists every object of the bucket.
func objects(t *testing.T, c *storage.Client, bucket string) []string {
	t.Helper()
	var names []string
	it := c.Bucket(bucket).Objects(t.Context(), nil)
	for {
		o, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, o.Name)
	}
}

// TestCrashBeforePublish: a process that dies between Finish and Publish
// leaves nothing at the object's name, only a whole object in the hidden
// staging folder, and the next process publishes it from the Ref alone,
// leaving no staging object behind.
func TestCrashBeforePublish(t *testing.T) {
	srv := gcstest.Start(t)
	ctx, client := t.Context(), srv.Client(t)
	const name = "conversations/dt=2026-12-01/part-3-a-0.parquet"
	data := bytes.Repeat([]byte("0123456789abcdef"), (3*gcs.PartQuantum*4+12345)/16)

	dead := open(t, config(srv, "lake"))
	obj, err := dead.Create(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := obj.Write(data); err != nil {
		t.Fatal(err)
	}
	ref, err := obj.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	staged := "lake/" + gcs.StagingDir + "/" + name + "." + ref.Upload
	if got := objects(t, client, srv.Bucket); len(got) != 1 || got[0] != staged {
		t.Fatalf("bucket after Finish = %q, want only the staging object %s", got, staged)
	}

	next := open(t, config(srv, "lake"))
	if err := next.Publish(ctx, []lake.Ref{ref}); err != nil {
		t.Fatalf("Publish(%+v) from a new Storage = %v", ref, err)
	}
	if got := objects(t, client, srv.Bucket); len(got) != 1 || got[0] != "lake/"+name {
		t.Fatalf("bucket after Publish = %q, want only lake/%s", got, name)
	}
	r, err := client.Bucket(srv.Bucket).Object("lake/" + name).NewReader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if b, err := io.ReadAll(r); err != nil || !bytes.Equal(b, data) {
		t.Fatalf("read = %d bytes, %v; want the %d bytes written", len(b), err, len(data))
	}
}

// TestCrashAfterCopy: a Publish that copied the object but died before
// deleting the staging object is repeated without error, and Sweep
// removes the staging object it left.
func TestCrashAfterCopy(t *testing.T) {
	srv := gcstest.Start(t)
	ctx, client := t.Context(), srv.Client(t)
	s := open(t, config(srv, ""))
	obj, err := s.Create(ctx, "a/b")
	if err != nil {
		t.Fatal(err)
	}
	obj.Write([]byte("content"))
	ref, err := obj.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// What the first half of Publish does: a copy to the final name.
	b := client.Bucket(srv.Bucket)
	staged := b.Object(gcs.StagingDir + "/a/b." + ref.Upload)
	if _, err := b.Object("a/b").CopierFrom(staged).Run(ctx); err != nil {
		t.Fatal(err)
	}
	if err := open(t, config(srv, "")).Publish(ctx, []lake.Ref{ref}); err != nil {
		t.Fatalf("Publish() after a copy = %v", err)
	}
	if got := objects(t, client, srv.Bucket); len(got) != 1 || got[0] != "a/b" {
		t.Fatalf("bucket after Publish = %q, want only a/b", got)
	}

	// A crash after the copy, then the sweep of the next start.
	obj, _ = s.Create(ctx, "a/c")
	ref, err = obj.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	staged = b.Object(gcs.StagingDir + "/a/c." + ref.Upload)
	if _, err := b.Object("a/c").CopierFrom(staged).Run(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Sweep(ctx, "", nil); err != nil {
		t.Fatal(err)
	}
	if got := objects(t, client, srv.Bucket); strings.Join(got, " ") != "a/b a/c" {
		t.Fatalf("bucket after Sweep = %q, want [a/b a/c]", got)
	}
	if err := s.Publish(ctx, []lake.Ref{ref}); err != nil {
		t.Fatalf("Publish() after the sweep of a published object = %v", err)
	}
}

// BenchmarkWrite uses the default part size, as a deployment would.
func BenchmarkWrite(b *testing.B) {
	cfg := config(gcstest.Start(b), "bench")
	cfg.PartSize = 0
	laketest.BenchmarkWrite(b, open(b, cfg), 64<<20)
}

// Package laketest is the conformance suite of lake.Storage drivers: every
// driver passes Run, so the exporter's exactly-once protocol holds on all of
// them. It follows go-cloud's blob/drivertest.
package laketest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/chatlake/chatlake/lake"
)

// Run runs the suite. Each subtest calls open with its own t, once or more:
// every call with the same t must return a new Storage on the same place
// (a second call stands for the process that restarts after a crash), and
// calls with different t's must return places that do not see each other
// (a folder or key prefix derived from t.Name() does both). Run closes the
// Storages it opens. Subtests run in parallel.
func Run(t *testing.T, open func(t *testing.T) lake.Storage) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T) lake.Storage)
	}{
		{"HiddenUntilPublish", testHiddenUntilPublish},
		{"PublishIsIdempotent", testPublishIsIdempotent},
		{"PublishAfterCrash", testPublishAfterCrash},
		{"PublishLost", testPublishLost},
		{"Sweep", testSweep},
		{"SweepOwned", testSweepOwned},
		{"Abort", testAbort},
		{"BadNames", testBadNames},
		{"List", testList},
		{"OpenMissing", testOpenMissing},
		{"Empty", testEmpty},
		{"Large", testLarge},
		{"PartBoundary", testPartBoundary},
		{"WritesOutliveCreateContext", testWritesOutliveCreateContext},
		{"Concurrent", testConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, opener(open))
		})
	}
}

// opener wraps open to close each Storage at the end of its test.
func opener(open func(t *testing.T) lake.Storage) func(t *testing.T) lake.Storage {
	return func(t *testing.T) lake.Storage {
		t.Helper()
		s := open(t)
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close() = %v", err)
			}
		})
		return s
	}
}

func testHiddenUntilPublish(t *testing.T, open func(t *testing.T) lake.Storage) {
	s := open(t)
	const name = "conversations/provider=p/app=a/dt=2026-12-01/part-1-o-0.parquet"
	data := randomBytes(1, 100_000)
	obj := create(t, s, name)
	write(t, obj, data, 777)
	wantHidden(t, s, name, "after Write")
	ref := finish(t, obj)
	if ref.Name != name {
		t.Errorf("Finish() = %+v, want Name %q", ref, name)
	}
	wantHidden(t, s, name, "after Finish")
	publish(t, s, ref)
	wantList(t, s, "", name)
	wantContent(t, s, name, data)
}

func testPublishIsIdempotent(t *testing.T, open func(t *testing.T) lake.Storage) {
	s := open(t)
	data := randomBytes(2, 1000)
	refs := []lake.Ref{put(t, s, "a/one", data), put(t, s, "a/two", data[:10])}
	publish(t, s, refs...)
	publish(t, s, refs...)
	wantList(t, s, "", "a/one", "a/two")
	wantContent(t, s, "a/one", data)
	wantContent(t, s, "a/two", data[:10])
}

// testPublishAfterCrash: one process finishes objects and dies while
// publishing them; the next process, from the Refs alone, publishes them all
// again, and may itself die and repeat it.
func testPublishAfterCrash(t *testing.T, open func(t *testing.T) lake.Storage) {
	first := open(t)
	a, b := randomBytes(3, 5000), randomBytes(4, 7000)
	refs := []lake.Ref{put(t, first, "e/a", a), put(t, first, "e/b", b)}
	publish(t, first, refs[0])

	for i := range 2 {
		next := open(t)
		if err := next.Publish(t.Context(), refs); err != nil {
			t.Fatalf("restart %d: Publish(%+v) = %v, want nil", i, refs, err)
		}
		wantList(t, next, "", "e/a", "e/b")
		wantContent(t, next, "e/a", a)
		wantContent(t, next, "e/b", b)
	}
}

func testPublishLost(t *testing.T, open func(t *testing.T) lake.Storage) {
	s := open(t)
	lost := put(t, s, "l/swept", []byte("gone"))
	if err := s.Sweep(t.Context(), "", nil); err != nil {
		t.Fatalf("Sweep() = %v", err)
	}
	for _, ref := range []lake.Ref{{Name: "l/never"}, lost} {
		if err := s.Publish(t.Context(), []lake.Ref{ref}); !errors.Is(err, lake.ErrNotFound) {
			t.Errorf("Publish(%+v) = %v, want ErrNotFound", ref, err)
		}
	}
	wantList(t, s, "")
}

// testSweep: a restarted process sweeps the remnants of an uncommitted
// epoch below a prefix (finished or not) and keeps published objects and
// everything outside the prefix.
func testSweep(t *testing.T, open func(t *testing.T) lake.Storage) {
	ctx := t.Context()
	dead := open(t)
	published := put(t, dead, "t/published", []byte("kept"))
	publish(t, dead, published)
	finished := put(t, dead, "t/finished", []byte("remnant"))
	outside := put(t, dead, "u/outside", []byte("outside"))
	unfinished := create(t, dead, "t/sub/unfinished")
	write(t, unfinished, randomBytes(5, 3000), 1000)

	s := open(t)
	if err := s.Sweep(ctx, "t/", nil); err != nil {
		t.Fatalf("Sweep(t/) = %v", err)
	}
	if err := s.Publish(ctx, []lake.Ref{finished}); !errors.Is(err, lake.ErrNotFound) {
		t.Errorf("Publish(%+v) after Sweep = %v, want ErrNotFound", finished, err)
	}
	if ref, err := unfinished.Finish(ctx); err != nil {
		unfinished.Abort(ctx) // a driver may refuse to finish a swept object
	} else if err := s.Publish(ctx, []lake.Ref{ref}); !errors.Is(err, lake.ErrNotFound) {
		t.Errorf("Publish(unfinished %+v) after Sweep = %v, want ErrNotFound", ref, err)
	}
	wantList(t, s, "", "t/published")
	publish(t, s, outside)
	wantContent(t, s, "u/outside", []byte("outside"))

	late := put(t, s, "v/late", []byte("late"))
	if err := s.Sweep(ctx, "", nil); err != nil {
		t.Fatalf("Sweep(\"\") = %v", err)
	}
	if err := s.Publish(ctx, []lake.Ref{late}); !errors.Is(err, lake.ErrNotFound) {
		t.Errorf("Publish(%+v) after Sweep(\"\") = %v, want ErrNotFound", late, err)
	}
	wantList(t, s, "", "t/published", "u/outside")
	wantContent(t, s, "t/published", []byte("kept"))
}

// testSweepOwned: writers sharing a folder each sweep only the names they
// own, while the others' hidden objects, finished or still written, stay
// publishable.
func testSweepOwned(t *testing.T, open func(t *testing.T) lake.Storage) {
	ctx := t.Context()
	s := open(t)
	mine := put(t, s, "w/d/part-p0-1", []byte("mine"))
	theirs := put(t, s, "w/d/part-p1-1", []byte("theirs"))
	writing := create(t, s, "w/e/part-p1-2")
	write(t, writing, randomBytes(7, 3000), 1000)
	owned := func(name string) bool { return strings.HasPrefix(path.Base(name), "part-p0-") }
	if err := open(t).Sweep(ctx, "w/", owned); err != nil {
		t.Fatalf("Sweep(w/, part 0) = %v", err)
	}
	if err := s.Publish(ctx, []lake.Ref{mine}); !errors.Is(err, lake.ErrNotFound) {
		t.Errorf("Publish(%+v) after its owner's Sweep = %v, want ErrNotFound", mine, err)
	}
	ref, err := writing.Finish(ctx)
	if err != nil {
		t.Fatalf("Finish() of another owner's object after Sweep = %v", err)
	}
	publish(t, s, theirs, ref)
	wantList(t, s, "", "w/d/part-p1-1", "w/e/part-p1-2")
	wantContent(t, s, "w/d/part-p1-1", []byte("theirs"))
}

// testAbort: an aborted object leaves nothing visible and nothing that
// stops the same name from being written again.
func testAbort(t *testing.T, open func(t *testing.T) lake.Storage) {
	s := open(t)
	obj := create(t, s, "x/aborted")
	write(t, obj, randomBytes(6, 11<<20+1), 1<<20+999)
	if err := obj.Abort(t.Context()); err != nil {
		t.Fatalf("Abort() = %v", err)
	}
	wantHidden(t, s, "x/aborted", "after Abort")
	again := []byte("second try")
	publish(t, s, put(t, s, "x/aborted", again))
	wantContent(t, s, "x/aborted", again)
}

func testBadNames(t *testing.T, open func(t *testing.T) lake.Storage) {
	s, ctx := open(t), t.Context()
	for _, name := range []string{
		"", ".", "..", "/abs", "../up", "a/../b", "a/./b", "./a", "a//b", "a/", "a/.hidden", ".tmp",
	} {
		if _, err := s.Create(ctx, name); !errors.Is(err, lake.ErrBadName) {
			t.Errorf("Create(%q) = %v, want ErrBadName", name, err)
		}
		if _, err := s.Open(ctx, name); !errors.Is(err, lake.ErrBadName) {
			t.Errorf("Open(%q) = %v, want ErrBadName", name, err)
		}
		if err := s.Publish(ctx, []lake.Ref{{Name: name}}); !errors.Is(err, lake.ErrBadName) {
			t.Errorf("Publish(%q) = %v, want ErrBadName", name, err)
		}
	}
	for _, prefix := range []string{"/", "../", "/abs/", "a/../"} {
		if _, err := s.List(ctx, prefix); !errors.Is(err, lake.ErrBadName) {
			t.Errorf("List(%q) = %v, want ErrBadName", prefix, err)
		}
		if err := s.Sweep(ctx, prefix, nil); !errors.Is(err, lake.ErrBadName) {
			t.Errorf("Sweep(%q) = %v, want ErrBadName", prefix, err)
		}
	}
}

// testList: lexical order of whole names ("p/a-c" before "p/a/b", though
// a folder walk meets p/a/ first) and string-prefix selection.
func testList(t *testing.T, open func(t *testing.T) lake.Storage) {
	s := open(t)
	names := []string{"q/x", "p/b", "p/a/c/d", "p/a-c", "p/a/b", "p/a"}
	var refs []lake.Ref
	for _, n := range names {
		refs = append(refs, put(t, s, n, []byte(n)))
	}
	if err := s.Publish(t.Context(), refs[:len(refs)-1]); err != nil {
		t.Fatalf("Publish() = %v", err)
	}
	wantList(t, s, "", "p/a-c", "p/a/b", "p/a/c/d", "p/b", "q/x")
	wantList(t, s, "p/", "p/a-c", "p/a/b", "p/a/c/d", "p/b")
	wantList(t, s, "p/a", "p/a-c", "p/a/b", "p/a/c/d")
	wantList(t, s, "p/a/", "p/a/b", "p/a/c/d")
	wantList(t, s, "p/a/b", "p/a/b")
	wantList(t, s, "nothing/")
}

func testOpenMissing(t *testing.T, open func(t *testing.T) lake.Storage) {
	s := open(t)
	publish(t, s, put(t, s, "m/dir/file", []byte("x")))
	for _, name := range []string{"m/missing", "m/dir", "m"} {
		if r, err := s.Open(t.Context(), name); !errors.Is(err, lake.ErrNotFound) {
			if err == nil {
				r.Close()
			}
			t.Errorf("Open(%q) = %v, want ErrNotFound", name, err)
		}
	}
}

func testEmpty(t *testing.T, open func(t *testing.T) lake.Storage) {
	s := open(t)
	publish(t, s, put(t, s, "z/empty", nil))
	wantList(t, s, "", "z/empty")
	wantContent(t, s, "z/empty", nil)
}

// testLarge streams 20 MiB in odd-sized writes, so drivers that upload in
// parts cross several part boundaries in the middle of a write.
func testLarge(t *testing.T, open func(t *testing.T) lake.Storage) {
	s := open(t)
	data := randomBytes(7, 20<<20+12345)
	obj := create(t, s, "big/object")
	write(t, obj, data, 1<<20+4093)
	publish(t, s, finish(t, obj))
	wantContent(t, s, "big/object", data)
}

// testPartBoundary writes exactly 10 MiB in one Write: a multiple of any
// part size of 1, 2 or 5 MiB, so the last part is full and no empty part
// may follow it.
func testPartBoundary(t *testing.T, open func(t *testing.T) lake.Storage) {
	s := open(t)
	data := randomBytes(8, 10<<20)
	obj := create(t, s, "big/boundary")
	write(t, obj, data, len(data))
	publish(t, s, finish(t, obj))
	wantContent(t, s, "big/boundary", data)
}

// testWritesOutliveCreateContext: a shutdown cancels the context an
// object was created with, then finishes the object with another one.
func testWritesOutliveCreateContext(t *testing.T, open func(t *testing.T) lake.Storage) {
	s := open(t)
	ctx, cancel := context.WithCancel(t.Context())
	obj, err := s.Create(ctx, "shutdown/part")
	if err != nil {
		t.Fatalf("Create() = %v", err)
	}
	cancel()
	data := randomBytes(9, 12<<20+1)
	write(t, obj, data, 1<<20)
	publish(t, s, finish(t, obj))
	wantContent(t, s, "shutdown/part", data)
}

// testConcurrent writes several objects at once through one Storage and
// publishes them in one call; run it with -race.
func testConcurrent(t *testing.T, open func(t *testing.T) lake.Storage) {
	s := open(t)
	const n = 6
	refs := make([]lake.Ref, n)
	var g errgroup.Group
	for i := range n {
		g.Go(func() error {
			obj, err := s.Create(t.Context(), name(i))
			if err != nil {
				return err
			}
			if err := writeChunks(obj, randomBytes(uint64(100+i), 300_000+i), 8191+i); err != nil {
				return err
			}
			refs[i], err = obj.Finish(t.Context())
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatalf("concurrent writes: %v", err)
	}
	publish(t, s, refs...)
	for i := range n {
		g.Go(func() error {
			return checkContent(t.Context(), s, name(i), randomBytes(uint64(100+i), 300_000+i))
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
}

func name(i int) string { return fmt.Sprintf("c/dt=2026-12-01/part-%d", i) }

// put writes data to a new object and finishes it, still hidden.
func put(t *testing.T, s lake.Storage, name string, data []byte) lake.Ref {
	t.Helper()
	obj := create(t, s, name)
	write(t, obj, data, 4096)
	return finish(t, obj)
}

func create(t *testing.T, s lake.Storage, name string) lake.Object {
	t.Helper()
	obj, err := s.Create(t.Context(), name)
	if err != nil {
		t.Fatalf("Create(%q) = %v", name, err)
	}
	return obj
}

func write(t *testing.T, obj lake.Object, data []byte, chunk int) {
	t.Helper()
	if err := writeChunks(obj, data, chunk); err != nil {
		t.Fatal(err)
	}
}

// writeChunks writes data in pieces of chunk bytes.
func writeChunks(w io.Writer, data []byte, chunk int) error {
	for len(data) > 0 {
		n := min(chunk, len(data))
		if m, err := w.Write(data[:n]); err != nil || m != n {
			return fmt.Errorf("Write(%d bytes) = %d, %v", n, m, err)
		}
		data = data[n:]
	}
	return nil
}

func finish(t *testing.T, obj lake.Object) lake.Ref {
	t.Helper()
	ref, err := obj.Finish(t.Context())
	if err != nil {
		t.Fatalf("Finish() = %v", err)
	}
	return ref
}

func publish(t *testing.T, s lake.Storage, refs ...lake.Ref) {
	t.Helper()
	if err := s.Publish(t.Context(), refs); err != nil {
		t.Fatalf("Publish(%+v) = %v", refs, err)
	}
}

// wantHidden checks that name is neither listed nor openable.
func wantHidden(t *testing.T, s lake.Storage, name, when string) {
	t.Helper()
	wantList(t, s, "")
	if r, err := s.Open(t.Context(), name); !errors.Is(err, lake.ErrNotFound) {
		if err == nil {
			r.Close()
		}
		t.Fatalf("%s: Open(%q) = %v, want ErrNotFound", when, name, err)
	}
}

func wantList(t *testing.T, s lake.Storage, prefix string, want ...string) {
	t.Helper()
	got, err := s.List(t.Context(), prefix)
	if err != nil {
		t.Fatalf("List(%q) = %v", prefix, err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("List(%q) = %q, want %q", prefix, got, want)
	}
}

func wantContent(t *testing.T, s lake.Storage, name string, want []byte) {
	t.Helper()
	if err := checkContent(t.Context(), s, name, want); err != nil {
		t.Fatal(err)
	}
}

func checkContent(ctx context.Context, s lake.Storage, name string, want []byte) error {
	r, err := s.Open(ctx, name)
	if err != nil {
		return fmt.Errorf("Open(%q) = %v", name, err)
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("read %q: %v", name, err)
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("content of %q = %d bytes sha256 %x, want %d bytes sha256 %x",
			name, len(got), sha256.Sum256(got), len(want), sha256.Sum256(want))
	}
	return nil
}

// randomBytes returns n bytes, the same for the same seed.
func randomBytes(seed uint64, n int) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)}).Read(b)
	return b
}

package folder_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/chatlake/chatlake/lake"
	"github.com/chatlake/chatlake/lake/folder"
	"github.com/chatlake/chatlake/lake/laketest"
)

func TestConformance(t *testing.T) {
	base := t.TempDir()
	laketest.Run(t, func(t *testing.T) lake.Storage {
		return open(t, filepath.Join(base, t.Name()))
	})
}

func open(t testing.TB, root string) *folder.Storage {
	t.Helper()
	s, err := folder.Open(root)
	if err != nil {
		t.Fatalf("Open(%q) = %v", root, err)
	}
	return s
}

// TestLayout pins the files on disk: a hidden ".<base>.tmp" beside the
// final name until Publish, the final name after, nothing else.
func TestLayout(t *testing.T) {
	root := t.TempDir()
	s, ctx := open(t, root), t.Context()
	obj, err := s.Create(ctx, "conversations/dt=1/part-1-a-0.parquet")
	if err != nil {
		t.Fatal(err)
	}
	ref, err := obj.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantFiles(t, root, "conversations/dt=1/.part-1-a-0.parquet.tmp")
	if err := s.Publish(ctx, []lake.Ref{ref}); err != nil {
		t.Fatal(err)
	}
	wantFiles(t, root, "conversations/dt=1/part-1-a-0.parquet")
}

// TestSweepsOldRemnants: a folder lake written before the storage seam
// holds temp files of the same form, and Sweep deletes them, leaving
// other files alone.
func TestSweepsOldRemnants(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"conversations/provider=p/app=a/dt=2026-11-30/.part-7-host-0.parquet.tmp": "remnant",
		"conversations/provider=p/app=a/dt=2026-11-30/part-6-host-0.parquet":      "published",
		"conversations/provider=p/app=a/dt=2026-11-30/.tmp":                       "not ours",
		"other/.part-7-host-1.parquet.tmp":                                        "outside the prefix",
	}
	for name, body := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := open(t, root).Sweep(t.Context(), "conversations/", nil); err != nil {
		t.Fatalf("Sweep() = %v", err)
	}
	wantFiles(t, root,
		"conversations/provider=p/app=a/dt=2026-11-30/.tmp",
		"conversations/provider=p/app=a/dt=2026-11-30/part-6-host-0.parquet",
		"other/.part-7-host-1.parquet.tmp")
}

func TestRegistry(t *testing.T) {
	var r lake.Registry
	folder.Register(&r)
	dir := t.TempDir()
	for _, loc := range []string{dir, "file://" + dir} {
		s, err := r.Open(t.Context(), loc)
		if err != nil {
			t.Fatalf("Open(%q) = %v", loc, err)
		}
		if got := s.(*folder.Storage).Root(); got != dir {
			t.Errorf("Open(%q).Root() = %q, want %q", loc, got, dir)
		}
	}
	if _, err := r.Open(t.Context(), "file://elsewhere"+dir); err == nil {
		t.Errorf("Open(file URL with a host) = nil error")
	}
}

// wantFiles checks the regular files below root, slash-separated.
func wantFiles(t *testing.T, root string, want ...string) {
	t.Helper()
	var got []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			rel, _ := filepath.Rel(root, p)
			got = append(got, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("files = %q, want %q", got, want)
	}
}

func BenchmarkWrite(b *testing.B) {
	laketest.BenchmarkWrite(b, open(b, b.TempDir()), 64<<20)
}

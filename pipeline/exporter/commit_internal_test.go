package exporter

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatlake/chatlake/internal/natstest"
	"github.com/chatlake/chatlake/schemas"
)

// TestCommitStoreFences checks the compare-and-set on the real bucket: a
// store that read an older revision than the last write gets ErrFenced,
// whatever it writes.
func TestCommitStoreFences(t *testing.T) {
	_, js := natstest.Start(t).Connect(t)
	ctx := t.Context()
	kv, err := openCommitBucket(ctx, js, 1)
	if err != nil {
		t.Fatal(err)
	}
	recs := kvRecords{kv: kv, key: schemas.KeyExporterCommit}
	a, b := newCommitStore(recs, part{0, 1}, time.Minute), newCommitStore(recs, part{0, 1}, time.Minute)
	if _, err := a.claim(ctx, "a", schemas.ExportCommit{}, 0); err != nil {
		t.Fatalf("first claim = %v, want nil", err)
	}
	if err := a.commit(ctx, schemas.ExportCommit{Epoch: 1, LastSeq: 10, Owner: "a"}); err != nil {
		t.Fatalf("first commit = %v, want nil", err)
	}
	rec, rev, err := recs.get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.claim(ctx, "b", rec, rev); err != nil {
		t.Fatalf("claim by b = %v, want nil", err)
	}
	if err := a.commit(ctx, schemas.ExportCommit{Epoch: 2, LastSeq: 20, Owner: "a"}); !errors.Is(err, ErrFenced) {
		t.Fatalf("commit by fenced a = %v, want ErrFenced", err)
	}
	if err := a.renew(ctx); !errors.Is(err, ErrFenced) {
		t.Fatalf("renew by fenced a = %v, want ErrFenced", err)
	}
	rec, _, err = recs.get(ctx)
	if err != nil || rec.Owner != "b" || rec.LastSeq != 10 {
		t.Fatalf("record after fence = %+v, %v; want b's at stream_seq 10", rec, err)
	}
	// A store that never read must not overwrite an existing record either.
	c := newCommitStore(recs, part{0, 1}, time.Minute)
	if _, err := c.claim(ctx, "c", schemas.ExportCommit{}, 0); !errors.Is(err, ErrFenced) {
		t.Fatalf("blind create = %v, want ErrFenced", err)
	}
}

// FuzzCheckCommit checks that no commit record, however corrupt, names a
// file recovery would touch outside the lake's part files.
func FuzzCheckCommit(f *testing.F) {
	f.Add([]byte(`{"epoch":3,"last_seq":99,"files":["conversations/provider=yunxin/app=a/dt=2026-01-01/part-0000000003-ab-0000.parquet"]}`))
	f.Add([]byte(`{"files":["../../etc/passwd"]}`))
	f.Add([]byte(`{"files":["/abs/part-1.parquet"]}`))
	f.Add([]byte(`{"files":["conversations/../../part-1.parquet"]}`))
	f.Add([]byte(`{"files":["conversations/../part-.parquet"]}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var rec schemas.ExportCommit
		if json.Unmarshal(b, &rec) != nil || checkCommit(rec) != nil {
			return
		}
		for _, rel := range rec.Files {
			clean := filepath.Clean(filepath.FromSlash(rel))
			if !filepath.IsLocal(clean) || !strings.HasPrefix(filepath.ToSlash(clean), "conversations/") {
				t.Fatalf("checkCommit(%q) accepted file %q", b, rel)
			}
		}
	})
}

package azure_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/chatlake/chatlake/internal/azuritetest"
	"github.com/chatlake/chatlake/internal/secret"
	"github.com/chatlake/chatlake/lake"
	"github.com/chatlake/chatlake/lake/azure"
	"github.com/chatlake/chatlake/lake/laketest"
)

// config returns the Config of a lake on srv below prefix, with the
// smallest blocks so that tests cross block boundaries.
func config(srv *azuritetest.Server, prefix string) azure.Config {
	return azure.Config{
		Account: srv.Account, Container: srv.Container, Prefix: prefix, Endpoint: srv.Endpoint,
		AccountKey: secret.String(srv.AccountKey), PartSize: azure.MinPartSize,
	}
}

func open(t testing.TB, cfg azure.Config) *azure.Storage {
	t.Helper()
	s, err := azure.Open(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Open(%v) = %v", cfg, err)
	}
	return s
}

func TestConformance(t *testing.T) {
	srv := azuritetest.Start(t)
	laketest.Run(t, func(t *testing.T) lake.Storage {
		return open(t, config(srv, "lake/"+t.Name()))
	})
}

// blobs lists every committed blob of the container.
func blobs(t *testing.T, c *container.Client) []string {
	t.Helper()
	var names []string
	p := c.NewListBlobsFlatPager(nil)
	for p.More() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range page.Segment.BlobItems {
			names = append(names, *b.Name)
		}
	}
	return names
}

// TestCrashBeforePublish: a process that dies between Finish and Publish
// leaves no blob at the object's name, only its uncommitted blocks and the
// hidden staging marker, and the next process publishes it from the Ref
// alone, leaving no marker behind.
func TestCrashBeforePublish(t *testing.T) {
	srv := azuritetest.Start(t)
	ctx, client := t.Context(), srv.Client(t)
	const name = "conversations/dt=2026-12-01/part-3-a-0.parquet"
	data := bytes.Repeat([]byte("0123456789abcdef"), (2*azure.MinPartSize+12345)/16)

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
	marker := "lake/" + azure.StagingDir + "/" + name + "." + ref.Upload[:16]
	if got := blobs(t, client); len(got) != 1 || got[0] != marker {
		t.Fatalf("container after Finish = %q, want only the staging marker %s", got, marker)
	}
	bb := client.NewBlockBlobClient("lake/" + name)
	list, err := bb.GetBlockList(ctx, blockblob.BlockListTypeAll, nil)
	if err != nil || len(list.CommittedBlocks) != 0 || len(list.UncommittedBlocks) != 3 {
		t.Fatalf("GetBlockList() = %d committed, %d uncommitted, %v; want 0 and 3",
			len(list.CommittedBlocks), len(list.UncommittedBlocks), err)
	}

	next := open(t, config(srv, "lake"))
	if err := next.Publish(ctx, []lake.Ref{ref}); err != nil {
		t.Fatalf("Publish(%+v) from a new Storage = %v", ref, err)
	}
	if got := blobs(t, client); len(got) != 1 || got[0] != "lake/"+name {
		t.Fatalf("container after Publish = %q, want only lake/%s", got, name)
	}
	resp, err := bb.DownloadStream(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, err := io.ReadAll(resp.Body); err != nil || !bytes.Equal(b, data) {
		t.Fatalf("download = %d bytes, %v; want the %d bytes written", len(b), err, len(data))
	}
}

// TestCrashAfterCommit: a Publish that committed the blocks but died
// before deleting the marker is repeated without error, and so is one
// after the Sweep that removed the marker.
func TestCrashAfterCommit(t *testing.T) {
	srv := azuritetest.Start(t)
	ctx, client := t.Context(), srv.Client(t)
	s := open(t, config(srv, ""))
	var refs []lake.Ref
	for _, name := range []string{"a/b", "a/c"} {
		obj, err := s.Create(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		obj.Write([]byte("content of " + name))
		ref, err := obj.Finish(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// What the first half of Publish does: commit the block list.
		ids, err := client.NewBlockBlobClient(name).GetBlockList(ctx, blockblob.BlockListTypeUncommitted, nil)
		if err != nil || len(ids.UncommittedBlocks) != 1 {
			t.Fatalf("GetBlockList(%s) = %v", name, err)
		}
		if _, err := client.NewBlockBlobClient(name).CommitBlockList(ctx, []string{*ids.UncommittedBlocks[0].Name}, nil); err != nil {
			t.Fatal(err)
		}
		refs = append(refs, ref)
	}
	if err := open(t, config(srv, "")).Publish(ctx, refs[:1]); err != nil {
		t.Fatalf("Publish() after a commit = %v", err)
	}
	if err := s.Sweep(ctx, "", nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Publish(ctx, refs); err != nil {
		t.Fatalf("Publish() after the sweep of published objects = %v", err)
	}
	if got := blobs(t, client); len(got) != 2 || got[0] != "a/b" || got[1] != "a/c" {
		t.Fatalf("container = %q, want [a/b a/c]", got)
	}
}

// BenchmarkWrite uses the default part size, as a deployment would.
func BenchmarkWrite(b *testing.B) {
	cfg := config(azuritetest.Start(b), "bench")
	cfg.PartSize = 0
	laketest.BenchmarkWrite(b, open(b, cfg), 64<<20)
}

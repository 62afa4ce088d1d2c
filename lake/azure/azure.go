package azure

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"golang.org/x/sync/errgroup"

	"github.com/chatlake/chatlake/lake"
	"github.com/chatlake/chatlake/lake/internal/parts"
)

const (
	// StagingDir is the folder below the lake's root that holds a marker
	// blob for each object staged and not yet published: what Sweep finds
	// remnants by. Its name begins with '.', so no lake name can fall in
	// it (lake.CheckName).
	StagingDir = ".chatlake-staging"
	// publishers bounds the objects Publish commits at once.
	publishers = 8
)

// Storage is a lake in an Azure Blob Storage container. It is safe for
// concurrent use.
type Storage struct {
	client      *container.Client
	prefix      string // "" or ending in "/"
	buffers     *parts.Buffers
	partTimeout time.Duration
}

var _ lake.Storage = (*Storage)(nil)

// Open returns the lake cfg describes, after checking that its container
// answers.
func Open(ctx context.Context, cfg Config) (*Storage, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	client, err := newClient(cfg)
	if err != nil {
		return nil, err
	}
	s := &Storage{
		client:      client,
		prefix:      cfg.namePrefix(),
		buffers:     parts.NewBuffers(int(cmp.Or(cfg.PartSize, DefaultPartSize))),
		partTimeout: cmp.Or(cfg.PartTimeout, DefaultPartTimeout),
	}
	if _, err := client.GetProperties(ctx, nil); err != nil {
		return nil, fmt.Errorf("azure lake: container %s: %w", cfg.Container, err)
	}
	return s, nil
}

// newClient authenticates with the connection string, the shared key or
// the default credential chain, in that order.
func newClient(cfg Config) (*container.Client, error) {
	if cfg.ConnectionString != "" {
		c, err := container.NewClientFromConnectionString(cfg.ConnectionString.Reveal(), cfg.Container, nil)
		if err != nil {
			return nil, errors.New("azure lake: the connection string is malformed")
		}
		return c, nil
	}
	containerURL := cfg.serviceURL() + url.PathEscape(cfg.Container)
	if cfg.AccountKey != "" {
		cred, err := container.NewSharedKeyCredential(cfg.Account, cfg.AccountKey.Reveal())
		if err != nil {
			return nil, errors.New("azure lake: the account key is not valid base64")
		}
		return container.NewClientWithSharedKeyCredential(containerURL, cred, nil)
	}
	cred, err := azidentity.NewDefaultAzureCredential(nil)
	if err != nil {
		return nil, fmt.Errorf("azure lake: default credential: %w", err)
	}
	return container.NewClient(containerURL, cred, nil)
}

// Register makes Open the driver of azblob:// URLs in r: the URL sets the
// container, the prefix and any account or endpoint parameter, base
// everything else (credentials, part size).
func Register(r *lake.Registry, base Config) {
	r.Register("azblob", func(ctx context.Context, u *url.URL) (lake.Storage, error) {
		cfg := base
		if err := cfg.setURL(u); err != nil {
			return nil, err
		}
		return Open(ctx, cfg)
	})
}

// Close does nothing: the client holds only idle connections.
func (s *Storage) Close() error { return nil }

func (s *Storage) blob(name string) *blockblob.Client {
	return s.client.NewBlockBlobClient(s.prefix + name)
}

// markerName is the blob that says the upload nonce of name is staged.
func (s *Storage) markerName(name, nonce string) string {
	return s.prefix + StagingDir + "/" + name + "." + nonce
}

func (s *Storage) marker(name, nonce string) *blob.Client {
	return s.client.NewBlobClient(s.markerName(name, nonce))
}

// blockID is the ID of block n (from 1) of an upload: the same length for
// every upload, as Azure wants for all the blocks of a blob.
func blockID(nonce string, n int) string {
	return base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "%s-%06d", nonce, n))
}

func blockIDs(nonce string, count int) []string {
	ids := make([]string, count)
	for i := range ids {
		ids[i] = blockID(nonce, i+1)
	}
	return ids
}

// upload is the Ref's Upload: the nonce of the block IDs and their count.
func upload(nonce string, count int) string { return nonce + ":" + strconv.Itoa(count) }

func parseUpload(s string) (nonce string, count int, err error) {
	nonce, n, ok := strings.Cut(s, ":")
	count, err = strconv.Atoi(n)
	if !ok || err != nil || count < 0 || count > maxBlocks || len(nonce) != 16 || strings.Trim(nonce, "0123456789abcdef") != "" {
		return "", 0, fmt.Errorf("upload %q is not <nonce>:<blocks>: %w", s, lake.ErrBadName)
	}
	return nonce, count, nil
}

// Create writes the object's marker and returns a writer that stages its
// blocks on the final blob, where uncommitted blocks are invisible.
func (s *Storage) Create(ctx context.Context, name string) (lake.Object, error) {
	if err := lake.CheckName(name); err != nil {
		return nil, fmt.Errorf("create: %w", err)
	}
	var b [8]byte
	rand.Read(b[:])
	nonce := hex.EncodeToString(b[:])
	empty := streaming.NopCloser(bytes.NewReader(nil))
	if _, err := s.client.NewBlockBlobClient(s.markerName(name, nonce)).Upload(ctx, empty, nil); err != nil {
		return nil, fmt.Errorf("create %s: staging marker: %w", name, err)
	}
	return newObject(ctx, s, name, nonce), nil
}

// Publish commits the Refs' block lists, several at once.
func (s *Storage) Publish(ctx context.Context, refs []lake.Ref) error {
	for _, ref := range refs {
		if err := lake.CheckName(ref.Name); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		if ref.Upload != "" {
			if _, _, err := parseUpload(ref.Upload); err != nil {
				return fmt.Errorf("publish %s: %w", ref.Name, err)
			}
		}
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(publishers)
	for _, ref := range refs {
		g.Go(func() error { return s.publish(ctx, ref) })
	}
	return g.Wait()
}

// publish commits one block list, unless the blob's committed list is
// already it, and deletes the marker. The marker tells a staged object
// from a swept one, whose blocks Azure may keep for a week.
func (s *Storage) publish(ctx context.Context, ref lake.Ref) error {
	if ref.Upload == "" {
		return s.published(ctx, ref.Name)
	}
	nonce, count, _ := parseUpload(ref.Upload)
	ids := blockIDs(nonce, count)
	committed, uncommitted, err := s.blocks(ctx, ref.Name)
	if err != nil {
		return fmt.Errorf("publish %s: %w", ref.Name, err)
	}
	if count == 0 || !slices.Equal(committed, ids) {
		staged, err := exists(ctx, s.marker(ref.Name, nonce))
		switch {
		case err != nil:
			return fmt.Errorf("publish %s: staging marker: %w", ref.Name, err)
		case !staged && count == 0: // an empty object has no block to tell
			return s.published(ctx, ref.Name)
		case !staged:
			return fmt.Errorf("publish %s: neither staged nor published: %w", ref.Name, lake.ErrNotFound)
		case !containsAll(uncommitted, ids):
			return fmt.Errorf("publish %s: staged blocks are missing, it was never finished: %w", ref.Name, lake.ErrNotFound)
		}
		if _, err := s.blob(ref.Name).CommitBlockList(ctx, ids, nil); err != nil {
			return fmt.Errorf("publish %s: commit block list: %w", ref.Name, err)
		}
	}
	if err := deleteBlob(ctx, s.marker(ref.Name, nonce)); err != nil {
		return fmt.Errorf("publish %s: delete staging marker: %w", ref.Name, err)
	}
	return nil
}

// blocks returns the IDs of name's committed and uncommitted blocks,
// none for a blob that does not exist.
func (s *Storage) blocks(ctx context.Context, name string) (committed, uncommitted []string, err error) {
	list, err := s.blob(name).GetBlockList(ctx, blockblob.BlockListTypeAll, nil)
	if bloberror.HasCode(err, bloberror.BlobNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("get block list: %w", err)
	}
	for _, b := range list.CommittedBlocks {
		committed = append(committed, *b.Name)
	}
	for _, b := range list.UncommittedBlocks {
		uncommitted = append(uncommitted, *b.Name)
	}
	return committed, uncommitted, nil
}

func containsAll(have, want []string) bool {
	set := make(map[string]bool, len(have))
	for _, id := range have {
		set[id] = true
	}
	for _, id := range want {
		if !set[id] {
			return false
		}
	}
	return true
}

// published returns nil when name exists, an error wrapping
// lake.ErrNotFound when it does not.
func (s *Storage) published(ctx context.Context, name string) error {
	ok, err := exists(ctx, s.blob(name).BlobClient())
	switch {
	case err != nil:
		return fmt.Errorf("publish %s: %w", name, err)
	case !ok:
		return fmt.Errorf("publish %s: neither staged nor published: %w", name, lake.ErrNotFound)
	}
	return nil
}

// discard removes what the upload nonce of name staged: its blocks, when
// the blob has nothing committed (else Azure drops them with the next
// commit on the blob, or after a week), and its marker.
func (s *Storage) discard(ctx context.Context, name, nonce string) error {
	committed, uncommitted, err := s.blocks(ctx, name)
	if err != nil {
		return err
	}
	if len(committed) == 0 && len(uncommitted) > 0 {
		if err := deleteBlob(ctx, s.blob(name).BlobClient()); err != nil {
			return fmt.Errorf("delete uncommitted blocks: %w", err)
		}
	}
	if err := deleteBlob(ctx, s.marker(name, nonce)); err != nil {
		return fmt.Errorf("delete staging marker: %w", err)
	}
	return nil
}

// Sweep discards the staged objects whose names begin with prefix, found
// by their markers, that are owned.
func (s *Storage) Sweep(ctx context.Context, prefix string, owned func(string) bool) error {
	if err := lake.CheckPrefix(prefix); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	staging := s.prefix + StagingDir + "/"
	p := s.client.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: new(staging + prefix)})
	for p.More() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("sweep %q: list: %w", prefix, err)
		}
		for _, item := range page.Segment.BlobItems {
			// staging/<name>.<nonce>: a prefix ending in "." could select
			// the marker of a name that does not begin with it.
			rest := strings.TrimPrefix(*item.Name, staging)
			i := strings.LastIndex(rest, ".")
			if i < 0 || !strings.HasPrefix(rest[:i], prefix) || owned != nil && !owned(rest[:i]) {
				continue
			}
			if err := s.discard(ctx, rest[:i], rest[i+1:]); err != nil {
				return fmt.Errorf("sweep %q: %s: %w", prefix, rest[:i], err)
			}
		}
	}
	return nil
}

// List returns the objects whose names begin with prefix. Blobs below the
// lake's root that are not valid names (the staging markers, folder
// markers) are skipped; blobs with only uncommitted blocks are not listed
// by Azure.
func (s *Storage) List(ctx context.Context, prefix string) ([]string, error) {
	if err := lake.CheckPrefix(prefix); err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	var names []string
	p := s.client.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: new(s.prefix + prefix)})
	for p.More() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list %q: %w", prefix, err)
		}
		for _, item := range page.Segment.BlobItems {
			if name := strings.TrimPrefix(*item.Name, s.prefix); lake.CheckName(name) == nil {
				names = append(names, name)
			}
		}
	}
	slices.Sort(names) // Azure lists in order; emulators may not
	return names, nil
}

// Open reads a published object.
func (s *Storage) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	if err := lake.CheckName(name); err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	resp, err := s.blob(name).DownloadStream(ctx, nil)
	if bloberror.HasCode(err, bloberror.BlobNotFound) {
		return nil, fmt.Errorf("open %s: %w", name, lake.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	return resp.Body, nil
}

// exists reports whether b exists.
func exists(ctx context.Context, b *blob.Client) (bool, error) {
	_, err := b.GetProperties(ctx, nil)
	if bloberror.HasCode(err, bloberror.BlobNotFound) {
		return false, nil
	}
	return err == nil, err
}

// deleteBlob deletes b if it exists.
func deleteBlob(ctx context.Context, b *blob.Client) error {
	_, err := b.Delete(ctx, nil)
	if err != nil && !bloberror.HasCode(err, bloberror.BlobNotFound) {
		return err
	}
	return nil
}

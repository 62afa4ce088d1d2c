package gcs

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"cloud.google.com/go/storage"
	"golang.org/x/sync/errgroup"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"

	"github.com/chatlake/chatlake/lake"
)

const (
	// StagingDir is the folder below the lake's root where objects are
	// written before Publish copies them to their names. Its name begins
	// with '.', so no lake name can fall in it (lake.CheckName), and
	// Hadoop-style readers (Spark, Hive, Trino) skip it as hidden.
	StagingDir = ".chatlake-staging"
	// publishers bounds the objects Publish copies at once.
	publishers = 8
)

// Storage is a lake in a Google Cloud Storage bucket. It is safe for
// concurrent use.
type Storage struct {
	client      *storage.Client
	bucket      *storage.BucketHandle
	prefix      string // "" or ending in "/"
	partSize    int
	partTimeout time.Duration
}

var _ lake.Storage = (*Storage)(nil)

// Open returns the lake cfg describes, after checking that its bucket
// answers.
func Open(ctx context.Context, cfg Config) (*Storage, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var opts []option.ClientOption
	if cfg.Endpoint != "" {
		// Emulators serve the JSON API only.
		opts = append(opts, option.WithEndpoint(cfg.Endpoint), storage.WithJSONReads())
	}
	switch {
	case cfg.Anonymous:
		opts = append(opts, option.WithoutAuthentication())
	case cfg.CredentialsFile != "":
		opts = append(opts, option.WithAuthCredentialsFile(option.ServiceAccount, cfg.CredentialsFile))
	case cfg.CredentialsJSON != "":
		opts = append(opts, option.WithAuthCredentialsJSON(option.ServiceAccount, []byte(cfg.CredentialsJSON.Reveal())))
	}
	client, err := storage.NewClient(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("gcs lake: client: %w", err)
	}
	s := &Storage{
		client:      client,
		bucket:      client.Bucket(cfg.Bucket),
		prefix:      cfg.namePrefix(),
		partSize:    int(cmp.Or(cfg.PartSize, DefaultPartSize)),
		partTimeout: cmp.Or(cfg.PartTimeout, DefaultPartTimeout),
	}
	if _, err := s.bucket.Attrs(ctx); err != nil {
		client.Close()
		return nil, fmt.Errorf("gcs lake: bucket %s: %w", cfg.Bucket, err)
	}
	return s, nil
}

// Register makes Open the driver of gs:// URLs in r: the URL sets the
// bucket, the prefix and any endpoint or anonymous parameter, base
// everything else (credentials, part size).
func Register(r *lake.Registry, base Config) {
	r.Register("gs", func(ctx context.Context, u *url.URL) (lake.Storage, error) {
		cfg := base
		if err := cfg.setURL(u); err != nil {
			return nil, err
		}
		return Open(ctx, cfg)
	})
}

// Close closes the client.
func (s *Storage) Close() error { return s.client.Close() }

func (s *Storage) key(name string) string { return s.prefix + name }

// stagingKey is where name is written by the upload whose nonce is upload.
func (s *Storage) stagingKey(name, upload string) string {
	return s.prefix + StagingDir + "/" + name + "." + upload
}

// Create starts writing name's staging object.
func (s *Storage) Create(ctx context.Context, name string) (lake.Object, error) {
	if err := lake.CheckName(name); err != nil {
		return nil, fmt.Errorf("create: %w", err)
	}
	var b [8]byte
	rand.Read(b[:])
	nonce := hex.EncodeToString(b[:])
	// An empty placeholder first, which the upload may replace only while
	// it is there: an object swept before its Finish cannot reappear. The
	// precondition also makes the SDK's retries safe.
	w := s.bucket.Object(s.stagingKey(name, nonce)).If(storage.Conditions{DoesNotExist: true}).NewWriter(ctx)
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("create %s: staging placeholder: %w", name, err)
	}
	return newObject(ctx, s, name, nonce, w.Attrs().Generation), nil
}

// Publish copies the Refs' staging objects to their names, several at
// once, and deletes them.
func (s *Storage) Publish(ctx context.Context, refs []lake.Ref) error {
	for _, ref := range refs {
		if err := lake.CheckName(ref.Name); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		if strings.ContainsAny(ref.Upload, "./") {
			return fmt.Errorf("publish %s: upload %q: %w", ref.Name, ref.Upload, lake.ErrBadName)
		}
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(publishers)
	for _, ref := range refs {
		g.Go(func() error { return s.publish(ctx, ref) })
	}
	return g.Wait()
}

// publish copies one staging object to its name, unless the name exists,
// and deletes it. A copy is atomic: a reader sees the whole object or
// none. A staging object that is gone was published before when its name
// exists, and lost otherwise; as in the s3 driver, that inference needs
// each name to be published once (the exporter's names carry the epoch).
func (s *Storage) publish(ctx context.Context, ref lake.Ref) error {
	if ref.Upload == "" {
		return s.published(ctx, ref.Name)
	}
	src := s.bucket.Object(s.stagingKey(ref.Name, ref.Upload))
	dst := s.bucket.Object(s.key(ref.Name)).If(storage.Conditions{DoesNotExist: true})
	_, err := dst.CopierFrom(src).Run(ctx)
	switch {
	case errors.Is(err, storage.ErrObjectNotExist) || httpCode(err) == http.StatusNotFound:
		return s.published(ctx, ref.Name)
	case httpCode(err) == http.StatusPreconditionFailed: // copied before; the deletion below was lost
	case err != nil:
		return fmt.Errorf("publish %s: copy: %w", ref.Name, err)
	}
	if err := src.Delete(ctx); err != nil && !errors.Is(err, storage.ErrObjectNotExist) {
		return fmt.Errorf("publish %s: delete the staging object: %w", ref.Name, err)
	}
	return nil
}

// published returns nil when name exists, an error wrapping
// lake.ErrNotFound when it does not.
func (s *Storage) published(ctx context.Context, name string) error {
	_, err := s.bucket.Object(s.key(name)).Attrs(ctx)
	if errors.Is(err, storage.ErrObjectNotExist) {
		return fmt.Errorf("publish %s: neither staged nor published: %w", name, lake.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("publish %s: %w", name, err)
	}
	return nil
}

// Sweep deletes the staging objects of the names that begin with prefix
// and are owned.
func (s *Storage) Sweep(ctx context.Context, prefix string, owned func(string) bool) error {
	if err := lake.CheckPrefix(prefix); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	staging := s.prefix + StagingDir + "/"
	q := &storage.Query{Prefix: staging + prefix}
	if err := q.SetAttrSelection([]string{"Name"}); err != nil {
		return fmt.Errorf("sweep %q: %w", prefix, err)
	}
	it := s.bucket.Objects(ctx, q)
	for {
		o, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("sweep %q: list: %w", prefix, err)
		}
		// staging/<name>.<upload>: a prefix ending in "." could select
		// the staging object of a name that does not begin with it.
		name, _, ok := cutLast(strings.TrimPrefix(o.Name, staging), ".")
		if !ok || !strings.HasPrefix(name, prefix) || owned != nil && !owned(name) {
			continue
		}
		if err := s.bucket.Object(o.Name).Delete(ctx); err != nil && !errors.Is(err, storage.ErrObjectNotExist) {
			return fmt.Errorf("sweep %q: delete the staging object of %s: %w", prefix, name, err)
		}
	}
}

// List returns the objects whose names begin with prefix. Objects below
// the lake's root that are not valid names (the staging folder, folder
// markers) are skipped.
func (s *Storage) List(ctx context.Context, prefix string) ([]string, error) {
	if err := lake.CheckPrefix(prefix); err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	q := &storage.Query{Prefix: s.key(prefix)}
	if err := q.SetAttrSelection([]string{"Name"}); err != nil {
		return nil, fmt.Errorf("list %q: %w", prefix, err)
	}
	var names []string
	it := s.bucket.Objects(ctx, q)
	for {
		o, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("list %q: %w", prefix, err)
		}
		if name := strings.TrimPrefix(o.Name, s.prefix); lake.CheckName(name) == nil {
			names = append(names, name)
		}
	}
	slices.Sort(names) // GCS lists in order; emulators may not
	return names, nil
}

// Open reads a published object.
func (s *Storage) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	if err := lake.CheckName(name); err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	r, err := s.bucket.Object(s.key(name)).NewReader(ctx)
	if errors.Is(err, storage.ErrObjectNotExist) {
		return nil, fmt.Errorf("open %s: %w", name, lake.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	return r, nil
}

// httpCode is the HTTP status of a JSON API error, 0 for another error.
func httpCode(err error) int {
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		return ge.Code
	}
	return 0
}

// cutLast slices s around the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

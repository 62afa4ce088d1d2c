package s3

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	s3api "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"golang.org/x/sync/errgroup"

	"github.com/chatlake/chatlake/lake"
	"github.com/chatlake/chatlake/lake/internal/parts"
)

// publishers bounds the uploads Publish completes at once.
const publishers = 8

// Storage is a lake in an S3 bucket. It is safe for concurrent use.
type Storage struct {
	client      *s3api.Client
	bucket      string
	prefix      string // "" or ending in "/"
	partTimeout time.Duration
	buffers     *parts.Buffers // shared by the objects, so a stream of files allocates no part buffer
}

var _ lake.Storage = (*Storage)(nil)

// Open returns the lake cfg describes, after checking that its bucket
// answers.
func Open(ctx context.Context, cfg Config) (*Storage, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var opts []func(*config.LoadOptions) error
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}
	if cfg.AccessKeyID != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey.Reveal(), "")))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("s3 lake: load AWS config: %w", err)
	}
	if awsCfg.Region == "" {
		awsCfg.Region = "us-east-1"
	}
	client := s3api.NewFromConfig(awsCfg, func(o *s3api.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		o.UsePathStyle = cfg.PathStyle
	})
	s := &Storage{
		client:      client,
		bucket:      cfg.Bucket,
		prefix:      cfg.keyPrefix(),
		buffers:     parts.NewBuffers(int(cmp.Or(cfg.PartSize, DefaultPartSize))),
		partTimeout: cmp.Or(cfg.PartTimeout, DefaultPartTimeout),
	}
	if _, err := client.HeadBucket(ctx, &s3api.HeadBucketInput{Bucket: &s.bucket}); err != nil {
		return nil, fmt.Errorf("s3 lake: bucket %s: %w", s.bucket, err)
	}
	return s, nil
}

// Register makes Open the driver of s3:// URLs in r: the URL sets the
// bucket, the prefix and any endpoint, region or path_style parameter,
// base everything else (credentials, part size).
func Register(r *lake.Registry, base Config) {
	r.Register("s3", func(ctx context.Context, u *url.URL) (lake.Storage, error) {
		cfg := base
		if err := cfg.setURL(u); err != nil {
			return nil, err
		}
		return Open(ctx, cfg)
	})
}

// Close does nothing: the client holds only idle connections.
func (s *Storage) Close() error { return nil }

func (s *Storage) key(name string) string { return s.prefix + name }

// Create starts a multipart upload at name's final key.
func (s *Storage) Create(ctx context.Context, name string) (lake.Object, error) {
	if err := lake.CheckName(name); err != nil {
		return nil, fmt.Errorf("create: %w", err)
	}
	key := s.key(name)
	out, err := s.client.CreateMultipartUpload(ctx, &s3api.CreateMultipartUploadInput{
		Bucket: &s.bucket, Key: &key, ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
	})
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", name, err)
	}
	return newObject(ctx, s, name, aws.ToString(out.UploadId)), nil
}

// Publish completes the Refs' uploads, several at once.
func (s *Storage) Publish(ctx context.Context, refs []lake.Ref) error {
	for _, ref := range refs {
		if err := lake.CheckName(ref.Name); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(publishers)
	for _, ref := range refs {
		g.Go(func() error { return s.publish(ctx, ref) })
	}
	return g.Wait()
}

// publish completes one upload. An upload that is gone was completed
// before when its object exists, and lost otherwise. That inference needs
// each name to be uploaded once (the exporter's names carry the epoch):
// an aborted upload of a name published earlier would pass for published.
func (s *Storage) publish(ctx context.Context, ref lake.Ref) error {
	key := s.key(ref.Name)
	if ref.Upload == "" {
		return s.published(ctx, ref.Name, key)
	}
	parts, err := s.parts(ctx, key, ref.Upload)
	if isNoSuchUpload(err) {
		return s.published(ctx, ref.Name, key)
	}
	if err != nil {
		return fmt.Errorf("publish %s: list parts: %w", ref.Name, err)
	}
	if len(parts) == 0 {
		return fmt.Errorf("publish %s: upload has no parts, it was never finished: %w", ref.Name, lake.ErrNotFound)
	}
	_, err = s.client.CompleteMultipartUpload(ctx, &s3api.CompleteMultipartUploadInput{
		Bucket: &s.bucket, Key: &key, UploadId: &ref.Upload,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	})
	if isNoSuchUpload(err) { // completed meanwhile by another publisher
		return s.published(ctx, ref.Name, key)
	}
	if err != nil {
		return fmt.Errorf("publish %s: complete upload: %w", ref.Name, err)
	}
	return nil
}

// parts returns the parts of an upload, as CompleteMultipartUpload takes them.
func (s *Storage) parts(ctx context.Context, key, upload string) ([]types.CompletedPart, error) {
	var parts []types.CompletedPart
	p := s3api.NewListPartsPaginator(s.client, &s3api.ListPartsInput{Bucket: &s.bucket, Key: &key, UploadId: &upload})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, part := range page.Parts {
			parts = append(parts, types.CompletedPart{
				PartNumber:        part.PartNumber,
				ETag:              part.ETag,
				ChecksumCRC32:     part.ChecksumCRC32,
				ChecksumCRC32C:    part.ChecksumCRC32C,
				ChecksumCRC64NVME: part.ChecksumCRC64NVME,
				ChecksumSHA1:      part.ChecksumSHA1,
				ChecksumSHA256:    part.ChecksumSHA256,
			})
		}
	}
	return parts, nil
}

// published returns nil when the object key exists, an error wrapping
// lake.ErrNotFound when it does not.
func (s *Storage) published(ctx context.Context, name, key string) error {
	_, err := s.client.HeadObject(ctx, &s3api.HeadObjectInput{Bucket: &s.bucket, Key: &key})
	if isNotFound(err) {
		return fmt.Errorf("publish %s: neither uploading nor published: %w", name, lake.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("publish %s: %w", name, err)
	}
	return nil
}

// Sweep aborts the multipart uploads whose names begin with prefix and
// are owned.
func (s *Storage) Sweep(ctx context.Context, prefix string, owned func(string) bool) error {
	if err := lake.CheckPrefix(prefix); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	p := s3api.NewListMultipartUploadsPaginator(s.client, &s3api.ListMultipartUploadsInput{
		Bucket: &s.bucket, Prefix: aws.String(s.key(prefix)),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("sweep %q: list uploads: %w", prefix, err)
		}
		for _, u := range page.Uploads {
			if owned != nil && !owned(strings.TrimPrefix(aws.ToString(u.Key), s.prefix)) {
				continue
			}
			_, err := s.client.AbortMultipartUpload(ctx, &s3api.AbortMultipartUploadInput{
				Bucket: &s.bucket, Key: u.Key, UploadId: u.UploadId,
			})
			if err != nil && !isNoSuchUpload(err) {
				return fmt.Errorf("sweep %q: abort upload of %s: %w", prefix, aws.ToString(u.Key), err)
			}
		}
	}
	return nil
}

// List returns the objects whose names begin with prefix. Keys below the
// lake's prefix that are not valid names (folder markers) are skipped.
func (s *Storage) List(ctx context.Context, prefix string) ([]string, error) {
	if err := lake.CheckPrefix(prefix); err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	var names []string
	p := s3api.NewListObjectsV2Paginator(s.client, &s3api.ListObjectsV2Input{
		Bucket: &s.bucket, Prefix: aws.String(s.key(prefix)),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list %q: %w", prefix, err)
		}
		for _, o := range page.Contents {
			name := strings.TrimPrefix(aws.ToString(o.Key), s.prefix)
			if lake.CheckName(name) == nil {
				names = append(names, name)
			}
		}
	}
	// S3 lists in key order; compatible servers on a file system may not.
	slices.Sort(names)
	return names, nil
}

// Open reads a published object.
func (s *Storage) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	if err := lake.CheckName(name); err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	key := s.key(name)
	out, err := s.client.GetObject(ctx, &s3api.GetObjectInput{Bucket: &s.bucket, Key: &key})
	if isNotFound(err) {
		return nil, fmt.Errorf("open %s: %w", name, lake.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	return out.Body, nil
}

// isNoSuchUpload reports an upload that does not exist (aborted, or
// completed).
func isNoSuchUpload(err error) bool {
	return apiCode(err) == "NoSuchUpload"
}

// isNotFound reports a missing object: NoSuchKey from GET, NotFound from
// HEAD (the SDK's code for its bodiless 404).
func isNotFound(err error) bool {
	code := apiCode(err)
	return code == "NoSuchKey" || code == "NotFound"
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

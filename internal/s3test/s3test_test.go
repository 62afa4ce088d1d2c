package s3test_test

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/chatlake/chatlake/internal/s3test"
)

// TestPutGetList stores an object through the S3 API and reads it back by
// GET and LIST, and from the posix backend's folder.
func TestPutGetList(t *testing.T) {
	srv := s3test.Start(t)
	if !strings.HasPrefix(srv.Endpoint, "http://127.0.0.1:") {
		t.Fatalf("endpoint %q is not on loopback", srv.Endpoint)
	}
	c := srv.Client()
	ctx := t.Context()
	const key, body = "lake/provider=volcengine/part-0.parquet", "hello lake"
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(srv.Bucket), Key: aws.String(key), Body: strings.NewReader(body),
	}); err != nil {
		t.Fatalf("put: %v", err)
	}

	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	defer got.Body.Close()
	b, err := io.ReadAll(got.Body)
	if err != nil || string(b) != body {
		t.Fatalf("get = %q, %v; want %q", b, err, body)
	}

	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(srv.Bucket), Prefix: aws.String("lake/")})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if len(list.Contents) != 1 || aws.ToString(list.Contents[0].Key) != key {
		t.Fatalf("list = %+v; want one object %s", list.Contents, key)
	}

	onDisk, err := os.ReadFile(filepath.Join(srv.Dir, srv.Bucket, key))
	if err != nil || string(onDisk) != body {
		t.Fatalf("backend file = %q, %v; want %q", onDisk, err, body)
	}
}

// TestWrongSecretIsRefused shows the server checks signatures, so a test
// that passes against it would also pass credentials correctly to AWS.
func TestWrongSecretIsRefused(t *testing.T) {
	srv := s3test.Start(t)
	bad := *srv
	bad.SecretKey = "not-" + srv.SecretKey
	_, err := bad.Client().ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String(srv.Bucket)})
	if err == nil {
		t.Fatal("list with a wrong secret succeeded")
	}
}

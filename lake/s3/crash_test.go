package s3_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3api "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/chatlake/chatlake/internal/s3test"
	"github.com/chatlake/chatlake/lake"
	"github.com/chatlake/chatlake/lake/s3"
)

// TestCrashBeforePublish: a process that dies between Finish and Publish
// leaves nothing any reader of the bucket can see, not even a partial
// object, and the next process publishes it from the Ref alone.
func TestCrashBeforePublish(t *testing.T) {
	srv := s3test.Start(t)
	ctx, client := t.Context(), srv.Client()
	const name = "conversations/dt=2026-12-01/part-3-a-0.parquet"
	data := bytes.Repeat([]byte("0123456789abcdef"), (2*s3.MinPartSize+12345)/16)

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

	list, err := client.ListObjectsV2(ctx, &s3api.ListObjectsV2Input{Bucket: &srv.Bucket})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Contents) != 0 {
		t.Fatalf("ListObjectsV2(bucket) after Finish = %d objects, first %s; want none",
			len(list.Contents), aws.ToString(list.Contents[0].Key))
	}
	if _, err := os.Stat(filepath.Join(srv.Dir, srv.Bucket, "lake", name)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("backend file at the final key after Finish: %v", err)
	}
	parts, err := client.ListParts(ctx, &s3api.ListPartsInput{Bucket: &srv.Bucket, Key: aws.String("lake/" + name), UploadId: &ref.Upload})
	if err != nil || len(parts.Parts) != 3 {
		t.Fatalf("ListParts() = %d parts, %v; want 3 parts", len(parts.Parts), err)
	}

	next := open(t, config(srv, "lake"))
	if err := next.Publish(ctx, []lake.Ref{ref}); err != nil {
		t.Fatalf("Publish(%+v) from a new Storage = %v", ref, err)
	}
	got, err := client.GetObject(ctx, &s3api.GetObjectInput{Bucket: &srv.Bucket, Key: aws.String("lake/" + name)})
	if err != nil {
		t.Fatal(err)
	}
	defer got.Body.Close()
	if b, err := io.ReadAll(got.Body); err != nil || !bytes.Equal(b, data) {
		t.Fatalf("GetObject() = %d bytes, %v; want the %d bytes written", len(b), err, len(data))
	}
}

// TestCompletedUploadIsGone pins what idempotent Publish relies on, as on
// AWS: a completed upload answers ListParts and CompleteMultipartUpload with
// NoSuchUpload.
func TestCompletedUploadIsGone(t *testing.T) {
	srv := s3test.Start(t)
	ctx, client := t.Context(), srv.Client()
	s := open(t, config(srv, ""))
	obj, err := s.Create(ctx, "done")
	if err != nil {
		t.Fatal(err)
	}
	ref, err := obj.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Publish(ctx, []lake.Ref{ref}); err != nil {
		t.Fatal(err)
	}
	_, err = client.ListParts(ctx, &s3api.ListPartsInput{Bucket: &srv.Bucket, Key: aws.String("done"), UploadId: &ref.Upload})
	if code := apiCode(err); code != "NoSuchUpload" {
		t.Errorf("ListParts(completed upload) = %v, want NoSuchUpload", err)
	}
	_, err = client.AbortMultipartUpload(ctx, &s3api.AbortMultipartUploadInput{Bucket: &srv.Bucket, Key: aws.String("done"), UploadId: &ref.Upload})
	if code := apiCode(err); code != "NoSuchUpload" {
		t.Errorf("AbortMultipartUpload(completed upload) = %v, want NoSuchUpload", err)
	}
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/schemas"
)

// ExporterBucketConfig is the configuration of schemas.BucketExporter: the
// partition count and each part's commit record.
func ExporterBucketConfig(replicas int) jetstream.KeyValueConfig {
	return jetstream.KeyValueConfig{
		Bucket:      schemas.BucketExporter,
		Description: "chatlake exporter: partition count and commit records",
		History:     8,
		Storage:     jetstream.FileStorage,
		Replicas:    max(replicas, 1),
	}
}

// AgreePartitions makes sure every producer and exporter splits the
// conversations stream into the same n parts (0 means 1): the first to
// start stores n in schemas.BucketExporter (creating the bucket with the
// given replicas if it is missing), and every later one must have the
// same n. A mismatch is an error naming both counts; nothing is changed.
// replicas below 1 mean 1.
func AgreePartitions(ctx context.Context, js jetstream.JetStream, n, replicas int) error {
	n = max(n, 1)
	if n > schemas.MaxPartitions {
		return fmt.Errorf("partitions %d above %d", n, schemas.MaxPartitions)
	}
	kv, err := js.KeyValue(ctx, schemas.BucketExporter)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		kv, err = js.CreateOrUpdateKeyValue(ctx, ExporterBucketConfig(replicas))
	}
	if err != nil {
		return FromNATS(fmt.Errorf("partitions: %w", err))
	}
	_, err = kv.Create(ctx, schemas.KeyExporterPartitions, []byte(strconv.Itoa(n)))
	if err == nil {
		return nil
	}
	if !errors.Is(err, jetstream.ErrKeyExists) {
		return FromNATS(fmt.Errorf("partitions: %w", err))
	}
	stored, err := StoredPartitions(ctx, kv)
	if err != nil {
		return err
	}
	if stored != n {
		return fmt.Errorf("streams.partitions is %d, but the conversations stream is split into %d parts (key %s of bucket %s): every producer and exporter must use %d", n, stored, schemas.KeyExporterPartitions, schemas.BucketExporter, stored)
	}
	return nil
}

// StoredPartitions returns the partition count stored in kv, the
// exporter bucket: 1 if none is stored yet.
func StoredPartitions(ctx context.Context, kv jetstream.KeyValue) (int, error) {
	e, err := kv.Get(ctx, schemas.KeyExporterPartitions)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return 1, nil
	}
	if err != nil {
		return 0, FromNATS(fmt.Errorf("partitions: %w", err))
	}
	n, err := strconv.Atoi(string(e.Value()))
	if err != nil || n < 1 || n > schemas.MaxPartitions {
		return 0, fmt.Errorf("partitions: bad value %.20q of key %s", e.Value(), schemas.KeyExporterPartitions)
	}
	return n, nil
}

// ReadParts returns the commit record of every part, in part order: its
// length is the partition count producers and exporters agreed on (1 while
// none is stored). A part no exporter has claimed yet has the zero record.
// It returns the records as stored; exporter.ReadParts checks their files
// too.
func ReadParts(ctx context.Context, js jetstream.JetStream) ([]schemas.ExportCommit, error) {
	kv, err := js.KeyValue(ctx, schemas.BucketExporter)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		return []schemas.ExportCommit{{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read commit records: %w", err)
	}
	n, err := StoredPartitions(ctx, kv)
	if err != nil {
		return nil, err
	}
	recs := make([]schemas.ExportCommit, n)
	for i := range recs {
		if recs[i], _, _, err = GetJSON[schemas.ExportCommit](ctx, kv, schemas.ExporterCommitKey(i, n)); err != nil {
			return nil, fmt.Errorf("read commit record: %w", err)
		}
	}
	return recs, nil
}

package exporter

import (
	"cmp"
	"errors"
	"fmt"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/compress/snappy"
	"github.com/parquet-go/parquet-go/compress/uncompressed"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/chatlake/chatlake/schemas"
)

// Config tunes the exporter. Zero values mean the documented defaults.
// The lake itself is New's lake.Storage; files land below its
// conversations/ folder.
type Config struct {
	// Compression is "zstd" (default), "snappy" or "none".
	Compression string
	// MaxFileRows ends the epoch when a file holds this many rows.
	// Default 1,000,000.
	MaxFileRows int64
	// MaxFileBytes ends the epoch when a file's encoded size reaches it.
	// It is checked as row groups are written, so a file may exceed it by
	// up to one row group. Default 128 MiB.
	MaxFileBytes int64
	// MaxFileAge ends the epoch when a file has been open this long.
	// Default 10 minutes.
	MaxFileAge time.Duration
	// IdleFlush ends the epoch when a file has had no row for this long,
	// even if no event arrives. In a partitioned stream it is also how
	// often part 0's owner looks for strays (see strays.go). Default 1
	// minute.
	IdleFlush time.Duration
	// MaxOpenFiles ends the epoch when more partitions are open. Default 16.
	MaxOpenFiles int
	// MaxEpochEvents ends the epoch when this many events wait for their
	// ack; the consumer's MaxAckPending is set above it. Default 250,000.
	MaxEpochEvents int64
	// RowGroupRows and RowGroupBytes bound a row group (and the memory one
	// open file buffers): rows, and approximate input JSON bytes.
	// Defaults 65,536 rows and 32 MiB.
	RowGroupRows  int64
	RowGroupBytes int64
	// BatchSize is how many events one pull fetches. Default 1,000.
	BatchSize int
	// DecodeWorkers decode batches in parallel with the writer. Default 2.
	DecodeWorkers int
	// AckWait is the consumer's ack wait; it must exceed MaxFileAge.
	// Default 2 × MaxFileAge + 1 minute.
	AckWait time.Duration
	// ShutdownGrace bounds the final flush and commit. Default 20 seconds.
	ShutdownGrace time.Duration
	// Lease is how long the commit record stays this exporter's after its
	// last renewal; the owner renews it every Lease/3, and a standby takes
	// over once it has seen no renewal for a whole Lease. It bounds how
	// long a killed owner stalls the lake when a standby runs, or when the
	// exporter is restarted. At least 100ms. Default 15 seconds.
	Lease time.Duration
	// Replicas of the commit bucket. Default 1.
	Replicas int
	// Partitions is how many parts the conversations stream is split into
	// (see schemas.PartOf); every producer and exporter must use the same
	// count, and Run refuses another than the one stored by the first.
	// Default 1: one part, the names of an unpartitioned lake.
	Partitions int
	// Parts are the parts this exporter may own, each below Partitions.
	// It owns one at a time: it claims the first it finds free (or whose
	// owner stopped renewing its lease) and stands by while none is. Nil
	// means any part.
	Parts []int
	// WriterVersion is written in each file's metadata. Default "dev".
	WriterVersion string
	// Registerer, if not nil, gets the exporter's metrics.
	Registerer prometheus.Registerer
	// Table, if not nil, is the Iceberg table each epoch is appended to
	// (the iceberg format); New's lake.Storage must then be rooted at the
	// table's location, and the files go below its data/ folder. Nil
	// means the Parquet (Hive-style) lake below conversations/.
	Table Table
}

func (c Config) withDefaults() Config {
	c.Compression = cmp.Or(c.Compression, "zstd")
	c.MaxFileRows = cmp.Or(c.MaxFileRows, 1_000_000)
	c.MaxFileBytes = cmp.Or(c.MaxFileBytes, 128<<20)
	c.MaxFileAge = cmp.Or(c.MaxFileAge, 10*time.Minute)
	c.IdleFlush = cmp.Or(c.IdleFlush, time.Minute)
	c.MaxOpenFiles = cmp.Or(c.MaxOpenFiles, 16)
	c.MaxEpochEvents = cmp.Or(c.MaxEpochEvents, 250_000)
	c.RowGroupRows = cmp.Or(c.RowGroupRows, 65_536)
	c.RowGroupBytes = cmp.Or(c.RowGroupBytes, 32<<20)
	c.BatchSize = cmp.Or(c.BatchSize, 1000)
	c.DecodeWorkers = cmp.Or(c.DecodeWorkers, 2)
	c.AckWait = cmp.Or(c.AckWait, 2*c.MaxFileAge+time.Minute)
	c.ShutdownGrace = cmp.Or(c.ShutdownGrace, 20*time.Second)
	c.Lease = cmp.Or(c.Lease, 15*time.Second)
	c.Replicas = cmp.Or(c.Replicas, 1)
	c.WriterVersion = cmp.Or(c.WriterVersion, "dev")
	return c
}

// Validate reports a setting that cannot work.
func (c Config) Validate() error {
	d := c.withDefaults()
	switch {
	case d.MaxFileRows < 0, d.MaxFileBytes < 0, d.MaxEpochEvents < 0, d.RowGroupRows < 0, d.RowGroupBytes < 0:
		return errors.New("exporter: negative size limit")
	case d.MaxFileAge < 0, d.IdleFlush < 0, d.AckWait < 0, d.ShutdownGrace < 0, d.Lease < 0:
		return errors.New("exporter: negative duration")
	case d.BatchSize < 0, d.DecodeWorkers < 0, d.MaxOpenFiles < 0:
		return errors.New("exporter: negative count")
	case d.Lease < minLease:
		return fmt.Errorf("exporter: lease %v below %v", d.Lease, minLease)
	case d.AckWait <= d.MaxFileAge:
		return fmt.Errorf("exporter: ack wait %v must exceed max file age %v", d.AckWait, d.MaxFileAge)
	case d.Partitions < 0 || d.Partitions > schemas.MaxPartitions:
		return fmt.Errorf("exporter: partitions %d out of 1..%d", d.Partitions, schemas.MaxPartitions)
	}
	seen := map[int]bool{}
	for _, p := range d.Parts {
		if p < 0 || p >= max(d.Partitions, 1) || seen[p] {
			return fmt.Errorf("exporter: part %d not one of 0..%d, or listed twice", p, max(d.Partitions, 1)-1)
		}
		seen[p] = true
	}
	if _, err := codecFor(d.Compression); err != nil {
		return err
	}
	return nil
}

// minLease keeps renewals (every third of the lease) from racing the
// round trips that make them.
const minLease = 100 * time.Millisecond

func (c Config) rotation() rotation {
	return rotation{
		maxRows:    c.MaxFileRows,
		maxBytes:   c.MaxFileBytes,
		maxAge:     c.MaxFileAge,
		idle:       c.IdleFlush,
		maxFiles:   c.MaxOpenFiles,
		maxPending: c.MaxEpochEvents,
	}
}

// maxAckPending leaves room above MaxEpochEvents for the batches in flight
// between fetch and write, so the consumer never stalls an epoch.
func (c Config) maxAckPending() int {
	return int(c.MaxEpochEvents) + c.BatchSize*(4*c.DecodeWorkers+8)
}

// tick is how often the writer checks age and idleness without events.
func (c Config) tick() time.Duration {
	return min(c.IdleFlush, c.MaxFileAge, 4*time.Second) / 4
}

func codecFor(name string) (compress.Codec, error) {
	switch name {
	case "zstd":
		return pageCodec, nil
	case "snappy":
		return &snappy.Codec{}, nil
	case "none":
		return &uncompressed.Codec{}, nil
	}
	return nil, fmt.Errorf("exporter: unknown compression %q (want zstd, snappy or none)", name)
}

// writerOptions returns the Parquet writer options of every file.
func (c Config) writerOptions() []parquet.WriterOption {
	codec, _ := codecFor(c.Compression)
	return []parquet.WriterOption{
		schemas.ParquetSchema(), // the row type's, with every field ID
		parquet.Compression(codec),
		parquet.MaxRowsPerRowGroup(c.RowGroupRows),
		parquet.CreatedBy("chatlake-exporter", c.WriterVersion, ""),
		parquet.KeyValueMetadata(schemas.ParquetMetaSchemaVersion, fmt.Sprint(schemas.ParquetSchemaVersion)),
		parquet.KeyValueMetadata(schemas.ParquetMetaWriterVersion, c.WriterVersion),
		parquet.DictionaryMaxBytes(1 << 20),
		// Version 1 data pages: what every engine reads, Athena and older
		// Spark included.
		parquet.DataPageVersion(1),
	}
}

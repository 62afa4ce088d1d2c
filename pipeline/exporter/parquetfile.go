package exporter

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/chatlake/chatlake/lake"
	"github.com/chatlake/chatlake/schemas"
)

// parquetFile is one Parquet file being written as a hidden lake object.
type parquetFile struct {
	rel       string // final name in the lake, slash-separated
	obj       lake.Object
	count     countingWriter
	w         *parquet.GenericWriter[schemas.ConversationRow]
	opened    time.Time
	lastWrite time.Time
	rows      int64
	grpRows   int64 // rows buffered in the current row group
	grpSize   int64 // approximate input bytes buffered in the current row group
}

// createParquetFile begins the hidden object of the final name rel.
func createParquetFile(ctx context.Context, store lake.Storage, rel string, now time.Time, opts []parquet.WriterOption) (*parquetFile, error) {
	obj, err := store.Create(ctx, rel)
	if err != nil {
		return nil, fmt.Errorf("create parquet file: %w", err)
	}
	pf := &parquetFile{rel: rel, obj: obj, opened: now, lastWrite: now}
	pf.count.w = obj
	pf.w = parquet.NewGenericWriter[schemas.ConversationRow](&pf.count, opts...)
	return pf, nil
}

// write appends rows; size is their approximate input size in bytes.
func (pf *parquetFile) write(rows []schemas.ConversationRow, size int64, now time.Time) error {
	if _, err := pf.w.Write(rows); err != nil {
		return fmt.Errorf("write parquet %s: %w", pf.rel, err)
	}
	n := int64(len(rows))
	pf.rows += n
	pf.grpRows += n
	pf.grpSize += size
	pf.lastWrite = now
	return nil
}

// flushRowGroup ends the current row group, releasing its buffers.
func (pf *parquetFile) flushRowGroup() error {
	if pf.grpRows == 0 {
		return nil
	}
	if err := pf.w.Flush(); err != nil {
		return fmt.Errorf("flush parquet %s: %w", pf.rel, err)
	}
	pf.grpRows, pf.grpSize = 0, 0
	return nil
}

// encodedBytes is the size of the file so far, row groups written.
func (pf *parquetFile) encodedBytes() int64 { return pf.count.n }

// finish writes the footer and stores the object durably, still hidden:
// it stays invisible until the epoch is committed and published.
func (pf *parquetFile) finish(ctx context.Context) (lake.Ref, error) {
	if err := pf.w.Close(); err != nil {
		pf.obj.Abort(ctx)
		return lake.Ref{}, fmt.Errorf("close parquet %s: %w", pf.rel, err)
	}
	ref, err := pf.obj.Finish(ctx)
	if err != nil {
		return lake.Ref{}, fmt.Errorf("finish %s: %w", pf.rel, err)
	}
	return ref, nil
}

// abandon discards the unfinished object, best effort, as a crash would
// leave it: the next owner's sweep deletes what remains.
func (pf *parquetFile) abandon(ctx context.Context) { pf.obj.Abort(ctx) }

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

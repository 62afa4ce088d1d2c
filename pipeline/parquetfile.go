package pipeline

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/chatlake/chatlake/schemas"
)

// tempSuffix marks a file that is being written. Temp files are hidden
// (leading '.') and do not end in .parquet, so no lake engine reads them.
const tempSuffix = ".tmp"

// tempName returns the temp path of the final path rel (slash-separated).
func tempName(rel string) string {
	dir, name := filepath.Split(filepath.FromSlash(rel))
	return filepath.Join(dir, "."+name+tempSuffix)
}

// isTempName reports whether a base name is a temp file of the exporter.
func isTempName(name string) bool {
	return strings.HasPrefix(name, ".part-") && strings.HasSuffix(name, tempSuffix)
}

// parquetFile is one Parquet file being written under its temp name.
type parquetFile struct {
	rel       string // final path relative to the root, slash-separated
	f         *os.File
	count     countingWriter
	w         *parquet.GenericWriter[schemas.ConversationRow]
	opened    time.Time
	lastWrite time.Time
	rows      int64
	grpRows   int64 // rows buffered in the current row group
	grpSize   int64 // approximate input bytes buffered in the current row group
}

// createParquetFile creates root/tempName(rel), and its folders, durably.
func createParquetFile(root, rel string, now time.Time, opts []parquet.WriterOption) (*parquetFile, error) {
	tmp := filepath.Join(root, tempName(rel))
	if err := mkdirAllSync(root, filepath.Dir(tmp)); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create parquet file: %w", err)
	}
	pf := &parquetFile{rel: rel, f: f, opened: now, lastWrite: now}
	pf.count.w = f
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

// finish writes the footer and fsyncs and closes the temp file. The file
// stays invisible until publish renames it.
func (pf *parquetFile) finish() error {
	if err := pf.w.Close(); err != nil {
		pf.f.Close()
		return fmt.Errorf("close parquet %s: %w", pf.rel, err)
	}
	if err := pf.f.Sync(); err != nil {
		pf.f.Close()
		return fmt.Errorf("fsync %s: %w", pf.rel, err)
	}
	if err := pf.f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", pf.rel, err)
	}
	return nil
}

// abandon closes the temp file without finishing it, as a crash would; the
// next start deletes it.
func (pf *parquetFile) abandon() { pf.f.Close() }

// publishFile makes the committed file rel visible: rename its temp file
// to the final name and fsync the folder. It is idempotent, so a restart can
// roll a commit forward: an already published file is left alone.
func publishFile(root, rel string) error {
	final := filepath.Join(root, filepath.FromSlash(rel))
	err := os.Rename(filepath.Join(root, tempName(rel)), final)
	if errors.Is(err, fs.ErrNotExist) {
		if _, serr := os.Stat(final); serr == nil {
			return nil
		}
		return fmt.Errorf("publish %s: committed file lost: %w", rel, err)
	}
	if err != nil {
		return fmt.Errorf("publish %s: %w", rel, err)
	}
	return syncDir(filepath.Dir(final))
}

// mkdirAllSync creates dir and any missing parents below root, fsyncing
// each parent that gained an entry, so a new folder survives a power cut.
func mkdirAllSync(root, dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	parent := filepath.Dir(dir)
	if parent != dir && len(parent) >= len(root) {
		if err := mkdirAllSync(root, parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create folder: %w", err)
	}
	return syncDir(parent)
}

// syncDir fsyncs a folder so a rename or create in it is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("fsync folder: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync folder %s: %w", dir, err)
	}
	return nil
}

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

package exporter

import "time"

// Rotation reasons: why an epoch ended. They label the files metric.
const (
	rotateRows     = "rows"
	rotateBytes    = "bytes"
	rotateAge      = "age"
	rotateIdle     = "idle"
	rotatePending  = "pending"
	rotateFiles    = "files"
	rotateShutdown = "shutdown"
)

// rotation decides when the current epoch ends. An epoch ends, closing
// every open file, as soon as one file is full (rows or encoded bytes), one
// file is old, one file has been idle, too many files are open, or too many
// events wait for their ack. An epoch of dead letters only (events, but no
// file) ends at once: no file would ever make it old or idle, and its
// events would wait for their ack until the next good one.
type rotation struct {
	maxRows    int64
	maxBytes   int64
	maxAge     time.Duration
	idle       time.Duration
	maxFiles   int
	maxPending int64
}

// reason returns why the epoch must end now, or "" if it need not.
func (r rotation) reason(files map[partitionKey]*parquetFile, pending int64, now time.Time) string {
	if pending >= r.maxPending {
		return rotatePending
	}
	if len(files) > r.maxFiles {
		return rotateFiles
	}
	if len(files) == 0 && pending > 0 {
		return rotateIdle
	}
	for _, f := range files {
		switch {
		case f.rows >= r.maxRows:
			return rotateRows
		case f.encodedBytes() >= r.maxBytes:
			return rotateBytes
		case now.Sub(f.opened) >= r.maxAge:
			return rotateAge
		case now.Sub(f.lastWrite) >= r.idle:
			return rotateIdle
		}
	}
	return ""
}

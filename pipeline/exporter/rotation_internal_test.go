package exporter

import (
	"testing"
	"testing/synctest"
	"time"
)

// TestRotationReason drives the rotation rules with the fake clock of a
// synctest bubble: age and idleness fire exactly when their time is up.
func TestRotationReason(t *testing.T) {
	rot := rotation{maxRows: 10, maxBytes: 1000, maxAge: time.Minute, idle: 20 * time.Second, maxFiles: 2, maxPending: 50}
	key := func(app string) partitionKey { return partitionKey{provider: "yunxin", app: app, dt: "2026-01-01"} }
	for _, c := range []struct {
		name  string
		steps func(files map[partitionKey]*parquetFile) (pending int64)
		want  string
	}{
		{"fresh", func(map[partitionKey]*parquetFile) int64 { return 0 }, ""},
		{"rows", func(fs map[partitionKey]*parquetFile) int64 { fs[key("a")].rows = 10; return 10 }, rotateRows},
		{"bytes", func(fs map[partitionKey]*parquetFile) int64 { fs[key("a")].count.n = 1000; return 1 }, rotateBytes},
		{"pending", func(map[partitionKey]*parquetFile) int64 { return 50 }, rotatePending},
		{"files", func(fs map[partitionKey]*parquetFile) int64 {
			fs[key("b")], fs[key("c")] = newTestFile(), newTestFile()
			return 3
		}, rotateFiles},
		{"dead letters only", func(fs map[partitionKey]*parquetFile) int64 { delete(fs, key("a")); return 1 }, rotateIdle},
		{"idle just before", func(map[partitionKey]*parquetFile) int64 { time.Sleep(20*time.Second - time.Nanosecond); return 1 }, ""},
		{"idle", func(map[partitionKey]*parquetFile) int64 { time.Sleep(20 * time.Second); return 1 }, rotateIdle},
		{"busy but old", func(fs map[partitionKey]*parquetFile) int64 {
			for range 6 {
				time.Sleep(10 * time.Second)
				fs[key("a")].lastWrite = time.Now()
			}
			return 1
		}, rotateAge},
	} {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				files := map[partitionKey]*parquetFile{key("a"): newTestFile()}
				pending := c.steps(files)
				if got := rot.reason(files, pending, time.Now()); got != c.want {
					t.Errorf("reason() after %s = %q, want %q", c.name, got, c.want)
				}
			})
		})
	}
}

func newTestFile() *parquetFile {
	now := time.Now()
	return &parquetFile{opened: now, lastWrite: now}
}

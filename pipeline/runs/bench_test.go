package runs_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/chatlake/chatlake/pipeline/runs"
	"github.com/chatlake/chatlake/schemas"
)

// BenchmarkFollowerMemory follows a run of 20,000 jobs and reports the
// heap that the Follower's watch allocated and still holds once it has
// read them all, per job (B/job). The server runs in this process, so the
// figure comes from the heap profile at a sampling rate of 1, counting
// only allocations made under the Follower's watch.
func BenchmarkFollowerMemory(b *testing.B) {
	const jobs = 20000
	defer func(rate int) { runtime.MemProfileRate = rate }(runtime.MemProfileRate)
	runtime.MemProfileRate = 1
	e := newEnv(b)
	if _, err := e.recs.Begin(b.Context(), "big"); err != nil {
		b.Fatal(err)
	}
	for i := range jobs {
		e.job(b, "big", fmt.Sprint(100000+i), schemas.JobDone, uint64(i+1))
	}
	r, err := runs.NewReader(b.Context(), e.js)
	if err != nil {
		b.Fatal(err)
	}
	var held int64
	for b.Loop() {
		f, err := r.Follow(b.Context(), "big")
		if err != nil {
			b.Fatal(err)
		}
		s, err := f.Summary(b.Context())
		if err != nil || s.Submitted != jobs {
			b.Fatalf("summary of %d jobs, %v; want %d", s.Submitted, err, jobs)
		}
		held = heldUnder("runs.(*Follower).watch")
		f.Stop()
	}
	b.ReportMetric(float64(held)/jobs, "B/job")
}

// heldUnder returns the bytes in use, as of a fresh GC, that were
// allocated with fn on the stack.
func heldUnder(fn string) int64 {
	runtime.GC()
	runtime.GC() // the profile shows the heap as of the last completed cycle
	var recs []runtime.MemProfileRecord
	for {
		n, ok := runtime.MemProfile(recs, false)
		if ok {
			recs = recs[:n]
			break
		}
		recs = make([]runtime.MemProfileRecord, n+100)
	}
	var held int64
	for _, r := range recs {
		frames := runtime.CallersFrames(r.Stack())
		for {
			f, more := frames.Next()
			if strings.Contains(f.Function, fn) {
				held += r.InUseBytes()
				break
			}
			if !more {
				break
			}
		}
	}
	return held
}

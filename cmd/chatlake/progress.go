package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progress draws a one-line progress bar on a terminal; with a nil writer
// it draws nothing.
type progress struct {
	w         io.Writer
	total, n  int
	lastDrawn time.Time
}

func newProgress(w io.Writer, total int) *progress { return &progress{w: w, total: total} }

func (p *progress) step() {
	p.n++
	if p.w == nil || (time.Since(p.lastDrawn) < 100*time.Millisecond && p.n < p.total) {
		return
	}
	p.lastDrawn = time.Now()
	const width = 30
	done := width
	if p.total > 0 {
		done = width * p.n / p.total
	}
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d", strings.Repeat("#", done), strings.Repeat(".", width-done), p.n, p.total)
}

func (p *progress) finish() {
	if p.w != nil && p.n > 0 {
		fmt.Fprintln(p.w)
	}
}

// eta estimates the time left for the rest of total from the rate since
// the first sample; 0 when unknown (nothing done yet).
type eta struct {
	start  time.Time
	from   int64
	primed bool
}

func (e *eta) left(now time.Time, n, total int64) time.Duration {
	if !e.primed {
		e.start, e.from, e.primed = now, n, true
		return 0
	}
	done, elapsed := n-e.from, now.Sub(e.start)
	if done <= 0 || elapsed <= 0 || n >= total {
		return 0
	}
	return time.Duration(float64(elapsed) * float64(total-n) / float64(done)).Round(time.Second)
}

package ops

import (
	"cmp"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

//go:embed web
var webFiles embed.FS

// PageConfig configures the status page. Zero values mean the defaults.
type PageConfig struct {
	// Runs lists the export runs. Its result, encoded as JSON, is a list of
	// objects with the fields `chatlake status --run NAME --json` prints
	// (name, created, jobs_submitted, jobs_by_state, conversations,
	// exported, dead_letters, state, completed_at). nil: the page says that
	// this process does not track runs.
	Runs func(ctx context.Context) (any, error)
	// DeadLetters counts the dead letters of the dead-letter stream by
	// kind, class and reason. nil: the page shows only this process's
	// dead-letter counters.
	DeadLetters func(ctx context.Context) ([]DeadLetterCount, error)
	// LastCommit reads the exporter's commit record. nil: the page shows
	// no last commit.
	LastCommit func(ctx context.Context) (Commit, error)
	// Interval is the time between two samples of the metrics for the
	// charts. Default 10 s.
	Interval time.Duration
	// Window is the time the charts cover. Default 1 h.
	Window time.Duration
	// Refresh is how often the page polls for data, and the least time
	// between two calls of Runs, DeadLetters or LastCommit, however many
	// pages are open. Default 5 s.
	Refresh time.Duration
}

// DeadLetterCount is how many dead letters have one kind, class and
// reason.
type DeadLetterCount struct {
	Kind   string `json:"kind"`
	Class  string `json:"class"`
	Reason string `json:"reason"`
	Count  int64  `json:"count"`
}

// Commit is what the page shows of the exporter's last commit.
type Commit struct {
	Epoch       uint64    `json:"epoch"`
	LastSeq     uint64    `json:"last_seq"`
	Rows        int64     `json:"rows"`
	Owner       string    `json:"owner"`
	CommittedAt time.Time `json:"committed_at"`
}

// Validate reports a negative duration.
func (c PageConfig) Validate() error {
	if c.Interval < 0 || c.Window < 0 || c.Refresh < 0 {
		return errors.New("status page: interval, window and refresh must not be negative")
	}
	return nil
}

// fetchTimeout bounds one call of a PageConfig function.
const fetchTimeout = 10 * time.Second

// Page is the status page: an HTML page at /, its data at /api/status,
// and the history of the metrics behind its charts, which Run samples.
// It is safe for concurrent use; nothing needs closing.
type Page struct {
	g          prometheus.Gatherer
	cfg        PageConfig
	hist       *history
	now        func() time.Time
	runs       cached[any]
	deadLetter cached[[]DeadLetterCount]
	lastCommit cached[Commit]
}

// NewPage returns the status page of the metrics g gathers.
func NewPage(g prometheus.Gatherer, cfg PageConfig) (*Page, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Interval = cmp.Or(cfg.Interval, 10*time.Second)
	cfg.Window = cmp.Or(cfg.Window, time.Hour)
	cfg.Refresh = cmp.Or(cfg.Refresh, 5*time.Second)
	return &Page{
		g: g, cfg: cfg, now: time.Now,
		hist:       newHistory(int(cfg.Window/cfg.Interval) + 1),
		runs:       cached[any]{fn: cfg.Runs},
		deadLetter: cached[[]DeadLetterCount]{fn: cfg.DeadLetters},
		lastCommit: cached[Commit]{fn: cfg.LastCommit},
	}, nil
}

// Run samples the metrics every Interval until ctx ends; it returns nil.
func (p *Page) Run(ctx context.Context) error {
	p.sample()
	t := time.NewTicker(p.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			p.sample()
		}
	}
}

func (p *Page) sample() {
	mfs, _ := p.g.Gather() // a partial gather still has the families that worked
	p.hist.add(newSample(p.now(), newFamilies(mfs)))
}

// routes adds the page's handlers to mux.
func (p *Page) routes(mux *http.ServeMux) {
	static, _ := fs.Sub(webFiles, "web") // cannot fail: web is embedded
	files := http.StripPrefix("/static/", http.FileServerFS(static))
	mux.Handle("GET /static/", secured(files))
	mux.Handle("GET /{$}", secured(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, static, "index.html")
	})))
	mux.Handle("GET /api/status", secured(http.HandlerFunc(p.serveStatus)))
}

// secured adds headers that keep the page to its own scripts: nothing
// from data can run, even if it reached the DOM as markup.
func secured(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}

func (p *Page) serveStatus(w http.ResponseWriter, r *http.Request) {
	st := p.status(r.Context())
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if err := json.NewEncoder(w).Encode(st); err != nil {
		http.Error(w, "encode status", http.StatusInternalServerError)
	}
}

// cached holds the last result of fn for a while, so that open pages do
// not multiply the reads of NATS. It is safe for concurrent use.
type cached[T any] struct {
	fn  func(ctx context.Context) (T, error)
	mu  sync.Mutex
	at  time.Time
	v   T
	err error
}

// get returns fn's last result if younger than maxAge, else calls it.
// A closed page does not cancel the call others wait for.
func (c *cached[T]) get(ctx context.Context, now time.Time, maxAge time.Duration) (T, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() || now.Sub(c.at) >= maxAge {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout)
		c.v, c.err = c.fn(fctx)
		cancel()
		c.at = now
	}
	return c.v, c.err
}

package providers

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/chatlake/chatlake/schemas"
)

// Fetcher fetches one page of a job's conversations, starting at cursor
// ("" for the first page). The volcengine and yunxin clients implement it,
// and so does Router.
type Fetcher interface {
	FetchPage(ctx context.Context, job schemas.Job, cursor string) (schemas.Page, error)
}

// Route sends the jobs of one provider app to a Fetcher.
type Route struct {
	Provider string // schemas.ProviderVolcengine, ...
	App      string // Volcengine AppId in decimal, or Yunxin AppKey
	Fetcher  Fetcher
}

// Router is a Fetcher that dispatches each job by its Provider and App to
// the Fetcher of that app. It is immutable, so safe for concurrent use.
type Router struct {
	routes map[routeKey]Fetcher
}

type routeKey struct{ provider, app string }

// NewRouter returns a Router of routes. It fails on an incomplete or a
// duplicate route.
func NewRouter(routes ...Route) (*Router, error) {
	r := &Router{routes: make(map[routeKey]Fetcher, len(routes))}
	for _, rt := range routes {
		k := routeKey{rt.Provider, rt.App}
		if rt.Provider == "" || rt.App == "" || rt.Fetcher == nil {
			return nil, fmt.Errorf("new router: incomplete route %s/%s", rt.Provider, rt.App)
		}
		if _, dup := r.routes[k]; dup {
			return nil, fmt.Errorf("new router: duplicate route %s/%s", rt.Provider, rt.App)
		}
		r.routes[k] = rt.Fetcher
	}
	return r, nil
}

// FetchPage implements Fetcher. A job for a provider app without a route is
// a permanent *Error: retrying cannot help.
func (r *Router) FetchPage(ctx context.Context, job schemas.Job, cursor string) (schemas.Page, error) {
	f, ok := r.routes[routeKey{job.Provider, job.App}]
	if !ok {
		return schemas.Page{}, &Error{
			Provider: job.Provider, Op: "FetchPage", Class: schemas.ClassPermanent,
			Message: fmt.Sprintf("no client configured for app %q", job.App),
		}
	}
	return f.FetchPage(ctx, job, cursor)
}

// ErrTooManyPages is yielded by Pages when a job has more pages than its
// bound.
var ErrTooManyPages = errors.New("too many pages")

// Pages iterates over the pages of job from cursor until the last page,
// the first error (yielded, then the iteration ends), or maxPages pages
// (then ErrTooManyPages is yielded), whichever comes first. maxPages <= 0
// means no bound. The caller may stop early; the next page's cursor is the
// last page's Next.
func Pages(ctx context.Context, f Fetcher, job schemas.Job, cursor string, maxPages int) iter.Seq2[schemas.Page, error] {
	return func(yield func(schemas.Page, error) bool) {
		for n := 0; ; n++ {
			if maxPages > 0 && n == maxPages {
				yield(schemas.Page{}, fmt.Errorf("pages of job %s: %w (%d)", job.JobID, ErrTooManyPages, maxPages))
				return
			}
			p, err := f.FetchPage(ctx, job, cursor)
			if err != nil {
				yield(schemas.Page{}, err)
				return
			}
			if !yield(p, nil) || p.Done {
				return
			}
			cursor = p.Next
		}
	}
}

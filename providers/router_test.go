package providers_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/schemas"
)

// counting serves n pages named "<name>:<i>"; cursors are page numbers.
type counting struct {
	name  string
	pages int
	fail  int // page number that fails; -1 for none
}

func (c counting) FetchPage(_ context.Context, _ schemas.Job, cursor string) (schemas.Page, error) {
	i := 0
	if cursor != "" {
		i, _ = strconv.Atoi(cursor)
	}
	if i == c.fail {
		return schemas.Page{}, errTransient
	}
	return schemas.Page{
		Conversations: []schemas.Conversation{{ConversationID: fmt.Sprintf("%s:%d", c.name, i)}},
		Next:          strconv.Itoa(i + 1),
		Done:          i+1 == c.pages,
	}, nil
}

func TestRouterDispatches(t *testing.T) {
	r, err := providers.NewRouter(
		providers.Route{Provider: schemas.ProviderVolcengine, App: "1", Fetcher: counting{name: "v1", pages: 1, fail: -1}},
		providers.Route{Provider: schemas.ProviderYunxin, App: "1", Fetcher: counting{name: "y1", pages: 1, fail: -1}},
	)
	if err != nil {
		t.Fatalf("NewRouter() = %v", err)
	}
	tests := []struct {
		provider, app string
		want          string // conversation ID, "" for a permanent error
	}{
		{schemas.ProviderVolcengine, "1", "v1:0"},
		{schemas.ProviderYunxin, "1", "y1:0"},
		{schemas.ProviderYunxin, "2", ""},
		{"other", "1", ""},
	}
	for _, tt := range tests {
		p, err := r.FetchPage(t.Context(), schemas.Job{Provider: tt.provider, App: tt.app}, "")
		switch {
		case tt.want == "" && !errors.Is(err, providers.ErrPermanent):
			t.Errorf("FetchPage(%s/%s) = %v, want ErrPermanent", tt.provider, tt.app, err)
		case tt.want != "" && (err != nil || p.Conversations[0].ConversationID != tt.want):
			t.Errorf("FetchPage(%s/%s) = %v, %v; want %s", tt.provider, tt.app, p.Conversations, err, tt.want)
		}
	}
}

func TestNewRouterRejects(t *testing.T) {
	f := counting{}
	tests := []struct {
		name   string
		routes []providers.Route
	}{
		{"duplicate", []providers.Route{{Provider: "p", App: "a", Fetcher: f}, {Provider: "p", App: "a", Fetcher: f}}},
		{"no app", []providers.Route{{Provider: "p", Fetcher: f}}},
		{"no fetcher", []providers.Route{{Provider: "p", App: "a"}}},
	}
	for _, tt := range tests {
		if _, err := providers.NewRouter(tt.routes...); err == nil {
			t.Errorf("NewRouter(%s) = nil error, want one", tt.name)
		}
	}
}

func TestPages(t *testing.T) {
	tests := []struct {
		name     string
		f        counting
		cursor   string
		maxPages int
		want     []string
		wantErr  error
	}{
		{"all", counting{name: "a", pages: 3, fail: -1}, "", 0, []string{"a:0", "a:1", "a:2"}, nil},
		{"from cursor", counting{name: "a", pages: 3, fail: -1}, "1", 0, []string{"a:1", "a:2"}, nil},
		{"within bound", counting{name: "a", pages: 3, fail: -1}, "", 3, []string{"a:0", "a:1", "a:2"}, nil},
		{"over bound", counting{name: "a", pages: 3, fail: -1}, "", 2, []string{"a:0", "a:1"}, providers.ErrTooManyPages},
		{"error ends", counting{name: "a", pages: 3, fail: 1}, "", 0, []string{"a:0"}, providers.ErrTransient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			var gotErr error
			for p, err := range providers.Pages(t.Context(), tt.f, schemas.Job{JobID: "j"}, tt.cursor, tt.maxPages) {
				if err != nil {
					gotErr = err
					continue // must be the last value yielded
				}
				if gotErr != nil {
					t.Fatal("Pages yielded a page after an error")
				}
				got = append(got, p.Conversations[0].ConversationID)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Pages() conversations (-want +got):\n%s", diff)
			}
			if !errors.Is(gotErr, tt.wantErr) || (tt.wantErr == nil) != (gotErr == nil) {
				t.Errorf("Pages() error = %v, want %v", gotErr, tt.wantErr)
			}
		})
	}
}

func TestPagesStopsEarly(t *testing.T) {
	n := 0
	for range providers.Pages(t.Context(), counting{pages: 100, fail: -1}, schemas.Job{}, "", 0) {
		n++
		if n == 2 {
			break
		}
	}
	if n != 2 {
		t.Errorf("Pages() after break: %d pages, want 2", n)
	}
}

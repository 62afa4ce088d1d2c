package lake

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Opener opens the Storage a lake URL names, for the driver registered
// under the URL's scheme.
type Opener func(ctx context.Context, u *url.URL) (Storage, error)

// FileScheme is the scheme of a plain path: a location without "://" is
// opened as file://path.
const FileScheme = "file"

// Registry chooses a driver by the scheme of a lake's location. The wiring
// layer makes one and each driver registers itself in it (folder.Register,
// s3.Register), so adding a backend is one package plus one registration.
// The zero Registry is empty and ready to use. It is not safe for
// concurrent Register calls; Open may be called concurrently once
// registration is done.
type Registry struct {
	openers map[string]Opener
}

// Register makes open the driver of scheme, replacing any earlier one.
func (r *Registry) Register(scheme string, open Opener) {
	if r.openers == nil {
		r.openers = make(map[string]Opener)
	}
	r.openers[strings.ToLower(scheme)] = open
}

// Schemes returns the registered schemes, sorted.
func (r *Registry) Schemes() []string {
	var s []string
	for k := range r.openers {
		s = append(s, k)
	}
	slices.Sort(s)
	return s
}

// Open opens the lake at location: a plain path (the folder driver's
// file scheme) or a URL such as s3://bucket/prefix. Errors name the
// location without any user information it may carry.
func (r *Registry) Open(ctx context.Context, location string) (Storage, error) {
	u, err := ParseLocation(location)
	if err != nil {
		return nil, err
	}
	open, ok := r.openers[u.Scheme]
	if !ok {
		return nil, fmt.Errorf("open lake %s: no driver for scheme %q (known: %s)",
			u.Redacted(), u.Scheme, strings.Join(r.Schemes(), ", "))
	}
	return open(ctx, u)
}

// ParseLocation parses a lake location: a plain path becomes a file URL
// whose Path is the path as given, anything with "://" is parsed as a URL
// with a lower-case scheme.
func ParseLocation(location string) (*url.URL, error) {
	if location == "" {
		return nil, fmt.Errorf("lake location is empty")
	}
	if !strings.Contains(location, "://") {
		return &url.URL{Scheme: FileScheme, Path: location}, nil
	}
	u, err := url.Parse(location)
	if err != nil {
		// url.Error quotes the input, which may hold a password.
		return nil, fmt.Errorf("lake location is not a valid URL")
	}
	u.Scheme = strings.ToLower(u.Scheme)
	return u, nil
}

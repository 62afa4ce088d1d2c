package folder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/chatlake/chatlake/lake"
)

// tempSuffix ends a hidden temp file's name, after a leading '.'.
const tempSuffix = ".tmp"

// Storage is a lake in a local folder. It is safe for concurrent use;
// Close is a no-op.
type Storage struct {
	root string
}

var _ lake.Storage = (*Storage)(nil)

// Open returns the lake whose root is the folder root, creating it (and
// its parents) if needed.
func Open(root string) (*Storage, error) {
	if root == "" {
		return nil, errors.New("open folder lake: root is empty")
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("open folder lake: %w", err)
	}
	return &Storage{root: root}, nil
}

// Register makes Open the driver of plain paths and file:// URLs in r.
func Register(r *lake.Registry) {
	r.Register(lake.FileScheme, func(_ context.Context, u *url.URL) (lake.Storage, error) {
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("open folder lake: file URL with host %q", u.Host)
		}
		return Open(u.Path)
	})
}

// Root returns the lake's root folder.
func (s *Storage) Root() string { return s.root }

// Close does nothing: a folder holds no resources.
func (s *Storage) Close() error { return nil }

// path returns the local path of name, which CheckName accepted.
func (s *Storage) path(name string) string {
	return filepath.Join(s.root, filepath.FromSlash(name))
}

// tempPath returns the local path of name's hidden temp file.
func (s *Storage) tempPath(name string) string {
	dir, base := path.Split(name)
	return s.path(dir + "." + base + tempSuffix)
}

// isTemp reports whether a base name is a hidden temp file.
func isTemp(base string) bool {
	return len(base) > len("."+tempSuffix) && strings.HasPrefix(base, ".") && strings.HasSuffix(base, tempSuffix)
}

// Create creates name's temp file, and its folders durably. It fails if
// the temp file exists: another object of that name is being written.
func (s *Storage) Create(_ context.Context, name string) (lake.Object, error) {
	if err := lake.CheckName(name); err != nil {
		return nil, fmt.Errorf("create: %w", err)
	}
	tmp := s.tempPath(name)
	if err := mkdirAllSync(s.root, filepath.Dir(tmp)); err != nil {
		return nil, fmt.Errorf("create %s: %w", name, err)
	}
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", name, err)
	}
	return &object{name: name, f: f}, nil
}

// Publish renames each Ref's temp file to its final name, then fsyncs the
// folders of all the Refs. A Ref whose temp file is gone is already
// published when its final file exists.
func (s *Storage) Publish(_ context.Context, refs []lake.Ref) error {
	dirs := make(map[string]bool)
	for _, ref := range refs {
		if err := lake.CheckName(ref.Name); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		final := s.path(ref.Name)
		err := os.Rename(s.tempPath(ref.Name), final)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if !isFile(final) {
				return fmt.Errorf("publish %s: %w", ref.Name, lake.ErrNotFound)
			}
		case err != nil:
			return fmt.Errorf("publish %s: %w", ref.Name, err)
		}
		// Also after an earlier rename: its process may have died before
		// the folder's fsync.
		dirs[filepath.Dir(final)] = true
	}
	for dir := range dirs {
		if err := syncDir(dir); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
	}
	return nil
}

// Sweep deletes the temp files whose final names begin with prefix and
// are owned.
func (s *Storage) Sweep(_ context.Context, prefix string, owned func(string) bool) error {
	err := s.walk(prefix, func(name, p string, hidden bool) error {
		if !hidden || owned != nil && !owned(name) {
			return nil
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sweep %q: %w", prefix, err)
	}
	return nil
}

// List returns the published files whose names begin with prefix.
func (s *Storage) List(_ context.Context, prefix string) ([]string, error) {
	var names []string
	err := s.walk(prefix, func(name, _ string, hidden bool) error {
		if !hidden {
			names = append(names, name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %q: %w", prefix, err)
	}
	// A walk meets "a/b" before "a-c"; the contract is lexical order.
	slices.Sort(names)
	return names, nil
}

// walk calls fn for each regular file below the folder of prefix whose
// name begins with prefix: a published file under its name, a temp file
// (hidden) under the name it will be published as. Other files whose
// names CheckName refuses are skipped.
func (s *Storage) walk(prefix string, fn func(name, p string, hidden bool) error) error {
	if err := lake.CheckPrefix(prefix); err != nil {
		return err
	}
	dir := s.root
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		dir = s.path(prefix[:i])
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(s.root, p)
		if err != nil {
			return err
		}
		name, hidden := filepath.ToSlash(rel), false
		if dir, base := path.Split(name); isTemp(base) {
			name, hidden = dir+strings.TrimSuffix(base[1:], tempSuffix), true
		}
		if !strings.HasPrefix(name, prefix) || lake.CheckName(name) != nil {
			return nil
		}
		return fn(name, p, hidden)
	})
	if errors.Is(err, fs.ErrNotExist) && !isDir(dir) {
		return nil
	}
	return err
}

// Open opens a published file.
func (s *Storage) Open(_ context.Context, name string) (io.ReadCloser, error) {
	if err := lake.CheckName(name); err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	f, err := os.Open(s.path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("open %s: %w", name, lake.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("open %s: not a file: %w", name, lake.ErrNotFound)
	}
	return f, nil
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

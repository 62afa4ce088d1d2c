package lake_test

import (
	"errors"
	"path"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/chatlake/chatlake/lake"
)

func TestCheckName(t *testing.T) {
	for _, name := range []string{"a", "a/b", "conversations/provider=p/app=a/dt=2026-12-01/part-1-o-0.parquet", "a.b/c..d"} {
		if err := lake.CheckName(name); err != nil {
			t.Errorf("CheckName(%q) = %v, want nil", name, err)
		}
	}
	for _, name := range []string{"", ".", "..", "/a", "a/", "a//b", "a/./b", "a/../b", "../a", ".a", "a/.b.tmp", "a\x00b", "a\nb", "a\xffb"} {
		if err := lake.CheckName(name); !errors.Is(err, lake.ErrBadName) {
			t.Errorf("CheckName(%q) = %v, want ErrBadName", name, err)
		}
	}
}

func TestCheckPrefix(t *testing.T) {
	for _, prefix := range []string{"", "a", "a/", "a/b", "conversations/provider=yun"} {
		if err := lake.CheckPrefix(prefix); err != nil {
			t.Errorf("CheckPrefix(%q) = %v, want nil", prefix, err)
		}
	}
	for _, prefix := range []string{"/", "//", "../", "a/../", "/a", ".x/"} {
		if err := lake.CheckPrefix(prefix); !errors.Is(err, lake.ErrBadName) {
			t.Errorf("CheckPrefix(%q) = %v, want ErrBadName", prefix, err)
		}
	}
}

// FuzzCheckName: a name CheckName accepts stays inside the root and has
// no hidden element, whatever the bytes.
func FuzzCheckName(f *testing.F) {
	for _, s := range []string{"a/b", "../a", "a/./b", "/a", ".a", "a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if lake.CheckName(name) != nil {
			return
		}
		if path.Clean(name) != name || path.IsAbs(name) || !strings.HasPrefix(path.Join("root", name), "root/") {
			t.Fatalf("CheckName(%q) = nil, but it leaves the root or is not clean", name)
		}
		if !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl) {
			t.Fatalf("CheckName(%q) = nil, but it is not UTF-8 or has a control character", name)
		}
		for elem := range strings.SplitSeq(name, "/") {
			if strings.HasPrefix(elem, ".") {
				t.Fatalf("CheckName(%q) = nil, but %q is hidden", name, elem)
			}
		}
	})
}

package schemas_test

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/chatlake/chatlake/schemas"
)

func TestSanitizePathValue(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"volcengine", "volcengine"},
		{"123456", "123456"},
		{"yx_app-1", "yx_app-1"},
		{"2026-03-01", "2026-03-01"},
		{"", "__HIVE_DEFAULT_PARTITION__"},
		{".", "%2E"},
		{"..", "%2E."},
		{"../../etc", "%2E.%2F..%2Fetc"},
		{"a/b", "a%2Fb"},
		{`a\b`, "a%5Cb"},
		{"a=b", "a%3Db"},
		{"项目", "%E9%A1%B9%E7%9B%AE"},
		{"a\x00b", "a%00b"},
		{"%41", "%2541"},
	} {
		if got := schemas.SanitizePathValue(c.in); got != c.want {
			t.Errorf("SanitizePathValue(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	long := strings.Repeat("x", 500)
	if got := schemas.SanitizePathValue(long); len(got) > 128 || got == schemas.SanitizePathValue(long+"y") {
		t.Errorf("SanitizePathValue(500 x) = %q (%d bytes), want at most 128 bytes and distinct from a longer value", got, len(got))
	}
}

// FuzzSanitizePathValue checks that no value escapes its folder or hides.
func FuzzSanitizePathValue(f *testing.F) {
	for _, s := range []string{"", ".", "..", "../x", "a/b", "项目 🚀", strings.Repeat("长", 100), "\x00", "C:\\x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got := schemas.SanitizePathValue(v)
		if got == "" || got == "." || got == ".." || strings.HasPrefix(got, ".") ||
			strings.ContainsAny(got, `/\`+"\x00") || len(got) > 128 || !utf8.ValidString(got) {
			t.Fatalf("SanitizePathValue(%q) = %q, not one safe path element", v, got)
		}
		if !filepath.IsLocal(got) || filepath.Base(got) != got {
			t.Fatalf("SanitizePathValue(%q) = %q, not local", v, got)
		}
	})
}

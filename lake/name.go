package lake

import (
	"fmt"
	"io/fs"
	"strings"
	"unicode"
)

// CheckName returns nil for a valid object name, else an error wrapping
// ErrBadName. A valid name is a clean, relative, slash-separated path
// (fs.ValidPath: no empty, "." or ".." element, no leading or trailing
// slash), in UTF-8 without control characters (S3 keys are UTF-8; a NUL
// ends a file name), none of whose elements begins with '.': such names are reserved
// for the drivers' hidden objects, so a published object can never be
// mistaken for a remnant, on any driver.
func CheckName(name string) error {
	if name == "." || !fs.ValidPath(name) {
		return fmt.Errorf("%w: %q", ErrBadName, name)
	}
	if strings.ContainsFunc(name, unicode.IsControl) {
		return fmt.Errorf("%w: %q: a control character", ErrBadName, name)
	}
	for elem := range strings.SplitSeq(name, "/") {
		if strings.HasPrefix(elem, ".") {
			return fmt.Errorf("%w: %q: an element begins with '.'", ErrBadName, name)
		}
	}
	return nil
}

// CheckPrefix returns nil for a valid List or Sweep prefix, else an error
// wrapping ErrBadName. A prefix is "" (everything) or the start of a valid
// name, such as "conversations/" or "conversations/provider=yun".
func CheckPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if err := CheckName(strings.TrimSuffix(prefix, "/")); err != nil {
		return fmt.Errorf("prefix: %w", err)
	}
	return nil
}

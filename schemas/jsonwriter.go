package schemas

import (
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// jsonWriter appends JSON to b the way encoding/json does without HTML
// escaping, for AppendEvent. Keys are written as given: they are Go
// constants that need no escaping. The first error stays in err.
type jsonWriter struct {
	b     []byte
	comma bool // a member or element precedes: the next one needs a comma
	err   error
}

func (w *jsonWriter) open() {
	w.b = append(w.b, '{')
	w.comma = false
}

func (w *jsonWriter) close() {
	w.b = append(w.b, '}')
	w.comma = true
}

func (w *jsonWriter) key(k string) {
	if w.comma {
		w.b = append(w.b, ',')
	}
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
	w.comma = true
}

func (w *jsonWriter) str(k, v string) {
	w.key(k)
	w.b = appendString(w.b, v)
}

func (w *jsonWriter) optStr(k string, v *string) {
	if v != nil {
		w.str(k, *v)
	}
}

func (w *jsonWriter) int(k string, v int64) {
	w.key(k)
	w.b = strconv.AppendInt(w.b, v, 10)
}

func (w *jsonWriter) optInt64(k string, v *int64) {
	if v != nil {
		w.int(k, *v)
	}
}

func (w *jsonWriter) optInt32(k string, v *int32) {
	if v != nil {
		w.int(k, int64(*v))
	}
}

func (w *jsonWriter) bool(k string, v bool) {
	w.key(k)
	w.b = strconv.AppendBool(w.b, v)
}

// time writes t as time.Time's MarshalJSON does: RFC 3339 with
// nanoseconds, an error for a year outside 0 to 9999.
func (w *jsonWriter) time(k string, t *time.Time) {
	w.key(k)
	w.b = append(w.b, '"')
	b, err := t.AppendText(w.b)
	if err != nil && w.err == nil {
		w.err = err
	}
	w.b = append(b, '"')
}

func (w *jsonWriter) optTime(k string, t *time.Time) {
	if t != nil {
		w.time(k, t)
	}
}

// raw writes v, a JSON value, verbatim.
func (w *jsonWriter) raw(k string, v []byte) {
	w.key(k)
	w.b = append(w.b, v...)
}

// stringMap writes m with its keys sorted, as encoding/json does; nil is
// null.
func (w *jsonWriter) stringMap(m map[string]string) {
	if m == nil {
		w.b = append(w.b, "null"...)
		return
	}
	var buf [16]string
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	w.b = append(w.b, '{')
	for i, k := range keys {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.b = appendString(w.b, k)
		w.b = append(w.b, ':')
		w.b = appendString(w.b, m[k])
	}
	w.b = append(w.b, '}')
}

// ints writes s as an array; nil is null.
func (w *jsonWriter) ints(s []int64) {
	if s == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = append(w.b, '[')
	for i, v := range s {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.b = strconv.AppendInt(w.b, v, 10)
	}
	w.b = append(w.b, ']')
}

const hexDigits = "0123456789abcdef"

// appendString appends s quoted as encoding/json does without HTML
// escaping: ", \ and control characters escaped (\b, \f, \n, \r, \t by
// name), invalid UTF-8 as \ufffd, U+2028 and U+2029 as \u2028 and \u2029.
// One pass: ASCII bytewise, for the ASCII escapes only, the rest rune by
// rune; runs that need nothing are copied at once.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < ' ' || c == '"' || c == '\\' {
				b = appendEscape(append(b, s[start:i]...), c)
				start = i + 1
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendEscape appends the escape of c: ", \ or a control character.
func appendEscape(b []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(b, '\\', c)
	case '\b':
		return append(b, '\\', 'b')
	case '\f':
		return append(b, '\\', 'f')
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	}
	return append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
}

package simulator

import (
	"bytes"
	"encoding/json"
	"io/fs"
)

// FixtureItems returns the hand-written items of a simulator's wire
// fixture: one item per file matching testdata/fixture/*.json in fsys, in
// file order, each the file's bytes without its final newline. Simulators
// serve them for UserFixture exactly as they are.
func FixtureItems(fsys fs.FS) []json.RawMessage {
	names, _ := fs.Glob(fsys, "testdata/fixture/*.json") // a fixed, valid pattern
	out := make([]json.RawMessage, 0, len(names))
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			panic("simulator: read fixture: " + err.Error()) // embedded, listed by Glob
		}
		out = append(out, bytes.TrimSuffix(b, []byte("\n")))
	}
	return out
}

package runs

import (
	"testing"

	"github.com/chatlake/chatlake/schemas"
)

// A job's events are committed once the exporter of its own part has
// committed past them, whatever the other parts have committed.
func TestCommittedAsksTheJobsPart(t *testing.T) {
	const n = 3
	keys := map[int]string{}
	for i := 0; len(keys) < n; i++ {
		k := schemas.JobKey(schemas.Job{Provider: "volcengine", App: "a", JobID: string(rune('a' + i))})
		keys[schemas.PartOf(k, n)] = k
	}
	c := Commits{lastSeq: []uint64{10, 20, 30}}
	for p, k := range keys {
		at := c.lastSeq[p]
		if !c.Committed(k, at) {
			t.Errorf("part %d: seq %d not committed, the part committed %d", p, at, at)
		}
		if c.Committed(k, at+1) {
			t.Errorf("part %d: seq %d committed, the part committed only %d", p, at+1, at)
		}
	}
	if !(Commits{}).Committed(keys[0], 0) || (Commits{}).Committed(keys[0], 1) {
		t.Error("nothing committed: only sequence 0 is")
	}
}

package exporter

import (
	"testing"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/chatlake/chatlake/schemas"
)

// TestStraysAreWhatNoPartFilters: a subject of the conversations stream is
// a stray exactly when it matches none of the parts' consumer filters, as
// nats-server matches them, so the sweep takes no part's event and leaves
// no event to no one.
func TestStraysAreWhatNoPartFilters(t *testing.T) {
	base := schemas.ConversationSubject(schemas.ProviderVolcengine, "123456")
	subjects := []string{
		base, base + ".0", base + ".1", base + ".2", base + ".3", base + ".9", base + ".10",
		base + ".01", base + ".00", base + ".-0", base + ".+1", base + ".x", base + ".0.x", base + ".1.2.3",
		schemas.SubjectConversationsPrefix + "volcengine", schemas.SubjectConversationsPrefix + "a.b.2",
		schemas.SubjectConversationsPrefix + "yunxin.k1.1",
	}
	for _, n := range []int{2, 3} {
		for _, s := range subjects {
			taken := false
			for p := range n {
				taken = taken || server.SubjectMatchesFilter(s, schemas.PartFilter(p, n))
			}
			if cause := strayCause(s, n); (cause == nil) != taken {
				t.Errorf("n=%d: strayCause(%q) = %v, but a part's filter matches it: %v", n, s, cause, taken)
			}
		}
	}
	for _, s := range subjects {
		if cause := strayCause(s, 1); cause != nil {
			t.Errorf("n=1: strayCause(%q) = %v, want nil: the one consumer takes every subject", s, cause)
		}
	}
}

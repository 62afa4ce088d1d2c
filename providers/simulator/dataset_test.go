package simulator_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/chatlake/chatlake/providers/simulator"
)

func TestDatasetDeterministicAndHard(t *testing.T) {
	d := simulator.Dataset{Seed: 42}
	for user, want := range simulator.SizedUsers {
		if got := d.Count(user); got != want {
			t.Errorf("Count(%q) = %d, want %d", user, got, want)
		}
	}
	a, b := d.Conversations(simulator.UserMany), d.Conversations(simulator.UserMany)
	var big, revoked, dissolved, long int
	ids := map[int64]bool{}
	for i := range a {
		if a[i].ID != b[i].ID || a[i].Name != b[i].Name {
			t.Fatalf("conversation %d differs between two calls", i)
		}
		if ids[a[i].ID] {
			t.Errorf("conversation %d: duplicate ID %d", i, a[i].ID)
		}
		ids[a[i].ID] = true
		if a[i].ID > 1<<53 {
			big++
		}
		if a[i].Revoked {
			revoked++
		}
		if a[i].Dissolved {
			dissolved++
		}
		if len(a[i].Name) > 4096 {
			long++
		}
		if !a[i].Modified.After(a[i].Created) {
			t.Errorf("conversation %d: modified %v not after created %v", i, a[i].Modified, a[i].Created)
		}
	}
	if big == 0 || revoked == 0 || dissolved == 0 || long == 0 {
		t.Errorf("hard values missing: big=%d revoked=%d dissolved=%d long=%d", big, revoked, dissolved, long)
	}
}

func TestQPSCapCountsViolations(t *testing.T) {
	q := simulator.NewQPSCap(3, nil)
	admitted := 0
	for range 5 {
		if q.Admit("acct") {
			admitted++
		}
	}
	if admitted != 3 || q.Violations() != 2 {
		t.Errorf("admitted %d, violations %d; want 3, 2", admitted, q.Violations())
	}
	if !q.Admit("other") {
		t.Error("Admit(other) = false; keys must not share a window")
	}
}

func TestInjectorQueueBeforeRates(t *testing.T) {
	in := simulator.NewInjector(simulator.Rates{}, 1)
	in.Inject(simulator.FaultThrottle, 2)
	for i, want := range []simulator.Fault{simulator.FaultThrottle, simulator.FaultThrottle, simulator.FaultNone} {
		if got := in.Next(); got != want {
			t.Errorf("Next() #%d = %v, want %v", i, got, want)
		}
	}
	if got := in.Injected()[simulator.FaultThrottle]; got != 2 {
		t.Errorf("Injected()[throttle] = %d, want 2", got)
	}
}

// TestShortNames: the realistic variant has no name over 100 bytes, the
// same conversations otherwise, and still its non-ASCII names.
func TestShortNames(t *testing.T) {
	hard := simulator.Dataset{Seed: 42}.Conversations(simulator.UserMany)
	short := simulator.Dataset{Seed: 42, ShortNames: true}.Conversations(simulator.UserMany)
	changed, cjk := 0, 0
	for i := range short {
		if n := len(short[i].Name); n > 100 {
			t.Errorf("conversation %d: name of %d bytes", i, n)
		}
		if short[i].Name != hard[i].Name {
			changed++
		}
		if strings.HasPrefix(short[i].Name, "长") || short[i].Name == "项目讨论组" {
			cjk++
		}
		short[i].Name, hard[i].Name = "", ""
		if !reflect.DeepEqual(short[i], hard[i]) {
			t.Errorf("conversation %d differs beyond its name", i)
		}
	}
	if changed == 0 || cjk == 0 {
		t.Errorf("%d names changed, %d Chinese names: want some of each", changed, cjk)
	}
}

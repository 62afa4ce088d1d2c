package quota

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestShare(t *testing.T) {
	for _, tc := range []struct{ qps, n int }{{100, 1}, {100, 3}, {100, 7}, {2, 3}, {0, 2}, {99, 100}} {
		sum := 0
		for rank := range tc.n {
			s := Share(tc.qps, rank, tc.n)
			if s < tc.qps/tc.n || s > tc.qps/tc.n+1 {
				t.Errorf("Share(%d, %d, %d) = %d, want %d or one more", tc.qps, rank, tc.n, s, tc.qps/tc.n)
			}
			sum += s
		}
		if sum != tc.qps {
			t.Errorf("shares of %d among %d add up to %d", tc.qps, tc.n, sum)
		}
	}
	for _, tc := range []struct{ qps, rank, n int }{{100, 0, 0}, {100, -1, 2}, {100, 2, 2}, {-5, 0, 1}} {
		if got := Share(tc.qps, tc.rank, tc.n); got != 0 {
			t.Errorf("Share(%d, %d, %d) = %d, want 0", tc.qps, tc.rank, tc.n, got)
		}
	}
}

const period = time.Second

// TestPlanJoinAndLeave walks one member through a join and a leave of a
// second member.
func TestPlanJoinAndLeave(t *testing.T) {
	var p plan
	t0 := time.Unix(0, 0)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	steps := []struct {
		at               time.Duration
		v                view
		enforce, publish int
	}{
		{0, view{qps: 100, n: 1, leased: true}, 0, 100}, // a raise is published first
		{500 * time.Millisecond, view{qps: 100, n: 1, leased: true}, 0, 100},
		{period, view{qps: 100, n: 1, leased: true}, 100, 100},            // and taken a period later
		{2 * period, view{qps: 100, rank: 1, n: 2, leased: true}, 50, 50}, // a member joins: lower at once
		{3 * period, view{qps: 100, rank: 1, n: 2, others: 50, leased: true}, 50, 50},
		{4 * period, view{qps: 100, n: 1, leased: true}, 50, 100}, // it leaves: raise published
		{5 * period, view{qps: 100, n: 1, leased: true}, 100, 100},
		{6 * period, view{qps: 100, n: 1}, 0, 0}, // own lease in doubt: stop
		{7 * period, view{qps: 100, n: 1, leased: true}, 0, 100},
	}
	published := 0
	for _, s := range steps {
		s.v.published = published
		e, pub := p.step(at(s.at), period, s.v)
		published = pub
		if e != s.enforce || pub != s.publish {
			t.Errorf("step(%v, %+v) = %d, %d, want %d, %d", s.at, s.v, e, pub, s.enforce, s.publish)
		}
	}
}

// TestPlanWaitsForRoom: a raise waits while the others' published shares
// leave no room, however the targets say.
func TestPlanWaitsForRoom(t *testing.T) {
	var p plan
	now := time.Unix(0, 0)
	for range 5 {
		if e, pub := p.step(now, period, view{qps: 100, rank: 0, n: 2, others: 100, leased: true}); e != 0 || pub != 0 {
			t.Fatalf("step with no room = %d, %d, want 0, 0", e, pub)
		}
		now = now.Add(period)
	}
	v := view{qps: 100, rank: 0, n: 2, others: 70, leased: true}
	_, v.published = p.step(now, period, v)
	now = now.Add(period)
	if e, _ := p.step(now, period, v); e != 30 {
		t.Errorf("step with room 30 = %d, want 30", e)
	}
	var q plan
	v.published = 0
	q.step(now, period, v)
	if e, _ := q.step(now.Add(period), period, v); e != 0 {
		t.Errorf("step with an unpublished raise = %d, want 0", e)
	}
}

// TestPlansNeverExceedTheQuota runs members through random joins, leaves
// and crashes, each seeing the others' leases a tick late, and checks that
// what they may send within any period never adds up to more than the
// quota.
func TestPlansNeverExceedTheQuota(t *testing.T) {
	const qps, tick, ttl = 100, 100 * time.Millisecond, 4 * period
	type member struct {
		id      int
		p       plan
		pub     int   // as the others see it, a tick late
		sent    []int // enforced over the last period, by tick
		gone    bool  // left or crashed: sends nothing
		expires int   // tick at which a crashed member's lease goes; 0: alive or deleted
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var members []*member
	next, now := 0, time.Unix(0, 0)
	window := int(period / tick)
	achieved, ticks := 0, 0
	for i := range 3000 {
		switch r := rng.IntN(100); {
		case r < 2 && len(members) < 6:
			members = append(members, &member{id: next})
			next++
		case r < 4 && len(members) > 0:
			m := members[rng.IntN(len(members))]
			if !m.gone {
				m.gone = true
				if rng.IntN(2) == 0 {
					m.expires = i + int(ttl/tick)
				}
			}
		}
		var leases []*member // what the members see: live leases
		for _, m := range members {
			if !m.gone || m.expires > i {
				leases = append(leases, m)
			}
		}
		slices.SortFunc(leases, func(a, b *member) int { return a.id - b.id })
		pubs := map[int]int{}
		for _, m := range leases {
			pubs[m.id] = m.pub
		}
		sends := map[int]int{}
		for rank, m := range leases {
			if !m.gone {
				others := 0
				for id, s := range pubs {
					if id != m.id {
						others += s
					}
				}
				sends[m.id], m.pub = m.p.step(now, period, view{qps: qps, rank: rank, n: len(leases), others: others, leased: true, published: m.pub})
			}
		}
		load := 0
		for _, m := range members {
			m.sent = append(m.sent, sends[m.id])
			if len(m.sent) > window {
				m.sent = m.sent[len(m.sent)-window:]
			}
			load += slices.Max(m.sent)
		}
		if load > qps {
			t.Fatalf("tick %d: members may send %d within a period, quota %d", i, load, qps)
		}
		if len(members) > 0 {
			ticks++
			achieved += load
		}
		members = slices.DeleteFunc(members, func(m *member) bool {
			return m.gone && m.expires <= i && slices.Max(m.sent) == 0
		})
		now = now.Add(tick)
	}
	t.Logf("mean load %.1f of %d", float64(achieved)/float64(ticks), qps)
}

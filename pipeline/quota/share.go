package quota

import "time"

// Share returns the share of qps that falls to the member at rank (0 for
// the first) among n live members sorted by ID: qps/n, one more for the
// first qps%n of them, so that the shares add up to qps exactly. It is 0
// for a rank outside [0, n).
func Share(qps, rank, n int) int {
	if n <= 0 || rank < 0 || rank >= n || qps <= 0 {
		return 0
	}
	s := qps / n
	if rank < qps%n {
		s++
	}
	return s
}

// plan is one member's decisions for one account: the share it enforces
// and the one it publishes. It is pure: the caller passes the time, the
// live membership and the others' published shares, and applies what
// comes back. Its zero value enforces and publishes 0.
//
// Safety rests on one rule: a member never enforces more than the quota
// minus what the others publish, and what a member publishes is never
// less than what it may be sending. It lowers at once; it publishes a
// raise first and takes it a period later, if the others' shares, their
// raises included, still leave room. That period also lets the last
// second pass of whoever lowered or left to make the room: their requests
// of that second still count at the provider.
//
// The members' targets (Share) add up to the quota, so two raising at once
// fit; while views of the membership differ, the room left by the others'
// published shares keeps the sum within the quota. Both assume a lease
// reaches every member within a period.
type plan struct {
	enforced int       // the share in force
	raise    int       // a published raise, taken at raiseAt
	raiseAt  time.Time //
}

// view is what a member knows at one moment.
type view struct {
	qps    int  // the account's quota
	rank   int  // the member's place among the live members sorted by ID
	n      int  // live members, the member included
	others int  // sum of the other live members' published shares
	leased bool // the member's own lease is surely alive
	// published is the share the member's lease last said, as stored:
	// a raise is not taken before the others could see it.
	published int
}

// step decides at now from v. It returns the share to enforce and the one
// to publish.
func (p *plan) step(now time.Time, period time.Duration, v view) (enforce, publish int) {
	want := min(Share(v.qps, v.rank, v.n), max(v.qps-v.others, 0))
	if !v.leased {
		// The others may count this member gone and take its share.
		want = 0
	}
	switch {
	case want < p.enforced:
		p.enforced, p.raise = want, 0
	case want > p.enforced && want > p.raise:
		p.raise, p.raiseAt = want, now.Add(period)
	case want > p.enforced && (now.Before(p.raiseAt) || v.published < want):
		p.raise = want // no more than published, at the same time
	case want > p.enforced:
		p.enforced, p.raise = want, 0
	default:
		p.raise = 0
	}
	return p.enforced, max(p.enforced, p.raise)
}

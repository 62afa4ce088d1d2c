package quota

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/schemas"
)

// Quotas is this producer's membership in the shared quotas of its
// accounts. Make it with New, run it with Run. Its methods are not for
// concurrent use: Run owns it.
type Quotas struct {
	kv       jetstream.KeyValue
	cfg      Config
	log      *slog.Logger
	accounts map[string]*account // by account token
}

// peer is another producer's live lease on an account.
type peer struct {
	lease schemas.QuotaLease
	seen  time.Time // when its last renewal arrived
}

// account is the sharing of one account's quota.
type account struct {
	Account
	key       string // this member's lease key
	plan      plan
	peers     map[string]peer // by member ID
	enforced  int             // as last set on the Limiter
	publish   int             // what the lease should say
	published int             // what the stored lease says
	lastPut   time.Time       // when the last successful renewal started
	failing   bool            // renewals are failing; logged once
}

// New returns the membership of this producer in the accounts' quotas,
// in the bucket kv (see EnsureBucket). It sets every Limiter to 0 at once:
// a producer sends nothing before it has its share. A nil log discards.
func New(kv jetstream.KeyValue, accounts []Account, cfg Config, log *slog.Logger) (*Quotas, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	q := &Quotas{kv: kv, cfg: cfg, log: log.With("member", cfg.Member), accounts: map[string]*account{}}
	for _, a := range accounts {
		tok := accountToken(a.Name)
		switch {
		case a.Limiter == nil:
			return nil, fmt.Errorf("quota: account %s has no limiter", a.Name)
		case a.QPS < 0:
			return nil, fmt.Errorf("quota: account %s: negative qps %d", a.Name, a.QPS)
		case q.accounts[tok] != nil:
			return nil, fmt.Errorf("quota: account %s listed twice", a.Name)
		}
		a.Limiter.SetQPS(0)
		q.accounts[tok] = &account{Account: a, key: tok + "." + cfg.Member, peers: map[string]peer{}}
	}
	return q, nil
}

// Member returns this producer's member ID.
func (q *Quotas) Member() string { return q.cfg.Member }

// Run takes part in the sharing until ctx is done: it watches the leases,
// renews this producer's every period and sets the shares on the
// Limiters. When ctx is done it sets them to 0 and deletes its leases, so
// that the others take the shares back within about a period. It returns
// nil then, or an error if it cannot watch the bucket.
func (q *Quotas) Run(ctx context.Context) error {
	defer q.leave(ctx)
	if len(q.accounts) == 0 {
		<-ctx.Done()
		return nil
	}
	w, err := q.kv.WatchAll(ctx)
	if err != nil {
		return fmt.Errorf("quota: watch leases: %w", err)
	}
	defer w.Stop()
	tick := time.NewTicker(q.cfg.Period)
	defer tick.Stop()
	ready := false
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-w.Updates():
			switch {
			case !ok && ctx.Err() != nil:
				return nil
			case !ok:
				return errors.New("quota: lease watcher stopped")
			case e == nil: // the leases stored before the watch are in
				ready = true
				q.renewAll(ctx)
			default:
				if a := q.apply(e); a != nil && ready {
					q.evaluate(ctx, a, time.Now())
				}
			}
		case <-tick.C:
			if ready {
				q.renewAll(ctx)
			}
		}
	}
}

// renewAll renews every lease and re-decides every share.
func (q *Quotas) renewAll(ctx context.Context) {
	for _, a := range q.accounts {
		q.renew(ctx, a)
		q.evaluate(ctx, a, time.Now())
	}
}

// apply records a change of a lease and returns its account, or nil for
// this member's own leases and keys it does not know.
func (q *Quotas) apply(e jetstream.KeyValueEntry) *account {
	tok, member, ok := parseKey(e.Key())
	a := q.accounts[tok]
	if !ok || a == nil || member == q.cfg.Member {
		return nil
	}
	if e.Operation() != jetstream.KeyValuePut {
		delete(a.peers, member)
		return a
	}
	l, err := decodeLease(e.Value())
	if err != nil {
		q.log.Warn("quota lease ignored", accountAttr(a.Name), "peer", member, "err", err)
		return nil
	}
	if old, ok := a.peers[member]; ok && l.Cuts > old.lease.Cuts {
		// The peer slowed down for throttled answers: so does this one.
		a.Limiter.Slow(l.CutShare)
	}
	a.peers[member] = peer{lease: l, seen: time.Now()}
	return a
}

// evaluate re-decides a's share at now and, if it published a raise,
// renews the lease at once so that the others see it a period before it
// is taken.
func (q *Quotas) evaluate(ctx context.Context, a *account, now time.Time) {
	for id, p := range a.peers {
		if now.Sub(p.seen) >= q.cfg.TTL { // its expiry marker may come late
			delete(a.peers, id)
		}
	}
	ids := sortedMembers(q.cfg.Member, a.peers)
	v := view{
		qps: a.QPS, rank: slices.Index(ids, q.cfg.Member), n: len(ids), published: a.published,
		leased: !a.lastPut.IsZero() && now.Sub(a.lastPut) < q.cfg.TTL-q.cfg.Period,
	}
	for _, p := range a.peers {
		v.others += p.lease.Share
	}
	enforce, publish := a.plan.step(now, q.cfg.Period, v)
	if enforce != a.enforced {
		a.Limiter.SetQPS(float64(enforce))
		q.log.Info("provider quota share", accountAttr(a.Name), "share", enforce, "qps", a.QPS, "members", len(ids))
		a.enforced = enforce
	}
	a.publish = publish
	if publish > a.published {
		q.renew(ctx, a)
	}
}

// renew writes a's lease as it should read now.
func (q *Quotas) renew(ctx context.Context, a *account) {
	cuts, share := a.Limiter.Throttled()
	l := schemas.QuotaLease{Share: a.publish, Cuts: cuts, CutShare: share}
	start := time.Now()
	pctx, cancel := context.WithTimeout(ctx, q.cfg.Period)
	defer cancel()
	if _, err := q.kv.Put(pctx, a.key, encodeLease(l)); err != nil {
		if !a.failing && ctx.Err() == nil {
			q.log.Warn("quota lease renewal failed", accountAttr(a.Name), "err", err)
		}
		a.failing = true
		return
	}
	if a.failing {
		q.log.Info("quota lease renewed again", accountAttr(a.Name))
	}
	a.failing, a.lastPut, a.published = false, start, l.Share
}

// leave stops this producer's requests and deletes its leases.
func (q *Quotas) leave(ctx context.Context) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	for _, a := range q.accounts {
		a.Limiter.SetQPS(0)
		if a.lastPut.IsZero() {
			continue
		}
		if err := q.kv.Delete(dctx, a.key); err != nil {
			q.log.Warn("quota lease not deleted: it expires", accountAttr(a.Name), "err", err)
		}
	}
}

package exporter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/chatlake/chatlake/schemas"
)

// leaseOf is how long a standby must see rec unchanged before taking it
// over: the longer of its own lease and the one its owner renews, so two
// exporters configured differently never overlap.
func (s *commitStore) leaseOf(rec schemas.ExportCommit) time.Duration {
	return max(s.lease, time.Duration(rec.LeaseMillis)*time.Millisecond)
}

// standbyPoll bounds how long a standby takes to notice a released lease.
const standbyPoll = time.Second

// acquire makes this exporter the owner of the commit record and returns
// the record. While another owner holds the lease it waits as a standby,
// reading the record a few times per lease and touching nothing else; it
// claims the record when it is absent, released, or has kept one revision
// for a whole lease (the owner stopped renewing). The claim is a
// compare-and-set, so of several standbys one wins and the others wait
// again.
func (s *commitStore) acquire(ctx context.Context, owner string, log *slog.Logger) (schemas.ExportCommit, error) {
	var w watch
	for {
		rec, claimed, pause, err := s.probe(ctx, owner, log, &w)
		if claimed || err != nil {
			return rec, err
		}
		select {
		case <-ctx.Done():
			return rec, ctx.Err()
		case <-time.After(pause):
		}
	}
}

// watch is what a standby remembers of a commit record between reads: the
// revision it last saw, and since when.
type watch struct {
	rev     uint64
	at      time.Time
	waiting bool // the wait has been logged
}

// probe is one look of a standby at the record: it claims the record if
// it is free or its lease ran out since w last saw it change, and
// otherwise says how long to wait before the next look. The error is only
// ever that of ctx ending.
func (s *commitStore) probe(ctx context.Context, owner string, log *slog.Logger, w *watch) (rec schemas.ExportCommit, claimed bool, pause time.Duration, err error) {
	rec, rev, err := s.recs.get(ctx)
	pause = min(s.leaseOf(rec)/4, standbyPoll)
	switch {
	case err != nil && ctx.Err() == nil:
		// A standby outlives NATS trouble: it owns nothing to lose.
		log.Warn("exporter standby: read commit record", "part", s.part, "err", err)
		return rec, false, pause, nil
	case err != nil:
		return rec, false, 0, err
	case rev != w.rev:
		w.rev, w.at = rev, time.Now()
	}
	left := s.leaseOf(rec) - time.Since(w.at)
	// A record naming this exporter is its own claim whose answer was
	// lost.
	if rev == 0 || rec.Owner == "" || rec.Owner == owner || left <= 0 {
		got, err := s.claim(ctx, owner, rec, rev)
		switch {
		case err == nil:
			return got, true, 0, nil
		case ctx.Err() != nil:
			return got, false, 0, err
		case errors.Is(err, ErrFenced):
			return rec, false, 0, nil // another exporter wrote first: look again
		}
		log.Warn("exporter standby: claim commit record", "part", s.part, "err", err) // it may have landed: look again
		return rec, false, pause, nil
	}
	if !w.waiting {
		w.waiting = true
		log.Info("exporter standby: commit record held by another exporter", "part", s.part, "owner", rec.Owner, "lease", s.leaseOf(rec))
	}
	return rec, false, min(pause, left), nil
}

// claim writes rec at rev with this exporter as owner; the new revision
// fences the previous owner's next commit.
func (s *commitStore) claim(ctx context.Context, owner string, rec schemas.ExportCommit, rev uint64) (schemas.ExportCommit, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec.Owner = owner
	s.rev = rev
	if err := s.write(ctx, rec); err != nil {
		return rec, fmt.Errorf("claim commit record: %w", err)
	}
	return s.last, nil
}

// keep renews the lease every third of it until ctx ends. It returns an
// error wrapping ErrFenced when the record was taken over or the lease
// lapsed because renewals failed; other failures are logged and retried.
func (s *commitStore) keep(ctx context.Context, log *slog.Logger) error {
	tick := time.NewTicker(s.lease / 3)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		if err := s.hook(beforeRenew); err != nil {
			return err
		}
		err := s.renew(ctx)
		if errors.Is(err, ErrFenced) {
			return err
		}
		if err != nil {
			log.Warn("exporter lease renewal", "err", err)
		}
	}
}

// renew rewrites the record unchanged but for RenewedAt. The write is not
// cut by ctx: a renewal abandoned in flight could land unseen and fence
// this exporter's next commit.
func (s *commitStore) renew(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.lapsed(); err != nil {
		return err
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.lease-time.Since(s.held))
	defer cancel()
	err := s.write(rctx, s.last)
	if errors.Is(err, ErrFenced) && s.adopt(rctx) {
		return nil
	}
	return err
}

// adopt recognises this exporter's own renewal whose answer was lost: the
// record names this owner and the same commit at a newer revision. The
// lease keeps running from the last write known to have landed.
func (s *commitStore) adopt(ctx context.Context) bool {
	rec, rev, err := s.get(ctx)
	if err != nil || !sameCommit(rec, s.last) {
		return false
	}
	s.rev, s.last = rev, rec
	return true
}

// release gives the lease up at a clean shutdown, so a standby takes over
// at once instead of after the lease. Failing is harmless: the standby
// then waits for the lease to lapse.
func (s *commitStore) release(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.lapsed(); err != nil {
		return err
	}
	rec := s.last
	rec.Owner = ""
	err := s.write(ctx, rec)
	s.held = time.Time{}
	return err
}

// explain turns err, which stopped the owner, into an error wrapping
// ErrFenced if another exporter has taken the record over meanwhile: the
// takeover is the cause (its consumer reset cuts the old owner's fetch),
// and the caller must know it lost the lease.
func (s *commitStore) explain(ctx context.Context, err error) error {
	if errors.Is(err, ErrFenced) || errors.As(err, new(errCrash)) {
		return err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, _, gerr := s.recs.get(ctx)
	if gerr == nil && rec.Owner != s.last.Owner {
		return fmt.Errorf("%w (%s took over): %w", ErrFenced, rec.Owner, err)
	}
	return err
}

package exporter

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatlake/chatlake/schemas"
)

// memRecords is an in-memory commit record with the bucket's
// compare-and-set, so the lease runs on synctest's clock.
type memRecords struct {
	mu   sync.Mutex
	rec  schemas.ExportCommit
	rev  uint64
	puts int   // successful puts
	fail error // while set, every get and put fails with it
	lose int   // the next lose puts land but answer an error
}

func (m *memRecords) get(context.Context) (schemas.ExportCommit, uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return schemas.ExportCommit{}, 0, m.fail
	}
	return m.rec, m.rev, nil
}

func (m *memRecords) put(_ context.Context, rec schemas.ExportCommit, rev uint64) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return 0, m.fail
	}
	if rev != m.rev {
		return 0, ErrFenced
	}
	m.rec, m.rev = rec, m.rev+1
	m.puts++
	if m.lose > 0 {
		m.lose--
		return 0, errors.New("answer lost")
	}
	return m.rev, nil
}

func (m *memRecords) failWith(err error) {
	m.mu.Lock()
	m.fail = err
	m.mu.Unlock()
}

func (m *memRecords) state() (schemas.ExportCommit, int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.rec, m.puts
}

var discard = slog.New(slog.DiscardHandler)

// owned returns a store that owns recs' record as owner.
func owned(t *testing.T, recs records, lease time.Duration, owner string) *commitStore {
	t.Helper()
	s := newCommitStore(recs, part{0, 1}, lease)
	if _, err := s.acquire(t.Context(), owner, discard); err != nil {
		t.Fatalf("acquire(%s) = %v, want nil", owner, err)
	}
	return s
}

// acquiring runs acquire in the background; the channel yields when it
// returned and with what.
func acquiring(ctx context.Context, s *commitStore, owner string) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := s.acquire(ctx, owner, discard)
		done <- err
	}()
	return done
}

const lease = 10 * time.Second

// TestLeaseStandbyWaitsWhileOwnerRenews: a standby never claims a record
// its owner renews; once renewals stop (the owner was killed, no release)
// it claims the record after one lease, not before.
func TestLeaseStandbyWaitsWhileOwnerRenews(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		recs := &memRecords{}
		owner := owned(t, recs, lease, "a")
		octx, kill := context.WithCancel(t.Context())
		kept := make(chan error, 1)
		go func() { kept <- owner.keep(octx, discard) }()

		standby := acquiring(t.Context(), newCommitStore(recs, part{0, 1}, lease), "b")
		time.Sleep(10 * lease)
		synctest.Wait()
		select {
		case err := <-standby:
			t.Fatalf("standby acquire() = %v while the owner renews, want it to wait", err)
		default:
		}
		if _, puts := recs.state(); puts < 25 {
			t.Errorf("owner renewed %d times in 10 leases, want every third of a lease", puts)
		}

		kill()
		if err := <-kept; err != nil {
			t.Fatalf("keep() = %v after cancel, want nil", err)
		}
		owner.mu.Lock()
		lastRenewal := owner.held
		owner.mu.Unlock()
		if err := <-standby; err != nil {
			t.Fatalf("standby acquire() = %v, want nil", err)
		}
		if took := time.Since(lastRenewal); took < lease || took > lease+lease/3 {
			t.Errorf("standby took over %v after the last renewal, want within [%v, %v]", took, lease, lease+lease/3)
		}
		if rec, _ := recs.state(); rec.Owner != "b" {
			t.Errorf("owner after takeover = %q, want b", rec.Owner)
		}
		if err := owner.commit(t.Context(), schemas.ExportCommit{Epoch: 1, Owner: "a"}); !errors.Is(err, ErrFenced) {
			t.Errorf("commit by the old owner = %v, want ErrFenced", err)
		}
	})
}

// TestLeaseCommitRefusedOnceLapsed: a commit (itself a renewal) within the
// lease succeeds; one after the lease could have lapsed is refused without
// touching the record, even though nobody took over.
func TestLeaseCommitRefusedOnceLapsed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		recs := &memRecords{}
		s := owned(t, recs, lease, "a")
		time.Sleep(lease - time.Millisecond)
		if err := s.commit(t.Context(), schemas.ExportCommit{Epoch: 1, LastSeq: 5, Owner: "a"}); err != nil {
			t.Fatalf("commit within the lease = %v, want nil", err)
		}
		time.Sleep(lease - time.Millisecond)
		if err := s.commit(t.Context(), schemas.ExportCommit{Epoch: 2, LastSeq: 9, Owner: "a"}); err != nil {
			t.Fatalf("commit within the lease a commit renewed = %v, want nil", err)
		}
		_, puts := recs.state()
		time.Sleep(lease)
		if err := s.commit(t.Context(), schemas.ExportCommit{Epoch: 3, LastSeq: 12, Owner: "a"}); !errors.Is(err, ErrFenced) {
			t.Fatalf("commit after the lease = %v, want ErrFenced", err)
		}
		if rec, n := recs.state(); n != puts || rec.Epoch != 2 {
			t.Errorf("record after a refused commit: epoch %d after %d puts, want epoch 2 after %d", rec.Epoch, n, puts)
		}
	})
}

// TestLeaseOwnerStopsWhenRenewalsFail: an owner cut off from the record
// keeps trying, and stops with ErrFenced as soon as its lease has lapsed.
func TestLeaseOwnerStopsWhenRenewalsFail(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		recs := &memRecords{}
		s := owned(t, recs, lease, "a")
		start := time.Now()
		recs.failWith(errors.New("nats: timeout"))
		err := s.keep(t.Context(), discard)
		if !errors.Is(err, ErrFenced) {
			t.Fatalf("keep() = %v with failing renewals, want ErrFenced", err)
		}
		if took := time.Since(start); took < lease || took > lease+lease/3 {
			t.Errorf("keep() stopped after %v, want within [%v, %v]", took, lease, lease+lease/3)
		}
	})
}

// TestLeaseLostRenewalAnswer: a renewal that landed but whose answer was
// lost must not fence its own exporter.
func TestLeaseLostRenewalAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		recs := &memRecords{}
		s := owned(t, recs, lease, "a")
		recs.mu.Lock()
		recs.lose = 1
		recs.mu.Unlock()
		ctx, cancel := context.WithTimeout(t.Context(), 3*lease)
		defer cancel()
		if err := s.keep(ctx, discard); err != nil {
			t.Fatalf("keep() = %v after a lost answer, want nil", err)
		}
		if err := s.commit(t.Context(), schemas.ExportCommit{Epoch: 1, Owner: "a"}); err != nil {
			t.Errorf("commit after a lost renewal answer = %v, want nil", err)
		}
	})
}

// TestLeaseReleaseFreesAtOnce: after a clean shutdown's release a standby
// claims the record without waiting for the lease.
func TestLeaseReleaseFreesAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		recs := &memRecords{}
		s := owned(t, recs, lease, "a")
		if err := s.commit(t.Context(), schemas.ExportCommit{Epoch: 4, LastSeq: 40, Owner: "a"}); err != nil {
			t.Fatal(err)
		}
		if err := s.release(t.Context()); err != nil {
			t.Fatalf("release() = %v, want nil", err)
		}
		start := time.Now()
		b := newCommitStore(recs, part{0, 1}, lease)
		rec, err := b.acquire(t.Context(), "b", discard)
		if err != nil || rec.Owner != "b" || rec.LastSeq != 40 {
			t.Fatalf("acquire() = %+v, %v; want b owning the commit at stream_seq 40", rec, err)
		}
		if took := time.Since(start); took != 0 {
			t.Errorf("acquire() of a released record took %v, want no wait", took)
		}
		if err := s.commit(t.Context(), schemas.ExportCommit{Epoch: 5, Owner: "a"}); !errors.Is(err, ErrFenced) {
			t.Errorf("commit after release = %v, want ErrFenced", err)
		}
	})
}

// TestLeaseStandbyHonoursOwnersLease: a standby configured with a shorter
// lease than the owner's waits for the owner's.
func TestLeaseStandbyHonoursOwnersLease(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		recs := &memRecords{}
		owned(t, recs, 3*lease, "a") // then dies without renewing
		start := time.Now()
		if _, err := newCommitStore(recs, part{0, 1}, lease).acquire(t.Context(), "b", discard); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took < 3*lease {
			t.Errorf("standby with a %v lease took over after %v, want the owner's %v", lease, took, 3*lease)
		}
	})
}

// TestLeaseStandbyOutlivesReadErrors: a standby that cannot read the
// record keeps waiting instead of failing, and takes over once it can.
func TestLeaseStandbyOutlivesReadErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		recs := &memRecords{}
		owned(t, recs, lease, "a")
		recs.failWith(errors.New("nats: no responders"))
		standby := acquiring(t.Context(), newCommitStore(recs, part{0, 1}, lease), "b")
		time.Sleep(5 * lease)
		synctest.Wait()
		select {
		case err := <-standby:
			t.Fatalf("acquire() = %v while the record is unreadable, want it to wait", err)
		default:
		}
		recs.failWith(nil)
		if err := <-standby; err != nil {
			t.Fatalf("acquire() = %v, want nil", err)
		}
	})
}

// TestLeaseStandbyNoticesRelease: a waiting standby takes a released
// record over within standbyPoll, however long the lease.
func TestLeaseStandbyNoticesRelease(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		recs := &memRecords{}
		s := owned(t, recs, time.Hour, "a")
		standby := acquiring(t.Context(), newCommitStore(recs, part{0, 1}, time.Hour), "b")
		time.Sleep(time.Minute)
		if err := s.release(t.Context()); err != nil {
			t.Fatal(err)
		}
		released := time.Now()
		if err := <-standby; err != nil {
			t.Fatalf("acquire() = %v, want nil", err)
		}
		if took := time.Since(released); took > standbyPoll {
			t.Errorf("standby took a released record over after %v, want within %v", took, standbyPoll)
		}
	})
}

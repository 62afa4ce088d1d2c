package exporter

import (
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatlake/chatlake/schemas"
)

// TestCommitLostAnswer: a commit that landed but whose answer was lost (a
// leader died after storing it) is recognised when tried again, not
// written twice and not taken for a takeover.
func TestCommitLostAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		recs := &memRecords{}
		s := owned(t, recs, lease, "a")
		_, before := recs.state()
		recs.mu.Lock()
		recs.lose = 1
		recs.mu.Unlock()
		want := schemas.ExportCommit{Epoch: 1, LastSeq: 10, Owner: "a"}
		if err := s.commit(t.Context(), want); err != nil {
			t.Fatalf("commit() = %v after a lost answer, want nil", err)
		}
		got, puts := recs.state()
		if !sameCommit(got, want) || puts != before+1 {
			t.Errorf("record = epoch %d seq %d after %d puts, want epoch 1 seq 10 after %d", got.Epoch, got.LastSeq, puts, before+1)
		}
		if err := s.commit(t.Context(), schemas.ExportCommit{Epoch: 2, LastSeq: 20, Owner: "a"}); err != nil {
			t.Errorf("next commit() = %v, want nil", err)
		}
	})
}

// TestCommitAfterLostRenewal: a renewal that landed unseen moved the
// record's revision; the next commit writes over it instead of stopping
// as fenced.
func TestCommitAfterLostRenewal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		recs := &memRecords{}
		s := owned(t, recs, lease, "a")
		recs.mu.Lock()
		recs.lose = 1
		recs.mu.Unlock()
		if err := s.renew(t.Context()); err == nil {
			t.Fatal("renew() = nil with its answer lost, want an error")
		}
		want := schemas.ExportCommit{Epoch: 1, LastSeq: 10, Owner: "a"}
		if err := s.commit(t.Context(), want); err != nil {
			t.Fatalf("commit() = %v after a lost renewal answer, want nil", err)
		}
		if got, _ := recs.state(); !sameCommit(got, want) {
			t.Errorf("record = epoch %d seq %d, want epoch 1 seq 10", got.Epoch, got.LastSeq)
		}
	})
}

// TestCommitOutlivesOutage: NATS failing every write for a few seconds (a
// leader election) delays a commit; it does not fail it. An outage longer
// than the lease fences the exporter.
func TestCommitOutlivesOutage(t *testing.T) {
	for _, tc := range []struct {
		outage time.Duration
		fenced bool
	}{{3 * time.Second, false}, {2 * lease, true}} {
		synctest.Test(t, func(t *testing.T) {
			recs := &memRecords{}
			s := owned(t, recs, lease, "a")
			recs.failWith(errors.New("nats: no response from stream"))
			time.AfterFunc(tc.outage, func() { recs.failWith(nil) })
			err := s.commit(t.Context(), schemas.ExportCommit{Epoch: 1, LastSeq: 10, Owner: "a"})
			if fenced := errors.Is(err, ErrFenced); fenced != tc.fenced || !tc.fenced && err != nil {
				t.Errorf("commit() through a %v outage = %v, want fenced %v", tc.outage, err, tc.fenced)
			}
		})
	}
}

// TestCommitStillFencedByTakeover: a write refused because another
// exporter claimed the record stays ErrFenced.
func TestCommitStillFencedByTakeover(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		recs := &memRecords{}
		s := owned(t, recs, lease, "a")
		recs.mu.Lock()
		recs.rec.Owner, recs.rev = "b", recs.rev+1
		recs.mu.Unlock()
		err := s.commit(t.Context(), schemas.ExportCommit{Epoch: 1, LastSeq: 10, Owner: "a"})
		if !errors.Is(err, ErrFenced) {
			t.Errorf("commit() after a takeover = %v, want ErrFenced", err)
		}
	})
}

package exporter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/lake"
	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

// ErrFenced means this exporter no longer owns the commit record: its
// lease lapsed, or another exporter replaced the record since this one last
// wrote it. The exporter stops without publishing anything more; started
// again, it waits as a standby.
var ErrFenced = errors.New("exporter fenced: commit record owned by another exporter")

// records reads and replaces the commit record with compare-and-set: the
// key-value bucket in production, a fake in the lease tests.
type records interface {
	// get returns the record and its revision; revision 0 if there is none.
	get(ctx context.Context) (schemas.ExportCommit, uint64, error)
	// put stores rec if the record's revision is still rev (0: absent) and
	// returns the new revision; otherwise an error wrapping ErrFenced.
	put(ctx context.Context, rec schemas.ExportCommit, rev uint64) (uint64, error)
}

// commitStore is this exporter's hold on the commit record: the revision
// it last read or wrote, and since when its lease runs. Safe for
// concurrent use: commits and renewals take turns.
type commitStore struct {
	recs  records
	part  part // whose record it is
	lease time.Duration
	mu    sync.Mutex
	rev   uint64               // revision last read or written; 0 if none
	last  schemas.ExportCommit // the record at rev
	held  time.Time            // when the last write that kept the lease was sent; zero if not owner
	// hook, when set by a test, is called before each renewal; a non-nil
	// error stops the renewals as a crash would.
	hook func(point crashPoint) error
}

func newCommitStore(recs records, p part, lease time.Duration) *commitStore {
	return &commitStore{recs: recs, part: p, lease: lease, hook: func(crashPoint) error { return nil }}
}

// write stores rec over s.rev. On success the lease runs from the moment
// the write was sent, which is no later than any standby can have seen it.
func (s *commitStore) write(ctx context.Context, rec schemas.ExportCommit) error {
	sent := time.Now()
	rec.LeaseMillis, rec.RenewedAt = s.lease.Milliseconds(), sent.UTC()
	rev, err := s.recs.put(ctx, rec, s.rev)
	if err != nil {
		return fmt.Errorf("store commit record: %w", err)
	}
	s.rev, s.last, s.held = rev, rec, sent
	return nil
}

// lapsed reports an error wrapping ErrFenced once the lease may have
// lapsed: from then on a standby may own the record, so nothing may be
// committed even if the compare-and-set would still succeed.
func (s *commitStore) lapsed() error {
	if s.held.IsZero() {
		return fmt.Errorf("store commit record: not the owner: %w", ErrFenced)
	}
	if since := time.Since(s.held); since >= s.lease {
		return fmt.Errorf("store commit record: lease lapsed %v after its last renewal: %w", since.Round(time.Millisecond), ErrFenced)
	}
	return nil
}

// owns reports an error wrapping ErrFenced once the lease may have lapsed.
func (s *commitStore) owns() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lapsed()
}

// commit stores rec, an epoch's commit, while the lease holds. NATS may
// fail a write for a few seconds (a leader election, a lost node), and a
// write that failed without an answer may still have landed. So a failed
// write is tried again until the lease lapses, and a write refused for a
// stale revision reads the record: it is this commit (the earlier try
// landed), or this exporter's previous record at a newer revision (a
// renewal landed unseen: try again over it), or another exporter's claim
// (fenced).
func (s *commitStore) commit(ctx context.Context, rec schemas.ExportCommit) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for n := 1; ; n++ {
		if err := s.lapsed(); err != nil {
			return err
		}
		err := s.write(ctx, rec)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, ErrFenced):
			cur, rev, gerr := s.get(ctx)
			switch {
			case gerr != nil:
				return err
			case sameCommit(cur, rec):
				s.rev, s.last = rev, cur
				return nil
			case !sameCommit(cur, s.last):
				return err
			}
			s.rev, s.last = rev, cur
		case ctx.Err() != nil:
			return err
		default:
			if !sleepCtx(ctx, pipeline.Backoff(storeRetryInitial, storeRetryMax, n)) {
				return err
			}
		}
	}
}

// committed returns the last record this exporter wrote or adopted: the
// last committed epoch.
func (s *commitStore) committed() schemas.ExportCommit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// Bounds of the delay between tries of a commit record read or write.
const (
	storeRetryInitial = 50 * time.Millisecond
	storeRetryMax     = time.Second
)

// get reads the record, trying again while NATS fails and the lease holds.
func (s *commitStore) get(ctx context.Context) (schemas.ExportCommit, uint64, error) {
	for n := 1; ; n++ {
		rec, rev, err := s.recs.get(ctx)
		if err == nil || s.lapsed() != nil || !sleepCtx(ctx, pipeline.Backoff(storeRetryInitial, storeRetryMax, n)) {
			return rec, rev, err
		}
	}
}

// sameCommit reports whether a and b are the same commit of the same owner,
// whatever their renewal times.
func sameCommit(a, b schemas.ExportCommit) bool {
	return a.Owner == b.Owner && a.Epoch == b.Epoch && a.LastSeq == b.LastSeq
}

// kvRecords is one part's commit record, key in the exporter's key-value
// bucket.
type kvRecords struct {
	kv  jetstream.KeyValue
	key string
}

// openCommitBucket creates or updates the exporter's bucket.
func openCommitBucket(ctx context.Context, js jetstream.JetStream, replicas int) (jetstream.KeyValue, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, pipeline.ExporterBucketConfig(replicas))
	if err != nil {
		return nil, fmt.Errorf("commit bucket: %w", err)
	}
	return kv, nil
}

func (r kvRecords) get(ctx context.Context) (schemas.ExportCommit, uint64, error) {
	return readCommit(ctx, r.kv, r.key)
}

// readCommit reads and checks the commit record at key; revision 0 if
// there is none.
func readCommit(ctx context.Context, kv jetstream.KeyValue, key string) (schemas.ExportCommit, uint64, error) {
	rec, rev, _, err := pipeline.GetJSON[schemas.ExportCommit](ctx, kv, key)
	if err != nil {
		return rec, 0, fmt.Errorf("read commit record: %w", err)
	}
	return rec, rev, checkCommit(rec)
}

// ReadCommit returns the commit record of an unpartitioned lake (one
// part, see ReadParts), what the lake holds; the zero record while no
// exporter has claimed it.
func ReadCommit(ctx context.Context, js jetstream.JetStream) (schemas.ExportCommit, error) {
	kv, err := js.KeyValue(ctx, schemas.BucketExporter)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		return schemas.ExportCommit{}, nil
	}
	if err != nil {
		return schemas.ExportCommit{}, fmt.Errorf("read commit record: %w", err)
	}
	rec, _, err := readCommit(ctx, kv, schemas.KeyExporterCommit)
	return rec, err
}

func (r kvRecords) put(ctx context.Context, rec schemas.ExportCommit, rev uint64) (uint64, error) {
	b, err := json.Marshal(rec)
	if err != nil {
		return 0, fmt.Errorf("encode commit record: %w", err)
	}
	var n uint64
	if rev == 0 {
		n, err = r.kv.Create(ctx, r.key, b)
	} else {
		n, err = r.kv.Update(ctx, r.key, b, rev)
	}
	if isWrongRevision(err) {
		return 0, ErrFenced
	}
	return n, err
}

// checkCommit checks that every file rec names is a part file of the
// table (below conversations/ in a Parquet lake, data/ in an Iceberg
// table), so a corrupt record cannot make recovery publish objects
// elsewhere.
func checkCommit(rec schemas.ExportCommit) error {
	for _, name := range rec.Files {
		inTable := strings.HasPrefix(name, lakeTable+"/") || strings.HasPrefix(name, tableData+"/")
		if lake.CheckName(name) != nil || !inTable ||
			!strings.HasPrefix(path.Base(name), "part-") || !strings.HasSuffix(name, ".parquet") {
			return fmt.Errorf("decode commit record: bad file name %q", name)
		}
	}
	return nil
}

func isWrongRevision(err error) bool {
	var apiErr *jetstream.APIError
	return errors.Is(err, jetstream.ErrKeyExists) ||
		errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence
}

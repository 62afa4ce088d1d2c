package exporter

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/sync/errgroup"

	"github.com/chatlake/chatlake/lake"
	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

// Exporter turns the conversations stream into Parquet files in a lake
// (a lake.Storage: a local folder, object storage), each event in exactly
// one visible file, even across crashes.
//
// # Exactly once
//
// The exporter works in epochs, on one part of the stream (all of it
// unless Config.Partitions splits it; see part). It reads the part in
// order (one durable consumer per part, AckAll) and appends each event to
// the open file of its
// partition; every file of epoch N is named part-<N>-<owner>-<k>.parquet and
// is written as a hidden object (lake.Storage.Create), which no reader of
// the lake sees. An epoch ends
// when a rotation trigger fires (rows, encoded bytes, age, idleness, open
// files, events awaiting ack) or at shutdown. Ending it is, in order:
//
//  1. finish every open file: footer, then lake.Object.Finish stores it
//     durably, still hidden, and returns its lake.Ref;
//  2. commit: replace the commit record (schemas.ExportCommit: epoch N, the
//     stream sequence of its last event, its files' Refs) in the key-value
//     bucket with compare-and-set on the revision last seen. This is the
//     commit point. A failed compare-and-set means another exporter took
//     over: this one stops (ErrFenced) and publishes nothing;
//  3. publish: lake.Storage.Publish makes each file visible, atomically;
//  4. ack the epoch's last message (AckAll acknowledges all before it).
//     Under limits retention each batch is acknowledged as soon as it is
//     written instead, so the server's pending state stays small whatever
//     the epoch's size; the commit record alone says where to resume.
//
// On start, the exporter acquires the commit record (see # Standby),
// rolls the last committed epoch forward (publishes its files again:
// Publish is idempotent), sweeps every other hidden object (epochs never
// committed), and recreates the durable consumer to deliver
// from the record's last sequence + 1. A message redelivered at or below a
// sequence already processed is skipped; a jump in sequence is accepted
// only if the skipped messages are gone from the stream (expired or
// deleted); otherwise (ErrGap) the export resumes from the last commit
// rather than lose them: in a cluster, a consumer whose leader moved can
// deliver past messages it still counts as pending. Shutdown writes only a
// gap-free prefix of what was fetched and commits it.
//
// A NATS fault (pipeline.NATSFault: a leader election, a lost node, a
// consumer gone, a dropped connection) does not stop Run either: a commit
// is tried again while the lease holds, and any other fault resumes the
// export from the last commit, keeping the lease, as a restart would.
//
// So a visible file always belongs to a committed epoch, a committed epoch
// is always published entirely, and the events after the last commit are
// read again into a new epoch: a crash at any instant, kill -9 included,
// loses and doubles nothing. Dead letters published during an epoch that
// is replayed are published again with the same Nats-Msg-Id, which the
// dead-letter stream drops within its duplicate window.
//
// # Standby
//
// The commit record is also a lease. Its owner rewrites it every third of
// Config.Lease (a renewal changes only the record's revision and
// RenewedAt) and gives it up at a clean shutdown. An exporter started while
// another owns the record is a standby: it reads the record a few times per
// lease and touches neither the consumer nor the lake. When the record is
// released, or keeps one revision for a whole lease (the owner was killed,
// hung on NATS, or cut off), the standby claims it with compare-and-set and
// takes over from the last commit, as a restart would. An owner never
// commits once its lease may have lapsed (measured from the moment its last
// successful write was sent, which no standby can have seen earlier), and
// the compare-and-set refuses any commit after a claim anyway; such an
// owner stops with ErrFenced.
//
// # Memory
//
// Memory is bounded by configuration, not by the backlog or the file size:
// at most two batches prefetched, 3 × DecodeWorkers batches between fetch
// and write, and per open file one row group (RowGroupRows, RowGroupBytes)
// plus the file's small footer index; MaxOpenFiles bounds the open files.
//
// Run may be called once; Ready and Active are safe for concurrent use.
type Exporter struct {
	js    jetstream.JetStream
	store lake.Storage
	log   *slog.Logger
	cfg   Config
	met   *metrics
	owner string
	state atomic.Int32 // stateStopped, stateStandby or stateActive
	// crash, when set by a test, is called at every crashPoint; a non-nil
	// error stops Run at once, leaving the lake as a crash would.
	crash func(point crashPoint) error
}

const (
	stateStopped int32 = iota
	stateStandby
	stateActive
)

// New returns an exporter reading through js and writing to store, which
// it does not close. A nil log discards. It fails if cfg does not validate
// or its metrics cannot be registered.
func New(js jetstream.JetStream, store lake.Storage, log *slog.Logger, cfg Config) (*Exporter, error) {
	if store == nil {
		return nil, errors.New("exporter: no lake storage")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	met, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, fmt.Errorf("exporter metrics: %w", err)
	}
	var id [4]byte
	rand.Read(id[:])
	return &Exporter{js: js, store: store, log: log, cfg: cfg.withDefaults(), met: met, owner: hex.EncodeToString(id[:])}, nil
}

// Run waits as a standby until it owns the commit record, then exports
// until ctx is done, finishes and commits the current epoch within
// Config.ShutdownGrace, releases the record and returns nil. It
// returns an error wrapping ErrFenced if it lost the record to another
// exporter, or the first error that stopped it; what it wrote but did not
// commit is discarded by the next owner.
func (e *Exporter) Run(ctx context.Context) error {
	defer e.setState(stateStopped)
	store, rec, err := e.acquire(ctx)
	if err != nil {
		return ignoreIfStopping(ctx, err)
	}
	if err := e.own(ctx, store, rec); err != nil {
		return store.explain(ctx, err)
	}
	e.setState(stateStopped)
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := store.release(rctx); err != nil {
		e.log.Warn("exporter lease release", "err", err)
	}
	return nil
}

// acquire checks that producers and exporters agree on the partition
// count, then stands by until this exporter owns the commit record of one
// of the parts it may own (see parts.go).
func (e *Exporter) acquire(ctx context.Context) (*commitStore, schemas.ExportCommit, error) {
	kv, err := openCommitBucket(ctx, e.js, e.cfg.Replicas)
	if err != nil {
		return nil, schemas.ExportCommit{}, err
	}
	if err := pipeline.AgreePartitions(ctx, e.js, e.cfg.Partitions, e.cfg.Replicas); err != nil {
		return nil, schemas.ExportCommit{}, fmt.Errorf("exporter: %w", err)
	}
	var stores []*commitStore
	for _, p := range e.cfg.candidates() {
		s := newCommitStore(kvRecords{kv: kv, key: p.key()}, p, e.cfg.Lease)
		s.hook = e.hook
		stores = append(stores, s)
	}
	e.setState(stateStandby)
	if len(stores) == 1 {
		rec, err := stores[0].acquire(ctx, e.owner, e.log)
		return stores[0], rec, err
	}
	return acquireAny(ctx, stores, e.owner, e.log)
}

// own exports while renewing the lease. The lease is renewed until the
// export has stopped, its shutdown commit included: a long commit must not
// lose it.
func (e *Exporter) own(ctx context.Context, store *commitStore, rec schemas.ExportCommit) error {
	e.setState(stateActive)
	rctx, stopRenew := context.WithCancel(context.WithoutCancel(ctx))
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return store.keep(rctx, e.log) })
	g.Go(func() error {
		defer stopRenew()
		return e.exportResuming(ctx, gctx, store, rec)
	})
	return g.Wait()
}

// Bounds of the delay before the export resumes after a NATS fault.
const (
	resumeInitial = 100 * time.Millisecond
	resumeMax     = 5 * time.Second
)

// exportResuming runs export, and when NATS fails it (a leader election, a
// lost node, a consumer gone, a dropped connection) or delivers out of
// order (ErrGap), runs it again from the last commit, as a restart would,
// but keeping the lease: the epoch in progress is discarded and read
// again, and nothing is lost or doubled.
func (e *Exporter) exportResuming(ctx, gctx context.Context, store *commitStore, rec schemas.ExportCommit) error {
	for n := 1; ; n++ {
		err := e.export(ctx, gctx, store, rec)
		if !pipeline.IsNATSFault(err) && !errors.Is(err, ErrGap) || gctx.Err() != nil {
			return err
		}
		delay := pipeline.Backoff(resumeInitial, resumeMax, n)
		e.log.Warn("exporter resumes from the last commit", "delay", delay, "err", err)
		if !sleepCtx(gctx, delay) {
			return nil
		}
		rec = store.committed()
	}
}

// export recovers the lake from rec, positions the consumer and runs the
// pipeline until ctx is done (shutdown commit) or gctx ends (abandon).
func (e *Exporter) export(ctx, gctx context.Context, store *commitStore, rec schemas.ExportCommit) error {
	cons, err := e.takeOver(gctx, store, rec)
	early := false
	if err == nil {
		early, err = e.acksAsWritten(gctx)
	}
	if ctx.Err() != nil && !errors.As(err, new(errCrash)) {
		return nil // stopped while starting: nothing written yet
	}
	if err != nil {
		return err
	}
	e.log.Info("exporter started", "part", store.part, "epoch", rec.Epoch, "stream_seq", rec.LastSeq, "owner", e.owner)
	w := newEpochWriter(e, store, rec)
	w.early = early
	work := make(chan *batch, e.cfg.DecodeWorkers)
	ordered := make(chan *batch, 2*e.cfg.DecodeWorkers)
	g, pctx := errgroup.WithContext(gctx)
	g.Go(func() error { return e.fetch(pctx, cons, work, ordered) })
	for range e.cfg.DecodeWorkers {
		g.Go(func() error { return decodeLoop(pctx, work, store.part) })
	}
	g.Go(func() error { return w.run(ctx, pctx, ordered) })
	g.Go(func() error { return e.sweepStrays(pctx, store.part) })
	return g.Wait()
}

// ignoreIfStopping drops an error caused by ctx ending.
func ignoreIfStopping(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

func (e *Exporter) setState(s int32) {
	e.state.Store(s)
	e.met.active(s == stateActive)
}

// Ready returns nil while Run is exporting or standing by: a standby is
// healthy, ready to take over. Active tells the two apart.
func (e *Exporter) Ready() error {
	if e.state.Load() == stateStopped {
		return errors.New("exporter not running")
	}
	return nil
}

// Active reports whether Run owns the commit record and exports.
func (e *Exporter) Active() bool { return e.state.Load() == stateActive }

// takeOver recovers the lake and positions the consumer after the last
// commit.
func (e *Exporter) takeOver(ctx context.Context, store *commitStore, rec schemas.ExportCommit) (jetstream.Consumer, error) {
	if err := e.recover(ctx, store, rec); err != nil {
		return nil, err
	}
	return e.resetConsumer(ctx, store.part, rec.LastSeq)
}

// resetConsumer recreates the durable consumer to deliver from after the
// committed sequence: the commit record, not the consumer's ack state, is
// the truth, and a fresh consumer has no messages pending for a dead
// process. Only the owner does this; a standby leaves the owner's consumer
// alone.
func (e *Exporter) resetConsumer(ctx context.Context, p part, lastSeq uint64) (jetstream.Consumer, error) {
	err := e.js.DeleteConsumer(ctx, schemas.StreamConversations, p.consumer())
	if err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return nil, pipeline.FromNATS(fmt.Errorf("reset consumer: %w", err))
	}
	cc := jetstream.ConsumerConfig{
		Durable:       p.consumer(),
		Description:   "chatlake exporter: conversation events to Parquet, part " + p.String(),
		FilterSubject: p.filter(),
		AckPolicy:     jetstream.AckAllPolicy,
		AckWait:       e.cfg.AckWait,
		MaxAckPending: e.cfg.maxAckPending(),
		DeliverPolicy: jetstream.DeliverAllPolicy,
	}
	if lastSeq > 0 {
		cc.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		cc.OptStartSeq = lastSeq + 1
	}
	cons, err := e.js.CreateConsumer(ctx, schemas.StreamConversations, cc)
	if err != nil {
		return nil, pipeline.FromNATS(fmt.Errorf("create consumer: %w", err))
	}
	return cons, nil
}

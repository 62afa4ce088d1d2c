package exporter

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/parquet-go/parquet-go"

	"github.com/chatlake/chatlake/lake"
	"github.com/chatlake/chatlake/schemas"
)

// errStopping tells the writer loop that Run is stopping.
var errStopping = errors.New("exporter stopping")

// epochWriter owns the open files and the current epoch. Only the writer
// goroutine touches it.
type epochWriter struct {
	e       *Exporter
	store   *commitStore
	rec     schemas.ExportCommit // last committed
	rot     rotation
	opts    []parquet.WriterOption
	files   map[partitionKey]*parquetFile
	lastSeq uint64                                     // last stream sequence processed
	dseq    uint64                                     // the consumer's last delivery sequence
	lastMsg jetstream.Msg                              // its message, to ack; nil once acked
	early   bool                                       // ack each batch as written (acksAsWritten)
	events  int64                                      // processed since the last commit
	rows    int64                                      // written since the last commit
	group   map[partitionKey][]schemas.ConversationRow // rows of the batch, by file
	size    map[partitionKey]int64                     // their input JSON bytes
}

func newEpochWriter(e *Exporter, store *commitStore, rec schemas.ExportCommit) *epochWriter {
	return &epochWriter{
		e: e, store: store, rec: rec, rot: e.cfg.rotation(), opts: e.cfg.writerOptions(),
		files: map[partitionKey]*parquetFile{}, lastSeq: rec.LastSeq,
		group: map[partitionKey][]schemas.ConversationRow{}, size: map[partitionKey]int64{},
	}
}

// run writes batches in stream order and ends epochs when rotation says,
// on a timer too, so idle files are flushed without new events. When ctx
// ends it commits what it has; when gctx ends for another reason (another
// goroutine failed) it abandons the epoch.
func (w *epochWriter) run(ctx, gctx context.Context, ordered <-chan *batch) error {
	tick := time.NewTicker(w.e.cfg.tick())
	defer tick.Stop()
	for {
		if gctx.Err() != nil { // before any batch: none may follow one skipped
			return w.stop(ctx)
		}
		var err error
		select {
		case <-gctx.Done():
			return w.stop(ctx)
		case b := <-ordered:
			err = w.batch(gctx, b)
		case now := <-tick.C:
			err = w.maybeEnd(gctx, now)
		}
		if errors.Is(err, errStopping) {
			return w.stop(ctx)
		}
		if err != nil {
			w.abandon()
			return err
		}
	}
}

// stop ends the writer: on shutdown it commits the epoch within the grace
// period; otherwise it drops it for the next start to discard.
func (w *epochWriter) stop(ctx context.Context) error {
	if ctx.Err() == nil {
		w.abandon()
		return nil
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.e.cfg.ShutdownGrace)
	defer cancel()
	if err := w.end(sctx, rotateShutdown); err != nil {
		w.abandon()
		return fmt.Errorf("shutdown commit: %w", err)
	}
	w.e.log.Info("exporter stopped", "epoch", w.rec.Epoch, "stream_seq", w.rec.LastSeq)
	return nil
}

// batch waits for b's decoding and writes it.
func (w *epochWriter) batch(ctx context.Context, b *batch) error {
	select {
	case <-b.done:
	case <-ctx.Done():
		return errStopping // b stays undecoded: later batches must not be written
	}
	now := time.Now()
	for i := range b.items {
		if err := w.item(ctx, &b.items[i]); err != nil {
			if !errors.Is(err, errStopping) {
				return err
			}
			if werr := w.writeGroups(ctx, now); werr != nil { // keep the items before it
				return werr
			}
			return err
		}
	}
	if err := w.writeGroups(ctx, now); err != nil {
		return err
	}
	w.ackWritten(ctx)
	if err := w.e.hook(afterWrite); err != nil {
		return err
	}
	return w.maybeEnd(ctx, now)
}

// item queues one event's row, or dead-letters it, in stream order.
func (w *epochWriter) item(ctx context.Context, it *item) error {
	prev := w.dseq
	w.dseq = it.dseq
	if it.seq <= w.lastSeq {
		return nil // redelivered: already in this or a committed epoch
	}
	if it.seq > w.lastSeq+1 && !w.store.part.follows(prev, it.dseq) {
		if err := w.e.checkGap(ctx, w.store.part, w.lastSeq, it.seq); err != nil {
			return err
		}
	}
	if it.err != nil {
		if err := w.e.deadLetter(ctx, it); err != nil {
			return err
		}
	} else {
		w.group[it.key] = append(w.group[it.key], it.row)
		w.size[it.key] += it.size
	}
	w.lastSeq, w.lastMsg = it.seq, it.msg
	w.events++
	w.e.met.lag(it.pending)
	return nil
}

// writeGroups appends the queued rows to their partitions' files.
func (w *epochWriter) writeGroups(ctx context.Context, now time.Time) error {
	for key, rows := range w.group {
		if len(rows) == 0 {
			continue
		}
		f, err := w.file(ctx, key, now)
		if err != nil {
			return err
		}
		if err := f.write(rows, w.size[key], now); err != nil {
			return err
		}
		if f.grpRows >= w.e.cfg.RowGroupRows || f.grpSize >= w.e.cfg.RowGroupBytes {
			if err := f.flushRowGroup(); err != nil {
				return err
			}
		}
		w.rows += int64(len(rows))
		clear(rows)
		w.group[key], w.size[key] = rows[:0], 0
	}
	return nil
}

// file returns the open file of key, creating it. The creation is not cut
// by a shutdown: the rows before it are still committed.
func (w *epochWriter) file(ctx context.Context, key partitionKey, now time.Time) (*parquetFile, error) {
	if f, ok := w.files[key]; ok {
		return f, nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.e.cfg.ShutdownGrace)
	defer cancel()
	name := fmt.Sprintf("%s%010d-%s-%04d.parquet", w.store.part.fileStem(), w.rec.Epoch+1, w.e.owner, len(w.files))
	f, err := createParquetFile(ctx, w.e.store, path.Join(w.e.partitionDir(key), name), now, w.opts)
	if err != nil {
		return nil, err
	}
	w.files[key] = f
	return f, nil
}

// maybeEnd ends the epoch if a rotation trigger fired.
func (w *epochWriter) maybeEnd(ctx context.Context, now time.Time) error {
	reason := w.rot.reason(w.files, w.events, now)
	if reason == "" {
		return nil
	}
	return w.end(ctx, reason)
}

// end finishes, commits, publishes and acks the epoch (see Exporter). It
// is a short critical section: a shutdown that starts meanwhile waits for
// it (within ShutdownGrace) rather than cutting it.
func (w *epochWriter) end(ctx context.Context, reason string) error {
	if w.lastSeq == w.rec.LastSeq && len(w.files) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.e.cfg.ShutdownGrace)
	defer cancel()
	start := time.Now()
	refs, size, err := w.finish(ctx)
	if err != nil {
		return err
	}
	rec := schemas.ExportCommit{
		Epoch: w.rec.Epoch + 1, LastSeq: w.lastSeq, Rows: w.rows,
		Owner: w.e.owner, CommittedAt: time.Now().UTC(),
	}
	setRefs(&rec, refs)
	if err := w.store.commit(ctx, rec); err != nil {
		return err
	}
	w.rec, w.events, w.rows = rec, 0, 0
	if err := w.publish(ctx, refs); err != nil {
		return err
	}
	if w.e.cfg.Table != nil {
		if err := w.e.appendEpoch(ctx, w.store, rec); err != nil {
			return err
		}
		if err := w.e.hook(afterAppend); err != nil {
			return err
		}
	}
	w.ack(ctx)
	w.e.met.epoch(reason, rec, size, time.Since(start))
	w.e.log.Debug("epoch committed", "epoch", rec.Epoch, "stream_seq", rec.LastSeq, "files", len(refs), "reason", reason)
	return w.e.hook(afterAck)
}

// finish stores every open file durably, still hidden, and returns their
// Refs in name order.
func (w *epochWriter) finish(ctx context.Context) (refs []lake.Ref, size int64, err error) {
	if err := w.e.hook(beforeFinish); err != nil {
		return nil, 0, err
	}
	for key, f := range w.files {
		ref, err := f.finish(ctx)
		if err != nil {
			return nil, 0, err
		}
		delete(w.files, key)
		refs = append(refs, ref)
		size += f.encodedBytes()
		if err := w.e.hook(midFinish); err != nil {
			return nil, 0, err
		}
	}
	slices.SortFunc(refs, func(a, b lake.Ref) int { return strings.Compare(a.Name, b.Name) })
	return refs, size, w.e.hook(beforeCommit)
}

// publish makes the committed epoch's files visible, one at a time.
func (w *epochWriter) publish(ctx context.Context, refs []lake.Ref) error {
	if err := w.e.hook(afterCommit); err != nil {
		return err
	}
	if err := publishRefs(ctx, w.e.store, refs, func() error { return w.e.hook(midPublish) }); err != nil {
		return err
	}
	return w.e.hook(afterPublish)
}

// ack acknowledges every message of the committed epoch not acknowledged
// yet (see acksAsWritten), even while shutting down. A lost ack is harmless: the next commit's ack covers it,
// and a restart repositions the consumer after the commit anyway.
func (w *epochWriter) ack(ctx context.Context) {
	if w.lastMsg == nil {
		return
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := w.lastMsg.DoubleAck(actx); err != nil {
		w.e.log.Warn("exporter ack", "stream_seq", w.lastSeq, "err", err)
	}
	w.lastMsg = nil
}

// abandon discards the open files without publishing them.
func (w *epochWriter) abandon() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for key, f := range w.files {
		f.abandon(ctx)
		delete(w.files, key)
	}
}

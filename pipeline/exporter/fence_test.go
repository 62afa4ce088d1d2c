package exporter_test

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/lake"
	"github.com/chatlake/chatlake/pipeline/exporter"
)

// newTestExporter returns an exporter of cfg whose crash hook is hook.
func newTestExporter(t *testing.T, js jetstream.JetStream, store lake.Storage, cfg exporter.Config, hook func(point exporter.CrashPoint) error) (*exporter.Exporter, *runningExporter) {
	t.Helper()
	e, err := exporter.New(js, store, exporterTestLogger(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if hook != nil {
		exporter.SetCrashHook(e, hook)
	}
	return e, runExporter(t, e)
}

// waitActive polls until e owns the commit record.
func waitActive(t *testing.T, e *exporter.Exporter, d time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(d); !e.Active(); {
		if time.Now().After(deadline) {
			t.Fatalf("exporter not active after %v", d)
		}
		time.Sleep(10 * time.Millisecond) // poll interval
	}
}

// TestExporterStandbyTakesOverFromKilledOwner runs a second exporter
// beside a working one: it must stand by, leaving the owner committing,
// and take over after the owner stops without releasing its lease (as
// kill -9 would), the lake holding every event exactly once.
func TestExporterStandbyTakesOverFromKilledOwner(t *testing.T) {
	_, js := exporterStreams(t)
	root := t.TempDir()
	events := testEvents(400, time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC))
	cfg := exporterTestConfig()
	cfg.MaxFileRows = 20

	var die atomic.Bool
	first, r1 := newTestExporter(t, js, folderLake(t, root), cfg, func(point exporter.CrashPoint) error {
		if die.Load() && point == "after-ack" {
			return errInjected
		}
		return nil
	})
	waitCommitted(t, js, publishTestEvents(t, js, events[:100]), 20*time.Second)
	owner := commitRecord(t, js).Owner
	second, r2 := newTestExporter(t, js, folderLake(t, root), cfg, nil)

	// For several leases the owner keeps committing and the standby waits.
	watchUntil := time.Now().Add(4 * cfg.Lease)
	waitCommitted(t, js, publishTestEvents(t, js, events[100:250]), 20*time.Second)
	for time.Now().Before(watchUntil) {
		if second.Active() || !first.Active() {
			t.Fatalf("while the owner renews: owner active %v, standby active %v; want true, false", first.Active(), second.Active())
		}
		time.Sleep(10 * time.Millisecond) // poll interval
	}
	if err := second.Ready(); err != nil {
		t.Errorf("standby Ready() = %v, want nil: a standby is healthy", err)
	}
	if got := commitRecord(t, js).Owner; got != owner {
		t.Fatalf("commit record owner = %q while the owner lives, want %q", got, owner)
	}

	die.Store(true)
	last := publishTestEvents(t, js, events[250:])
	if err := r1.wait(t); !errors.Is(err, errInjected) {
		t.Fatalf("owner's Run() = %v, want the injected crash", err)
	}
	waitActive(t, second, 20*time.Second)
	waitCommitted(t, js, last, 20*time.Second)
	if got := commitRecord(t, js).Owner; got == owner {
		t.Errorf("commit record still owned by the dead owner %q", got)
	}
	if err := r2.stop(t); err != nil {
		t.Fatalf("standby's Run() = %v", err)
	}
	checkExactlyOnce(t, folderLake(t, root), events)
}

// TestExporterReleasesLeaseOnShutdown: a clean stop gives the lease up, so
// the standby takes over at once even with a lease longer than the test.
func TestExporterReleasesLeaseOnShutdown(t *testing.T) {
	_, js := exporterStreams(t)
	root := t.TempDir()
	events := testEvents(200, time.Date(2026, 9, 3, 0, 0, 0, 0, time.UTC))
	cfg := exporterTestConfig()
	cfg.Lease = 10 * time.Minute

	first, r1 := newTestExporter(t, js, folderLake(t, root), cfg, nil)
	waitCommitted(t, js, publishTestEvents(t, js, events[:100]), 20*time.Second)
	waitActive(t, first, 20*time.Second)
	second, r2 := newTestExporter(t, js, folderLake(t, root), cfg, nil)
	if err := r1.stop(t); err != nil {
		t.Fatalf("owner's Run() = %v, want nil", err)
	}
	waitActive(t, second, 20*time.Second)
	waitCommitted(t, js, publishTestEvents(t, js, events[100:]), 20*time.Second)
	if err := r2.stop(t); err != nil {
		t.Fatalf("second Run() = %v", err)
	}
	checkExactlyOnce(t, folderLake(t, root), events)
}

// TestExporterTakenOverMidCommitPublishesNothing holds the owner just
// before its commit, its renewals held too, until its lease lapses and a
// standby takes over: the owner must then stop with ErrFenced and publish
// nothing.
func TestExporterTakenOverMidCommitPublishesNothing(t *testing.T) {
	_, js := exporterStreams(t)
	root := t.TempDir()
	events := testEvents(120, time.Date(2026, 9, 2, 0, 0, 0, 0, time.UTC))
	last := publishTestEvents(t, js, events)
	cfg := exporterTestConfig()

	held, release := make(chan struct{}), make(chan struct{})
	var once atomic.Bool
	_, r1 := newTestExporter(t, js, folderLake(t, root), cfg, func(point exporter.CrashPoint) error {
		switch point {
		case "before-commit":
			if once.CompareAndSwap(false, true) {
				close(held)
			}
			<-release
		case "before-renew":
			if once.Load() {
				<-release
			}
		}
		return nil
	})
	<-held
	owner := commitRecord(t, js).Owner
	_, r2 := newTestExporter(t, js, folderLake(t, root), cfg, nil)
	for deadline := time.Now().Add(20 * time.Second); commitRecord(t, js).Owner == owner; {
		if time.Now().After(deadline) {
			t.Fatal("standby did not claim the commit record after the owner's lease lapsed")
		}
		time.Sleep(10 * time.Millisecond) // poll interval
	}
	close(release)
	if err := r1.wait(t); !errors.Is(err, exporter.ErrFenced) {
		t.Fatalf("first exporter's Run() = %v after a takeover, want ErrFenced", err)
	}
	waitCommitted(t, js, last, 20*time.Second)
	if err := r2.stop(t); err != nil {
		t.Fatalf("second exporter's Run() = %v", err)
	}
	checkExactlyOnce(t, folderLake(t, root), events)
}

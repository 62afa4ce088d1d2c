package exporter

// crashPoint names a step of the epoch protocol at which a test's crash
// hook is called (see Exporter.crash): the instants where a kill -9 must
// lose and double nothing.
type crashPoint string

const (
	afterWrite   crashPoint = "after-write"   // a batch is written, the epoch still open
	beforeFinish crashPoint = "before-finish" // the epoch ends, no file finished
	midFinish    crashPoint = "mid-finish"    // after each finished file
	beforeCommit crashPoint = "before-commit" // every file finished, hidden, not committed
	afterCommit  crashPoint = "after-commit"  // committed, nothing published
	midPublish   crashPoint = "mid-publish"   // after each published file
	afterPublish crashPoint = "after-publish" // published, not appended to the table nor acknowledged
	afterAppend  crashPoint = "after-append"  // appended to the Iceberg table (also in a recovery), not acknowledged
	afterAck     crashPoint = "after-ack"     // the epoch is done
	afterClaim   crashPoint = "after-claim"   // the record is claimed, the lake not recovered
	midRecover   crashPoint = "mid-recover"   // after each file the recovery published
	beforeRenew  crashPoint = "before-renew"  // a lease renewal is due

	// afterStrayDeadLetter: a stray's dead letter is stored, the stray
	// not deleted (see strays.go). It is reached only in a partitioned
	// stream holding strays, so it is not one of crashPoints.
	afterStrayDeadLetter crashPoint = "after-stray-dead-letter"
)

// crashPoints lists every crashPoint, in protocol order; afterAppend is
// reached only with an Iceberg table (tablePoints).
var crashPoints = []crashPoint{
	afterWrite, beforeFinish, midFinish, beforeCommit, afterCommit, midPublish,
	afterPublish, afterAppend, afterAck, afterClaim, midRecover, beforeRenew,
}

// tablePoints are the crash points reached only with an Iceberg table.
var tablePoints = []crashPoint{afterAppend}

// errCrash wraps a crash hook's error, so the writer stops without the
// shutdown commit, as a killed process would.
type errCrash struct{ err error }

func (e errCrash) Error() string { return "crash: " + e.err.Error() }
func (e errCrash) Unwrap() error { return e.err }

// hook runs the test crash hook at point; its error is an errCrash.
func (e *Exporter) hook(point crashPoint) error {
	if e.crash == nil {
		return nil
	}
	if err := e.crash(point); err != nil {
		return errCrash{err}
	}
	return nil
}

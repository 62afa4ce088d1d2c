package lake

import (
	"context"
	"errors"
	"io"
)

// Storage is a lake driver. Names are slash-separated paths relative to
// the lake's root (for example
// "conversations/provider=yunxin/app=x/dt=2026-12-01/part-1-a-0.parquet");
// drivers never accept a name that leaves the root, nor one CheckName
// refuses. A prefix of List or Sweep is a string prefix of names, as in
// S3: "conversations/" selects everything in that folder, "" everything.
//
// A Storage is safe for concurrent use. Close releases its resources.
type Storage interface {
	// Create begins an object that will be published under name. Nothing
	// is visible under name until Publish; a crash before Finish leaves at
	// most a hidden remnant for Sweep. The object's writes may outlive
	// ctx's cancellation, so a shutdown can still finish what it has
	// written; drivers bound their own I/O instead.
	Create(ctx context.Context, name string) (Object, error)
	// Publish makes finished objects visible under their names, each
	// atomically: a reader sees a whole object or none. It is idempotent:
	// a Ref that is already published is skipped, so a recovery may repeat
	// it after a crash in the middle. A Ref that is neither hidden nor
	// published is lost data, reported with ErrNotFound.
	Publish(ctx context.Context, refs []Ref) error
	// Sweep deletes every hidden object below prefix ("" for all) whose
	// name owned accepts (nil accepts all): the remnants of epochs that
	// were never committed. Call it only after the last committed epoch is
	// published, and only where no other writer is creating objects that
	// owned accepts below prefix (several writers of one lake each sweep
	// their own names).
	Sweep(ctx context.Context, prefix string, owned func(name string) bool) error
	// List returns the names of the published objects below prefix, in
	// lexical order.
	List(ctx context.Context, prefix string) ([]string, error)
	// Open reads a published object.
	Open(ctx context.Context, name string) (io.ReadCloser, error)
	// Close releases the driver's resources.
	Close() error
}

// Object is an object being written. It is not safe for concurrent use.
// Exactly one of Finish or Abort ends it.
type Object interface {
	io.Writer
	// Finish stores everything written durably, still hidden, and returns
	// the Ref that Publish takes. After Finish, a crash loses nothing: the
	// Ref, once recorded, is enough to publish the object.
	Finish(ctx context.Context) (Ref, error)
	// Abort discards the object. It is best effort: Sweep removes what a
	// failed Abort leaves.
	Abort(ctx context.Context) error
}

// Ref identifies a finished, hidden object: what a commit record keeps to
// publish it later, perhaps from another process.
type Ref struct {
	// Name is where the object becomes visible.
	Name string `json:"name"`
	// Upload is the driver's handle on the hidden object (an S3 multipart
	// upload ID), or empty where the name alone finds it (a folder's
	// hidden temp file).
	Upload string `json:"upload,omitempty"`
}

// ErrNotFound is returned (wrapped) by Publish for a Ref that is neither
// hidden nor published, and by Open for a name that is not published.
var ErrNotFound = errors.New("lake: object not found")

// ErrBadName is returned (wrapped) for a name that is empty, absolute,
// not clean, leaves the root, or has an element beginning with '.' (see
// CheckName), and for such a prefix.
var ErrBadName = errors.New("lake: invalid object name")

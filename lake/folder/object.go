package folder

import (
	"context"
	"fmt"
	"os"

	"github.com/chatlake/chatlake/lake"
)

// object is a file being written under its temp name.
type object struct {
	name string
	f    *os.File
}

func (o *object) Write(p []byte) (int, error) { return o.f.Write(p) }

// Finish fsyncs and closes the temp file; it stays hidden until Publish.
func (o *object) Finish(context.Context) (lake.Ref, error) {
	if err := o.f.Sync(); err != nil {
		o.f.Close()
		return lake.Ref{}, fmt.Errorf("finish %s: fsync: %w", o.name, err)
	}
	if err := o.f.Close(); err != nil {
		return lake.Ref{}, fmt.Errorf("finish %s: %w", o.name, err)
	}
	return lake.Ref{Name: o.name}, nil
}

// Abort closes and deletes the temp file.
func (o *object) Abort(context.Context) error {
	o.f.Close()
	if err := os.Remove(o.f.Name()); err != nil {
		return fmt.Errorf("abort %s: %w", o.name, err)
	}
	return nil
}

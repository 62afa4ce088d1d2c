package pipeline

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/chatlake/chatlake/schemas"
)

// recover, run once this exporter owns the commit record rec, publishes
// the last committed epoch's files that are still under temp names and
// deletes every other temp file. Only the owner may do this: a standby
// would delete the files the owner is writing.
func (e *Exporter) recover(rec schemas.ExportCommit) error {
	if err := e.hook("after-claim"); err != nil {
		return errCrash{err}
	}
	for _, rel := range rec.Files {
		if err := publishFile(e.cfg.Root, rel); err != nil {
			return fmt.Errorf("recover epoch %d: %w", rec.Epoch, err)
		}
		if err := e.hook("mid-recover"); err != nil {
			return errCrash{err}
		}
	}
	return sweepTemps(e.cfg.Root)
}

// sweepTemps deletes the temp files below root: files of epochs that were
// never committed.
func sweepTemps(root string) error {
	dir := filepath.Join(root, lakeTable)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && isTempName(d.Name()) {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete uncommitted files: %w", err)
	}
	return nil
}

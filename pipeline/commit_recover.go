package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/chatlake/chatlake/schemas"
)

// claimAttempts bounds how often recover retries when another exporter
// changes the record between our read and our claim.
const claimAttempts = 5

// recover claims the commit record, publishes the last committed epoch's
// files that are still under temp names, and deletes every other temp file.
func (e *Exporter) recover(ctx context.Context, store *commitStore) (schemas.ExportCommit, error) {
	rec, err := e.claim(ctx, store)
	if err != nil {
		return rec, err
	}
	if err := e.hook("after-claim"); err != nil {
		return rec, errCrash{err}
	}
	for _, rel := range rec.Files {
		if err := publishFile(e.cfg.Root, rel); err != nil {
			return rec, fmt.Errorf("recover epoch %d: %w", rec.Epoch, err)
		}
		if err := e.hook("mid-recover"); err != nil {
			return rec, errCrash{err}
		}
	}
	if err := sweepTemps(e.cfg.Root); err != nil {
		return rec, err
	}
	return rec, nil
}

// claim rewrites the record with this exporter as owner, which changes its
// revision and so fences the previous owner's next commit.
func (e *Exporter) claim(ctx context.Context, store *commitStore) (schemas.ExportCommit, error) {
	for range claimAttempts {
		rec, err := store.load(ctx)
		if err != nil {
			return rec, err
		}
		rec.Owner = e.owner
		err = store.store(ctx, rec)
		if err == nil {
			return rec, nil
		}
		if !errors.Is(err, ErrFenced) {
			return rec, err
		}
	}
	return schemas.ExportCommit{}, fmt.Errorf("claim commit record: %w", ErrFenced)
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

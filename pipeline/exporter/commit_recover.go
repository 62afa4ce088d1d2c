package exporter

import (
	"context"
	"fmt"

	"github.com/chatlake/chatlake/lake"
	"github.com/chatlake/chatlake/schemas"
)

// recover, run once this exporter owns the commit record rec, publishes
// the last committed epoch's files that are still hidden, appends them to
// the Iceberg table if there is one and it lacks them, and sweeps every
// other hidden object of its part. Only the part's owner may do this: a
// standby would delete the files the owner is writing, and the owners of
// other parts write theirs meanwhile.
func (e *Exporter) recover(ctx context.Context, store *commitStore, rec schemas.ExportCommit) error {
	if err := e.hook(afterClaim); err != nil {
		return err
	}
	if err := publishRefs(ctx, e.store, refsOf(rec), func() error { return e.hook(midRecover) }); err != nil {
		return fmt.Errorf("recover epoch %d: %w", rec.Epoch, err)
	}
	if err := e.recoverTable(ctx, store, rec); err != nil {
		return fmt.Errorf("recover epoch %d: %w", rec.Epoch, err)
	}
	if e.cfg.Table != nil {
		if err := e.hook(afterAppend); err != nil {
			return err
		}
	}
	if err := e.store.Sweep(ctx, e.tablePrefix()+"/", store.part.owns); err != nil {
		return fmt.Errorf("delete uncommitted files: %w", err)
	}
	return nil
}

// publishRefs publishes refs one at a time, calling after once each is
// visible; Publish is idempotent, so a recovery repeats it safely.
func publishRefs(ctx context.Context, store lake.Storage, refs []lake.Ref, after func() error) error {
	for _, ref := range refs {
		if err := store.Publish(ctx, []lake.Ref{ref}); err != nil {
			return err
		}
		if err := after(); err != nil {
			return err
		}
	}
	return nil
}

// setRefs records refs in rec: their names in Files, and the upload
// handles of the drivers that have them in Uploads.
func setRefs(rec *schemas.ExportCommit, refs []lake.Ref) {
	rec.Files, rec.Uploads = nil, nil
	for _, ref := range refs {
		rec.Files = append(rec.Files, ref.Name)
		if ref.Upload != "" {
			if rec.Uploads == nil {
				rec.Uploads = make(map[string]string)
			}
			rec.Uploads[ref.Name] = ref.Upload
		}
	}
}

// refsOf returns the Refs rec commits, in the order of Files.
func refsOf(rec schemas.ExportCommit) []lake.Ref {
	refs := make([]lake.Ref, len(rec.Files))
	for i, name := range rec.Files {
		refs[i] = lake.Ref{Name: name, Upload: rec.Uploads[name]}
	}
	return refs
}

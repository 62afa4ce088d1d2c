package exporter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"

	"github.com/chatlake/chatlake/lake"
	"github.com/chatlake/chatlake/schemas"
)

// FolderMarker marks a Parquet lake: a file schemas.RunMarkerPrefix+run,
// holding the completion as JSON, in every partition folder the run wrote
// to, written through the lake's Storage (hidden until published, so a
// reader never sees half a marker). A marker that holds this completion
// already is left alone; one of an earlier completion is replaced. Two
// finishers marking at once may make one fail; it finds the marker there
// when it tries again.
type FolderMarker struct {
	Lake lake.Storage
}

// Mark implements runs.Marker.
func (m FolderMarker) Mark(ctx context.Context, c schemas.RunCompletion) (schemas.RunLake, error) {
	l := schemas.RunLake{Format: "parquet", Partitions: c.Lake.Partitions}
	for _, p := range l.Partitions {
		l.Markers = append(l.Markers, path.Join(lakeTable, p, schemas.RunMarkerPrefix+c.Run))
	}
	c.Lake = l
	body, err := json.Marshal(c)
	if err != nil {
		return l, fmt.Errorf("encode marker: %w", err)
	}
	for _, name := range l.Markers {
		if err := m.put(ctx, name, body, c.Completion); err != nil {
			return l, err
		}
	}
	return l, nil
}

func (m FolderMarker) put(ctx context.Context, name string, body []byte, completion int) error {
	if n, err := m.completion(ctx, name); err != nil || n == completion {
		return err
	}
	// A hidden remnant of a writer that crashed (or of another finisher
	// writing now, which then fails and looks again) would block Create.
	if err := m.Lake.Sweep(ctx, name, nil); err != nil {
		return fmt.Errorf("marker %s: %w", name, err)
	}
	obj, err := m.Lake.Create(ctx, name)
	if err != nil {
		return fmt.Errorf("marker %s: %w", name, err)
	}
	if _, err := obj.Write(body); err != nil {
		obj.Abort(ctx)
		return fmt.Errorf("marker %s: %w", name, err)
	}
	ref, err := obj.Finish(ctx)
	if err != nil {
		return fmt.Errorf("marker %s: %w", name, err)
	}
	if err := m.Lake.Publish(ctx, []lake.Ref{ref}); err != nil {
		return fmt.Errorf("marker %s: %w", name, err)
	}
	return nil
}

// completion returns the completion number of the marker at name, 0 when
// there is none (or it does not decode: it is rewritten).
func (m FolderMarker) completion(ctx context.Context, name string) (int, error) {
	r, err := m.Lake.Open(ctx, name)
	if errors.Is(err, lake.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("marker %s: %w", name, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		return 0, fmt.Errorf("marker %s: %w", name, err)
	}
	var c schemas.RunCompletion
	if json.Unmarshal(b, &c) != nil {
		return 0, nil
	}
	return c.Completion, nil
}

// Tagger tags a table's snapshot that holds every event up to a stream
// sequence (lake/iceberg Table.Tag).
type Tagger interface {
	Tag(ctx context.Context, tag string, lastSeq uint64) (int64, error)
}

// TableMarker marks an Iceberg lake: the tag schemas.RunTagPrefix+run on
// the table's snapshot that holds every event of the run. Until the
// exporter has appended them, Mark fails and the finisher tries again.
type TableMarker struct {
	Table Tagger
}

// Mark implements runs.Marker.
func (m TableMarker) Mark(ctx context.Context, c schemas.RunCompletion) (schemas.RunLake, error) {
	tag := schemas.RunTagPrefix + c.Run
	id, err := m.Table.Tag(ctx, tag, c.LastSeq)
	if err != nil {
		return schemas.RunLake{}, err
	}
	if id == 0 {
		tag = "" // an empty table: the run wrote nothing
	}
	return schemas.RunLake{Format: "iceberg", Partitions: c.Lake.Partitions, SnapshotID: id, Tag: tag}, nil
}

package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/schemas"
)

// ErrFenced means another exporter replaced the commit record since this
// one last read it: this exporter must stop without publishing anything.
var ErrFenced = errors.New("exporter fenced: commit record changed by another exporter")

// commitStore reads and replaces the commit record with compare-and-set.
type commitStore struct {
	kv  jetstream.KeyValue
	rev uint64 // revision of the record last read or written; 0 if none
}

func openCommitStore(ctx context.Context, js jetstream.JetStream, replicas int) (*commitStore, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      schemas.BucketExporter,
		Description: "chatlake exporter commit record",
		History:     8,
		Storage:     jetstream.FileStorage,
		Replicas:    replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("commit bucket: %w", err)
	}
	return &commitStore{kv: kv}, nil
}

// load reads the record; a missing record is the zero record.
func (s *commitStore) load(ctx context.Context) (schemas.ExportCommit, error) {
	var rec schemas.ExportCommit
	e, err := s.kv.Get(ctx, schemas.KeyExporterCommit)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		s.rev = 0
		return rec, nil
	}
	if err != nil {
		return rec, fmt.Errorf("read commit record: %w", err)
	}
	if rec, err = decodeCommit(e.Value()); err != nil {
		return rec, err
	}
	s.rev = e.Revision()
	return rec, nil
}

// decodeCommit decodes a commit record and checks that every file it
// names is a part file below the root, so a corrupt record cannot make
// recovery rename files elsewhere.
func decodeCommit(b []byte) (schemas.ExportCommit, error) {
	var rec schemas.ExportCommit
	if err := json.Unmarshal(b, &rec); err != nil {
		return rec, fmt.Errorf("decode commit record: %w", err)
	}
	for _, rel := range rec.Files {
		if path.Clean(rel) != rel || !filepath.IsLocal(filepath.FromSlash(rel)) || !strings.HasPrefix(rel, lakeTable+"/") ||
			!strings.HasPrefix(path.Base(rel), "part-") || !strings.HasSuffix(rel, ".parquet") {
			return rec, fmt.Errorf("decode commit record: bad file name %q", rel)
		}
	}
	return rec, nil
}

// store replaces the record if nobody else did since s.rev; otherwise it
// returns ErrFenced.
func (s *commitStore) store(ctx context.Context, rec schemas.ExportCommit) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode commit record: %w", err)
	}
	var rev uint64
	if s.rev == 0 {
		rev, err = s.kv.Create(ctx, schemas.KeyExporterCommit, b)
	} else {
		rev, err = s.kv.Update(ctx, schemas.KeyExporterCommit, b, s.rev)
	}
	if isWrongRevision(err) {
		return fmt.Errorf("store commit record: %w", ErrFenced)
	}
	if err != nil {
		return fmt.Errorf("store commit record: %w", err)
	}
	s.rev = rev
	return nil
}

func isWrongRevision(err error) bool {
	var apiErr *jetstream.APIError
	return errors.Is(err, jetstream.ErrKeyExists) ||
		errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence
}

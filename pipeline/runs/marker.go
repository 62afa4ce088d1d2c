package runs

import (
	"context"

	"github.com/chatlake/chatlake/schemas"
)

// Marker marks the lake where engines look for a completed run. Mark must
// be idempotent: a finisher that crashed half-way calls it again with the
// same completion, and the lake must end up marked once. It returns where
// the run's events are, for the completion event. pipeline/exporter has
// the lake's markers (FolderMarker, TableMarker), so that following runs
// needs no lake.
type Marker interface {
	Mark(ctx context.Context, c schemas.RunCompletion) (schemas.RunLake, error)
}

// partition names a Parquet lake partition as the exporter lays it out:
// provider=<p>/app=<a>/dt=<day>.
func partition(provider, app, day string) string {
	return "provider=" + schemas.SanitizePathValue(provider) + "/app=" + schemas.SanitizePathValue(app) + "/dt=" + schemas.SanitizePathValue(day)
}

package pipeline

// SetExporterCrashHook makes e call f at every step of an epoch's end; a
// non-nil error stops Run at once, as a crash would.
func SetExporterCrashHook(e *Exporter, f func(point string) error) { e.crash = f }

// ExporterCrashPoints lists the steps the crash hook is called at.
var ExporterCrashPoints = []string{
	"after-write", "before-finish", "mid-finish", "before-commit",
	"after-commit", "mid-publish", "after-publish", "after-ack",
	"after-claim", "mid-recover",
}

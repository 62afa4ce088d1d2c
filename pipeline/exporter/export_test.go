package exporter

// CrashPoint names a step at which the crash hook is called.
type CrashPoint = crashPoint

// CrashPoints lists every step the crash hook is called at.
var CrashPoints = crashPoints

// TablePoints are the crash points reached only with an Iceberg table.
var TablePoints = tablePoints

// SetCrashHook makes e call f at every crash point; a non-nil error stops
// Run at once, as a crash would.
func SetCrashHook(e *Exporter, f func(point CrashPoint) error) { e.crash = f }

package exporter

// CrashPoint names a step at which the crash hook is called.
type CrashPoint = crashPoint

// CrashPoints lists every step the crash hook is called at.
var CrashPoints = crashPoints

// TablePoints are the crash points reached only with an Iceberg table.
var TablePoints = tablePoints

// StrayPoint is the crash point between a stray's dead letter and its
// deletion.
const StrayPoint = afterStrayDeadLetter

// SetCrashHook makes e call f at every crash point; a non-nil error stops
// Run at once, as a crash would.
func SetCrashHook(e *Exporter, f func(point CrashPoint) error) { e.crash = f }

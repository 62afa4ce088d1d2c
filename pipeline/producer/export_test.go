package producer

// NewEventMsg exposes newEventMsg to the benchmarks.
var NewEventMsg = newEventMsg

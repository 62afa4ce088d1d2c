package producer

// NewEventMsg exposes newEventMsg to the benchmarks.
var NewEventMsg = newEventMsg

// NewReusedMsg returns an event message for NewEventMsg to fill again and again.
func NewReusedMsg() *eventMsg { return new(eventMsg) }

package producer

import "time"

// NewEventMsg exposes newEventMsg to the benchmarks.
var NewEventMsg = newEventMsg

// NewReusedMsg returns an event message for NewEventMsg to fill again and again.
func NewReusedMsg() *eventMsg { return new(eventMsg) }

// SetNow replaces p's clock; call it before Run.
func SetNow(p *Producer, now func() time.Time) { p.now = now }

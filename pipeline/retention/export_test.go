package retention

import (
	"context"
	"time"
)

// Step runs one step of p's loop as if at now.
func Step(ctx context.Context, p *Purger, now time.Time) error { return p.step(ctx, now) }

package stack_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/internal/natstest"
	"github.com/chatlake/chatlake/internal/stack"
	"github.com/chatlake/chatlake/providers"
)

// TestWithQuotasHoldsTheShareWhileJobsFinish: a producer told to stop
// keeps its share until its run has returned (running jobs still call the
// provider), and holds its requests back after.
func TestWithQuotasHoldsTheShareWhileJobsFinish(t *testing.T) {
	_, js := natstest.Start(t).Connect(t)
	g := providers.NewGuard("acct", providers.GuardConfig{QPS: 40}, nil)
	cfg := &config.Config{Accounts: []config.Account{{Name: "acct", QPS: 40}}}
	q, err := stack.NewQuotas(t.Context(), js, cfg, []*providers.Guard{g}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Rate(); got != 0 {
		t.Errorf("Rate() before Run = %v, want 0", got)
	}
	ctx, cancel := context.WithCancel(t.Context())
	var atStop float64
	run := stack.WithQuotas(q, func(ctx context.Context) error {
		deadline := time.Now().Add(10 * time.Second)
		for g.Rate() != 40 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond) // polling interval
		}
		cancel()
		<-ctx.Done()
		time.Sleep(100 * time.Millisecond) // a running job finishing
		atStop = g.Rate()
		return nil
	})
	if err := run(ctx); err != nil {
		t.Fatalf("run = %v", err)
	}
	if atStop != 40 {
		t.Errorf("Rate() while finishing = %v, want 40", atStop)
	}
	if got := g.Rate(); got != 0 {
		t.Errorf("Rate() after = %v, want 0", got)
	}
}

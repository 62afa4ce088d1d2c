package producer

import (
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func TestProducerBackoff(t *testing.T) {
	p := &Producer{cfg: Config{RetryInitial: time.Second, RetryMax: 10 * time.Second}.withDefaults()}
	tests := []struct {
		attempt int
		base    time.Duration
	}{{1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {4, 8 * time.Second}, {5, 10 * time.Second}, {40, 10 * time.Second}}
	for _, tt := range tests {
		for range 20 {
			got := p.backoff(tt.attempt)
			if lo, hi := tt.base*8/10, tt.base*12/10; got < lo || got > hi {
				t.Errorf("backoff(%d) = %v, want %v ±20%%", tt.attempt, got, tt.base)
			}
		}
	}
}

// A pause ends by itself when its time passes; a longer pause wins.
func TestAppPausesExpire(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var p appPauses
		p.pause("volcengine.1", time.Now().Add(5*time.Second))
		p.pause("volcengine.1", time.Now().Add(2*time.Second)) // shorter: ignored
		time.Sleep(3 * time.Second)
		if got := p.remaining("volcengine.1", time.Now()); got != 2*time.Second {
			t.Errorf("remaining after 3s = %v, want 2s", got)
		}
		if got := p.paused(time.Now()); len(got) != 1 {
			t.Errorf("paused() = %v, want [volcengine.1]", got)
		}
		time.Sleep(2 * time.Second)
		if got := p.remaining("volcengine.1", time.Now()); got != 0 {
			t.Errorf("remaining after 5s = %v, want 0", got)
		}
		if got := p.paused(time.Now()); len(got) != 0 {
			t.Errorf("paused() after expiry = %v, want none", got)
		}
	})
}

// keepAlive signals progress every interval until stopped.
func TestKeepAliveTicks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := &progressMsg{}
		stop := keepAlive(m, 10*time.Second)
		time.Sleep(35 * time.Second)
		synctest.Wait()
		stop()
		time.Sleep(time.Minute)
		synctest.Wait()
		if n := m.n.Load(); n != 3 {
			t.Errorf("InProgress called %d times in 35s at 10s, want 3", n)
		}
	})
}

func TestProducerConfigValidate(t *testing.T) {
	for _, c := range []Config{
		{Concurrency: -1},
		{AckWait: 500 * time.Millisecond},
		{AckWait: 10 * time.Second, InProgressEvery: 10 * time.Second},
		{Grace: -time.Second},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v.Validate() = nil, want an error", c)
		}
	}
	if err := (Config{}).Validate(); err != nil {
		t.Errorf("Config{}.Validate() = %v, want nil", err)
	}
}

type progressMsg struct{ n atomic.Int32 }

func (m *progressMsg) InProgress() error {
	m.n.Add(1)
	return nil
}

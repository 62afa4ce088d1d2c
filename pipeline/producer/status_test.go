package producer_test

import (
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatlake/chatlake/pipeline/producer"
	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/providers/yunxin/yunxinsim"
	"github.com/chatlake/chatlake/schemas"
)

// TestStatusProgressAtMostEverySecond: a job of 18 pages writes its
// running status after a page only when a second has passed since the
// last one. With a clock that stands still it is written once, done;
// with a clock that moves a second at every reading, after every page
// but the last, then done.
func TestStatusProgressAtMostEverySecond(t *testing.T) {
	for _, tc := range []struct {
		name    string
		step    time.Duration
		running int
	}{
		{"clock stands still", 0, 0},
		{"a second a reading", time.Second, 17},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newProdEnv(t, volcsim.Options{}, yunxinsim.Options{})
			kv, err := e.js.KeyValue(t.Context(), schemas.BucketJobStatus)
			if err != nil {
				t.Fatal(err)
			}
			key := prodVolcJobKey(simulator.UserMany)
			w, err := kv.Watch(t.Context(), key)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Stop()
			// The key has no value yet: the watch's first update is the nil
			// that ends the initial values, after which it sees every write.
			if u := <-w.Updates(); u != nil {
				t.Fatalf("status before the job: %s", u.Value())
			}
			var ticks atomic.Int64
			start := time.Now()
			runProducerWith(t, e.js, e.router(t), prodConfig(), func(p *producer.Producer) {
				producer.SetNow(p, func() time.Time { return start.Add(time.Duration(ticks.Add(1)) * tc.step) })
			})
			prodPublishJob(t, e.js, schemas.JobSubject(schemas.ProviderVolcengine, prodVolcApp), simulator.UserMany)
			running := 0
			timeout := time.After(30 * time.Second)
			for done := false; !done; {
				select {
				case u := <-w.Updates():
					var st schemas.JobStatus
					err := json.Unmarshal(u.Value(), &st)
					if err != nil {
						t.Fatal(err)
					}
					switch st.State {
					case schemas.JobRunning:
						running++
					case schemas.JobDone:
						done = true
					default:
						t.Fatalf("status %s (%s), want running or done", st.State, st.Reason)
					}
				case <-timeout:
					t.Fatalf("job not done after 30s; %d running statuses", running)
				}
			}
			if running != tc.running {
				t.Errorf("%d running statuses, want %d", running, tc.running)
			}
		})
	}
}

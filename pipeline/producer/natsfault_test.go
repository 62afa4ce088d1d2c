package producer_test

import (
	"testing"
	"time"

	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/providers/yunxin/yunxinsim"
	"github.com/chatlake/chatlake/schemas"
)

// TestProducerNATSFaultSpendsNoAttempt: while the conversations stream
// cannot store events (here it is gone; in a cluster, its leader is being
// elected), a job with a single attempt allowed is handed back again and
// again, waiting, never dead-lettered; once the stream is back it
// completes with every event.
func TestProducerNATSFaultSpendsNoAttempt(t *testing.T) {
	e := newProdEnv(t, volcsim.Options{}, yunxinsim.Options{})
	if err := e.js.DeleteStream(t.Context(), schemas.StreamConversations); err != nil {
		t.Fatal(err)
	}
	cfg := prodConfig()
	cfg.MaxAttempts = 1
	runProducer(t, e.js, e.router(t), cfg)
	prodPublishJob(t, e.js, schemas.JobSubject(schemas.ProviderVolcengine, prodVolcApp), simulator.UserTwenty)

	key := prodVolcJobKey(simulator.UserTwenty)
	prodWaitFor(t, 20*time.Second, "the job waiting for NATS", func() bool {
		st, ok := prodStatuses(t, e.js)[key]
		return ok && (st.State == schemas.JobWaiting || st.State == schemas.JobFailed)
	})
	if st := prodStatuses(t, e.js)[key]; st.State != schemas.JobWaiting || st.Attempts != 0 {
		t.Fatalf("status while events cannot be stored = %s after %d attempts (%s), want waiting after 0", st.State, st.Attempts, st.Reason)
	}
	prodEnsure(t, e.js)
	sts := prodWaitStates(t, e.js, 1, 30*time.Second)
	if st := sts[key]; st.State != schemas.JobDone || st.Conversations != 20 {
		t.Errorf("status once the stream is back = %+v, want done with 20 conversations", st)
	}
	if dls := prodDeadLetters(t, e.js); len(dls) != 0 {
		t.Errorf("%d dead letters, want none: %+v", len(dls), dls)
	}
	prodCheckEvents(t, e.js, prodWantVolc(simulator.Dataset{}, simulator.UserTwenty))
}

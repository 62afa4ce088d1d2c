package producer_test

import (
	"testing"
	"time"

	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/providers/yunxin/yunxinsim"
	"github.com/chatlake/chatlake/schemas"
)

// TestProducerRecordsRunAccounting: a job of a run gets its run, the
// stream sequence of its last event and its days in its status, the
// copy among the run's jobs too; a user that does not exist is
// dead-lettered at once with its run and a clear reason.
func TestProducerRecordsRunAccounting(t *testing.T) {
	e := newProdEnv(t, volcsim.Options{}, yunxinsim.Options{Dataset: simulator.Dataset{MissingPrefix: "ghost-"}})
	runProducer(t, e.js, e.router(t), prodConfig())
	prodPublishJob(t, e.js, schemas.JobSubject(schemas.ProviderVolcengine, prodVolcApp), `{"user_id":"`+simulator.UserMany+`","run":"r1"}`)
	prodPublishJob(t, e.js, schemas.JobSubject(schemas.ProviderYunxin, yunxinsim.TestAppKey), `{"user_id":"ghost-1","run":"r1"}`)
	sts := prodWaitStates(t, e.js, 2, 60*time.Second)
	many := sts[schemas.JobKey(schemas.Job{Provider: schemas.ProviderVolcengine, App: prodVolcApp,
		JobID: schemas.DeriveJobID(schemas.Job{Provider: schemas.ProviderVolcengine, App: prodVolcApp, UserID: simulator.UserMany, Run: "r1"})})]
	s, err := e.js.Stream(t.Context(), schemas.StreamConversations)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if many.State != schemas.JobDone || many.Run != "r1" || many.LastSeq != info.State.LastSeq || many.LastSeq == 0 || len(many.Days) != 1 {
		t.Errorf("status of a run's job = %+v, want done in r1 with last_seq %d and one day", many, info.State.LastSeq)
	}
	var ghost schemas.JobStatus
	for _, st := range sts {
		if st.UserID == "ghost-1" {
			ghost = st
		}
	}
	if ghost.State != schemas.JobFailed || ghost.Class != schemas.ClassPermanent || ghost.Attempts != 0 || ghost.Run != "r1" {
		t.Errorf("status of a nonexistent user = %+v, want failed, permanent, no retry", ghost)
	}
	dls := prodDeadLetters(t, e.js)
	if len(dls) != 1 || dls[0].Run != "r1" || dls[0].UserID != "ghost-1" {
		t.Fatalf("dead letters = %+v, want the ghost's, with its run", dls)
	}
	kv, err := e.js.KeyValue(t.Context(), schemas.BucketRunJobs)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := kv.ListKeys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for range keys.Keys() {
		n++
	}
	if n != 2 {
		t.Errorf("%d jobs among the run's, want 2", n)
	}
}

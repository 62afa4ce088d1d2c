package producer_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/providers/yunxin/yunxinsim"
	"github.com/chatlake/chatlake/schemas"
)

var prodVolcUsers = []string{simulator.UserEmpty, simulator.UserOne, simulator.UserTwenty, simulator.UserTwentyOne, simulator.UserMany}

func TestProducerHappyPathBothProviders(t *testing.T) {
	e := newProdEnv(t, volcsim.Options{}, yunxinsim.Options{})
	runProducer(t, e.js, e.router(t), prodConfig())

	want := map[string]bool{}
	for _, u := range prodVolcUsers {
		prodPublishJob(t, e.js, schemas.JobSubject(schemas.ProviderVolcengine, prodVolcApp), u)
		want = prodMerge(want, prodWantVolc(simulator.Dataset{}, u))
	}
	yxUsers := []string{simulator.UserEmpty, simulator.UserTwentyOne, simulator.UserMany}
	for _, u := range yxUsers {
		prodPublishJob(t, e.js, schemas.JobSubject(schemas.ProviderYunxin, yunxinsim.TestAppKey), u)
		want = prodMerge(want, prodYunxinIDs(u, e.yx.Expected(yunxinsim.TestAppKey, u)))
	}
	// A Yunxin batch query by ID: two that exist, one that does not.
	all := e.yx.Expected(yunxinsim.TestAppKey, simulator.UserTwenty)
	ids := []string{all[3].ConversationID, all[7].ConversationID, simulator.UserTwenty + "|1|nobody"}
	prodPublishJob(t, e.js, schemas.JobSubject(schemas.ProviderYunxin, yunxinsim.TestAppKey),
		`{"user_id":"`+simulator.UserTwenty+`","job_id":"batch-1","conversation_ids":["`+strings.Join(ids, `","`)+`"]}`)
	want = prodMerge(want, prodYunxinIDs(simulator.UserTwenty, all[3:4]), prodYunxinIDs(simulator.UserTwenty, all[7:8]))

	n := len(prodVolcUsers) + len(yxUsers) + 1
	sts := prodWaitStates(t, e.js, n, 60*time.Second)
	for key, st := range sts {
		if st.State != schemas.JobDone {
			t.Errorf("job %s state %s (%s), want done", key, st.State, st.Reason)
		}
	}
	batch := sts[schemas.ProviderYunxin+"."+yunxinsim.TestAppKey+".batch-1"]
	if batch.Conversations != 2 || len(batch.FailedItems) != 1 || batch.FailedItemsTotal != 1 || batch.FailedItems[0].ConversationID != ids[2] {
		t.Errorf("batch job status = %+v, want 2 conversations and failed item %s", batch, ids[2])
	}
	many := sts[schemas.ProviderVolcengine+"."+prodVolcApp+"."+schemas.DeriveJobID(schemas.Job{Provider: schemas.ProviderVolcengine, App: prodVolcApp, UserID: simulator.UserMany})]
	if many.Pages != 18 || many.Conversations != 350 {
		t.Errorf("volcengine UserMany status pages %d conversations %d, want 18, 350", many.Pages, many.Conversations)
	}
	prodCheckEvents(t, e.js, want)
	if dls := prodDeadLetters(t, e.js); len(dls) != 0 {
		t.Errorf("%d dead letters, want none: first %+v", len(dls), dls[0])
	}
}

func TestProducerTransientFaultsLoseNothing(t *testing.T) {
	faults := simulator.Rates{ServerError: 0.15, Throttle: 0.1, Malformed: 0.05, Drop: 0.05}
	e := newProdEnv(t, volcsim.Options{Rates: faults, FaultSeed: 7}, yunxinsim.Options{Rates: faults, Seed: 7})
	cfg := prodConfig()
	cfg.MaxAttempts = 50 // the fault rates are high; every job must get through
	runProducer(t, e.js, e.router(t), cfg)

	want := map[string]bool{}
	for _, u := range prodVolcUsers {
		prodPublishJob(t, e.js, schemas.JobSubject(schemas.ProviderVolcengine, prodVolcApp), u)
		want = prodMerge(want, prodWantVolc(simulator.Dataset{}, u))
		prodPublishJob(t, e.js, schemas.JobSubject(schemas.ProviderYunxin, yunxinsim.TestAppKey), u)
		want = prodMerge(want, prodYunxinIDs(u, e.yx.Expected(yunxinsim.TestAppKey, u)))
	}
	sts := prodWaitStates(t, e.js, 2*len(prodVolcUsers), 90*time.Second)
	for key, st := range sts {
		if st.State != schemas.JobDone {
			t.Errorf("job %s state %s (%s), want done", key, st.State, st.Reason)
		}
	}
	prodCheckEvents(t, e.js, want)
	if f := e.volc.Stats().Faults; f[simulator.FaultServerError] == 0 {
		t.Errorf("volcsim injected no faults (%v); the test tests nothing", f)
	}
}

func TestProducerPermanentErrorsDeadLetter(t *testing.T) {
	e := newProdEnv(t, volcsim.Options{}, yunxinsim.Options{})
	runProducer(t, e.js, e.router(t), prodConfig())

	// No client is configured for this app: permanent.
	prodPublishJob(t, e.js, schemas.JobSubject(schemas.ProviderVolcengine, "777"), "10001")
	// The simulator rejects the signature: permanent.
	e.volc.Inject(simulator.FaultAuth, 1)
	prodPublishJob(t, e.js, schemas.JobSubject(schemas.ProviderVolcengine, prodVolcApp), simulator.UserOne)

	sts := prodWaitStates(t, e.js, 2, 30*time.Second)
	for key, st := range sts {
		if st.State != schemas.JobFailed || st.Class != schemas.ClassPermanent || st.Reason == "" {
			t.Errorf("job %s = %s/%s (%s), want failed/permanent with a reason", key, st.State, st.Class, st.Reason)
		}
	}
	prodWaitFor(t, 10*time.Second, "2 dead letters", func() bool { return len(prodDeadLetters(t, e.js)) == 2 })
	codes := 0
	for _, dl := range prodDeadLetters(t, e.js) {
		if dl.ProviderCode != "" {
			codes++
		}
		if dl.Class != schemas.ClassPermanent || dl.Reason == "" || dl.JobID == "" || len(dl.Data) == 0 || dl.Attempts != 0 {
			t.Errorf("dead letter = %+v, want permanent with reason, job ID, data and 0 attempts", dl)
		}
	}
	if codes != 1 {
		t.Errorf("%d dead letters carry a provider code, want 1 (the rejected signature)", codes)
	}
}

func TestProducerHostileJobsDeadLetterAtOnce(t *testing.T) {
	e := newProdEnv(t, volcsim.Options{}, yunxinsim.Options{})
	runProducer(t, e.js, e.router(t), prodConfig())

	vol := schemas.JobSubject(schemas.ProviderVolcengine, prodVolcApp)
	hostile := []struct{ subject, payload, reason string }{
		{vol, `{"user_id":`, "not a JSON job"},
		{"chatlake.jobs.wechat.1", "10001", "unknown provider"},
		{vol, "", "user_id is empty"},
		{vol, strings.Repeat("9", 512<<10), "exceeds"},
		{vol + ".x", "10001", "not chatlake.jobs."},
		{"chatlake.jobs.yunxin.a", `{"user_id":"x","provider":"volcengine"}`, "payload names"},
	}
	for _, h := range hostile {
		prodPublishJob(t, e.js, h.subject, h.payload)
	}
	prodPublishJob(t, e.js, vol, simulator.UserOne) // still works afterwards

	prodWaitFor(t, 20*time.Second, "dead letters", func() bool { return len(prodDeadLetters(t, e.js)) == len(hostile) })
	dls := prodDeadLetters(t, e.js)
	for _, h := range hostile {
		found := false
		for _, dl := range dls {
			if strings.Contains(dl.Reason, h.reason) {
				found = true
				if dl.Class != schemas.ClassInvalid || dl.Subject != h.subject || string(dl.Data) != h.payload {
					t.Errorf("dead letter %q = class %s subject %.40q data %.20q, want invalid, %.40q, %.20q", h.reason, dl.Class, dl.Subject, dl.Data, h.subject, h.payload)
				}
			}
		}
		if !found {
			t.Errorf("no dead letter with reason %q", h.reason)
		}
	}
	sts := prodWaitStates(t, e.js, 1, 20*time.Second)
	if len(sts) != 1 {
		t.Errorf("%d job status records, want 1 (hostile jobs get none)", len(sts))
	}
	prodCheckEvents(t, e.js, prodWantVolc(simulator.Dataset{}, simulator.UserOne))
}

package producer_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/chatlake/chatlake/internal/lockedbuf"
	"github.com/chatlake/chatlake/pipeline/internal/deadlettertest"
	"github.com/chatlake/chatlake/pipeline/producer"
	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/providers/yunxin/yunxinsim"
	"github.com/chatlake/chatlake/schemas"
)

func TestProducerDeadLettersJobNearMaxPayload(t *testing.T) {
	e := newProdEnv(t, volcsim.Options{}, yunxinsim.Options{})
	nc, _ := e.srv.Connect(t)
	runProducer(t, e.js, e.router(t), prodConfig())

	vol := schemas.JobSubject(schemas.ProviderVolcengine, prodVolcApp)
	huge := bytes.Repeat([]byte("9"), int(nc.MaxPayload())-100)
	prodPublishJob(t, e.js, vol, string(huge))
	prodPublishJob(t, e.js, vol, simulator.UserOne) // still works afterwards

	prodWaitFor(t, 20*time.Second, "a dead letter", func() bool { return len(prodDeadLetters(t, e.js)) == 1 })
	dl := prodDeadLetters(t, e.js)[0]
	if !dl.DataTruncated || dl.Subject != vol || dl.Class != schemas.ClassInvalid || !strings.Contains(dl.Reason, "exceeds") {
		t.Errorf("dead letter truncated %v, subject %s, class %s, reason %q; want truncated, %s, invalid, exceeds", dl.DataTruncated, dl.Subject, dl.Class, dl.Reason, vol)
	}
	deadlettertest.CheckDigest(t, dl, huge)
	prodWaitStates(t, e.js, 1, 20*time.Second)
	prodCheckEvents(t, e.js, prodWantVolc(simulator.Dataset{}, simulator.UserOne))
	prodWaitFor(t, 10*time.Second, "an empty jobs stream", func() bool { return len(prodStreamMsgs(t, e.js, schemas.StreamJobs)) == 0 })
}

func TestProducerBacksOffWhileDeadLettersFail(t *testing.T) {
	e := newProdEnv(t, volcsim.Options{}, yunxinsim.Options{})
	// Not even the last resort fits, and the stream says so at once: the
	// fastest failure there is.
	deadlettertest.Limit(t, e.js, 100)
	cfg := prodConfig()
	cfg.RetryInitial, cfg.RetryMax = 100*time.Millisecond, 2*time.Second
	var logs lockedbuf.Buffer
	p, err := producer.New(e.js, e.router(t), slog.New(slog.NewTextHandler(&logs, nil)), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	vol := schemas.JobSubject(schemas.ProviderVolcengine, prodVolcApp)
	prodPublishJob(t, e.js, vol, "")
	failures := func() int { return strings.Count(logs.String(), "dead letter failed, job handed back") }
	prodWaitFor(t, 20*time.Second, "a failed dead letter", func() bool { return failures() >= 1 })
	first := time.Now()
	prodWaitFor(t, 20*time.Second, "5 failed dead letters", func() bool { return failures() >= 5 })
	// Backoff after the 1st to 4th failures: at least 0.8 × (100+200+400+800) ms.
	t.Logf("5 failures in %v", time.Since(first))
	if d := time.Since(first); d < time.Second {
		t.Errorf("5 failed dead letters within %v, want a growing delay between them", d)
	}

	deadlettertest.Limit(t, e.js, -1)
	prodWaitFor(t, 20*time.Second, "a dead letter", func() bool { return len(prodDeadLetters(t, e.js)) == 1 })
	prodWaitFor(t, 10*time.Second, "an empty jobs stream", func() bool { return len(prodStreamMsgs(t, e.js, schemas.StreamJobs)) == 0 })
}

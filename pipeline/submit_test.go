package pipeline_test

import (
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/internal/natstest"
	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/schemas"
)

// TestSubmitterOnce: a job is published once, its status queued; the same
// job again is skipped, and forced it is published again.
func TestSubmitterOnce(t *testing.T) {
	_, js := natstest.Start(t).Connect(t)
	ctx := t.Context()
	if err := pipeline.EnsureStreams(ctx, js, pipeline.StreamsConfig{}); err != nil {
		t.Fatal(err)
	}
	if err := pipeline.EnsureJobBuckets(ctx, js, pipeline.JobBucketsConfig{}); err != nil {
		t.Fatal(err)
	}
	sub, err := pipeline.NewSubmitter(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	job := schemas.Job{Provider: schemas.ProviderYunxin, App: "yx_app-1", UserID: "u1"}
	for i, c := range []struct {
		force, published bool
		msgs             uint64
	}{{false, true, 1}, {false, false, 1}, {true, true, 2}} {
		published, err := sub.Submit(ctx, job, c.force)
		if err != nil || published != c.published {
			t.Fatalf("Submit %d (force %v) = %v, %v; want %v", i, c.force, published, err, c.published)
		}
		if n := natstest.StreamLen(t, js, schemas.StreamJobs); n != c.msgs {
			t.Errorf("after Submit %d: %d jobs in the stream, want %d", i, n, c.msgs)
		}
	}
	job.JobID = schemas.DeriveJobID(job)
	st, err := pipeline.OpenJobStatuses(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok, err := st.Get(ctx, schemas.JobKey(job)); err != nil || !ok || got.State != schemas.JobQueued {
		t.Errorf("status of %s = %+v, %v, %v; want queued", schemas.JobKey(job), got, ok, err)
	}
}

// TestGetJSON: an absent key is the zero value, a value decodes with its
// revision, and a value that is not JSON is an error naming the key.
func TestGetJSON(t *testing.T) {
	_, js := natstest.Start(t).Connect(t)
	ctx := t.Context()
	kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if v, rev, ok, err := pipeline.GetJSON[schemas.Checkpoint](ctx, kv, "absent"); err != nil || ok || rev != 0 || v.Pages != 0 {
		t.Errorf("GetJSON(absent) = %+v, %d, %v, %v; want zero, 0, false, nil", v, rev, ok, err)
	}
	rev, _ := kv.Put(ctx, "k", []byte(`{"cursor":"c2","pages":2}`))
	if v, got, ok, err := pipeline.GetJSON[schemas.Checkpoint](ctx, kv, "k"); err != nil || !ok || got != rev || v.Cursor != "c2" || v.Pages != 2 {
		t.Errorf("GetJSON(k) = %+v, %d, %v, %v; want c2, 2 pages at revision %d", v, got, ok, err, rev)
	}
	kv.Put(ctx, "bad", []byte("not json"))
	if _, _, _, err := pipeline.GetJSON[schemas.Checkpoint](ctx, kv, "bad"); err == nil {
		t.Error("GetJSON(bad) = nil error, want a decode error")
	}
}

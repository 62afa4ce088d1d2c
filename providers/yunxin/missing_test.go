package yunxin_test

import (
	"strings"
	"testing"

	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/yunxin"
	"github.com/chatlake/chatlake/providers/yunxin/yunxinsim"
	"github.com/chatlake/chatlake/schemas"
)

// TestMissingUserIsPermanent: a user the simulator does not know is code
// 404, a permanent failure, so the job is dead-lettered at once.
func TestMissingUserIsPermanent(t *testing.T) {
	run := startSim(t, yunxinsim.Options{Dataset: simulator.Dataset{MissingPrefix: "ghost-"}})
	c := newClient(t, run, yunxin.Config{})
	job := schemas.Job{JobID: "j", Provider: schemas.ProviderYunxin, App: yunxinsim.TestAppKey, UserID: "ghost-1"}
	_, err := c.FetchPage(t.Context(), job, "")
	if schemas.ClassOf(err) != schemas.ClassPermanent || !strings.Contains(err.Error(), "404") {
		t.Fatalf("FetchPage(ghost-1) = %v (class %s), want permanent code 404", err, schemas.ClassOf(err))
	}
	job.UserID = "alice"
	if _, err := c.FetchPage(t.Context(), job, ""); err != nil {
		t.Fatalf("FetchPage(alice) = %v", err)
	}
}

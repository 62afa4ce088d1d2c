package volcengine_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/schemas"
)

// TestMissingUserIsPermanent: a user the simulator does not know is a
// permanent failure with the provider's code, so the job is dead-lettered
// at once, not retried.
func TestMissingUserIsPermanent(t *testing.T) {
	ts := startSim(t, volcsim.Options{Dataset: simulator.Dataset{MissingPrefix: "ghost-"}})
	c := newClient(t, ts.URL, fastGuard(3), volcengine.Config{})
	job := schemas.Job{Provider: schemas.ProviderVolcengine, App: strconv.Itoa(int(volcsim.TestAppID)), UserID: "ghost-1"}
	_, err := c.FetchPage(t.Context(), job, "")
	if schemas.ClassOf(err) != schemas.ClassPermanent || !strings.Contains(err.Error(), "ParticipantNotFound") {
		t.Fatalf("FetchPage(ghost-1) = %v (class %s), want permanent ParticipantNotFound", err, schemas.ClassOf(err))
	}
	job.UserID = "10001"
	if _, err := c.FetchPage(t.Context(), job, ""); err != nil {
		t.Fatalf("FetchPage(10001) = %v", err)
	}
}

package volcengine_test

import (
	"testing"

	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/volcengine"
	"github.com/chatlake/chatlake/providers/volcengine/volcsim"
	"github.com/chatlake/chatlake/schemas"
)

// BenchmarkFetchPage350 pages a 350-conversation user (18 pages) through
// the simulator over loopback HTTP, signing and verifying every request.
func BenchmarkFetchPage350(b *testing.B) {
	ts := startSim(b, volcsim.Options{QPS: -1})
	c := newClient(b, ts.URL, fastGuard(1), volcengine.Config{})
	job := schemas.Job{App: testApp, UserID: simulator.UserMany, DataType: ptr(int32(1))}
	b.ReportAllocs()
	total := 0
	for b.Loop() {
		total += len(fetchAll(b, c, job, 100))
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "conversations/s")
}

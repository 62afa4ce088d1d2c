package yunxin_test

import (
	"testing"

	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/yunxin"
	"github.com/chatlake/chatlake/providers/yunxin/yunxinsim"
)

// BenchmarkFetchPageList pages through a user with 350 conversations
// (4 calls of 100) over loopback HTTP; the simulator's rendering is
// included.
func BenchmarkFetchPageList(b *testing.B) {
	run := startSim(b, yunxinsim.Options{QPS: yunxinsim.QPSOff})
	c := newClient(b, run, yunxin.Config{})
	job := listJob(simulator.UserMany)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for _, p := range fetchAll(b.Context(), b, c, job) {
			n += len(p.Conversations)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "conversations/s")
}

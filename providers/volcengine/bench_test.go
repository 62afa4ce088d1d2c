package volcengine_test

import (
	"bytes"
	"net/http"
	"strconv"
	"testing"
	"time"

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

// BenchmarkDecodePage measures the client's share of a page: decoding and
// mapping 20 simulator items of users of the data set, without HTTP or
// signing: with realistic group names (short-names, about 400 bytes an
// item) and with the data set's multi-kilobyte names in some (hard-names,
// about 1.2 kB an item).
func BenchmarkDecodePage(b *testing.B) {
	for _, ds := range []struct {
		name string
		set  simulator.Dataset
	}{{"short-names", simulator.Dataset{ShortNames: true}}, {"hard-names", simulator.Dataset{}}} {
		b.Run(ds.name, func(b *testing.B) {
			var items [][]byte
			for u := 300000; len(items) < 20; u++ {
				for _, it := range volcsim.Expected(ds.set, volcsim.TestAppID, strconv.Itoa(u), 0) {
					items = append(items, it.Raw)
				}
			}
			body := []byte(`{"ResponseMetadata":{"RequestId":"bench","Action":"GetUserConversations","Version":"2020-12-01","Service":"rtc","Region":"cn-north-1"},` +
				`"Result":{"ConversationInfos":[` + string(bytes.Join(items[:20], []byte(","))) + `],"HasMore":true,"NextCursor":20}}`)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				res, err := volcengine.DecodeResponse(http.StatusOK, http.Header{}, body, time.Time{})
				if err != nil || len(res.Conversations) != 20 {
					b.Fatalf("DecodeResponse = %v, %v", res, err)
				}
				n += len(res.Conversations)
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "conversations/s")
		})
	}
}

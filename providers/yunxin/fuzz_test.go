package yunxin

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/providers/simulator"
	"github.com/chatlake/chatlake/providers/yunxin/yunxinsim"
)

// fuzzSeeds are response bodies both decoders must survive.
func fuzzSeeds(f *testing.F, good ...string) {
	for _, s := range good {
		f.Add(200, s)
	}
	for _, s := range []string{
		"", "null", "{}", "[]", `{"code":200}`, `{"code":200,"data":null}`, `{"code":200,"data":[]}`,
		`{"code":"200","data":{}}`, `{"code":416,"msg":"freq","data":{}}`, `{"code":200.5}`,
		`{"code":200,"data":{"items":[null]}}`, `{"code":200,"data":{"items":[{"conversation_id":""}]}}`,
		`{"code":200,"data":{"items":[{"conversation_id":"a","last_message":{"message_server_id":9007199254740993}}]}}`,
		`{"code":200,"data":{"items":[{"conversation_id":"a","last_message":[]}]}}`,
		`{"code":200,"data":{"success_list":[{"conversation_id":"a","revoke_message":{"server_id":1}}],"failed_list":[{}]}}`,
		`{"code":200,"data":{"failed_list":[{"error_code":"x"}]}}`,
		`{"code":200,"msg":"success","data":{"has_more":true,"items":[{"conversation_id":"1|1|`,
	} {
		f.Add(200, s)
	}
	f.Add(503, "busy")
	f.Add(429, "")
}

// checkDecoded holds for any outcome: either a classified *providers.Error
// or conversations that all have an ID and valid raw JSON.
func checkDecoded(t *testing.T, err error, raws [][]byte, ids []string) {
	if err != nil {
		var pe *providers.Error
		if !errors.As(err, &pe) || pe.Class == "" || pe.Error() == "" {
			t.Fatalf("error %v is not a classified *providers.Error", err)
		}
		return
	}
	for i := range raws {
		if ids[i] == "" || !json.Valid(raws[i]) {
			t.Fatalf("conversation %d: id %q, raw %q", i, ids[i], raws[i])
		}
	}
}

func simBody(t testing.TB, path, query string) string {
	s := yunxinsim.New(yunxinsim.Options{Dataset: simulator.Dataset{Seed: 5}})
	now := time.Now()
	req, _ := http.NewRequest(http.MethodGet, path+"?"+query, nil)
	sign(req.Header, Credentials{AppKey: yunxinsim.TestAppKey, AppSecret: yunxinsim.TestAppSecret}, "n", now)
	var w strings.Builder
	rec := &recorder{h: http.Header{}, w: &w}
	s.ServeHTTP(rec, req)
	return w.String()
}

type recorder struct {
	h http.Header
	w *strings.Builder
}

func (r *recorder) Header() http.Header         { return r.h }
func (r *recorder) Write(b []byte) (int, error) { return r.w.Write(b) }
func (r *recorder) WriteHeader(int)             {}

func FuzzDecodeList(f *testing.F) {
	good := simBody(f, yunxinsim.PathList, "account_id="+simulator.UserTwentyOne+"&limit=5")
	if p, err := decodeList("app", "u", response{status: 200, body: []byte(good)}); err != nil || len(p.Conversations) != 5 {
		f.Fatalf("decodeList(simulator page) = %d conversations, %v; want 5, nil", len(p.Conversations), err)
	}
	fuzzSeeds(f, good)
	f.Fuzz(func(t *testing.T, status int, body string) {
		p, err := decodeList("app", "u", response{status: status, header: http.Header{}, body: []byte(body), now: time.Now()})
		var raws [][]byte
		var ids []string
		for _, c := range p.Conversations {
			raws, ids = append(raws, c.Raw), append(ids, c.ConversationID)
		}
		checkDecoded(t, err, raws, ids)
	})
}

func FuzzDecodeBatch(f *testing.F) {
	ids := yunxinsim.Expected(simulator.Dataset{Seed: 5}, yunxinsim.TestAppKey, simulator.UserTwenty)
	q := "conversation_ids=" + ids[0].ConversationID + "%2C" + ids[1].ConversationID + "%2Cnope"
	good := simBody(f, yunxinsim.PathBatch, q)
	if r, err := decodeBatch("app", "u", response{status: 200, body: []byte(good)}); err != nil || len(r.Conversations) != 2 || len(r.Failed) != 1 {
		f.Fatalf("decodeBatch(simulator answer) = %+v, %v; want 2 found, 1 failed", r, err)
	}
	fuzzSeeds(f, good)
	f.Fuzz(func(t *testing.T, status int, body string) {
		r, err := decodeBatch("app", "u", response{status: status, header: http.Header{}, body: []byte(body), now: time.Now()})
		var raws [][]byte
		var ids []string
		for _, c := range r.Conversations {
			raws, ids = append(raws, c.Raw), append(ids, c.ConversationID)
		}
		checkDecoded(t, err, raws, ids)
	})
}

// BenchmarkDecodeList measures the client's share of a page: decoding and
// mapping 100 simulator items, without HTTP.
func BenchmarkDecodeList(b *testing.B) {
	body := []byte(simBody(b, yunxinsim.PathList, "account_id="+simulator.UserMany+"&limit=100"))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		p, err := decodeList("app", "u", response{status: 200, body: body})
		if err != nil || len(p.Conversations) != 100 {
			b.Fatalf("decodeList = %d conversations, %v", len(p.Conversations), err)
		}
		n += len(p.Conversations)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "conversations/s")
}

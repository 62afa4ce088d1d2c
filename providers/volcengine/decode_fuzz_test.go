package volcengine

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chatlake/chatlake/providers"
)

// FuzzDecodeResponse: any status and body give a classified error or a
// valid page, never a panic.
func FuzzDecodeResponse(f *testing.F) {
	for _, seed := range []struct {
		status int
		body   string
	}{
		{200, `{"ResponseMetadata":{"RequestId":"r"},"Result":{"ConversationInfos":[{"ConversationShortId":9007199254740993,"Name":"项目🎉","OwnerUid":5,"Ext":{"a":"b"},"CreateTime":1700000000,"Status":1}],"HasMore":true,"NextCursor":20}}`},
		{200, `{"ResponseMetadata":{"Error":{"Code":"InvalidParam","Message":"x"}},"Result":{}}`},
		{429, `{"ResponseMetadata":{"Error":{"Code":"FlowLimitExceeded","CodeN":100018}}}`},
		{200, `{"Result":null}`},
		{200, `{"Result":{"ConversationInfos":[null]}}`},
		{200, `{"Result":{"ConversationInfos":[{"ConversationShortId":1e400}]}}`},
		{500, `<html>`},
		{200, ``},
		{200, `[]`},
	} {
		f.Add(seed.status, []byte(seed.body))
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		res, err := decodeResponse(status, http.Header{"Retry-After": {"5"}}, body, now)
		if err != nil {
			var pe *providers.Error
			if !errors.As(err, &pe) || pe.Class == "" || res != nil {
				t.Fatalf("decodeResponse(%d, %q) = %v, %v; want a classified *providers.Error alone", status, body, res, err)
			}
			return
		}
		if status != http.StatusOK || res == nil {
			t.Fatalf("decodeResponse(%d, %q) = %v, nil; want success only on 200", status, body, res)
		}
		for _, ci := range res.Conversations {
			if !json.Valid(ci.Raw) || !strings.Contains(string(body), string(ci.Raw)) {
				t.Fatalf("decodeResponse(%q): item Raw %q is not a valid part of the body", body, ci.Raw)
			}
		}
	})
}

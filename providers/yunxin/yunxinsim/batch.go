package yunxinsim

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// batch answers GET /im/v2/conversations/actions/conversation_ids: the
// comma-separated IDs (URL-encoded as one value), at most 100. Known IDs go
// to success_list in request order, every other one to failed_list with
// error_code 414 (the provider's code for a nonexistent conversation).
func (s *Server) batch(w http.ResponseWriter, r *http.Request, app string) {
	v := r.URL.Query().Get("conversation_ids")
	if v == "" {
		writeError(w, 414, "conversation_ids is required")
		return
	}
	ids := strings.Split(v, ",")
	if len(ids) > maxIDs {
		writeError(w, 414, "more than 100 conversation_ids")
		return
	}
	found, failed := s.cat.lookup(app, ids)
	d := batchData{SuccessList: make([]json.RawMessage, 0, len(found)), FailedList: make([]failedEntry, 0, len(failed))}
	for _, it := range found {
		d.SuccessList = append(d.SuccessList, it.Raw)
	}
	for _, id := range failed {
		d.FailedList = append(d.FailedList, failedEntry{ConversationID: id, ErrorCode: 414, ErrorMsg: "conversation not found"})
	}
	writeBatch(w, d)
}

// Page tokens are opaque to clients; inside, the offset bound to the app
// and user it belongs to, so a token cannot be replayed elsewhere.
func makeToken(off int, app, user string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v1|" + strconv.Itoa(off) + "|" + app + "|" + user))
}

func parseToken(tok, app, user string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	parts := strings.SplitN(string(b), "|", 4)
	if len(parts) != 4 || parts[0] != "v1" || parts[2] != app || parts[3] != user {
		return 0, false
	}
	off, err := strconv.Atoi(parts[1])
	return off, err == nil && off >= 0
}

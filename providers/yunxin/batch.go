package yunxin

import (
	"iter"
	"strings"

	"github.com/chatlake/chatlake/schemas"
)

// chunks yields ids in slices of at most n.
func chunks(ids []string, n int) iter.Seq[[]string] {
	return func(yield func([]string) bool) {
		for len(ids) > 0 {
			k := min(n, len(ids))
			if !yield(ids[:k]) {
				return
			}
			ids = ids[k:]
		}
	}
}

// screenIDs splits ids into those worth sending and those the client
// rejects itself, reported as failed with code 414 like the provider's
// answer for a malformed ID.
//
// Decision (batch ID validation): an ID must be {owner}|{type}|{peer} with
// type 1–3, no comma (it would split the comma-joined list) and owner equal
// to the job's user: the conversation of another user would be exported
// under the wrong user_id. Such an ID fails alone; the others go ahead.
func screenIDs(userID string, ids []string) (ok []string, failed []schemas.FailedItem) {
	for _, id := range ids {
		if why := checkID(userID, id); why != "" {
			failed = append(failed, schemas.FailedItem{ConversationID: id, Code: CodeParam, Message: "rejected by client: " + why})
			continue
		}
		ok = append(ok, id)
	}
	return ok, failed
}

func checkID(userID, id string) string {
	if id == "" {
		return "empty conversation id"
	}
	if strings.Contains(id, ",") {
		return "comma in conversation id"
	}
	parts := strings.SplitN(id, "|", 3)
	if len(parts) != 3 || parts[0] == "" || parts[2] == "" {
		return "conversation id is not owner|type|peer"
	}
	if parts[1] != "1" && parts[1] != "2" && parts[1] != "3" {
		return "conversation type is not 1, 2 or 3"
	}
	if parts[0] != userID {
		return "conversation owner is not the job's user"
	}
	return ""
}

// missing reports the sent IDs the provider put in neither list, so none
// vanishes silently. Code 0: the provider gave none.
func missing(sent []string, res BatchResult) []schemas.FailedItem {
	seen := make(map[string]bool, len(res.Conversations)+len(res.Failed))
	for _, c := range res.Conversations {
		seen[c.ConversationID] = true
	}
	for _, f := range res.Failed {
		seen[f.ConversationID] = true
	}
	var out []schemas.FailedItem
	for _, id := range sent {
		if !seen[id] {
			seen[id] = true // a duplicated ID is reported once
			out = append(out, schemas.FailedItem{ConversationID: id, Message: "absent from the provider's response"})
		}
	}
	return out
}

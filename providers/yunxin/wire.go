package yunxin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/schemas"
)

// envelope is every v2 response: {code, msg, data}. Code is a pointer so a
// body without one is told apart from code 0.
type envelope struct {
	Code *int            `json:"code"`
	Msg  string          `json:"msg"`
	Data json.RawMessage `json:"data"`
}

// listData is data of GET /im/v2/conversations. Items stay raw so each
// conversation keeps the provider's exact bytes.
type listData struct {
	HasMore   bool              `json:"has_more"`
	NextToken string            `json:"next_token"`
	Items     []json.RawMessage `json:"items"`
}

// batchData is data of the batch query by conversation ID.
type batchData struct {
	SuccessList []json.RawMessage `json:"success_list"`
	FailedList  []failedEntry     `json:"failed_list"`
}

type failedEntry struct {
	ConversationID string `json:"conversation_id"`
	ErrorCode      int    `json:"error_code"`
	ErrorMsg       string `json:"error_msg"`
}

// response is a decoded HTTP answer before its data is looked at.
type response struct {
	status int
	header http.Header
	body   []byte
	now    time.Time
}

// data checks the status and the envelope and returns the data object of a
// successful response, or a classified *providers.Error.
func (r response) data(op string) (json.RawMessage, error) {
	if r.status != http.StatusOK {
		e := newError(op, classify(r.status, 0), http.StatusText(r.status), nil)
		e.HTTPStatus = r.status
		e.RetryAfter = retryAfter(r.header.Get("Retry-After"), r.now)
		return nil, e
	}
	var env envelope
	if err := json.Unmarshal(r.body, &env); err != nil {
		return nil, malformed(op, fmt.Errorf("decode envelope: %w", err))
	}
	if env.Code == nil {
		return nil, malformed(op, errors.New("decode envelope: no code"))
	}
	if *env.Code != CodeSuccess {
		e := newError(op, classify(r.status, *env.Code), env.Msg, nil)
		e.HTTPStatus = r.status
		e.Code = strconv.Itoa(*env.Code)
		e.RetryAfter = retryAfter(r.header.Get("Retry-After"), r.now)
		return nil, e
	}
	if d := bytes.TrimSpace(env.Data); len(d) == 0 || d[0] != '{' {
		return nil, malformed(op, errors.New("decode envelope: success without a data object"))
	}
	return env.Data, nil
}

// malformed is the error of a body that cannot be understood: transient,
// since a gateway hiccup is the likely cause.
func malformed(op string, err error) *providers.Error {
	e := newError(op, schemas.ClassTransient, "malformed response", err)
	e.HTTPStatus = http.StatusOK
	return e
}

// decodeList decodes a list response into conversations of user.
func decodeList(appKey, user string, r response) (ListPage, error) {
	raw, err := r.data(opList)
	if err != nil {
		return ListPage{}, err
	}
	var d listData
	if err := json.Unmarshal(raw, &d); err != nil {
		return ListPage{}, malformed(opList, fmt.Errorf("decode list data: %w", err))
	}
	convs, err := mapItems(appKey, user, d.Items)
	if err != nil {
		return ListPage{}, malformed(opList, err)
	}
	return ListPage{Conversations: convs, HasMore: d.HasMore, NextToken: d.NextToken}, nil
}

// decodeBatch decodes a batch response into conversations of user and the
// IDs the provider reported as failed.
func decodeBatch(appKey, user string, r response) (BatchResult, error) {
	raw, err := r.data(opBatch)
	if err != nil {
		return BatchResult{}, err
	}
	var d batchData
	if err := json.Unmarshal(raw, &d); err != nil {
		return BatchResult{}, malformed(opBatch, fmt.Errorf("decode batch data: %w", err))
	}
	convs, err := mapItems(appKey, user, d.SuccessList)
	if err != nil {
		return BatchResult{}, malformed(opBatch, err)
	}
	res := BatchResult{Conversations: convs}
	for _, f := range d.FailedList {
		res.Failed = append(res.Failed, schemas.FailedItem{ConversationID: f.ConversationID, Code: f.ErrorCode, Message: f.ErrorMsg})
	}
	return res, nil
}

package volcengine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/chatlake/chatlake/providers"
)

// maxResponseBytes bounds a response body; 20 items of a few kilobytes each
// are far below it.
const maxResponseBytes = 16 << 20

// Client calls GetUserConversations for one Volcengine account. It is safe
// for concurrent use and holds nothing to close.
type Client struct {
	hc    *http.Client
	guard *providers.Guard
	creds Credentials
	cfg   Config
	url   *url.URL
	keys  keyCache
}

// NewClient returns a client that sends through hc and runs every call
// through guard (rate limit, breaker, retries). hc, guard and the access
// key pair are required; cfg is validated.
func NewClient(hc *http.Client, guard *providers.Guard, creds Credentials, cfg Config) (*Client, error) {
	switch {
	case hc == nil:
		return nil, errors.New("volcengine: nil http client")
	case guard == nil:
		return nil, errors.New("volcengine: nil guard")
	case creds.AccessKeyID == "" || creds.SecretAccessKey == "":
		return nil, errors.New("volcengine: access key id and secret access key are required")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	u, _ := url.Parse(cfg.Endpoint) // validated above
	u.Path = "/"
	u.RawQuery = url.Values{"Action": {Action}, "Version": {Version}}.Encode()
	return &Client{hc: hc, guard: guard, creds: creds, cfg: cfg, url: u}, nil
}

// Request is one GetUserConversations call.
type Request struct {
	AppID int32
	// UserID is sent as ParticipantUserId when it is a canonical positive
	// decimal int64, else as ParticipantUserIdStr.
	UserID string
	// DataType: 0 cache by activity, 1 DB by creation, 2 live groups. Nil
	// leaves it out (provider default 0).
	DataType *int32
	// InboxType; nil leaves it out (provider default 0).
	InboxType *int32
	// Cursor is 0 for the first page, then the previous NextCursor.
	Cursor int64
	// Limit is the page size, at most MaxPageSize; 0 means Config.PageSize.
	Limit           int64
	SkipMemberCount *bool
}

// wireRequest is the JSON body, field order as in the SDK example. The SDK
// model has ParticipantUserId without omitempty, so it is always sent, as 0
// next to ParticipantUserIdStr for string user IDs (open question 1: the
// string form is used only when the ID is not numeric, so precedence never
// matters for us).
type wireRequest struct {
	AppID                int32   `json:"AppId"`
	ParticipantUserID    int64   `json:"ParticipantUserId"`
	ParticipantUserIDStr *string `json:"ParticipantUserIdStr,omitempty"`
	DataType             *int32  `json:"DataType,omitempty"`
	Cursor               int64   `json:"Cursor"`
	Limit                int64   `json:"Limit"`
	SkipMemberCount      *bool   `json:"SkipMemberCount,omitempty"`
	InboxType            *int32  `json:"InboxType,omitempty"`
}

// GetUserConversations fetches one page. Errors are *providers.Error
// (errors.As), classified throttled, transient or permanent, or whatever
// the guard returns (e.g. *providers.BreakerOpenError).
func (c *Client) GetUserConversations(ctx context.Context, r Request) (*Result, error) {
	body, err := c.body(r)
	if err != nil {
		return nil, err
	}
	// The body is marshalled and hashed once; every attempt sends these
	// exact bytes with a fresh X-Date.
	hash := HashBody(body)
	var res *Result
	err = c.guard.Do(ctx, Action, func(ctx context.Context) error {
		var aerr error
		res, aerr = c.attempt(ctx, body, hash)
		return aerr
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func (c *Client) body(r Request) ([]byte, error) {
	if r.Limit == 0 {
		r.Limit = int64(c.cfg.PageSize)
	}
	switch {
	case r.AppID <= 0:
		return nil, invalid("app id %d not positive", r.AppID)
	case r.UserID == "":
		return nil, invalid("empty user id")
	case r.Limit < 1 || r.Limit > MaxPageSize:
		return nil, invalid("limit %d not in 1..%d", r.Limit, MaxPageSize)
	case r.Cursor < 0:
		return nil, invalid("negative cursor %d", r.Cursor)
	}
	w := wireRequest{AppID: r.AppID, DataType: r.DataType, Cursor: r.Cursor, Limit: r.Limit,
		SkipMemberCount: r.SkipMemberCount, InboxType: r.InboxType}
	if n, ok := numericUserID(r.UserID); ok {
		w.ParticipantUserID = n
	} else {
		w.ParticipantUserIDStr = &r.UserID
	}
	return json.Marshal(w)
}

// numericUserID reports whether id is the canonical decimal form of a
// positive int64 ("007" is not: it would lose its identity as a number).
func numericUserID(id string) (int64, bool) {
	n, err := strconv.ParseInt(id, 10, 64)
	return n, err == nil && n > 0 && strconv.FormatInt(n, 10) == id
}

func invalid(format string, args ...any) error {
	return newError(permanent, 0, "InvalidRequest", fmt.Sprintf(format, args...), nil)
}

// attempt sends one signed request and decodes its answer.
func (c *Client) attempt(ctx context.Context, body []byte, hash string) (*Result, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url.String(), bytes.NewReader(body))
	if err != nil {
		return nil, newError(permanent, 0, "", "", fmt.Errorf("volcengine: new request: %w", err))
	}
	c.sign(req, hash)
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, newError(transient, 0, "", "", err)
	}
	defer resp.Body.Close()
	raw, err := providers.ReadBody(resp, maxResponseBytes)
	if len(raw) > maxResponseBytes {
		return nil, newError(transient, resp.StatusCode, "", "", fmt.Errorf("%w: %w", errMalformed, err))
	}
	if err != nil {
		return nil, newError(transient, resp.StatusCode, "", "", fmt.Errorf("read body: %w", err))
	}
	return decodeResponse(resp.StatusCode, resp.Header, raw, c.cfg.Now())
}

// sign sets the headers of §1.5 step 14 on req.
func (c *Client) sign(req *http.Request, hash string) {
	date := c.cfg.Now().UTC().Format(DateFormat)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set(HeaderDate, date)
	req.Header.Set(HeaderContentSHA256, hash)
	if c.creds.SessionToken != "" {
		req.Header.Set(HeaderSecurityToken, c.creds.SessionToken.Reveal())
	}
	h := req.Header.Clone()
	h.Set("Host", req.URL.Host)
	scope := Scope{Date: date, Region: c.cfg.Region, Service: Service}
	key := c.keys.get(c.creds.SecretAccessKey, shortDate(date), scope.Region, scope.Service)
	s := signWithKey(Signable{Method: req.Method, Path: req.URL.Path, Query: req.URL.Query(), Header: h, BodySHA256: hash},
		scope, c.creds.AccessKeyID, key)
	req.Header.Set(HeaderAuthorization, s.Authorization)
}

// String describes the client without its secrets.
func (c *Client) String() string {
	return "volcengine client " + strings.TrimSuffix(c.cfg.Endpoint, "/") + " key " + c.creds.AccessKeyID
}

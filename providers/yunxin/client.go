package yunxin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/schemas"
)

// Endpoint names, as the Guard's breakers and errors know them.
const (
	opList  = "ListConversations"
	opBatch = "BatchGetConversations"
)

// Paths of the v2 endpoints. Decision (open question 5 of
// docs/providers.md §4): v2, as §2.4 and §2.5 specify; v2.1 differs at most
// in the revocation key, which the decoder accepts in both spellings.
const (
	pathList  = "/im/v2/conversations"
	pathBatch = "/im/v2/conversations/actions/conversation_ids"
)

// maxBody bounds a response body; 100 items are far below it.
const maxBody = 32 << 20

// Client calls the Yunxin v2 conversation API for one app. It is safe for
// concurrent use and holds nothing that needs closing.
type Client struct {
	hc    *http.Client
	guard *providers.Guard
	creds Credentials
	cfg   Config
	base  string
}

// NewClient returns a client for the app of creds. hc and guard are
// required; cfg's zero fields take their defaults. It fails when cfg is out
// of range or creds are incomplete.
func NewClient(hc *http.Client, guard *providers.Guard, creds Credentials, cfg Config) (*Client, error) {
	if hc == nil || guard == nil {
		return nil, errors.New("yunxin: new client: nil http client or guard")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := creds.validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	return &Client{hc: hc, guard: guard, creds: creds, cfg: cfg, base: strings.TrimSuffix(cfg.BaseURL, "/")}, nil
}

// AppKey returns the AppKey the client signs with.
func (c *Client) AppKey() string { return c.creds.AppKey }

// ListPage is one page of a user's conversation list.
type ListPage struct {
	Conversations []schemas.Conversation
	// HasMore and NextToken are the provider's has_more and next_token.
	HasMore   bool
	NextToken string
}

// ListConversations returns one page of accountID's conversations, starting
// after pageToken ("" for the first page). Errors are *providers.Error;
// a page that would make paging loop forever (has_more with an empty or
// unchanged next_token, or with no items) is a permanent one.
func (c *Client) ListConversations(ctx context.Context, accountID, pageToken string) (ListPage, error) {
	if accountID == "" {
		return ListPage{}, newError(opList, schemas.ClassPermanent, "empty account id", nil)
	}
	q := url.Values{"account_id": {accountID}, "limit": {strconv.Itoa(c.cfg.ListLimit)}}
	if pageToken != "" {
		q.Set("page_token", pageToken)
	}
	var page ListPage
	err := c.call(ctx, opList, pathList, q, func(r response) (err error) {
		page, err = decodeList(c.creds.AppKey, accountID, r)
		return err
	})
	if err != nil {
		return ListPage{}, err
	}
	return page, checkProgress(page, pageToken)
}

// checkProgress refuses a page after which paging cannot make progress.
// Decision: has_more with an empty next_token is an error, not the end, so
// a provider fault cannot silently truncate an export.
func checkProgress(p ListPage, requested string) error {
	if !p.HasMore {
		return nil
	}
	var why string
	switch {
	case p.NextToken == "":
		why = "has_more without next_token"
	case p.NextToken == requested:
		why = "next_token repeats the request's page_token"
	case len(p.Conversations) == 0:
		why = "has_more on an empty page"
	default:
		return nil
	}
	return newError(opList, schemas.ClassPermanent, "paging would not end: "+why, nil)
}

// BatchResult is the outcome of a batch query: the conversations found and
// the IDs the provider (or the client, for IDs it cannot send) reported as
// failed.
type BatchResult struct {
	Conversations []schemas.Conversation
	Failed        []schemas.FailedItem
}

// BatchGetConversations returns the conversations of userID with the given
// IDs, in calls of at most Config.BatchSize IDs. An ID the provider lists as
// failed, or leaves out of both lists, is reported in Failed and does not
// fail the others. Errors are *providers.Error; on error no result is
// returned.
func (c *Client) BatchGetConversations(ctx context.Context, userID string, ids []string) (BatchResult, error) {
	var all BatchResult
	for chunk := range chunks(ids, c.cfg.BatchSize) {
		ok, failed := screenIDs(userID, chunk)
		res, err := c.batchOnce(ctx, userID, ok)
		if err != nil {
			return BatchResult{}, err
		}
		all.Conversations = append(all.Conversations, res.Conversations...)
		all.Failed = append(append(all.Failed, failed...), res.Failed...)
	}
	return all, nil
}

// batchOnce queries at most MaxBatchIDs valid IDs in one call.
func (c *Client) batchOnce(ctx context.Context, userID string, ids []string) (BatchResult, error) {
	if len(ids) == 0 {
		return BatchResult{}, nil
	}
	if len(ids) > MaxBatchIDs {
		return BatchResult{}, newError(opBatch, schemas.ClassPermanent, fmt.Sprintf("%d ids in one call, max %d", len(ids), MaxBatchIDs), nil)
	}
	// Comma-joined, then URL-encoded as one value (| → %7C, , → %2C), as
	// both official SDKs send it. Decision (open question 6): GET, not the
	// v2.1 POST form.
	q := url.Values{"conversation_ids": {strings.Join(ids, ",")}}
	var res BatchResult
	err := c.call(ctx, opBatch, pathBatch, q, func(r response) (err error) {
		res, err = decodeBatch(c.creds.AppKey, userID, r)
		return err
	})
	if err != nil {
		return BatchResult{}, err
	}
	res.Failed = append(res.Failed, missing(ids, res)...)
	return res, nil
}

// call runs one GET through the guard. Each attempt is signed afresh and
// decoded by decode, whose error decides whether the guard retries.
func (c *Client) call(ctx context.Context, op, path string, q url.Values, decode func(response) error) error {
	u := c.base + path + "?" + q.Encode()
	return c.guard.Do(ctx, op, func(ctx context.Context) error {
		r, err := c.attempt(ctx, op, u)
		if err != nil {
			return err
		}
		return decode(r)
	})
}

// attempt sends one signed request and reads the whole body.
func (c *Client) attempt(ctx context.Context, op, u string) (response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return response{}, newError(op, schemas.ClassPermanent, "build request", err)
	}
	now := c.cfg.Now()
	sign(req.Header, c.creds, c.cfg.Nonce(), now)
	resp, err := c.hc.Do(req)
	if err != nil {
		return response{}, newError(op, schemas.ClassTransient, "send request", err)
	}
	defer resp.Body.Close()
	body, err := providers.ReadBody(resp, maxBody)
	if err != nil {
		e := newError(op, schemas.ClassTransient, "read response", err)
		e.HTTPStatus = resp.StatusCode
		return response{}, e
	}
	return response{status: resp.StatusCode, header: resp.Header, body: body, now: now}, nil
}

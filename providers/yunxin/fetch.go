package yunxin

import (
	"context"
	"fmt"
	"strconv"

	"github.com/chatlake/chatlake/schemas"
)

// opFetch names errors about the job itself, raised before any call.
const opFetch = "FetchPage"

// FetchPage returns the page of job that starts at cursor ("" for the
// first). With job.ConversationIDs it queries those IDs by batch (cursor is
// the decimal offset into the list, one call of at most Config.BatchSize
// IDs a page); otherwise it lists the user's conversations (cursor is the
// provider's page_token). Page.Next resumes after the page; Page.Done marks
// the last one.
//
// Errors are *providers.Error. A job for another app, a job without a user
// or a cursor that is not this mode's cursor is a permanent error.
func (c *Client) FetchPage(ctx context.Context, job schemas.Job, cursor string) (schemas.Page, error) {
	if err := c.checkJob(job); err != nil {
		return schemas.Page{}, err
	}
	if len(job.ConversationIDs) > 0 {
		return c.fetchBatch(ctx, job, cursor)
	}
	p, err := c.ListConversations(ctx, job.UserID, cursor)
	if err != nil {
		return schemas.Page{}, err
	}
	return schemas.Page{Conversations: p.Conversations, Next: p.NextToken, Done: !p.HasMore}, nil
}

func (c *Client) checkJob(job schemas.Job) error {
	switch {
	case job.Provider != "" && job.Provider != schemas.ProviderYunxin:
		return newError(opFetch, schemas.ClassPermanent, fmt.Sprintf("job for provider %q", job.Provider), nil)
	case job.App != c.creds.AppKey:
		return newError(opFetch, schemas.ClassPermanent, fmt.Sprintf("job app %q is not the client's app key", job.App), nil)
	case job.UserID == "":
		return newError(opFetch, schemas.ClassPermanent, "job without user id", nil)
	}
	return nil
}

// fetchBatch queries the window of job.ConversationIDs at cursor.
func (c *Client) fetchBatch(ctx context.Context, job schemas.Job, cursor string) (schemas.Page, error) {
	ids := job.ConversationIDs
	off, err := parseOffset(cursor, len(ids))
	if err != nil {
		return schemas.Page{}, err
	}
	end := min(off+c.cfg.BatchSize, len(ids))
	ok, failed := screenIDs(job.UserID, ids[off:end])
	res, err := c.batchOnce(ctx, job.UserID, ok)
	if err != nil {
		return schemas.Page{}, err
	}
	return schemas.Page{
		Conversations: res.Conversations,
		Failed:        append(failed, res.Failed...),
		Next:          strconv.Itoa(end),
		Done:          end == len(ids),
	}, nil
}

// parseOffset reads a batch cursor: "" is 0, else a decimal in [0, n].
func parseOffset(cursor string, n int) (int, error) {
	if cursor == "" {
		return 0, nil
	}
	off, err := strconv.Atoi(cursor)
	if err != nil || off < 0 || off > n {
		return 0, newError(opFetch, schemas.ClassPermanent, fmt.Sprintf("batch cursor %q: want an offset in 0..%d", cursor, n), err)
	}
	return off, nil
}

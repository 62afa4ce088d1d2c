package schemas

// Job asks for every conversation of one user of one provider app. Provider
// and App come from the subject the job was published on
// (chatlake.jobs.<provider>.<app>); the payload carries the rest.
//
// The producer owns decoding and validation of jobs (see pipeline).
type Job struct {
	// JobID identifies the job; derived from its content when the submitter
	// gave none, so the same submission twice is the same job.
	JobID string `json:"job_id,omitempty"`
	// Provider is ProviderVolcengine or ProviderYunxin.
	Provider string `json:"provider,omitempty"`
	// App is the Volcengine AppId (decimal) or the Yunxin AppKey.
	App string `json:"app,omitempty"`
	// UserID is the user whose conversations are exported.
	UserID string `json:"user_id"`
	// DataType is Volcengine's DataType (0 cache by activity, 1 DB by
	// creation, 2 live groups). Nil means the provider default, 0.
	DataType *int32 `json:"data_type,omitempty"`
	// InboxType is Volcengine's InboxType. Nil means 0.
	InboxType *int32 `json:"inbox_type,omitempty"`
	// ConversationIDs, for Yunxin, asks for these conversations only (batch
	// query by ID) instead of listing all of the user's conversations.
	ConversationIDs []string `json:"conversation_ids,omitempty"`
	// Run names the export run the job belongs to (see Run); empty for a
	// job outside any run. It is part of the derived JobID, so the same
	// user in two runs is two jobs.
	Run string `json:"run,omitempty"`
}

// Page is one page of a job's conversations as a provider returned it.
// Next is the opaque cursor that resumes after this page; the producer
// saves it as the job's checkpoint once the page's events are stored.
type Page struct {
	Conversations []Conversation
	// Failed lists the conversation IDs the provider could not return
	// (Yunxin batch query failed_list). They neither vanish nor fail the
	// conversations that succeeded.
	Failed []FailedItem
	// Next resumes after this page. Meaningless when Done.
	Next string
	// Done is true on the last page.
	Done bool
}

// FailedItem is one ID a provider reported as failed within a successful
// call.
type FailedItem struct {
	ConversationID string `json:"conversation_id"`
	Code           int    `json:"code"`
	Message        string `json:"message"`
}

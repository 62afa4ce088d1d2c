package schemas

import "time"

// DeadLetterSchemaVersion is the version of DeadLetter this code writes.
const DeadLetterSchemaVersion = 1

// Dead-letter kinds: the second token of a dead-letter subject.
const (
	DeadLetterKindJobs          = "jobs"
	DeadLetterKindConversations = "conversations"
)

// DeadLetterClipBytes bounds Subject and Reason in a last-resort dead
// letter, so that it fits any message size limit of a few KiB.
const DeadLetterClipBytes = 256

// DeadLetterUnknownToken replaces a provider or app that failed validation
// in a dead-letter subject, so hostile subject tokens never reach it.
const DeadLetterUnknownToken = "_invalid"

// DeadLetter is a message that could not be processed, published as JSON on
// chatlake.dlq.<kind>.<provider>.<app> (see DeadLetterSubject). It holds the
// original message unchanged (Data is base64 in JSON) and why it failed.
//
// A dead letter is one NATS message, so it cannot hold an original close to
// the size limit whole (base64 alone grows it by a third). Then Data holds
// only the original's first bytes (DataTruncated), the headers may be left
// out (HeadersOmitted), and DataSize and DataSHA256 still describe the whole
// original. As a last resort, a dead letter holds only the required fields,
// with Subject and Reason cut to DeadLetterClipBytes, the sequence, the size
// and the digest.
type DeadLetter struct {
	SchemaVersion int `json:"schema_version"`
	// Subject and Data are the original message; Headers its NATS headers.
	Subject string              `json:"subject"`
	Headers map[string][]string `json:"headers,omitempty"`
	Data    []byte              `json:"data"`
	// DataSize is the length in bytes of the original data, and DataSHA256
	// the lowercase hex of its SHA-256; both describe the whole original,
	// even when Data is truncated.
	DataSize   int    `json:"data_size"`
	DataSHA256 string `json:"data_sha256,omitempty"`
	// DataTruncated says Data holds only the first bytes of the original
	// data (possibly none), because the whole did not fit in a message.
	DataTruncated bool `json:"data_truncated,omitempty"`
	// HeadersOmitted says the original had headers that were left out for
	// size.
	HeadersOmitted bool `json:"headers_omitted,omitempty"`
	// StreamSeq is the original message's sequence in its stream.
	StreamSeq uint64 `json:"stream_seq,omitempty"`
	// Reason is a human-readable explanation; never holds a secret.
	Reason string `json:"reason"`
	// Class is the error class that decided the fate.
	Class ErrorClass `json:"class"`
	// ProviderCode is the provider's error code, when a provider said no.
	ProviderCode string `json:"provider_code,omitempty"`
	// Attempts is how many real attempts were made (attempts handed back
	// while a provider was unavailable do not count).
	Attempts int `json:"attempts"`
	// JobID, Provider, App and UserID are set when the job could be decoded.
	JobID    string `json:"job_id,omitempty"`
	Provider string `json:"provider,omitempty"`
	App      string `json:"app,omitempty"`
	UserID   string `json:"user_id,omitempty"`
	// Run is the job's export run, when it has one.
	Run string `json:"run,omitempty"`
	// FailedAt is when the message was given up, UTC.
	FailedAt time.Time `json:"failed_at"`
}

// DeadLetterSubject returns the dead-letter subject for kind, provider and
// app; a provider or app that is not a valid token becomes
// DeadLetterUnknownToken.
func DeadLetterSubject(kind, provider, app string) string {
	if ValidateProvider(provider) != nil {
		provider, app = DeadLetterUnknownToken, DeadLetterUnknownToken
	} else if ValidateApp(provider, app) != nil {
		app = DeadLetterUnknownToken
	}
	return SubjectDeadLetterPrefix + kind + "." + provider + "." + app
}

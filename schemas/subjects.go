package schemas

// Subjects, streams and consumers. Every name used on the wire is here; no
// other package spells one as a literal.
const (
	// SubjectJobsPrefix + "<provider>.<app>" carries jobs.
	SubjectJobsPrefix = "chatlake.jobs."
	// SubjectConversationsPrefix + "<provider>.<app>" carries conversation events.
	SubjectConversationsPrefix = "chatlake.conversations."
	// SubjectDeadLetterPrefix + "<kind>.<provider>.<app>" carries dead letters;
	// kind is "jobs" or "conversations".
	SubjectDeadLetterPrefix = "chatlake.dlq."

	StreamJobs          = "CHATLAKE_JOBS"
	StreamConversations = "CHATLAKE_CONVERSATIONS"
	StreamDeadLetters   = "CHATLAKE_DLQ"

	ConsumerProducer = "chatlake-producer"
	ConsumerExporter = "chatlake-exporter"
)

// JobSubject returns the subject a job for provider and app is published on.
// Callers validate the tokens first.
func JobSubject(provider, app string) string { return SubjectJobsPrefix + provider + "." + app }

// ConversationSubject returns the subject of a conversation event.
func ConversationSubject(provider, app string) string {
	return SubjectConversationsPrefix + provider + "." + app
}

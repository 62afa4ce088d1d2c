package schemas

import "time"

// Names of dead-letter replays (chatlake dlq replay).
const (
	// BucketDeadLetterReplays holds a DeadLetterReplay for every dead letter
	// replayed, keyed by its sequence in StreamDeadLetters in decimal.
	BucketDeadLetterReplays = "chatlake_dlq_replays"
	// HeaderReplayOf is set on a replayed message: the sequence in
	// StreamDeadLetters of the dead letter it came from, in decimal.
	HeaderReplayOf = "Chatlake-Replay-Of"
	// ReplayMsgIDPrefix + "<dead letter seq>-<stored, Unix ms>-<replay
	// number>" is the Nats-Msg-Id of a replayed message, so that repeating
	// an interrupted replay is a duplicate the stream drops.
	ReplayMsgIDPrefix = "chatlake-replay-"
)

// DeadLetterReplay records that a dead letter was republished, stored as
// JSON in BucketDeadLetterReplays.
type DeadLetterReplay struct {
	// DeadLetterSeq and FailedAt identify the dead letter; FailedAt tells
	// a record from one of an earlier dead-letter stream that reused the
	// sequence.
	DeadLetterSeq uint64    `json:"dead_letter_seq"`
	FailedAt      time.Time `json:"failed_at"`
	// Replays counts the replays of this dead letter; more than 1 only
	// when forced.
	Replays int `json:"replays"`
	// ReplayedAt is when the last replay was stored, UTC; By who ran it.
	ReplayedAt time.Time `json:"replayed_at"`
	By         string    `json:"by,omitempty"`
	// Subject, Stream and StreamSeq locate the republished message, MsgID
	// is its Nats-Msg-Id.
	Subject   string `json:"subject"`
	Stream    string `json:"stream"`
	StreamSeq uint64 `json:"stream_seq"`
	MsgID     string `json:"msg_id"`
	// Duplicate says the stream already held the message: an interrupted
	// replay had published it, and StreamSeq is that message's.
	Duplicate bool `json:"duplicate,omitempty"`
}

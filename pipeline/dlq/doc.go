// Package dlq is the operator's side of the dead letters in
// CHATLAKE_DLQ: it lists them by Filter, reads one by sequence, replays
// them (republishes the original message once its cause is fixed, and
// records that it did in a key-value bucket), and purges them.
//
// A dead letter's kind, provider and app are the tokens of its subject,
// chatlake.dlq.<kind>.<provider>.<app>, so filters on them are subject
// filters the server applies; class, reason, time and sequence filters are
// applied to each dead letter read.
//
// Replay is safe to interrupt and run again: each republished message's
// Nats-Msg-Id derives from the dead letter's sequence and replay number,
// and the record is written after the stream stored the message, so a
// repeat either finds the record or republishes a duplicate that the
// stream drops within its duplicate window.
package dlq

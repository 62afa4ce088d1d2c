package schemas

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Parts of the conversations stream. With a partition count N above 1
// (streams.partitions), every event carries its part as a last subject
// token, chatlake.conversations.<provider>.<app>.<part>, and exporters
// share the lake by part, each part with its own durable consumer and
// commit record. The part of an event is PartOf its job's JobKey, so all
// events of one job land in one part. With N = 1 (the default) subjects,
// consumer and commit record keep their unpartitioned names.
const (
	// KeyExporterPartitions is the key in BucketExporter of the partition
	// count every producer and exporter must agree on (decimal). It is
	// written once, by the first of them to start, and never changed.
	KeyExporterPartitions = "partitions"
	// MaxPartitions bounds the partition count.
	MaxPartitions = 1024
)

// PartOf returns the part, in [0, n), of the events of the job whose
// JobKey is jobKey: FNV-1a (32 bits) of the key, modulo n. It is 0 when n
// is 1 or less.
func PartOf(jobKey string, n int) int {
	if n <= 1 {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(jobKey))
	return int(h.Sum32() % uint32(n))
}

// EventSubject returns the subject of an event of job, for a stream of n
// parts: ConversationSubject with, when n > 1, the job's part as a last
// token.
func EventSubject(job Job, n int) string {
	s := ConversationSubject(job.Provider, job.App)
	if n <= 1 {
		return s
	}
	return s + "." + strconv.Itoa(PartOf(JobKey(job), n))
}

// PartFilter returns the subject filter of part's events in a stream of n
// parts; "" (every event) when n is 1 or less.
func PartFilter(part, n int) string {
	if n <= 1 {
		return ""
	}
	return SubjectConversationsPrefix + "*.*." + strconv.Itoa(part)
}

// SubjectPart returns the part a conversation subject names in a stream
// of n parts: 0 when n is 1 or less; otherwise its last token, which must
// be a part below n.
func SubjectPart(subject string, n int) (int, error) {
	rest, ok := strings.CutPrefix(subject, SubjectConversationsPrefix)
	if !ok {
		return 0, fmt.Errorf("subject %.160q is not a conversation subject", subject)
	}
	if n <= 1 {
		return 0, nil
	}
	tokens := strings.Split(rest, ".")
	if len(tokens) != 3 {
		return 0, fmt.Errorf("subject %.160q has no part token (want %s<provider>.<app>.<part> with %d parts)", subject, SubjectConversationsPrefix, n)
	}
	p, err := strconv.Atoi(tokens[2])
	if err != nil || p < 0 || p >= n || strconv.Itoa(p) != tokens[2] {
		return 0, fmt.Errorf("subject %.160q: part token %.20q is not a part below %d", subject, tokens[2], n)
	}
	return p, nil
}

// ExporterCommitKey is the key in BucketExporter of part's commit record
// in a stream of n parts: KeyExporterCommit when n is 1 or less, else
// KeyExporterCommit.<part>.
func ExporterCommitKey(part, n int) string {
	if n <= 1 {
		return KeyExporterCommit
	}
	return KeyExporterCommit + "." + strconv.Itoa(part)
}

// ExporterConsumer is the durable consumer of part in a stream of n parts:
// ConsumerExporter when n is 1 or less, else ConsumerExporter-<part>.
func ExporterConsumer(part, n int) string {
	if n <= 1 {
		return ConsumerExporter
	}
	return ConsumerExporter + "-" + strconv.Itoa(part)
}

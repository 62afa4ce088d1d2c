package schemas

// Key-value bucket of the producers' shared provider quotas.
const (
	// BucketQuota holds one QuotaLease per producer and account, under the
	// key <account>.<member>: the account's name in unpadded base64url (a
	// name may hold any character) and the producer's member ID. A lease
	// lives for the bucket's TTL unless its producer renews it.
	BucketQuota = "chatlake_quota"
)

// QuotaLease is the value of a producer's lease on an account's quota: what
// the producer may be sending and the throttling it saw. JSON.
type QuotaLease struct {
	// Share is the most requests per second the producer may have in
	// flight to the account now or within the last second: its share, or
	// more while a lowered share's last second passes, or a raise it is
	// about to take.
	Share int `json:"share"`
	// Cuts counts the producer's slow-downs for throttled answers; when it
	// grows, every other producer slows down by CutShare too.
	Cuts uint64 `json:"cuts,omitempty"`
	// CutShare is the throttled share (0 to 1) of the answers behind the
	// last cut.
	CutShare float64 `json:"cut_share,omitempty"`
}

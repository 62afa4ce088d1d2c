// Package quota shares each provider account's quota between every
// producer, whatever their number, as they start, stop and crash. The
// producers coordinate through a JetStream key-value bucket
// (schemas.BucketQuota), no other service: each renews a lease per
// account every period, the bucket forgets a lease its producer stopped
// renewing after a TTL, and each producer watches the account's leases,
// sorts the live members by ID and takes its Share, setting it on its
// Limiter (a providers.Guard).
//
// On the wire the shares never add up to more than the quota: a producer
// lowers at once when a member joins, publishes a raise before it takes
// it, and takes it a period later only if what the others publish still
// leaves room; a producer that cannot renew its lease sends nothing until
// it can again, since the others may count it gone. Throttling still
// slows the whole account: a producer whose Limiter slowed down for
// throttled answers says so in its lease, and every other one slows down
// alike.
package quota

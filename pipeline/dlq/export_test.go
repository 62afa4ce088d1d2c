package dlq

// SetAfterPublish makes q call fn between a replay's publish and its
// record, and stop there if fn fails.
func SetAfterPublish(q *Queue, fn func(seq uint64) error) { q.afterPublish = fn }

// Command producer turns chatlake jobs into conversation events: it pulls
// user-ID jobs from the CHATLAKE_JOBS stream, pages through each user's
// conversations at Volcengine RTC IM or NetEase Yunxin IM, and publishes one
// event per conversation on CHATLAKE_CONVERSATIONS, with retries, circuit
// breakers, dead letters and crash-safe checkpoints.
//
// Usage:
//
//	producer --config chatlake.yaml [flags]
//
// Every setting is in the YAML file, an environment variable or a flag;
// `producer --help` lists them. SIGINT or SIGTERM stops pulling, lets
// running jobs finish for producer.grace, hands back the rest and exits 0.
package main

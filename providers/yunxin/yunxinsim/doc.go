// Package yunxinsim is a wire-faithful simulator of the NetEase Yunxin IM
// server API v2 conversation endpoints, for tests and for cmd/imsim.
//
// A Server is an http.Handler. It checks the AppKey, Nonce, CurTime and
// CheckSum headers as the provider does (HTTP 200 with body code 414 on
// failure), enforces the documented limits, caps each AppKey's QPS (code
// 416 beyond it), and serves the deterministic data set of
// providers/simulator rendered as v2 conversation items. Faults are
// injected on demand or at random rates through a simulator.Injector, and
// Stats counts what happened.
//
// Expected and ExpectedBatch compute, without a server, exactly what a
// simulator serves, down to each item's bytes, so tests of the producer,
// the exporter and the whole pipeline can check their output.
package yunxinsim

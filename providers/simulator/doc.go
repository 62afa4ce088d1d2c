// Package simulator holds what the provider simulators share: fault
// injection (on demand and at random rates), a per-account QPS cap that
// counts violations, and the deterministic data set every simulator serves.
//
// The provider-specific simulators live beside their clients
// (providers/volcengine/volcsim, providers/yunxin/yunxinsim); cmd/imsim runs
// them together as one server.
package simulator

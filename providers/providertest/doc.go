// Package providertest is the conformance suite every provider client
// passes: Run checks, against the provider's own simulator over real HTTP
// on loopback, that the client and the shared Guard retry 5xx, dropped
// connections and malformed bodies, never retry permanent (auth) errors,
// honour throttling and Retry-After, open, half-open and close the circuit
// breaker, stop retrying when the caller cancels, page through users
// returning every conversation exactly once, and never exceed the
// configured QPS as the simulator counts it.
//
// A provider package wires itself in with a Harness in its
// conformance_test.go.
package providertest

// Command imsim runs the Volcengine and Yunxin simulators as one standalone
// HTTP server, for trying chatlake without provider accounts and for
// end-to-end tests.
//
// One listener serves both providers: paths under /im/ go to the Yunxin v2
// simulator, everything else (POST /?Action=GetUserConversations&...) to the
// Volcengine one. Point a Volcengine client's Endpoint and a Yunxin client's
// BaseURL at the same http://host:port. On start imsim prints that URL and
// the test credentials both simulators accept (synthetic values that unlock
// nothing else).
//
// Usage:
//
//	imsim [flags]
//
// Flags set the listen address (-addr, or $IMSIM_ADDR), the data seed, the
// per-account QPS caps, a base latency, and random fault rates (server
// error, throttle, malformed body, dropped connection, slow answer). Run
// imsim -h for the list. SIGINT or SIGTERM shuts it down gracefully.
package main

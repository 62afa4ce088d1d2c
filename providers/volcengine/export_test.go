package volcengine

// DecodeResponse exposes decodeResponse to the benchmarks, which need the
// simulator (an importer of this package) for their pages.
var DecodeResponse = decodeResponse

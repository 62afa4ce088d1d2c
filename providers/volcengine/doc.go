// Package volcengine is the client of the Volcengine RTC IM OpenAPI action
// GetUserConversations: HMAC-SHA256 request signing (Sign), one-page calls
// (Client.GetUserConversations), paging into the shared contract
// (Client.FetchPage), strict decoding that keeps int64 IDs exact and each
// item's original bytes, and classification of every failure into a
// *providers.Error.
//
// The wire protocol follows docs/providers.md §1. Where that
// specification leaves a question open, the decision taken is written next
// to the code that depends on it.
//
// The wire-faithful simulator used by the tests lives in the volcsim
// subpackage.
package volcengine

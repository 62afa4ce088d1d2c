// Package yunxin is the client of the NetEase Yunxin (网易云信) IM server API
// v2 conversation endpoints: the paged list of a user's conversations
// (GET /im/v2/conversations) and the batch query by conversation ID
// (GET /im/v2/conversations/actions/conversation_ids).
//
// Every request carries the AppKey, Nonce, CurTime and CheckSum headers
// (see CheckSum) and goes through a providers.Guard, which owns rate
// limiting, circuit breaking and retries. Responses are decoded without ever
// passing an int64 through float64, mapped into schemas.Conversation with the
// provider's item bytes kept in Raw, and failures come back as
// *providers.Error classified throttled, transient or permanent by one table
// (see classify).
//
// The wire protocol follows docs/providers.md §2. Decisions on the
// open questions of that document are written beside the code they shape.
//
// The simulator of the provider lives in the yunxinsim subpackage.
package yunxin

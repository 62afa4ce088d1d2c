// Package volcsim is a wire-faithful simulator of the Volcengine RTC IM
// OpenAPI action GetUserConversations, for tests and for cmd/imsim.
//
// It verifies request signatures as the gateway does, with its own
// implementation of docs/providers.md §1.5 (never the client's
// volcengine.Sign, so a signing bug shows), enforces the documented limits,
// serves the
// deterministic data set of providers/simulator, and injects faults on
// demand or at random. Expected tells any test what the simulator serves.
//
// Decisions on the open questions of docs/providers.md §1 (§4 items 1-3):
//   - The first page's Cursor is 0; the cursor is an offset into the
//     user's list sorted per DataType; past the end gives an empty last page.
//   - DataType 0 sorts by ModifyTime descending, 1 by CreateTime ascending,
//     2 by CreateTime descending. The data set has no live-group flag, so
//     DataType 2 lists all of the user's conversations; that keeps the
//     paging edges (0, 1, 20, 21, 350) for every DataType.
//   - Limit above 20 (or below 1) is InvalidParam, never clamped.
//   - A non-empty ParticipantUserIdStr wins over ParticipantUserId.
//   - IM business errors (InvalidParam, JsonParsingError, AppNotFound) come
//     with HTTP 200, an Error with Code but no CodeN, and "Result":{}: the
//     case the official SDK mistakes for success. Gateway errors carry their
//     documented HTTP status and CodeN, and no Result.
//   - X-Date may be off by DefaultMaxSkew (15 minutes, the validity of a
//     presigned URL) either way; beyond that, InvalidTimestamp with HTTP 400.
//   - Retry-After is sent with throttling only when Rates.RetryAfter is set.
//   - The QPS cap is a sliding one-second window per access key.
package volcsim

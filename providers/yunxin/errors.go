package yunxin

import (
	"net/http"

	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/schemas"
)

// Body codes of the v2 API that this package names (docs/providers.md §2.7).
const (
	CodeSuccess   = 200
	CodeParam     = 414 // parameter error, CheckSum/CurTime failure, unknown conversation
	CodeThrottled = 416 // frequency control
)

// codeClass is the one table that decides the fate of a body code. Codes
// not listed are permanent: the status table's remaining codes (201, 301,
// 302, 315, 403, 404, 405, 406, 414, 417, 419, 422, 423, 431, 508, 509,
// 801–815, 998, 999) are all "retrying cannot help", and an unknown code is
// more likely a new refusal than a new outage.
//
// Decision (§2.7 "auth" vs "invalid"): both are ClassPermanent here; the
// 414 family is told apart only by msg, which Error.Message carries.
var codeClass = map[int]schemas.ErrorClass{
	CodeThrottled: schemas.ClassThrottled,
	408:           schemas.ClassTransient, // request timed out
	415:           schemas.ClassTransient, // client network problem
	500:           schemas.ClassTransient, // server internal error
	503:           schemas.ClassTransient, // server busy
	514:           schemas.ClassTransient, // service unavailable
}

// classify returns the class of a response: an HTTP status other than 200
// is a transport error (throttled for 429, transient otherwise); with HTTP
// 200 the body code decides.
func classify(httpStatus, code int) schemas.ErrorClass {
	switch {
	case httpStatus == http.StatusTooManyRequests:
		return schemas.ClassThrottled
	case httpStatus != http.StatusOK:
		return schemas.ClassTransient
	}
	if c, ok := codeClass[code]; ok {
		return c
	}
	return schemas.ClassPermanent
}

// newError builds a classified error. It never sees credentials.
func newError(op string, class schemas.ErrorClass, msg string, err error) *providers.Error {
	return &providers.Error{Provider: schemas.ProviderYunxin, Op: op, Class: class, Message: msg, Err: err}
}

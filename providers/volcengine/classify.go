package volcengine

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/schemas"
)

const (
	throttled = schemas.ClassThrottled
	transient = schemas.ClassTransient
	permanent = schemas.ClassPermanent
)

// codeClass is the one table that decides the class of a provider error
// code (§1.6 "Recommended classification"). Codes of the form
// "Family.Detail" fall back to their family.
var codeClass = map[string]schemas.ErrorClass{
	// Throttling (HTTP 429 is throttled whatever the code).
	"FlowLimitExceeded":        throttled,
	"AccountFlowLimitExceeded": throttled,
	"RequestLimitExceeded":     throttled,
	"Throttling":               throttled,
	// Transient: the provider or its gateway failed; the call is read-only.
	"InternalError":          transient,
	"InternalServiceError":   transient,
	"InternalServiceTimeout": transient,
	"ServiceUnavailableTemp": transient,
	"FailToConnect":          transient,
	"UndefinedError":         transient,
	// Authentication and configuration.
	"SignatureDoesNotMatch":      permanent,
	"InvalidAccessKey":           permanent,
	"InvalidClientTokenId":       permanent,
	"MissingSignature":           permanent,
	"MissingAuthenticationToken": permanent,
	"AccessDenied":               permanent,
	"LackPolicy":                 permanent,
	"LackProjectPolicy":          permanent,
	"NoAuth":                     permanent,
	"AppNotFound":                permanent,
	"AppStatusException":         permanent,
	"ServiceNotFound":            permanent,
	"ServiceShouldCallSelfApi":   permanent,
	"InvalidActionOrVersion":     permanent,
	"MethodNotAllowed":           permanent,
	// The clock is wrong: retrying with the same clock cannot help.
	"InvalidTimestamp": permanent,
	// Invalid request.
	"InvalidParam":                 permanent,
	"InvalidParameter":             permanent,
	"JsonParsingError":             permanent,
	"MissingParameter":             permanent,
	"MissingRequestInfo":           permanent,
	"ParticipantNotInConversation": permanent,
	"ParticipantNotFound":          permanent,
	"ConversationNotFound":         permanent,
}

// codeNames names the gateway's numeric CodeN (§1.6), for an Error that
// carries CodeN without Code.
var codeNames = map[int64]string{
	100001: "UndefinedError", 100002: "MissingParameter", 100003: "MissingAuthenticationToken",
	100004: "MissingRequestInfo", 100005: "MissingSignature", 100006: "InvalidTimestamp",
	100007: "ServiceNotFound", 100008: "InvalidActionOrVersion", 100009: "InvalidAccessKey",
	100010: "SignatureDoesNotMatch", 100011: "ServiceShouldCallSelfApi", 100012: "LackPolicy",
	100013: "AccessDenied", 100014: "InternalError", 100016: "InternalServiceTimeout",
	100018: "FlowLimitExceeded", 100019: "ServiceUnavailableTemp", 100020: "MethodNotAllowed",
}

// errorCode returns Code, or the name of CodeN when Code is empty.
func errorCode(code string, codeN int64) string {
	if code != "" {
		return code
	}
	if name, ok := codeNames[codeN]; ok {
		return name
	}
	return strconv.FormatInt(codeN, 10)
}

// throttlePrefixes catch throttling codes with any suffix
// (FlowLimitExceeded.QPSOverLimit, RequestLimitExceededForUser...).
var throttlePrefixes = []string{"FlowLimitExceeded", "AccountFlowLimitExceeded", "RequestLimitExceeded"}

// classify decides the class of a failed call from its HTTP status and
// provider code.
func classify(status int, code string) schemas.ErrorClass {
	if status == http.StatusTooManyRequests {
		return throttled
	}
	for _, p := range throttlePrefixes {
		if strings.HasPrefix(code, p) {
			return throttled
		}
	}
	family, _, _ := strings.Cut(code, ".")
	if c, ok := codeClass[family]; ok {
		return c
	}
	switch {
	case status >= 500:
		return transient
	case status >= 400:
		return permanent
	case code != "":
		// An unknown business code on HTTP 200: every IM business error we
		// know is a request problem, so do not retry it.
		return permanent
	}
	return transient
}

// newError builds the *providers.Error of a failed call.
func newError(class schemas.ErrorClass, status int, code, msg string, err error) *providers.Error {
	return &providers.Error{
		Provider: schemas.ProviderVolcengine, Op: Action, Class: class,
		HTTPStatus: status, Code: code, Message: msg, Err: err,
	}
}

package volcsim

import "net/http"

// apiError is an error answer: HTTP status, Code, CodeN (0 omits it) and
// Message. business marks IM errors, which carry "Result":{}.
type apiError struct {
	status   int
	code     string
	codeN    int
	message  string
	business bool
}

// Gateway errors of §1.6 with their documented HTTP status and CodeN.
var (
	errMissingParameter     = apiError{http.StatusBadRequest, "MissingParameter", 100002, "Action or Version missing", false}
	errMissingToken         = apiError{http.StatusUnauthorized, "MissingAuthenticationToken", 100003, "no Authorization header", false}
	errMissingRequestInfo   = apiError{http.StatusBadRequest, "MissingRequestInfo", 100004, "X-Date missing or invalid", false}
	errMissingSignature     = apiError{http.StatusUnauthorized, "MissingSignature", 100005, "malformed Authorization header", false}
	errInvalidTimestamp     = apiError{http.StatusBadRequest, "InvalidTimestamp", 100006, "X-Date expired or in the future", false}
	errInvalidActionVersion = apiError{http.StatusNotFound, "InvalidActionOrVersion", 100008, "unknown Action or Version", false}
	errInvalidAccessKey     = apiError{http.StatusUnauthorized, "InvalidAccessKey", 100009, "unknown access key", false}
	errSignature            = apiError{http.StatusUnauthorized, "SignatureDoesNotMatch", 100010, "signature does not match", false}
	errInternal             = apiError{http.StatusInternalServerError, "InternalError", 100014, "internal error", false}
	errFlowLimit            = apiError{http.StatusTooManyRequests, "FlowLimitExceeded", 100018, "请求过于频繁,超出了基本限速", false}
	errUnavailable          = apiError{http.StatusServiceUnavailable, "ServiceUnavailableTemp", 100019, "service unavailable", false}
	errMethodNotAllowed     = apiError{http.StatusMethodNotAllowed, "MethodNotAllowed", 100020, "method not allowed", false}
)

// IM business errors: HTTP 200, no CodeN.
func businessError(code, message string) apiError {
	return apiError{http.StatusOK, code, 0, message, true}
}

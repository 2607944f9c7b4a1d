package gurulize

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// Sentinel errors. Compare with errors.Is; use errors.As with *APIError,
// *ValidationError or *ConfigError for the details.
var (
	// ErrInvalidRequest is matched by every *ValidationError: the request was
	// rejected before anything was sent.
	ErrInvalidRequest = errors.New("gurulize: invalid request")

	// ErrMissingParameter is matched by an *APIError whose message is
	// "Missing Parameter (x)"; APIError.Param is x.
	ErrMissingParameter = errors.New("gurulize: missing parameter")

	// ErrInvalidParameter is matched by an *APIError whose message is
	// "Invalid Parameter (x): why"; APIError.Param is x.
	ErrInvalidParameter = errors.New("gurulize: invalid parameter")

	// ErrInvalidCredentials is matched by an *APIError whose message is
	// "User Information Is Invalid", or whose HTTP status is 401 or 403.
	ErrInvalidCredentials = errors.New("gurulize: invalid credentials")

	// ErrNoVoiceURL is returned by RegisterCall on a client built without a
	// voice URL (see WithVoiceURL). Nothing is sent.
	ErrNoVoiceURL = errors.New("gurulize: no voice URL configured (use WithVoiceURL or GURULIZE_VOICE_URL)")

	// ErrMalformedCallback is matched by every error ParseVideoEvent and
	// ParseVoiceStatus return.
	ErrMalformedCallback = errors.New("gurulize: malformed callback")

	// ErrUnexpectedResponse is matched by an *APIError for a reply that is
	// not the documented JSON: not JSON at all, larger than 1 MiB, or a
	// success without the room's uuid or the call's id.
	ErrUnexpectedResponse = errors.New("gurulize: unexpected response")

	// ErrRetryLater, returned by the function of a callback handler (or
	// wrapped in its error, as in fmt.Errorf("%w: %w", ErrRetryLater, err)),
	// makes the handler answer 503 Service Unavailable instead of 500: the
	// callback was not stored, and a delivery later may succeed (a database
	// that is down or restarting, a lock timeout). Other errors answer 500.
	// The provider does not document whether it delivers a refused callback
	// again.
	ErrRetryLater = errors.New("gurulize: try again later")

	// ErrInvalidConfig is matched by every *ConfigError: NewClient or
	// NewClientFromEnv was given a setting it cannot use.
	ErrInvalidConfig = errors.New("gurulize: invalid configuration")
)

// ValidationError reports a request field that cannot be sent. It is returned
// before any network activity and matches ErrInvalidRequest.
type ValidationError struct {
	Field  string // the offending field, such as "CallRequest.Caller"
	Reason string // what is wrong with it, in plain words
}

func (e *ValidationError) Error() string {
	return "gurulize: invalid " + e.Field + ": " + e.Reason
}

// Is reports whether target is ErrInvalidRequest.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidRequest }

// ConfigError reports a client setting NewClient cannot use. It matches
// ErrInvalidConfig.
type ConfigError struct {
	Setting string // the option or environment variable, such as "WithVideoURL"
	Reason  string // what is wrong with it
}

func (e *ConfigError) Error() string {
	return "gurulize: invalid " + e.Setting + ": " + e.Reason
}

// Is reports whether target is ErrInvalidConfig.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// APIError is the server refusing a request, or answering something the SDK
// cannot use: a non-2xx status, a body with "success": false, a body that is
// not JSON, or a success without the expected uuid or id.
//
// Use errors.Is with ErrMissingParameter, ErrInvalidParameter,
// ErrInvalidCredentials or ErrUnexpectedResponse to classify it.
type APIError struct {
	StatusCode int    // HTTP status of the response
	Message    string // the server's message, verbatim but for the password, masked
	Param      string // the parameter the message names, if any

	kind error // the sentinel this error matches, or nil
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("gurulize: API error")
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.StatusCode)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Is reports whether target is the sentinel that classifies e.
func (e *APIError) Is(target error) bool { return target != nil && target == e.kind }

var (
	missingParamRe = regexp.MustCompile(`(?i)^missing parameter\s*\(\s*([^)]*?)\s*\)`)
	invalidParamRe = regexp.MustCompile(`(?i)^invalid parameter\s*\(\s*([^)]*?)\s*\)`)
)

// newAPIError builds an *APIError for a server message, classifying the
// documented messages. msg must already be redacted.
func newAPIError(status int, msg string) *APIError {
	e := &APIError{StatusCode: status, Message: msg}
	trimmed := strings.TrimSpace(msg)
	switch {
	case strings.EqualFold(trimmed, "User Information Is Invalid"):
		e.kind = ErrInvalidCredentials
	case missingParamRe.MatchString(trimmed):
		e.kind = ErrMissingParameter
		e.Param = missingParamRe.FindStringSubmatch(trimmed)[1]
	case invalidParamRe.MatchString(trimmed):
		e.kind = ErrInvalidParameter
		e.Param = invalidParamRe.FindStringSubmatch(trimmed)[1]
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		e.kind = ErrInvalidCredentials
	}
	return e
}

// unexpectedResponse builds an *APIError matching ErrUnexpectedResponse.
func unexpectedResponse(status int, msg string) *APIError {
	return &APIError{StatusCode: status, Message: msg, kind: ErrUnexpectedResponse}
}

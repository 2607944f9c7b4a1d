// This file holds the errors the SDK returns: the sentinels to match with
// errors.Is, ValidationError and APIError.

package gurulize

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// Sentinel errors, to compare with errors.Is; errors.As with *APIError or
// *ValidationError gives the details.
var (
	// ErrInvalidRequest is matched by every *ValidationError about a request
	// field: nothing was sent.
	ErrInvalidRequest = errors.New("gurulize: invalid request")
	// ErrMissingParameter is matched by an *APIError for the provider's
	// "Missing Parameter (x)"; APIError.Param is x.
	ErrMissingParameter = errors.New("gurulize: missing parameter")
	// ErrInvalidParameter is matched by an *APIError for the provider's
	// "Invalid Parameter (x): why"; APIError.Param is x.
	ErrInvalidParameter = errors.New("gurulize: invalid parameter")
	// ErrInvalidCredentials is matched by an *APIError for the provider's
	// "User Information Is Invalid", or with HTTP status 401 or 403.
	ErrInvalidCredentials = errors.New("gurulize: invalid credentials")
	// ErrNoVoiceURL is returned by RegisterCall on a client without a voice
	// URL (see WithVoiceURL). Nothing is sent.
	ErrNoVoiceURL = errors.New("gurulize: no voice URL configured (use WithVoiceURL or GURULIZE_VOICE_URL)")
	// ErrMalformedCallback is matched by every error of ParseVideoEvent and
	// ParseVoiceStatus: a *ValidationError naming the wire field.
	ErrMalformedCallback = errors.New("gurulize: malformed callback")
	// ErrUnexpectedResponse is matched by an *APIError for a reply that is
	// not the documented JSON: not JSON, over 1 MiB, or a success without
	// the room's uuid, hostUrl or guestUrl, or the call's id.
	ErrUnexpectedResponse = errors.New("gurulize: unexpected response")
	// ErrInvalidConfig is matched by the *ValidationError of a setting
	// NewClient, NewClientFromEnv or a handler constructor cannot use.
	ErrInvalidConfig = errors.New("gurulize: invalid configuration")
	// ErrRetryLater, returned by a callback handler's function (or wrapped,
	// as in fmt.Errorf("%w: %w", ErrRetryLater, err)), answers 503 instead of
	// 500: the callback was not stored and a later delivery may be (a
	// database that is down or restarting). Whether the provider delivers a
	// refused callback again is not documented.
	ErrRetryLater = errors.New("gurulize: try again later")
)

// ValidationError reports a value the SDK will not use, and which field
// held it. Field is a request field such as "CallRequest.Caller" (the error
// matches ErrInvalidRequest, and nothing was sent), a client or handler
// setting such as "WithVoiceURL" or "GURULIZE_VOICE_URL" (it matches
// ErrInvalidConfig), or a callback's wire field such as "receivedTime", or
// "body" for the payload as a whole (it matches ErrMalformedCallback).
type ValidationError struct {
	Field  string // the offending field, setting or wire field
	Reason string // what is wrong with it, in plain words

	kind error // ErrInvalidConfig or ErrMalformedCallback; nil: ErrInvalidRequest
}

// Error returns "gurulize: invalid <Field>: <Reason>", or for a callback
// "gurulize: malformed callback: <Field> <Reason>".
func (e *ValidationError) Error() string {
	if e.kind == ErrMalformedCallback {
		return "gurulize: malformed callback: " + e.Field + " " + e.Reason
	}
	return "gurulize: invalid " + e.Field + ": " + e.Reason
}

// Is reports whether target is the sentinel e matches: ErrInvalidRequest,
// ErrInvalidConfig or ErrMalformedCallback.
func (e *ValidationError) Is(target error) bool {
	if e.kind == nil {
		return target == ErrInvalidRequest
	}
	return target == e.kind
}

// APIError is the server refusing a request, or answering something the SDK
// cannot use: a non-2xx status, a body with "success": false, a body that is
// not JSON, or a success without the expected fields.
//
// Use errors.Is with ErrMissingParameter, ErrInvalidParameter,
// ErrInvalidCredentials or ErrUnexpectedResponse to classify it. The
// provider documents its messages in English only: a message in another
// language (see WithLanguage) matches none of the first three, but for HTTP
// 401 and 403, and keeps its text verbatim.
type APIError struct {
	StatusCode int    // HTTP status of the response
	Message    string // the server's message, verbatim but for the password, masked
	Param      string // the parameter the message names in parentheses, in any language; "" if none

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

// paramRe finds the parameter a message names in parentheses, whatever the
// language around it: "Missing Parameter (username)", "Eksik parametre (caller)".
var paramRe = regexp.MustCompile(`\(\s*([A-Za-z][A-Za-z0-9_]*)\s*\)`)

// newAPIError builds an *APIError for a server message, classifying the
// documented English messages. msg must already be redacted.
func newAPIError(status int, msg string) *APIError {
	e := &APIError{StatusCode: status, Message: msg}
	if m := paramRe.FindStringSubmatch(msg); m != nil {
		e.Param = m[1]
	}
	lower := strings.ToLower(strings.TrimSpace(msg))
	switch {
	case lower == "user information is invalid":
		e.kind = ErrInvalidCredentials
	case strings.HasPrefix(lower, "missing parameter") && e.Param != "":
		e.kind = ErrMissingParameter
	case strings.HasPrefix(lower, "invalid parameter") && e.Param != "":
		e.kind = ErrInvalidParameter
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		e.kind = ErrInvalidCredentials
	}
	return e
}

// unexpectedResponse builds an *APIError matching ErrUnexpectedResponse.
func unexpectedResponse(status int, msg string) *APIError {
	return &APIError{StatusCode: status, Message: msg, kind: ErrUnexpectedResponse}
}

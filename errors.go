// This file holds the errors the SDK returns: the sentinels to match with
// errors.Is, ValidationError, APIError, the error of a request that got no
// usable reply, and MaybeSent.

package gurulize

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
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

	kind      error // the sentinel this error matches, or nil
	maybeSent bool  // see MaybeSent
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
// documented English messages. The message and the parameter are kept only
// when they hold no secret (redact.Withheld takes their place); the
// classification, which shows nothing of the text, is made either way.
func newAPIError(status int, msg string, red interface{ Text(string) string }) *APIError {
	e := &APIError{StatusCode: status, Message: red.Text(msg)}
	if m := paramRe.FindStringSubmatch(msg); m != nil && red.Text(m[1]) == m[1] {
		e.Param = m[1]
	}
	lower := strings.ToLower(strings.TrimSpace(msg))
	param := paramRe.MatchString(msg)
	switch {
	case lower == "user information is invalid":
		e.kind = ErrInvalidCredentials
	case strings.HasPrefix(lower, "missing parameter") && param:
		e.kind = ErrMissingParameter
	case strings.HasPrefix(lower, "invalid parameter") && param:
		e.kind = ErrInvalidParameter
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		e.kind = ErrInvalidCredentials
	}
	return e
}

// unexpectedResponse builds an *APIError matching ErrUnexpectedResponse,
// for a reply the SDK could not use: the request may have been acted on
// (the request path corrects this from the status, see attemptFacts).
func unexpectedResponse(status int, msg string) *APIError {
	return &APIError{StatusCode: status, Message: msg, kind: ErrUnexpectedResponse, maybeSent: true}
}

// requestError is what a call returns when a request got no reply it could
// read: the transport failed, the attempt timed out, or the context ended.
// It unwraps to a *url.Error, the one http.Client.Do returned (or one made
// alike for a failure before or after it), whose URL has had its
// credentials masked in place and whose Err is the transport's own error,
// untouched, so errors.Is and errors.As reach whatever the transport
// returned. Its own text is the *url.Error's, but with the transport's
// message shown only when it holds no secret, and it prints that text by
// every fmt verb, %#v included.
type requestError struct {
	text      string
	cause     *url.Error
	maybeSent bool // see MaybeSent
}

func (e *requestError) Error() string { return e.text }

// Unwrap returns the *url.Error, whose Err is the transport's own value.
func (e *requestError) Unwrap() error { return e.cause }

// Format prints the error's text by every verb: %#v must not show the
// cause, whose text is the transport's and may hold the password.
func (e *requestError) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'q':
		fmt.Fprintf(f, "%q", e.text)
	case verb == 'v' && f.Flag('#'):
		fmt.Fprintf(f, "&gurulize.requestError{%q}", e.text)
	default:
		_, _ = io.WriteString(f, e.text)
	}
}

// MaybeSent reports whether the request of a failed call may have been
// acted on by the provider, so that sending it again could register a
// second call or create a second room. It is false when nothing was sent
// (an invalid request or configuration, a connection that never opened or
// never carried the request's headers, an HTTP/2 stream the server refused
// or left out of its GOAWAY, a context done before sending) or when the
// reply refused the request: a JSON body with "success": false (whatever
// its status), any 4xx (429 included), or a 503 carrying a Retry-After. It
// is true for the rest, once the request may have been written: a
// connection lost or a timeout after writing, any other 5xx (a server or a
// proxy may have acted first), a 2xx or 3xx the SDK could not use, or a
// custom transport's error (it reports nothing of what it sent). nil gives
// false.
//
// When false, sending the request again is safe; when true, find out first
// whether it took effect (its callbacks, or a tracker's Overdue).
func MaybeSent(err error) bool {
	var re *requestError
	if errors.As(err, &re) {
		return re.maybeSent
	}
	var ae *APIError
	return errors.As(err, &ae) && ae.maybeSent
}

// This file holds ErrorType: the SDK's own classes of error, as the
// error.type attribute.

package otelgurulize

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strconv"

	"github.com/gurulize/gurulize-go"
)

// ErrorType returns the value of the error.type attribute for an error a
// Client returned (or "" for nil). The values are few and stable, taken
// from the SDK's own classes of error rather than Go type names:
//
//	invalid_request      a *gurulize.ValidationError of the request; nothing was sent
//	invalid_config       the Client's configuration (gurulize.ErrInvalidConfig)
//	no_voice_url         gurulize.ErrNoVoiceURL; nothing was sent
//	missing_parameter    the provider's "Missing Parameter (x)"
//	invalid_parameter    the provider's "Invalid Parameter (x): why"
//	invalid_credentials  the provider's "User Information Is Invalid", or HTTP 401/403
//	unexpected_response  a reply that is not the documented JSON
//	"429", "503", …      any other *gurulize.APIError with an HTTP status of 400 or more
//	refused              any other *gurulize.APIError ("success": false in a 2xx reply)
//	timeout              a deadline: the context's, WithTimeout's, or the network's
//	canceled             the context was canceled
//	transport            any other failure to exchange the request and reply
//	_OTHER               anything else
func ErrorType(err error) string {
	var apiErr *gurulize.APIError
	var netErr net.Error
	var urlErr *url.Error
	switch {
	case err == nil:
		return ""
	case errors.Is(err, gurulize.ErrInvalidRequest):
		return "invalid_request"
	case errors.Is(err, gurulize.ErrInvalidConfig):
		return "invalid_config"
	case errors.Is(err, gurulize.ErrNoVoiceURL):
		return "no_voice_url"
	case errors.Is(err, gurulize.ErrMissingParameter):
		return "missing_parameter"
	case errors.Is(err, gurulize.ErrInvalidParameter):
		return "invalid_parameter"
	case errors.Is(err, gurulize.ErrInvalidCredentials):
		return "invalid_credentials"
	case errors.Is(err, gurulize.ErrUnexpectedResponse):
		return "unexpected_response"
	case errors.As(err, &apiErr) && apiErr.StatusCode >= 400:
		return strconv.Itoa(apiErr.StatusCode)
	case errors.As(err, &apiErr):
		return "refused"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.As(err, &urlErr):
		return "transport"
	}
	return "_OTHER"
}

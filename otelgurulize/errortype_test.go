package otelgurulize_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/otelgurulize"
)

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestErrorType(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{&gurulize.ValidationError{Field: "CallRequest.Caller", Reason: "bad"}, "invalid_request"},
		{fmt.Errorf("wrapped: %w", gurulize.ErrInvalidConfig), "invalid_config"},
		{gurulize.ErrNoVoiceURL, "no_voice_url"},
		{fmt.Errorf("x: %w", gurulize.ErrMissingParameter), "missing_parameter"},
		{fmt.Errorf("x: %w", gurulize.ErrInvalidParameter), "invalid_parameter"},
		{fmt.Errorf("x: %w", gurulize.ErrInvalidCredentials), "invalid_credentials"},
		{fmt.Errorf("x: %w", gurulize.ErrUnexpectedResponse), "unexpected_response"},
		{&gurulize.APIError{StatusCode: 503, Message: "busy"}, "503"},
		{&gurulize.APIError{StatusCode: 200, Message: "Hata"}, "refused"},
		{&url.Error{Op: "Get", URL: "x", Err: context.DeadlineExceeded}, "timeout"},
		{&url.Error{Op: "Get", URL: "x", Err: timeoutErr{}}, "timeout"},
		{&url.Error{Op: "Get", URL: "x", Err: context.Canceled}, "canceled"},
		{&url.Error{Op: "Get", URL: "x", Err: errors.New("connection reset by peer")}, "transport"},
		{errors.New("something else"), "_OTHER"},
	} {
		assert.Equal(t, tc.want, otelgurulize.ErrorType(tc.err), "%v", tc.err)
	}
}

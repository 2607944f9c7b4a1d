// This file holds the Voice API: registering a click-to-call.

package gurulize

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/google/go-querystring/query"

	"github.com/gurulize/gurulize-go/internal/fields"
	"github.com/gurulize/gurulize-go/internal/phone"
)

// CallRequest describes a click-to-call: the provider rings Caller first, then
// connects Callee.
type CallRequest struct {
	// Caller is required: the national number in digits, as the provider
	// asks ("numerical such as 5xxyyyzztt"), e.g. "5321234567". Spaces, '-',
	// '.', '(' and ')' are removed; anything else, a leading '+' or a
	// country code's '+' included, is a validation error.
	Caller      string
	Callee      string        // required; same rules as Caller
	MaxDuration time.Duration // required; the call is cut when it reaches this; a positive whole number of seconds
	Language    Language      // optional; overrides the client's WithLanguage (see there for what holds in Turkish)
}

// CallRegistration is the provider's acknowledgement of a call request. ID
// names the call in its status callbacks (VoiceStatus.ID).
type CallRegistration struct {
	ID      int64
	Message string // the server's message, such as "Request Received"
}

// callForm is the call-registration form but for the credentials, encoded
// by go-querystring (see addCredentials).
type callForm struct {
	Caller   string   `url:"caller"`
	Callee   string   `url:"callee"`
	Duration int64    `url:"duration"`
	Lang     Language `url:"lang,omitempty"`
}

// RegisterCall asks the provider to ring req.Caller and connect req.Callee.
//
// It returns ErrNoVoiceURL on a client without a voice URL, and a
// *ValidationError for an invalid request; in both cases nothing is sent. The
// server refusing is an *APIError (see ErrMissingParameter,
// ErrInvalidParameter, ErrInvalidCredentials); so is a success without the
// call's id (matching ErrUnexpectedResponse). The request is never repeated
// once it may have reached the server, since that could ring the phones twice
// (see RetryPolicy).
func (c *Client) RegisterCall(ctx context.Context, req CallRequest) (reg *CallRegistration, err error) {
	ctx, obs := c.startCall(ctx, OpRegisterCall)
	defer func() { obs.endCall(reg, err) }()
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	if c.voiceURL == nil {
		return nil, ErrNoVoiceURL
	}
	caller, err := phone.Normalize(req.Caller)
	if err != nil {
		return nil, &ValidationError{Field: string(fields.CallCaller), Reason: err.Error()}
	}
	callee, err := phone.Normalize(req.Callee)
	if err != nil {
		return nil, &ValidationError{Field: string(fields.CallCallee), Reason: err.Error()}
	}
	switch {
	case req.MaxDuration <= 0:
		return nil, &ValidationError{Field: string(fields.CallMaxDuration), Reason: fmt.Sprintf("must be positive, got %v", req.MaxDuration)}
	case req.MaxDuration%time.Second != 0:
		return nil, &ValidationError{Field: string(fields.CallMaxDuration), Reason: fmt.Sprintf("must be a whole number of seconds, got %v", req.MaxDuration)}
	}
	lang, err := c.language(fields.CallLanguage, req.Language)
	if err != nil {
		return nil, err
	}
	form, err := query.Values(callForm{Caller: caller, Callee: callee, Duration: int64(req.MaxDuration / time.Second), Lang: lang})
	if err != nil {
		return nil, err
	}
	c.addCredentials(form)
	rep, err := c.do(ctx, http.MethodPost, c.voiceURL.String(), form.Encode())
	if err != nil {
		return nil, err
	}
	if !rep.ID.set {
		return nil, unexpectedResponse(rep.status, "reply has no id")
	}
	return &CallRegistration{ID: rep.ID.v, Message: rep.Message}, nil
}

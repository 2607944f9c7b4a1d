package gurulize

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gurulize/gurulize-go/internal/phone"
)

// CallRequest describes a click-to-call: the provider rings Caller first, then
// connects Callee.
type CallRequest struct {
	Caller      string        // required; digits, separators ' ', '-', '.', '(' and ')' are removed, e.g. "532 123 45 67"
	Callee      string        // required; same rules as Caller
	MaxDuration time.Duration // required; the call is cut when it reaches this; a positive whole number of seconds
	Language    Language      // optional; overrides the client's WithLanguage
}

// CallRegistration is the provider's acknowledgement of a call request. ID
// names the call in its status callbacks (VoiceStatus.ID).
type CallRegistration struct {
	ID      int64
	Message string // the server's message, such as "Request Received"
}

// voiceAuth is the part of the call-registration form that is the same on
// every call of one client; it is encoded once, in NewClient.
type voiceAuth struct {
	Username string `url:"username"`
	Password string `url:"password"`
}

// callForm is the part of the call-registration form that changes per call.
type callForm struct {
	Caller   string `url:"caller"`
	Callee   string `url:"callee"`
	Duration int64  `url:"duration"`
}

// encode returns the form exactly as go-querystring encodes it (keys sorted,
// values escaped), without its reflection on every call: after
// phone.Normalize the numbers are ASCII digits, and the duration an integer,
// so no value needs escaping. TestCallFormEncodesAsQuerystring holds the two
// encodings equal.
func (f callForm) encode() string {
	return "callee=" + f.Callee + "&caller=" + f.Caller + "&duration=" + strconv.FormatInt(f.Duration, 10)
}

// callOptions is the optional call parameter. NewClient encodes its three
// values once (see videoOptions).
type callOptions struct {
	Lang Language `url:"lang,omitempty"`
}

// encodeCallOptions encodes every value of callOptions, with an "&" in front
// of each non-empty encoding.
func encodeCallOptions() (map[Language]string, error) {
	out := make(map[Language]string, 3)
	for _, lang := range []Language{"", English, Turkish} {
		q, err := encodeQuery(callOptions{Lang: lang})
		if err != nil {
			return nil, err
		}
		if q != "" {
			q = "&" + q
		}
		out[lang] = q
	}
	return out, nil
}

// RegisterCall asks the provider to ring req.Caller and connect req.Callee.
//
// It returns ErrNoVoiceURL on a client without a voice URL, and a
// *ValidationError for an invalid request; in both cases nothing is sent. The
// server refusing is an *APIError (see ErrMissingParameter,
// ErrInvalidParameter, ErrInvalidCredentials). The request is never repeated
// once it may have reached the server, since that could ring the phones twice
// (see RetryPolicy).
func (c *Client) RegisterCall(ctx context.Context, req CallRequest) (*CallRegistration, error) {
	if err := c.check(ctx); err != nil {
		return nil, err
	}
	if c.cfg.voiceURL == nil {
		return nil, ErrNoVoiceURL
	}
	form, err := c.callForm(req)
	if err != nil {
		return nil, err
	}
	reply, err := c.do(ctx, &apiRequest{method: http.MethodPost, url: c.cfg.voiceURLString, body: form + "&" + c.cfg.auth.voice})
	if err != nil {
		return nil, err
	}
	if !reply.ID.Set {
		return nil, unexpectedResponse(reply.status, "reply has no id")
	}
	return &CallRegistration{ID: reply.ID.Value, Message: reply.Message}, nil
}

// callForm validates req and encodes its per-call fields.
func (c *Client) callForm(req CallRequest) (string, error) {
	caller, err := phone.Normalize(req.Caller)
	if err != nil {
		return "", &ValidationError{Field: "CallRequest.Caller", Reason: err.Error()}
	}
	callee, err := phone.Normalize(req.Callee)
	if err != nil {
		return "", &ValidationError{Field: "CallRequest.Callee", Reason: err.Error()}
	}
	switch {
	case req.MaxDuration <= 0:
		return "", &ValidationError{Field: "CallRequest.MaxDuration", Reason: fmt.Sprintf("must be positive, got %v", req.MaxDuration)}
	case req.MaxDuration%time.Second != 0:
		return "", &ValidationError{Field: "CallRequest.MaxDuration", Reason: fmt.Sprintf("must be a whole number of seconds, got %v", req.MaxDuration)}
	}
	lang, err := c.language("CallRequest.Language", req.Language)
	if err != nil {
		return "", err
	}
	form := callForm{Caller: caller, Callee: callee, Duration: int64(req.MaxDuration / time.Second)}
	return form.encode() + c.cfg.callOptions[lang], nil
}

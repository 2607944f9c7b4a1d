package gurulize_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

func TestRegisterCallSendsDocumentedForm(t *testing.T) {
	t.Parallel()
	for _, transport := range transports {
		t.Run(transport, func(t *testing.T) {
			t.Parallel()
			c, b := newTestClient(t, transport, both, gurulize.WithLanguage(gurulize.Turkish))
			reg, err := c.RegisterCall(context.Background(), gurulize.CallRequest{
				Caller:      "(532) 123-45.67",
				Callee:      "542 765 43 21",
				MaxDuration: 90 * time.Second,
			})
			require.NoError(t, err)
			assert.Equal(t, &gurulize.CallRegistration{ID: 2, Message: "Request Received"}, reg)

			reqs := b.Requests()
			require.Len(t, reqs, 1)
			r := reqs[0]
			assert.Equal(t, http.MethodPost, r.Method)
			assert.Equal(t, voicePath, r.Path)
			assert.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
			assert.Empty(t, r.Query, "credentials travel in the body, not the URL")
			assert.Equal(t, map[string][]string{
				"username": {testUser},
				"password": {testPassword},
				"caller":   {"5321234567"},
				"callee":   {"5427654321"},
				"duration": {"90"},
				"lang":     {"tr"},
			}, map[string][]string(r.Form))
		})
	}
}

func TestRegisterCallIDForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		reply string
		id    int64
		err   error
	}{
		{"number", `{"success":true,"message":"Request Received","id":2}`, 2, nil},
		{"string", `{"success":true,"message":"Request Received","id":"12345678901"}`, 12345678901, nil},
		{"no success field", `{"message":"Request Received","id":7}`, 7, nil},
		{"missing id", `{"success":true,"message":"Request Received"}`, 0, gurulize.ErrUnexpectedResponse},
		{"null id", `{"success":true,"id":null}`, 0, gurulize.ErrUnexpectedResponse},
		{"fractional id", `{"success":true,"id":2.5}`, 0, gurulize.ErrUnexpectedResponse},
		{"word id", `{"success":true,"id":"two"}`, 0, gurulize.ErrUnexpectedResponse},
		{"object id", `{"success":true,"id":{}}`, 0, gurulize.ErrUnexpectedResponse},
		{"success as string", `{"success":"true","id":1}`, 0, gurulize.ErrUnexpectedResponse},
	}
	for _, transport := range transports {
		for _, tt := range tests {
			c, _ := newTestClient(t, transport, replyRaw(http.StatusOK, "application/json", tt.reply))
			reg, err := c.RegisterCall(context.Background(), validCall())
			if tt.err != nil {
				assert.ErrorIs(t, err, tt.err, "%s %s", transport, tt.name)
				assert.Nil(t, reg)
				var apiErr *gurulize.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, http.StatusOK, apiErr.StatusCode)
				continue
			}
			require.NoError(t, err, "%s %s", transport, tt.name)
			assert.Equal(t, tt.id, reg.ID, "%s %s", transport, tt.name)
		}
	}
}

func TestRegisterCallValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(*gurulize.CallRequest)
		field  string
		reason string
	}{
		{"empty caller", func(r *gurulize.CallRequest) { r.Caller = "" }, "CallRequest.Caller", "required"},
		{"caller with plus", func(r *gurulize.CallRequest) { r.Caller = "+905321234567" }, "CallRequest.Caller", `'+'`},
		{"caller with letter", func(r *gurulize.CallRequest) { r.Caller = "532CALLME" }, "CallRequest.Caller", `'C'`},
		{"caller only separators", func(r *gurulize.CallRequest) { r.Caller = "( ) - ." }, "CallRequest.Caller", "no digits"},
		{"empty callee", func(r *gurulize.CallRequest) { r.Callee = "" }, "CallRequest.Callee", "required"},
		{"callee with slash", func(r *gurulize.CallRequest) { r.Callee = "542/7654321" }, "CallRequest.Callee", `'/'`},
		{"callee with ampersand", func(r *gurulize.CallRequest) { r.Callee = "542&password=x" }, "CallRequest.Callee", `'&'`},
		{"zero duration", func(r *gurulize.CallRequest) { r.MaxDuration = 0 }, "CallRequest.MaxDuration", "positive"},
		{"negative duration", func(r *gurulize.CallRequest) { r.MaxDuration = -time.Second }, "CallRequest.MaxDuration", "positive"},
		{"fractional seconds", func(r *gurulize.CallRequest) { r.MaxDuration = 1500 * time.Millisecond }, "CallRequest.MaxDuration", "whole number of seconds"},
		{"unknown language", func(r *gurulize.CallRequest) { r.Language = "de" }, "CallRequest.Language", `"de"`},
	}
	for _, transport := range transports {
		c, b := newTestClient(t, transport, both)
		for _, tt := range tests {
			req := validCall()
			tt.mutate(&req)
			reg, err := c.RegisterCall(context.Background(), req)
			assert.Nil(t, reg)
			require.ErrorIs(t, err, gurulize.ErrInvalidRequest, tt.name)
			var ve *gurulize.ValidationError
			require.ErrorAs(t, err, &ve, tt.name)
			assert.Equal(t, tt.field, ve.Field, tt.name)
			assert.Contains(t, ve.Reason, tt.reason, tt.name)
		}
		assert.Zero(t, b.Count(), "%s: nothing is sent when validation fails", transport)
	}
}

func TestRegisterCallWithoutVoiceURL(t *testing.T) {
	t.Parallel()
	var sent atomic.Int32
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sent.Add(1)
		return nil, errors.New("must not be reached")
	})}
	c, err := gurulize.NewClient(testUser, testPassword, gurulize.WithHTTPClient(hc))
	require.NoError(t, err)
	reg, err := c.RegisterCall(context.Background(), validCall())
	assert.Nil(t, reg)
	assert.ErrorIs(t, err, gurulize.ErrNoVoiceURL)
	bad := validCall()
	bad.Caller = ""
	_, err = c.RegisterCall(context.Background(), bad)
	assert.ErrorIs(t, err, gurulize.ErrNoVoiceURL, "a missing voice URL is reported before the request's own problems")
	assert.Zero(t, sent.Load())
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

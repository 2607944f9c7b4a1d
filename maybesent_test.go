package gurulize_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

// This file checks MaybeSent on each class of error a call returns, and
// that a transport failure keeps its cause: errors.Is and errors.As reach
// what the transport returned, while the error's own text, by every verb,
// holds no secret.

// errOpen is a circuit breaker's sentinel, as a custom RoundTripper returns it.
var errOpen = errors.New("circuit breaker is open")

// clientFor returns a client whose both endpoints are base, through hc.
func clientFor(t *testing.T, base string, hc *http.Client, opts ...gurulize.Option) *gurulize.Client {
	t.Helper()
	c, err := gurulize.NewClient(testUser, testPassword, append([]gurulize.Option{
		gurulize.WithHTTPClient(hc), gurulize.WithVideoURL(base + videoPath), gurulize.WithVoiceURL(base + voicePath),
		gurulize.WithRetry(gurulize.RetryPolicy{MaxAttempts: 1}), gurulize.WithTimeout(2 * time.Second),
	}, opts...)...)
	require.NoError(t, err)
	return c
}

func TestMaybeSent(t *testing.T) {
	t.Parallel()
	assert.False(t, gurulize.MaybeSent(nil))
	assert.False(t, gurulize.MaybeSent(errors.New("not ours")))

	serve := func(h http.HandlerFunc) string {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		return srv.URL
	}
	reply := func(status int, header, body string) string {
		return serve(func(w http.ResponseWriter, r *http.Request) {
			if header != "" {
				k, v, _ := strings.Cut(header, ": ")
				w.Header().Set(k, v)
			}
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		})
	}
	cases := []struct {
		name  string
		base  string
		hc    *http.Client
		ctx   func() context.Context
		req   func(*gurulize.VideoRoomRequest)
		maybe bool
	}{
		{name: "invalid request", base: "http://127.0.0.1:1", req: func(r *gurulize.VideoRoomRequest) { r.Duration = 0 }},
		{name: "connection refused", base: "http://" + closedAddr(t)},
		{name: "context done before sending", base: "http://127.0.0.1:1", ctx: func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}},
		{name: "success false with 500", base: reply(500, "", `{"success":false,"message":"No"}`)},
		{name: "success false with 200", base: reply(200, "", `{"success":false,"message":"No"}`)},
		{name: "400", base: reply(400, "", `oops`)},
		{name: "404", base: reply(404, "", ``)},
		{name: "429", base: reply(429, "", `{"message":"slow down"}`)},
		{name: "503 with Retry-After", base: reply(503, "Retry-After: 1", `busy`)},
		{name: "503 without Retry-After", base: reply(503, "", `busy`), maybe: true},
		{name: "503 with a malformed Retry-After", base: reply(503, "Retry-After: soon", `busy`), maybe: true},
		{name: "500", base: reply(500, "", `{"message":"boom"}`), maybe: true},
		{name: "502 from a proxy", base: reply(502, "", `<html>bad gateway</html>`), maybe: true},
		{name: "2xx not JSON", base: reply(200, "", `<html>`), maybe: true},
		{name: "2xx without the expected fields", base: reply(200, "", `{"success":true}`), maybe: true},
		{name: "reset after reading the request", base: serve(resetConn), maybe: true},
		{name: "timeout after writing", base: serve(func(w http.ResponseWriter, r *http.Request) {
			readRequest(r)
			time.Sleep(3 * time.Second)
		}), maybe: true},
		{name: "custom transport's error", base: "https://api.gurulize.test", maybe: true,
			hc: &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, errOpen })}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hc := tc.hc
			if hc == nil {
				hc = &http.Client{Transport: &http.Transport{}}
			}
			c := clientFor(t, tc.base, hc)
			ctx := context.Background()
			if tc.ctx != nil {
				ctx = tc.ctx()
			}
			req := validRoom()
			if tc.req != nil {
				tc.req(&req)
			}
			_, err := c.CreateVideoRoom(ctx, req)
			require.Error(t, err)
			assert.Equal(t, tc.maybe, gurulize.MaybeSent(err), "%v", err)
			assert.Equal(t, tc.maybe, gurulize.MaybeSent(fmt.Errorf("wrapped: %w", err)), "through a wrapper")
			_, err = c.RegisterCall(ctx, validCall())
			require.Error(t, err)
			assert.Equal(t, tc.maybe, gurulize.MaybeSent(err), "%v", err)
		})
	}
	_, err := (&gurulize.Client{}).CreateVideoRoom(context.Background(), validRoom())
	assert.False(t, gurulize.MaybeSent(err), "a client NewClient did not build")
}

// TestErrorsKeepTheirCause: the transport's own error stays in the chain,
// and the *url.Error in it has its credentials masked.
func TestErrorsKeepTheirCause(t *testing.T) {
	t.Parallel()
	echoing := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		// A transport that says which request failed, password included.
		return nil, fmt.Errorf("%w for %s (form %q)", errOpen, r.URL, r.URL.Query().Get("password"))
	})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		readRequest(r)
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	t.Cleanup(slow.Close)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name  string
		c     *gurulize.Client
		ctx   context.Context
		is    error
		as    func(error) bool
		maybe bool
	}{
		{name: "custom transport's sentinel", is: errOpen, maybe: true,
			c: clientFor(t, "https://api.gurulize.test", &http.Client{Transport: echoing})},
		{name: "net.OpError", c: clientFor(t, "http://"+closedAddr(t), &http.Client{Transport: &http.Transport{}}),
			as: func(err error) bool { var op *net.OpError; return errors.As(err, &op) && op.Op == "dial" }},
		{name: "context.Canceled", ctx: cancelled, is: context.Canceled,
			c: clientFor(t, slow.URL, &http.Client{Transport: &http.Transport{}})},
		{name: "context.DeadlineExceeded", is: context.DeadlineExceeded, maybe: true,
			c: clientFor(t, slow.URL, &http.Client{Transport: &http.Transport{}}, gurulize.WithTimeout(100*time.Millisecond))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			for _, call := range []string{"video", "voice"} {
				err := callBoth(ctx, tc.c, call)
				require.Error(t, err)
				if tc.is != nil {
					assert.ErrorIs(t, err, tc.is)
				}
				if tc.as != nil {
					assert.True(t, tc.as(err), "%v", err)
				}
				var ue *url.Error
				require.ErrorAs(t, err, &ue)
				assert.Contains(t, ue.URL, basePath)
				if call == "video" {
					assert.Contains(t, ue.URL, "username=REDACTED")
					assert.Contains(t, ue.URL, "password=REDACTED")
				}
				assert.NotContains(t, ue.URL, testUser)
				assertNoSecret(t, err)
				assert.NotContains(t, err.Error(), testUser)
				assert.Equal(t, tc.maybe, gurulize.MaybeSent(err), "%v", err)
			}
		})
	}
}

// TestErrorTextWithholdsAnEchoingCause: the cause's text holds the password;
// the returned error's text does not, by any verb, and wrapping it again
// does not bring the cause's text back.
func TestErrorTextWithholdsAnEchoingCause(t *testing.T) {
	t.Parallel()
	c := clientFor(t, "https://api.gurulize.test", &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return nil, fmt.Errorf("%w: refused %s", errOpen, url.QueryEscape(url.QueryEscape(r.URL.Query().Get("password"))))
	})})
	_, err := c.CreateVideoRoom(context.Background(), validRoom())
	require.ErrorIs(t, err, errOpen)
	assert.Contains(t, err.Error(), "REDACTED")
	assertNoSecret(t, err)
	assertNoSecret(t, fmt.Errorf("outer: %w", err))
	doubled := url.QueryEscape(url.QueryEscape(testPassword))
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		assert.NotContains(t, fmt.Sprintf(verb, err), doubled, verb)
		assert.NotContains(t, fmt.Sprintf(verb, fmt.Errorf("outer: %w", err)), doubled, verb)
	}
	var ue *url.Error
	require.ErrorAs(t, err, &ue)
	assert.Contains(t, ue.Err.Error(), doubled, "the cause is the transport's own value")
}

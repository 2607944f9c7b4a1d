package gurulize_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/internal/redact"
)

// This file is the client's fault matrix: every way the network or the
// server can misbehave, each run against a real loopback endpoint for both
// calls. A case states what the caller gets back, how many requests the
// client sent and the server saw (so that nothing is ever placed twice), how
// long the call may take, and what became of the connection; every case also
// checks that no secret reaches the error or the debug log, and that nothing
// outlives it (goleak).

// fastRetry retries quickly, so that cases about retries run in milliseconds.
var fastRetry = gurulize.RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}

// target is what the client is pointed at in a case.
type target int

const (
	plainServer target = iota // an http:// loopback server running the case's handler
	tlsServer                 // an https:// loopback server whose certificate the client does not trust
	refusedPort               // a loopback port nobody listens on
	unknownHost               // a .invalid host, resolved by a loopback DNS server that knows no names
	hangingDial               // a dialer that never completes a connection
	http2Server               // an https:// loopback server speaking raw HTTP/2 frames (see http2_test.go), answering with the case's h2 answers
)

// connFate is what must have become of the connections a case used.
type connFate int

const (
	noConn         connFate = iota // no connection was ever made
	connReused                     // the connection went back to the pool: the next call opens none
	connClosed                     // every connection was closed, without the client being told to close idle ones
	connNotChecked                 // the raw HTTP/2 server keeps no account of its connections
)

type faultCase struct {
	name string
	// handler answers the API endpoint; it is built afresh for each call
	// kind, so that sequences start over.
	handler       func(env *faultEnv) http.HandlerFunc
	target        target
	warm          bool                 // make one successful call first, so the fault meets a reused keep-alive connection
	policy        gurulize.RetryPolicy // zero: fastRetry
	timeout       time.Duration        // per attempt; zero: 10s
	noCompression bool                 // the client's transport does not ask for gzip
	h2            []h2Answer           // http2Server's answers to the complete requests it reads, the last repeating

	check     func(t *testing.T, err error)
	attempts  int // requests the client sent (calls of its RoundTripper)
	redirects int // how many of those followed a redirect, within one attempt
	served    int // requests the server's handler saw
	minTime   time.Duration
	maxTime   time.Duration // zero: 5s
	conns     connFate
}

// faultEnv is one run of a case: the endpoint, the counters, and the
// switches the handlers use.
type faultEnv struct {
	t         *testing.T
	baseURL   string
	transport *http.Transport
	served    atomic.Int32 // requests the API handler saw
	elsewhere atomic.Int32 // requests any other host saw
	opened    atomic.Int32 // TCP connections the server accepted
	closed    atomic.Int32 // TCP connections the server saw close
	healthy   atomic.Bool  // when set, the endpoint answers like the real API
	release   chan struct{}
	cancel    context.CancelFunc // cancels the faulty call's context
}

func TestClientFaults(t *testing.T) {
	// Not parallel: each case ends by checking that no goroutine it started
	// survives it, which needs no other test running meanwhile. The two calls
	// of a case run in parallel with each other.
	for _, fc := range faultCases() {
		ignore := goleak.IgnoreCurrent()
		t.Run(fc.name, func(t *testing.T) {
			for _, kind := range []string{"video", "voice"} {
				t.Run(kind, func(t *testing.T) {
					t.Parallel()
					runFault(t, fc, kind)
				})
			}
		})
		if err := goleak.Find(ignore); err != nil {
			t.Errorf("%s left goroutines behind: %v", fc.name, err)
		}
	}
}

func faultCases() []faultCase {
	return []faultCase{
		// The request never left: retried per policy, then the last error.
		{
			name: "connection refused", target: refusedPort,
			check: func(t *testing.T, err error) {
				var opErr *net.OpError
				require.ErrorAs(t, err, &opErr, "the network error stays inspectable")
				assert.Equal(t, "dial", opErr.Op)
				assert.Contains(t, err.Error(), "refused")
			},
			attempts: 3, served: 0, conns: noConn,
		},
		{
			name: "DNS failure", target: unknownHost,
			check: func(t *testing.T, err error) {
				var dnsErr *net.DNSError
				require.ErrorAs(t, err, &dnsErr)
				assert.True(t, dnsErr.IsNotFound, "%v", dnsErr)
				assert.Contains(t, err.Error(), "no such host")
			},
			attempts: 3, served: 0, conns: noConn,
		},
		{
			name: "TLS handshake failure", target: tlsServer,
			check: func(t *testing.T, err error) {
				var certErr *tls.CertificateVerificationError
				require.ErrorAs(t, err, &certErr)
				assert.Contains(t, err.Error(), "certificate")
			},
			attempts: 3, served: 0, conns: connClosed,
		},
		{
			name: "connect timeout", target: hangingDial, timeout: 100 * time.Millisecond,
			check: func(t *testing.T, err error) {
				assert.ErrorIs(t, err, context.DeadlineExceeded)
			},
			attempts: 3, served: 0, minTime: 300 * time.Millisecond, conns: noConn,
		},

		// The request may have been acted on: never retried.
		{
			name:    "reset after the request was written",
			handler: func(*faultEnv) http.HandlerFunc { return resetConn },
			check:   wantURLError("", nil),
			// The reply never started, on a fresh connection.
			attempts: 1, served: 1, conns: connClosed,
		},
		{
			name:    "reset after the request was written on a reused connection",
			handler: func(*faultEnv) http.HandlerFunc { return resetConn },
			warm:    true,
			check:   wantURLError("", nil),
			// net/http's Transport silently resends a request it considers
			// replayable when a reused connection breaks before the reply:
			// the server must still see it only once.
			attempts: 1, served: 1, conns: connClosed,
		},
		{
			name: "reset after a same-host redirect",
			handler: func(*faultEnv) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Query().Get("hop") == "" {
						// 303: both calls follow it with a GET, on the connection the first request used.
						http.Redirect(w, r, r.URL.Path+"?hop=1", http.StatusSeeOther)
						return
					}
					resetConn(w, r)
				}
			},
			check:    wantURLError("", nil),
			attempts: 2, redirects: 1, served: 2, conns: connClosed,
		},
		{
			name: "500",
			handler: func(*faultEnv) http.HandlerFunc {
				return replyJSON(http.StatusInternalServerError, map[string]any{"success": false, "message": "database is down"})
			},
			check:    wantAPIError(http.StatusInternalServerError, nil, "database is down"),
			attempts: 1, served: 1, conns: connReused,
		},
		{
			name: "502 with an HTML page",
			handler: func(*faultEnv) http.HandlerFunc {
				return replyRaw(http.StatusBadGateway, "text/html", "<html><head><title>502 Bad Gateway</title></head><body>"+strings.Repeat("<p>upstream unavailable</p>", 200)+"</body></html>")
			},
			check:    wantAPIError(http.StatusBadGateway, nil, "502 Bad Gateway"),
			attempts: 1, served: 1, conns: connReused,
		},
		{
			name:    "timeout before the reply headers",
			handler: func(env *faultEnv) http.HandlerFunc { return stall(env, false) },
			timeout: 200 * time.Millisecond,
			check:   wantTimeout,
			served:  1, attempts: 1, minTime: 200 * time.Millisecond, conns: connClosed,
		},
		{
			name:    "timeout after the reply headers",
			handler: func(env *faultEnv) http.HandlerFunc { return stall(env, true) },
			timeout: 200 * time.Millisecond,
			check:   wantTimeout,
			served:  1, attempts: 1, minTime: 200 * time.Millisecond, conns: connClosed,
		},
		{
			name:    "body trickling past the deadline",
			handler: func(env *faultEnv) http.HandlerFunc { return trickle(env) },
			timeout: 200 * time.Millisecond,
			check:   wantTimeout,
			served:  1, attempts: 1, minTime: 200 * time.Millisecond, conns: connClosed,
		},

		// Over HTTP/2, net/http resends by itself a request whose body it can
		// rewind after some stream resets (one RegisterCall once reached a
		// server 1,735 times this way): the server must see it once, unless
		// it said it did not process it.
		{
			name: "HTTP/2 RST_STREAM PROTOCOL_ERROR after the request was read", target: http2Server,
			h2:    []h2Answer{resetWith(h2ProtocolError)},
			check: wantURLError("PROTOCOL_ERROR; received from peer: the request may have been processed, so it is not sent again", nil), attempts: 1, served: 1, conns: connNotChecked,
		},
		{
			name: "HTTP/2 RST_STREAM INTERNAL_ERROR after the request was read", target: http2Server,
			h2:    []h2Answer{resetWith(h2InternalError)},
			check: wantURLError("INTERNAL_ERROR", nil), attempts: 1, served: 1, conns: connNotChecked,
		},
		{
			name: "HTTP/2 REFUSED_STREAM then success", target: http2Server,
			h2:    []h2Answer{resetWith(h2RefusedStream), succeed},
			check: wantSuccess, attempts: 2, served: 2, conns: connNotChecked,
		},
		{
			name: "HTTP/2 REFUSED_STREAM on every attempt", target: http2Server,
			h2:    []h2Answer{resetWith(h2RefusedStream)},
			check: wantURLError("REFUSED_STREAM; received from peer: the server did not process the request", nil), attempts: 3, served: 3, conns: connNotChecked,
		},
		{
			name: "HTTP/2 GOAWAY with last-stream-id 0 then success", target: http2Server,
			h2:    []h2Answer{goAwayUnprocessed, succeed},
			check: wantSuccess, attempts: 2, served: 2, conns: connNotChecked,
		},
		{
			name: "HTTP/2 GOAWAY with last-stream-id 0 on every attempt", target: http2Server,
			h2:    []h2Answer{goAwayUnprocessed},
			check: wantURLError("GOAWAY", nil), attempts: 3, served: 3, conns: connNotChecked,
		},

		// The server asked for a retry: 429, and 503 with Retry-After. A 503
		// without it may come from a proxy that forwarded the request.
		{
			name: "503 with Retry-After then success",
			handler: func(*faultEnv) http.HandlerFunc {
				return sequence(withRetryAfter("0", replyJSON(http.StatusServiceUnavailable, map[string]any{"message": "busy"})), both)
			},
			check:    wantSuccess,
			attempts: 2, served: 2, conns: connReused,
		},
		{
			name: "503 without Retry-After is not retried",
			handler: func(*faultEnv) http.HandlerFunc {
				return sequence(replyJSON(http.StatusServiceUnavailable, map[string]any{"message": "busy"}), both)
			},
			check: func(t *testing.T, err error) {
				wantAPIError(http.StatusServiceUnavailable, nil, "busy")(t, err)
				assert.True(t, gurulize.MaybeSent(err), "a proxy may have forwarded it")
			},
			attempts: 1, served: 1, conns: connReused,
		},
		{
			name: "429 twice then success",
			handler: func(*faultEnv) http.HandlerFunc {
				limited := replyJSON(http.StatusTooManyRequests, map[string]any{"message": "slow down"})
				return sequence(limited, limited, both)
			},
			check:    wantSuccess,
			attempts: 3, served: 3, conns: connReused,
		},
		{
			name: "429 with Retry-After in seconds",
			handler: func(*faultEnv) http.HandlerFunc {
				return sequence(withRetryAfter("1", replyJSON(http.StatusTooManyRequests, nil)), both)
			},
			policy:   gurulize.RetryPolicy{MaxAttempts: 2, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Second},
			check:    wantSuccess,
			attempts: 2, served: 2, minTime: time.Second, conns: connReused,
		},
		{
			name: "503 with Retry-After as an HTTP date",
			handler: func(*faultEnv) http.HandlerFunc {
				// At least a second away, whatever the clock's fraction of a second.
				date := func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Retry-After", time.Now().Truncate(time.Second).Add(2*time.Second).UTC().Format(http.TimeFormat))
					replyJSON(http.StatusServiceUnavailable, nil)(w, r)
				}
				return sequence(date, both)
			},
			policy:   gurulize.RetryPolicy{MaxAttempts: 2, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Second},
			check:    wantSuccess,
			attempts: 2, served: 2, minTime: time.Second, maxTime: 10 * time.Second, conns: connReused,
		},
		{
			name: "503 with a huge Retry-After in seconds is capped",
			handler: func(*faultEnv) http.HandlerFunc {
				return sequence(withRetryAfter("86400", replyJSON(http.StatusServiceUnavailable, nil)), both)
			},
			policy:   gurulize.RetryPolicy{MaxAttempts: 2, MinBackoff: time.Millisecond, MaxBackoff: 300 * time.Millisecond},
			check:    wantSuccess,
			attempts: 2, served: 2, minTime: 300 * time.Millisecond, maxTime: 3 * time.Second, conns: connReused,
		},
		{
			name: "429 with a far-future Retry-After date is capped",
			handler: func(*faultEnv) http.HandlerFunc {
				return sequence(withRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT", replyJSON(http.StatusTooManyRequests, nil)), both)
			},
			policy:   gurulize.RetryPolicy{MaxAttempts: 2, MinBackoff: time.Millisecond, MaxBackoff: 300 * time.Millisecond},
			check:    wantSuccess,
			attempts: 2, served: 2, minTime: 300 * time.Millisecond, maxTime: 3 * time.Second, conns: connReused,
		},
		{
			name: "503 with Retry-After on every attempt",
			handler: func(*faultEnv) http.HandlerFunc {
				return withRetryAfter("0", replyJSON(http.StatusServiceUnavailable, map[string]any{"message": "busy"}))
			},
			check: func(t *testing.T, err error) {
				wantAPIError(http.StatusServiceUnavailable, nil, "busy")(t, err)
				assert.False(t, gurulize.MaybeSent(err), "the server asked for it later")
			},
			attempts: 3, served: 3, conns: connReused,
		},
		{
			name: "503 with retries disabled",
			handler: func(*faultEnv) http.HandlerFunc {
				return withRetryAfter("0", replyJSON(http.StatusServiceUnavailable, map[string]any{"message": "busy"}))
			},
			policy:   gurulize.RetryPolicy{MaxAttempts: 1},
			check:    wantAPIError(http.StatusServiceUnavailable, nil, "busy"),
			attempts: 1, served: 1, conns: connReused,
		},
		{
			name: "cancelled while waiting to retry",
			handler: func(env *faultEnv) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					// Cancel once the client is surely waiting out the hour.
					time.AfterFunc(100*time.Millisecond, env.cancel)
					withRetryAfter("3600", replyJSON(http.StatusServiceUnavailable, nil))(w, r)
				}
			},
			policy: gurulize.RetryPolicy{MaxAttempts: 5, MinBackoff: time.Hour, MaxBackoff: time.Hour},
			check: func(t *testing.T, err error) {
				wantURLError("gave up waiting to retry after attempt 1 (gurulize: API error (HTTP 503)", context.Canceled)(t, err)
				var apiErr *gurulize.APIError
				assert.False(t, errors.As(err, &apiErr), "a cancellation is not the server's refusal")
			},
			attempts: 1, served: 1, minTime: 100 * time.Millisecond, maxTime: 2 * time.Second, conns: connReused,
		},

		// Replies that are not what the API documents.
		{
			name:     "32 MiB reply",
			handler:  func(*faultEnv) http.HandlerFunc { return hugeReply(32 << 20) },
			check:    wantAPIError(http.StatusOK, gurulize.ErrUnexpectedResponse, "larger than 1048576 bytes"),
			attempts: 1, served: 1, conns: connClosed,
		},
		{
			name:     "endless reply",
			handler:  func(*faultEnv) http.HandlerFunc { return hugeReply(-1) },
			check:    wantAPIError(http.StatusOK, gurulize.ErrUnexpectedResponse, "larger than 1048576 bytes"),
			attempts: 1, served: 1, conns: connClosed,
		},
		{
			name: "reply of exactly 1 MiB",
			handler: func(*faultEnv) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					body := []byte(roomAndCallJSON)
					body = append(body, bytes.Repeat([]byte(" "), (1<<20)-len(body))...)
					replyRaw(http.StatusOK, "application/json", string(body))(w, r)
				}
			},
			check:    wantSuccess,
			attempts: 1, served: 1, conns: connReused,
		},
		{
			name: "truncated JSON",
			handler: func(*faultEnv) http.HandlerFunc {
				return replyRaw(http.StatusOK, "application/json", `{"success":true,"id":7,"uuid":"444f4061","hostUrl":"https://webrtc.gurulize.com/?rop=V_US2qRjrTFn&urp=gN-mYT-host-token`)
			},
			check:    wantAPIError(http.StatusOK, gurulize.ErrUnexpectedResponse, "not the documented JSON"),
			attempts: 1, served: 1, conns: connReused,
		},
		{
			name:     "connection closed before the promised length",
			handler:  func(*faultEnv) http.HandlerFunc { return shortBody },
			check:    wantURLError("unexpected EOF", nil),
			attempts: 1, served: 1, conns: connClosed,
		},
		{
			name: "wrong JSON types",
			handler: func(*faultEnv) http.HandlerFunc {
				return replyRaw(http.StatusOK, "application/json", `{"success":"yes","id":{"n":7},"uuid":42,"hostUrl":"https://webrtc.gurulize.com/?rop=V_US2qRjrTFn&urp=gN-mYT-host-token","guestUrl":"https:\/\/webrtc.gurulize.com\/?rop=GFPyacAAOrPc\u0026urp=gN-mYT-guest-token"}`)
			},
			check:    wantAPIError(http.StatusOK, gurulize.ErrUnexpectedResponse, "not the documented JSON"),
			attempts: 1, served: 1, conns: connReused,
		},
		{
			name:     "empty 200",
			handler:  func(*faultEnv) http.HandlerFunc { return replyRaw(http.StatusOK, "application/json", "") },
			check:    wantAPIError(http.StatusOK, gurulize.ErrUnexpectedResponse, "(empty body)"),
			attempts: 1, served: 1, conns: connReused,
		},
		{
			name: "success without an id or uuid",
			handler: func(*faultEnv) http.HandlerFunc {
				return replyJSON(http.StatusOK, map[string]any{"success": true, "message": "Request Received"})
			},
			check:    wantAPIError(http.StatusOK, gurulize.ErrUnexpectedResponse, "reply has no"),
			attempts: 1, served: 1, conns: connReused,
		},
		{
			name:    "gzip reply the client asked for",
			handler: func(*faultEnv) http.HandlerFunc { return gzipReply(true, []byte(roomAndCallJSON)) },
			check:   wantSuccess,
			// net/http asks for gzip and decodes it; the limit counts decoded bytes.
			attempts: 1, served: 1, conns: connReused,
		},
		{
			name:     "gzip bomb",
			handler:  func(*faultEnv) http.HandlerFunc { return gzipReply(true, gzipBomb()) },
			check:    wantAPIError(http.StatusOK, gurulize.ErrUnexpectedResponse, "larger than 1048576 bytes"),
			attempts: 1, served: 1, conns: connClosed,
		},
		{
			name:          "gzip reply the client did not ask for",
			handler:       func(*faultEnv) http.HandlerFunc { return gzipReply(false, []byte(roomAndCallJSON)) },
			noCompression: true,
			check:         wantAPIError(http.StatusOK, gurulize.ErrUnexpectedResponse, `Content-Encoding "gzip"`),
			attempts:      1, served: 1, conns: connReused,
		},
		{
			name: "401 encoded although not asked for",
			handler: func(*faultEnv) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Encoding", "br")
					replyRaw(http.StatusUnauthorized, "application/json", "\x8b\x03\x80{}\x03")(w, r)
				}
			},
			check:    wantAPIError(http.StatusUnauthorized, gurulize.ErrInvalidCredentials, `Content-Encoding "br"`),
			attempts: 1, served: 1, conns: connReused,
		},

		// Hostile peers.
		{
			name: "redirect to another host",
			handler: func(env *faultEnv) http.HandlerFunc {
				other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					env.elsewhere.Add(1)
					both(w, r)
				}))
				env.t.Cleanup(other.Close)
				return func(w http.ResponseWriter, r *http.Request) {
					// The query holds the password: where it would go is the point.
					http.Redirect(w, r, other.URL+"/collect?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
				}
			},
			check:    wantAPIError(http.StatusTemporaryRedirect, nil, ""),
			attempts: 1, served: 1, conns: connReused,
		},
		{
			name: "server echoes the request URL and password in an error page",
			handler: func(*faultEnv) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					_ = r.ParseForm()
					replyRaw(http.StatusInternalServerError, "text/plain", fmt.Sprintf("cannot handle %s %s (password %s, form %s)",
						r.Method, r.URL.String(), r.FormValue("password"), r.PostForm.Encode()))(w, r)
				}
			},
			check:    wantAPIError(http.StatusInternalServerError, nil, redact.Withheld),
			attempts: 1, served: 1, conns: connReused,
		},
		{
			name: "server echoes the password in a refusal",
			handler: func(*faultEnv) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					_ = r.ParseForm()
					replyJSON(http.StatusOK, map[string]any{"success": false,
						"message": "Invalid Parameter (password): " + r.FormValue("password") + " is wrong for " + r.URL.String()})(w, r)
				}
			},
			check:    wantAPIError(http.StatusOK, gurulize.ErrInvalidParameter, redact.Withheld),
			attempts: 1, served: 1, conns: connReused,
		},
		{
			name: "server echoes the password disguised by bytes an excerpt drops",
			handler: func(*faultEnv) http.HandlerFunc {
				// Control characters and invalid UTF-8 are tidied away
				// before the comparison: the body is withheld.
				tab := strings.Replace(testPassword, " ", "\t", 1)
				split := testPassword[:3] + "\xff" + testPassword[3:]
				return replyRaw(http.StatusOK, "text/plain", "upstream said: "+tab+" / "+split)
			},
			check:    wantAPIError(http.StatusOK, gurulize.ErrUnexpectedResponse, redact.Withheld),
			attempts: 1, served: 1, conns: connReused,
		},
	}
}

func runFault(t *testing.T, fc faultCase, kind string) {
	env := newFaultEnv(t, fc)
	policy := fc.policy
	if policy.MaxAttempts == 0 {
		policy = fastRetry
	}
	timeout := fc.timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	var attempts atomic.Int32
	logs := &logBuffer{}
	c, err := gurulize.NewClient(testUser, testPassword,
		gurulize.WithHTTPClient(&http.Client{Transport: countingTransport(&attempts, env.transport)}),
		gurulize.WithVideoURL(env.baseURL+videoPath), gurulize.WithVoiceURL(env.baseURL+voicePath),
		gurulize.WithRetry(policy), gurulize.WithTimeout(timeout), gurulize.WithLogger(logs.Logger()))
	require.NoError(t, err)

	if fc.warm {
		env.healthy.Store(true)
		require.NoError(t, callBoth(context.Background(), c, kind), "warm-up call")
		env.healthy.Store(false)
		require.Equal(t, int32(1), env.opened.Load())
	}
	sentBefore, servedBefore, logsBefore := attempts.Load(), env.served.Load(), len(logs.Records(t))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env.cancel = cancel
	start := time.Now()
	err = callBoth(ctx, c, kind)
	elapsed := time.Since(start)

	fc.check(t, err)
	if err != nil {
		var apiErr *gurulize.APIError
		var ue *url.Error
		assert.True(t, errors.As(err, &apiErr) || errors.As(err, &ue), "a typed error, got %T: %v", err, err)
		assertNoSecret(t, err)
	}
	assert.Equal(t, fc.attempts, int(attempts.Load()-sentBefore), "requests the client sent")
	assert.Equal(t, fc.served, int(env.served.Load()-servedBefore), "requests the server saw")
	assert.Zero(t, env.elsewhere.Load(), "requests another host saw")
	maxTime := fc.maxTime
	if maxTime == 0 {
		maxTime = 5 * time.Second
	}
	assert.GreaterOrEqual(t, elapsed, fc.minTime, "elapsed")
	assert.Less(t, elapsed, maxTime, "elapsed")

	recs := logs.Records(t)[logsBefore:]
	assert.Len(t, recs, fc.attempts-fc.redirects, "one debug record per attempt")
	for i, rec := range recs {
		assert.Equal(t, float64(i+1), rec["attempt"])
	}
	for _, secret := range secrets() {
		assert.NotContains(t, logs.String(), secret, "the debug log")
	}

	switch fc.conns {
	case noConn:
		assert.Zero(t, env.opened.Load(), "connections made")
	case connClosed:
		// Closed by the client or the server, but closed: the client keeps no
		// connection whose reply it did not read to the end.
		assert.Eventually(t, func() bool { return env.opened.Load() > 0 && env.closed.Load() == env.opened.Load() },
			5*time.Second, 5*time.Millisecond, "every connection closed (%d opened, %d closed)", env.opened.Load(), env.closed.Load())
	case connReused:
		opened := env.opened.Load()
		require.Equal(t, int32(1), opened, "all attempts shared one connection")
		env.healthy.Store(true)
		require.NoError(t, callBoth(context.Background(), c, kind), "a call after the fault")
		assert.Equal(t, opened, env.opened.Load(), "the call after the fault reused the connection")
	}
}

// newFaultEnv starts what the case's client is pointed at. Everything it
// starts is stopped by the test's cleanups, and the transport's idle
// connections are closed, so that goleak sees nothing left.
func newFaultEnv(t *testing.T, fc faultCase) *faultEnv {
	env := &faultEnv{t: t, release: make(chan struct{})}
	env.transport = http.DefaultTransport.(*http.Transport).Clone()
	env.transport.DisableCompression = fc.noCompression
	t.Cleanup(env.transport.CloseIdleConnections)

	switch fc.target {
	case plainServer, tlsServer:
		var fault http.HandlerFunc
		if fc.handler != nil {
			fault = fc.handler(env)
		}
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			env.served.Add(1)
			if env.healthy.Load() || fault == nil {
				both(w, r)
				return
			}
			fault(w, r)
		}))
		srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
			switch s {
			case http.StateNew:
				env.opened.Add(1)
			case http.StateClosed, http.StateHijacked:
				env.closed.Add(1)
			}
		}
		srv.Config.ErrorLog = log.New(io.Discard, "", 0) // failed TLS handshakes are expected
		if fc.target == tlsServer {
			srv.StartTLS() // the client's transport does not trust its certificate
		} else {
			srv.Start()
		}
		t.Cleanup(srv.Close)
		env.baseURL = srv.URL
	case http2Server:
		h2 := newH2Server(t, fc.h2...)
		h2.onComplete = func() { env.served.Add(1) }
		env.baseURL, env.transport = h2.URL, h2.Client.Transport.(*http.Transport)
	case refusedPort:
		env.baseURL = "http://" + closedAddr(t)
	case unknownHost:
		env.baseURL = "https://api.gurulize.invalid"
		env.transport.DialContext = (&net.Dialer{Resolver: nxdomainResolver(t)}).DialContext
	case hangingDial:
		env.baseURL = "https://api.gurulize.test"
		env.transport.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-env.release:
				return nil, errors.New("dial abandoned")
			}
		}
	}
	t.Cleanup(func() { close(env.release) }) // runs first: unblocks handlers and dialers before the server closes
	return env
}

// Checks.

func wantSuccess(t *testing.T, err error) {
	t.Helper()
	assert.NoError(t, err)
}

// wantAPIError expects an *APIError with the given status, matching is (or,
// when is is nil, no sentinel at all), whose message contains contains.
func wantAPIError(status int, is error, contains string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var apiErr *gurulize.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, status, apiErr.StatusCode)
		assert.Contains(t, apiErr.Message, contains)
		for _, sentinel := range []error{gurulize.ErrUnexpectedResponse, gurulize.ErrMissingParameter, gurulize.ErrInvalidParameter, gurulize.ErrInvalidCredentials} {
			assert.Equal(t, sentinel == is, errors.Is(err, sentinel), "errors.Is(err, %v)", sentinel)
		}
	}
}

// wantURLError expects a redacted *url.Error whose text contains contains and
// that matches is, when is is not nil.
func wantURLError(contains string, is error) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var ue *url.Error
		require.ErrorAs(t, err, &ue)
		assert.Contains(t, ue.URL, basePath, "the error says which endpoint failed")
		assert.Contains(t, err.Error(), contains)
		if is != nil {
			assert.ErrorIs(t, err, is)
		}
		var apiErr *gurulize.APIError
		assert.False(t, errors.As(err, &apiErr), "a transport failure is not an API error")
	}
}

// wantTimeout expects the per-attempt timeout: a *url.Error that matches
// context.DeadlineExceeded and says Timeout.
func wantTimeout(t *testing.T, err error) {
	t.Helper()
	wantURLError("", context.DeadlineExceeded)(t, err)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	assert.True(t, ne.Timeout())
}

// Handlers.

// roomAndCallJSON is a successful reply to either call.
const roomAndCallJSON = `{"success":true,"message":"Request Received","id":2,"uuid":"444f4061-3494-4e60-a552-c4316ac6702d","hostUrl":"https://webrtc.gurulize.com/?rop=V_US2qRjrTFn&urp=gN-mYT-host-token","guestUrl":"https://webrtc.gurulize.com/?rop=GFPyacAAOrPc&urp=gN-mYT-guest-token"}`

// sequence answers the n-th request (0-based) with handlers[n], repeating the last.
func sequence(handlers ...http.HandlerFunc) http.HandlerFunc {
	var n atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if i >= len(handlers) {
			i = len(handlers) - 1
		}
		handlers[i](w, r)
	}
}

func withHeader(resp *http.Response, key, value string) *http.Response {
	resp.Header.Set(key, value)
	return resp
}

func withRetryAfter(v string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", v)
		h(w, r)
	}
}

// resetConn reads the whole request, then drops the connection with a TCP
// reset before any reply.
func resetConn(w http.ResponseWriter, r *http.Request) {
	readRequest(r)
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// shortBody promises 1000 bytes of reply and closes the connection after 30.
func shortBody(w http.ResponseWriter, r *http.Request) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n" + roomAndCallJSON[:30])
	_ = buf.Flush()
}

// readRequest reads the request body, as a server parsing the form does; only
// then does net/http's server notice a client hanging up, and cancel the
// request's context.
func readRequest(r *http.Request) { _, _ = io.Copy(io.Discard, r.Body) }

// stall holds the reply until the client gives up, after sending its headers
// when headers is set.
func stall(env *faultEnv, headers bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		readRequest(r)
		if headers {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
		}
		select {
		case <-r.Context().Done():
		case <-env.release:
		}
	}
}

// trickle sends a valid reply one byte every 20ms: each byte is on time, the
// whole is not.
func trickle(env *faultEnv) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		readRequest(r)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		for i := 0; i < len(roomAndCallJSON); i++ {
			if _, err := io.WriteString(w, roomAndCallJSON[i:i+1]); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-time.After(20 * time.Millisecond):
			case <-r.Context().Done():
				return
			case <-env.release:
				return
			}
		}
	}
}

// hugeReply starts a JSON reply and sends n bytes in all, or never stops
// when n < 0, until the client hangs up.
func hugeReply(n int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		readRequest(r)
		w.Header().Set("Content-Type", "application/json")
		if n >= 0 {
			w.Header().Set("Content-Length", strconv.Itoa(n))
		}
		head := `{"success":true,"id":2,"uuid":"`
		if _, err := io.WriteString(w, head); err != nil {
			return
		}
		chunk := bytes.Repeat([]byte("a"), 64<<10)
		for left := n - len(head); n < 0 || left > 0; left -= len(chunk) {
			if n >= 0 && left < len(chunk) {
				chunk = chunk[:left]
			}
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}
}

// gzipReply sends body gzip-encoded: regardless of what the request asked
// for, or, when onlyIfAsked is set, only to a request that asked for gzip.
func gzipReply(onlyIfAsked bool, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if onlyIfAsked && !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			replyRaw(http.StatusNotAcceptable, "text/plain", "this test server only speaks gzip")(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		if bytes.HasPrefix(body, []byte{0x1f, 0x8b}) {
			_, _ = w.Write(body)
			return
		}
		zw := gzip.NewWriter(w)
		_, _ = zw.Write(body)
		_ = zw.Close()
	}
}

var gzipBomb = sync.OnceValue(func() []byte {
	// Concatenated gzip members decode as one stream; compressing 1 MiB
	// once and repeating it keeps the test fast.
	member := func(b []byte) []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(b)
		_ = zw.Close()
		return buf.Bytes()
	}
	bomb := member([]byte(`{"success":true,"id":2,"uuid":"`))
	mib := member(bytes.Repeat([]byte("a"), 1<<20))
	for i := 0; i < 32; i++ {
		bomb = append(bomb, mib...)
	}
	return append(bomb, member([]byte(`"}`))...) // 32 MiB once decoded, about 32 KiB on the wire
})

// Endpoints that are not servers.

// closedAddr returns a loopback address nobody listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// nxdomainResolver returns a resolver whose every query goes to a DNS server
// on loopback that answers "no such name", as the real DNS does for a
// .invalid host, so the test needs no network.
func nxdomainResolver(t *testing.T) *net.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if reply := nameError(buf[:n]); reply != nil {
				_, _ = pc.WriteTo(reply, addr)
			}
		}
	}()
	t.Cleanup(func() {
		_ = pc.Close()
		<-done
	})
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", pc.LocalAddr().String())
	}}
}

// nameError answers a DNS query with its question and response code 3, "no
// such name" (RFC 1035, section 4.1), or returns nil for a malformed query.
func nameError(query []byte) []byte {
	if len(query) < 12 {
		return nil
	}
	i := 12 // the question follows the header: a name as labels ending in a zero length, then type and class
	for i < len(query) && query[i] != 0 {
		i += int(query[i]) + 1
	}
	end := i + 1 + 4
	if end > len(query) {
		return nil
	}
	reply := []byte{
		query[0], query[1], // the query's ID
		0x80 | query[2]&0x01,   // a response, recursion desired as asked
		0x80 | 3,               // recursion available, name error
		0, 1, 0, 0, 0, 0, 0, 0, // one question, no other records
	}
	return append(reply, query[12:end]...)
}

func countingTransport(n *atomic.Int32, next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		n.Add(1)
		return next.RoundTrip(r)
	})
}

// TestFaultsThroughHTTPMock: with a transport that opens no socket, the
// server's 429/503 still count, and an error from the transport, which gives
// no proof that the request never left, is not retried.
func TestFaultsThroughHTTPMock(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodGet, gurulize.DefaultVideoURL, httpmock.NewErrorResponder(errors.New("boom")))
	mt.RegisterResponder(http.MethodPost, "https://voice.gurulize.test/c2c", httpmock.ResponderFromMultipleResponses([]*http.Response{
		withHeader(httpmock.NewStringResponse(http.StatusServiceUnavailable, `{"message":"busy"}`), "Retry-After", "0"),
		httpmock.NewStringResponse(http.StatusTooManyRequests, `{"message":"slow down"}`),
		httpmock.NewStringResponse(http.StatusOK, `{"success":true,"id":5}`),
	}))
	c, err := gurulize.NewClient(testUser, testPassword, gurulize.WithHTTPClient(&http.Client{Transport: mt}),
		gurulize.WithVoiceURL("https://voice.gurulize.test/c2c"), gurulize.WithRetry(fastRetry))
	require.NoError(t, err)

	err = callBoth(context.Background(), c, "video")
	assert.ErrorContains(t, err, "boom")
	assertNoSecret(t, err)
	assert.Equal(t, 1, mt.GetCallCountInfo()["GET "+gurulize.DefaultVideoURL], "no proof the request never left, so no retry")

	reg, err := c.RegisterCall(context.Background(), validCall())
	require.NoError(t, err)
	assert.Equal(t, int64(5), reg.ID)
	assert.Equal(t, 3, mt.GetCallCountInfo()["POST https://voice.gurulize.test/c2c"])
}

package gurulize_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

var fastRetry = gurulize.RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}

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

func withRetryAfter(v string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", v)
		h(w, r)
	}
}

func TestRetriesWhenServerAsks(t *testing.T) {
	t.Parallel()
	busy := replyJSON(http.StatusServiceUnavailable, map[string]any{"message": "busy"})
	limited := replyJSON(http.StatusTooManyRequests, map[string]any{"message": "slow down"})
	tests := []struct {
		name     string
		handler  func() http.HandlerFunc // a fresh one per client: sequences count
		policy   gurulize.RetryPolicy
		wantErr  bool
		requests int
	}{
		{"503 then success", func() http.HandlerFunc { return sequence(busy, both) }, fastRetry, false, 2},
		{"429 twice then success", func() http.HandlerFunc { return sequence(limited, limited, both) }, fastRetry, false, 3},
		{"429 with Retry-After seconds", func() http.HandlerFunc { return sequence(withRetryAfter("1", limited), both) }, fastRetry, false, 2},
		{"503 with Retry-After date", func() http.HandlerFunc {
			return sequence(withRetryAfter(time.Now().Add(time.Hour).UTC().Format(http.TimeFormat), busy), both)
		}, fastRetry, false, 2},
		{"503 forever", func() http.HandlerFunc { return busy }, fastRetry, true, 3},
		{"retries disabled", func() http.HandlerFunc { return busy }, gurulize.RetryPolicy{MaxAttempts: 1}, true, 1},
		{"500 is never retried", func() http.HandlerFunc {
			return replyJSON(http.StatusInternalServerError, map[string]any{"message": "oops"})
		}, fastRetry, true, 1},
		{"502 is never retried", func() http.HandlerFunc { return replyRaw(http.StatusBadGateway, "text/html", "<h1>bad gateway</h1>") }, fastRetry, true, 1},
		{"refusal is never retried", func() http.HandlerFunc {
			return replyJSON(http.StatusOK, map[string]any{"success": false, "message": "User Information Is Invalid"})
		}, fastRetry, true, 1},
	}
	for _, transport := range transports {
		for _, tt := range tests {
			for _, kind := range []string{"video", "voice"} {
				c, b := newTestClient(t, transport, tt.handler(), gurulize.WithRetry(tt.policy))
				start := time.Now()
				err := callBoth(context.Background(), c, kind)
				elapsed := time.Since(start)
				if tt.wantErr {
					require.Error(t, err, "%s %s %s", transport, tt.name, kind)
					var apiErr *gurulize.APIError
					assert.ErrorAs(t, err, &apiErr)
				} else {
					require.NoError(t, err, "%s %s %s", transport, tt.name, kind)
				}
				assert.Equal(t, tt.requests, b.Count(), "%s %s %s", transport, tt.name, kind)
				assert.Less(t, elapsed, 2*time.Second, "%s %s %s: Retry-After is capped by MaxBackoff", transport, tt.name, kind)
			}
		}
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	t.Parallel()
	c, b := newTestClient(t, "httptest",
		sequence(withRetryAfter("1", replyJSON(http.StatusTooManyRequests, nil)), both),
		gurulize.WithRetry(gurulize.RetryPolicy{MaxAttempts: 2, MinBackoff: time.Millisecond, MaxBackoff: 300 * time.Millisecond}))
	start := time.Now()
	require.NoError(t, callBoth(context.Background(), c, "video"))
	elapsed := time.Since(start)
	assert.Equal(t, 2, b.Count())
	assert.GreaterOrEqual(t, elapsed, 300*time.Millisecond, "waited for Retry-After, capped at MaxBackoff")
	assert.Less(t, elapsed, time.Second, "a Retry-After above MaxBackoff is capped")
}

func TestCancelDuringRetryWait(t *testing.T) {
	t.Parallel()
	c, b := newTestClient(t, "httptest", withRetryAfter("3600", replyJSON(http.StatusServiceUnavailable, nil)),
		gurulize.WithRetry(gurulize.RetryPolicy{MaxAttempts: 5, MinBackoff: time.Hour, MaxBackoff: time.Hour}))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	err := callBoth(ctx, c, "voice")
	assert.Less(t, time.Since(start), 2*time.Second, "the wait ends when the context is cancelled")
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, b.Count())
	assertNoSecret(t, err)
}

// closedAddr returns a loopback address nobody listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

func TestRetriesWhenConnectionNeverMade(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"video", "voice"} {
		addr := closedAddr(t)
		var attempts atomic.Int32
		logs := &logBuffer{}
		c, err := gurulize.NewClient(testUser, testPassword,
			gurulize.WithVideoURL("http://"+addr+videoPath), gurulize.WithVoiceURL("http://"+addr+voicePath),
			gurulize.WithRetry(fastRetry), gurulize.WithLogger(logs.Logger()),
			gurulize.WithHTTPClient(&http.Client{Transport: countingTransport(&attempts, http.DefaultTransport)}))
		require.NoError(t, err)
		err = callBoth(context.Background(), c, kind)
		require.Error(t, err)
		var ue *url.Error
		require.ErrorAs(t, err, &ue)
		var opErr *net.OpError
		assert.ErrorAs(t, err, &opErr, "the network error stays inspectable")
		assert.Contains(t, err.Error(), "refused")
		assert.Equal(t, int32(3), attempts.Load(), kind)
		assertNoSecret(t, err)
		recs := logs.Records(t)
		require.Len(t, recs, 3)
		for i, rec := range recs {
			assert.Equal(t, float64(i+1), rec["attempt"])
		}
		for _, secret := range secrets() {
			assert.NotContains(t, logs.String(), secret)
		}
	}
}

func TestRetriesAfterDNSFailure(t *testing.T) {
	t.Parallel()
	var attempts atomic.Int32
	c, err := gurulize.NewClient(testUser, testPassword,
		gurulize.WithVideoURL("https://gurulize.invalid/create"),
		gurulize.WithRetry(gurulize.RetryPolicy{MaxAttempts: 2, MinBackoff: time.Millisecond}),
		gurulize.WithHTTPClient(&http.Client{Transport: countingTransport(&attempts, http.DefaultTransport)}))
	require.NoError(t, err)
	err = callBoth(context.Background(), c, "video")
	var dnsErr *net.DNSError
	require.ErrorAs(t, err, &dnsErr)
	assert.Equal(t, int32(2), attempts.Load())
	assertNoSecret(t, err)
}

func countingTransport(n *atomic.Int32, next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		n.Add(1)
		return next.RoundTrip(r)
	})
}

func TestTimeoutAfterRequestWrittenIsNotRetried(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	slow := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
	for _, kind := range []string{"video", "voice"} {
		c, b := newTestClient(t, "httptest", slow, gurulize.WithTimeout(50*time.Millisecond), gurulize.WithRetry(fastRetry))
		start := time.Now()
		err := callBoth(context.Background(), c, kind)
		require.Error(t, err)
		assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
		var ne net.Error
		require.ErrorAs(t, err, &ne)
		assert.True(t, ne.Timeout())
		assert.Less(t, time.Since(start), 2*time.Second)
		assert.Equal(t, 1, b.Count(), "a request that reached the server is never repeated")
		assertNoSecret(t, err)
	}
}

func TestTimeoutCoversTheBody(t *testing.T) {
	t.Parallel()
	trickle := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"uuid":"`))
		for i := 0; i < 100; i++ {
			if _, err := w.Write([]byte("a")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-time.After(20 * time.Millisecond):
			case <-r.Context().Done():
				return
			}
		}
	}
	c, b := newTestClient(t, "httptest", trickle, gurulize.WithTimeout(100*time.Millisecond), gurulize.WithRetry(fastRetry))
	start := time.Now()
	err := callBoth(context.Background(), c, "video")
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), time.Second)
	assert.Equal(t, 1, b.Count())
	assertNoSecret(t, err)
}

func TestResetAfterRequestWrittenIsNotRetried(t *testing.T) {
	t.Parallel()
	hijack := func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0) // send RST
			}
			_ = conn.Close()
		}
	}
	for _, kind := range []string{"video", "voice"} {
		c, b := newTestClient(t, "httptest", hijack, gurulize.WithRetry(fastRetry))
		err := callBoth(context.Background(), c, kind)
		require.Error(t, err)
		var ue *url.Error
		assert.ErrorAs(t, err, &ue)
		assert.Equal(t, 1, b.Count(), "%s: the outcome is unknown, so it is not repeated", kind)
		assertNoSecret(t, err)
	}
}

func TestRedirectToAnotherHostIsNotFollowed(t *testing.T) {
	t.Parallel()
	var otherHits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
		both(w, r)
	}))
	t.Cleanup(other.Close)
	for _, kind := range []string{"video", "voice"} {
		redirect := func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/steal?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
		}
		c, b := newTestClient(t, "httptest", redirect)
		err := callBoth(context.Background(), c, kind)
		var apiErr *gurulize.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, http.StatusTemporaryRedirect, apiErr.StatusCode)
		assert.Equal(t, 1, b.Count())
		assertNoSecret(t, err)
	}
	assert.Zero(t, otherHits.Load(), "the other host receives nothing")
}

func TestRedirectOnSameHostIsFollowed(t *testing.T) {
	t.Parallel()
	var c *gurulize.Client
	var b *backend
	c, b = newTestClient(t, "httptest", func(w http.ResponseWriter, r *http.Request) {
		if b.Count() == 1 {
			http.Redirect(w, r, r.URL.String(), http.StatusTemporaryRedirect)
			return
		}
		both(w, r)
	})
	reg, err := c.RegisterCall(context.Background(), validCall())
	require.NoError(t, err)
	assert.Equal(t, int64(2), reg.ID)
	reqs := b.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, reqs[0].Form, reqs[1].Form, "a 307 repeats the same form")

	// The caller's own redirect policy still applies on the same host.
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return errors.New("no redirects here") }}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	c2, err := gurulize.NewClient(testUser, testPassword, gurulize.WithHTTPClient(hc), gurulize.WithVideoURL(srv.URL+"/create"))
	require.NoError(t, err)
	err = callBoth(context.Background(), c2, "video")
	assert.ErrorContains(t, err, "no redirects here")
	assertNoSecret(t, err)
}

func TestDefaultClientRedirectLimit(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, r.URL.String(), http.StatusTemporaryRedirect)
	}))
	t.Cleanup(srv.Close)
	c, err := gurulize.NewClient(testUser, testPassword, gurulize.WithVideoURL(srv.URL+"/create"))
	require.NoError(t, err)
	err = callBoth(context.Background(), c, "video")
	assert.ErrorContains(t, err, "stopped after 10 redirects")
	assert.Equal(t, int32(10), hits.Load())
	assertNoSecret(t, err)
}

func TestDebugLogging(t *testing.T) {
	t.Parallel()
	for _, transport := range transports {
		logs := &logBuffer{}
		c, _ := newTestClient(t, transport, both, gurulize.WithLogger(logs.Logger()))
		require.NoError(t, callBoth(context.Background(), c, "video"))
		require.NoError(t, callBoth(context.Background(), c, "voice"))
		recs := logs.Records(t)
		require.Len(t, recs, 2, transport)
		for i, method := range []string{"GET", "POST"} {
			rec := recs[i]
			assert.Equal(t, "DEBUG", rec["level"])
			assert.Equal(t, "gurulize request", rec["msg"])
			assert.Equal(t, method, rec["method"])
			assert.Equal(t, float64(200), rec["status"])
			assert.Equal(t, float64(1), rec["attempt"])
			assert.Contains(t, rec, "latency")
			assert.NotContains(t, rec, "error")
		}
		assert.Contains(t, recs[0]["url"], "password=REDACTED")
		assert.Contains(t, recs[0]["url"], "username="+testUser)
		for _, secret := range secrets() {
			assert.NotContains(t, logs.String(), secret, transport)
		}
	}

	// Below debug level, nothing is logged.
	logs := &logBuffer{}
	quiet := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	c, _ := newTestClient(t, "httpmock", both, gurulize.WithLogger(quiet))
	require.NoError(t, callBoth(context.Background(), c, "video"))
	assert.Empty(t, logs.String())
}

func TestHTTPMockErrorResponderIsNotRetried(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodGet, gurulize.DefaultVideoURL, httpmock.NewErrorResponder(errors.New("boom")))
	c, err := gurulize.NewClient(testUser, testPassword, gurulize.WithHTTPClient(&http.Client{Transport: mt}), gurulize.WithRetry(fastRetry))
	require.NoError(t, err)
	err = callBoth(context.Background(), c, "video")
	assert.ErrorContains(t, err, "boom")
	assert.Equal(t, 1, mt.GetTotalCallCount(), "no proof the request never left, so no retry")
}

func TestConnectionIsReused(t *testing.T) {
	t.Parallel()
	var conns atomic.Int32
	var n atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) % 3 {
		case 0:
			replyRaw(http.StatusBadGateway, "text/html", strings.Repeat("<p>down</p>", 1000))(w, r)
		case 1:
			replyJSON(http.StatusOK, map[string]any{"success": false, "message": "Missing Parameter (caller)"})(w, r)
		default:
			both(w, r)
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c, err := gurulize.NewClient(testUser, testPassword, gurulize.WithHTTPClient(srv.Client()),
		gurulize.WithVideoURL(srv.URL+videoPath), gurulize.WithVoiceURL(srv.URL+voicePath))
	require.NoError(t, err)
	for i := 0; i < 60; i++ {
		err := callBoth(context.Background(), c, []string{"video", "voice"}[i%2])
		if i%3 == 1 {
			require.NoError(t, err)
		} else {
			require.Error(t, err)
		}
	}
	assert.Equal(t, int32(1), conns.Load(), "sequential calls share one connection, error replies included")
}

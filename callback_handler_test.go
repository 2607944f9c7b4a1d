package gurulize_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

const testToken = "s3cr3t-T0ken_value"

type ctxKey struct{}

// received records what a callback function was called with.
type received[T any] struct {
	mu    sync.Mutex
	got   []T
	ctxID []any
	err   error // returned by the function
}

func (r *received[T]) fn(ctx context.Context, v T) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, v)
	r.ctxID = append(r.ctxID, ctx.Value(ctxKey{}))
	return r.err
}

func (r *received[T]) calls() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]T(nil), r.got...)
}

// withRequestID puts a value in each request's context, so tests can check
// the callback function gets that context.
func withRequestID(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, "req-1")))
	})
}

// serve starts a real server with h mounted under /base/hook/ and returns its
// base URL.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/base/hook/", withRequestID(h))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + "/base/hook"
}

type reply struct {
	status int
	header http.Header
	body   string
}

// sendClient has a pool of its own: httptest.Server.Close closes the idle
// connections of http.DefaultTransport, which would break a request of a
// parallel test that had just picked one of them.
var sendClient = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}

func send(t *testing.T, method, rawURL, contentType string, body io.Reader) reply {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, body)
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := sendClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// unsized hides a reader's length, so the request goes out chunked.
type unsized struct{ io.Reader }

func TestVideoEventHandler(t *testing.T) {
	t.Parallel()
	seed := string(readTestdata(t, "video/seed-join.json"))
	padded := func(n int) string { // the seed payload padded with spaces to exactly n bytes
		return seed + strings.Repeat(" ", n-len(seed))
	}
	tests := []struct {
		name        string
		method      string
		path        string // after the base URL
		contentType string // "": application/json
		body        io.Reader
		opts        []gurulize.HandlerOption
		fnErr       error
		wantStatus  int
		wantAllow   string
		wantBody    string // contained in the reply
		wantCalls   int
	}{
		{name: "token in path", method: "POST", path: "/" + testToken, body: strings.NewReader(seed), wantStatus: 200, wantCalls: 1},
		{name: "token in query", method: "POST", path: "/?token=" + testToken, body: strings.NewReader(seed), wantStatus: 200, wantCalls: 1},
		{name: "token in query, other last segment", method: "POST", path: "/video?token=" + testToken, body: strings.NewReader(seed), wantStatus: 200, wantCalls: 1},
		{name: "token in path with trailing slash", method: "POST", path: "/" + testToken + "/", body: strings.NewReader(seed), wantStatus: 200, wantCalls: 1},
		{name: "no token required", method: "POST", path: "/anything", body: strings.NewReader(seed), opts: []gurulize.HandlerOption{gurulize.WithoutCallbackToken()}, wantStatus: 200, wantCalls: 1},
		{name: "GET", method: "GET", path: "/" + testToken, wantStatus: 405, wantAllow: "POST", wantBody: "method not allowed"},
		{name: "PUT", method: "PUT", path: "/" + testToken, body: strings.NewReader(seed), wantStatus: 405, wantAllow: "POST"},
		{name: "no token", method: "POST", path: "/", body: strings.NewReader(seed), wantStatus: 401, wantBody: "token"},
		{name: "wrong token", method: "POST", path: "/wrong", body: strings.NewReader(seed), wantStatus: 401},
		{name: "token prefix", method: "POST", path: "/" + testToken[:len(testToken)-1], body: strings.NewReader(seed), wantStatus: 401},
		{name: "token with suffix", method: "POST", path: "/" + testToken + "x", body: strings.NewReader(seed), wantStatus: 401},
		{name: "token in an earlier segment", method: "POST", path: "/" + testToken + "/video", body: strings.NewReader(seed), wantStatus: 401},
		{name: "wrong token in query", method: "POST", path: "/?token=wrong", body: strings.NewReader(seed), wantStatus: 401},
		{name: "empty token in query", method: "POST", path: "/?token=", body: strings.NewReader(seed), wantStatus: 401},
		{name: "body at the default limit", method: "POST", path: "/" + testToken, body: strings.NewReader(padded(64 << 10)), wantStatus: 200, wantCalls: 1},
		{name: "body over the default limit", method: "POST", path: "/" + testToken, body: strings.NewReader(padded(64<<10 + 1)), wantStatus: 413},
		{name: "chunked body over the default limit", method: "POST", path: "/" + testToken, body: unsized{strings.NewReader(padded(64<<10 + 1))}, wantStatus: 413},
		{name: "chunked body within the limit", method: "POST", path: "/" + testToken, body: unsized{strings.NewReader(seed)}, wantStatus: 200, wantCalls: 1},
		{name: "body at a custom limit", method: "POST", path: "/" + testToken, body: strings.NewReader(padded(300)), opts: []gurulize.HandlerOption{gurulize.WithCallbackToken(testToken), gurulize.WithCallbackBodyLimit(300)}, wantStatus: 200, wantCalls: 1},
		{name: "body over a custom limit", method: "POST", path: "/" + testToken, body: strings.NewReader(padded(301)), opts: []gurulize.HandlerOption{gurulize.WithCallbackToken(testToken), gurulize.WithCallbackBodyLimit(300)}, wantStatus: 413},
		{name: "chunked body over a custom limit", method: "POST", path: "/" + testToken, body: unsized{strings.NewReader(padded(301))}, opts: []gurulize.HandlerOption{gurulize.WithCallbackToken(testToken), gurulize.WithCallbackBodyLimit(300)}, wantStatus: 413},
		{name: "empty body", method: "POST", path: "/" + testToken, wantStatus: 400, wantBody: "body is empty"},
		{name: "null", method: "POST", path: "/" + testToken, body: strings.NewReader("null"), wantStatus: 400, wantBody: "body is not a JSON object"},
		{name: "missing field", method: "POST", path: "/" + testToken, body: strings.NewReader(`{"code":"JOIN","roomUuid":"r"}`), wantStatus: 400, wantBody: "receivedTime is required"},
		{name: "wrong shape", method: "POST", path: "/" + testToken, body: strings.NewReader(`{"code":"JOIN","roomUuid":"r","receivedTime":"12s"}`), wantStatus: 400, wantBody: "receivedTime must be an integer"},
		{name: "function fails", method: "POST", path: "/" + testToken, body: strings.NewReader(seed), fnErr: errors.New("database is down"), wantStatus: 500, wantCalls: 1},
		{name: "function asks for a later delivery", method: "POST", path: "/" + testToken, body: strings.NewReader(seed), fnErr: fmt.Errorf("%w: database is down", gurulize.ErrRetryLater), wantStatus: 503, wantCalls: 1},
		// The payload decides, not the label: a provider that mislabels its
		// JSON still gets through, and a non-JSON body never does.
		{name: "JSON labelled text/plain", method: "POST", path: "/" + testToken, contentType: "text/plain", body: strings.NewReader(seed), wantStatus: 200, wantCalls: 1},
		{name: "JSON labelled as a form", method: "POST", path: "/" + testToken, contentType: "application/x-www-form-urlencoded", body: strings.NewReader(seed), wantStatus: 200, wantCalls: 1},
		{name: "JSON without a content type", method: "POST", path: "/" + testToken, contentType: "-", body: strings.NewReader(seed), wantStatus: 200, wantCalls: 1},
		{name: "form-encoded payload", method: "POST", path: "/" + testToken, contentType: "application/x-www-form-urlencoded", body: strings.NewReader("code=JOIN&roomUuid=r&receivedTime=1600938359259"), wantStatus: 400, wantBody: "body is not a JSON object"},
		{name: "multipart payload", method: "POST", path: "/" + testToken, contentType: "multipart/form-data; boundary=b", body: strings.NewReader("--b\r\nContent-Disposition: form-data; name=\"code\"\r\n\r\nJOIN\r\n--b--\r\n"), wantStatus: 400, wantBody: "body is not a JSON object"},
		{name: "JSON in UTF-16", method: "POST", path: "/" + testToken, contentType: "application/json; charset=utf-16", body: strings.NewReader("\xff\xfe{\x00}\x00"), wantStatus: 400, wantBody: "body is not a JSON object"},
		// The order of the checks.
		{name: "wrong method before token", method: "GET", path: "/wrong", wantStatus: 405, wantAllow: "POST"},
		{name: "token before size", method: "POST", path: "/wrong", body: strings.NewReader(padded(64<<10 + 1)), wantStatus: 401},
		{name: "size before payload", method: "POST", path: "/" + testToken, body: strings.NewReader(strings.Repeat("x", 64<<10+1)), wantStatus: 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &received[gurulize.VideoEvent]{err: tt.fnErr}
			opts := tt.opts
			if opts == nil {
				opts = []gurulize.HandlerOption{gurulize.WithCallbackToken(testToken)}
			}
			base := serve(t, gurulize.NewVideoEventHandler(rec.fn, opts...))
			body := tt.body
			if body == nil {
				body = http.NoBody
			}
			contentType := tt.contentType
			switch contentType {
			case "":
				contentType = "application/json"
			case "-":
				contentType = ""
			}
			got := send(t, tt.method, base+tt.path, contentType, body)

			assert.Equal(t, tt.wantStatus, got.status, got.body)
			assert.Equal(t, tt.wantAllow, got.header.Get("Allow"))
			assert.Contains(t, got.body, tt.wantBody)
			calls := rec.calls()
			require.Len(t, calls, tt.wantCalls)
			switch {
			case tt.wantStatus == 200:
				assert.Empty(t, got.body)
				assert.Equal(t, gurulize.EventJoin, calls[0].Code)
				assert.Equal(t, seedRoom, calls[0].RoomUUID)
				assert.Equal(t, []any{"req-1"}, rec.ctxID, "fn gets the request's context")
			case tt.wantStatus >= 500:
				assert.NotContains(t, got.body, "database")
			default:
				assert.Equal(t, "text/plain; charset=utf-8", got.header.Get("Content-Type"))
				assert.Less(t, len(got.body), 200, "the reason is short")
			}
		})
	}
}

func TestVoiceStatusHandler(t *testing.T) {
	t.Parallel()
	const status = "id=7&code=1&desc=CALLER_CONNECTED&cause=0&time=1427116743"
	const form = "application/x-www-form-urlencoded"
	tests := []struct {
		name        string
		method      string
		path        string // after the base URL
		contentType string
		body        string
		chunked     bool // send the body without a Content-Length
		opts        []gurulize.HandlerOption
		fnErr       error
		wantStatus  int
		wantAllow   string
		wantBody    string
		wantCalls   int
	}{
		{name: "GET, token in path", method: "GET", path: "/" + testToken + "?" + status, wantStatus: 200, wantCalls: 1},
		{name: "GET, token in query", method: "GET", path: "/c2cevents?token=" + testToken + "&" + status, wantStatus: 200, wantCalls: 1},
		{name: "POST form", method: "POST", path: "/" + testToken, contentType: form, body: status, wantStatus: 200, wantCalls: 1},
		{name: "POST form, token in query", method: "POST", path: "/?token=" + testToken, contentType: form, body: status, wantStatus: 200, wantCalls: 1},
		{name: "POST with the status in the query", method: "POST", path: "/" + testToken + "?" + status, wantStatus: 200, wantCalls: 1},
		{name: "POST with form and query agreeing", method: "POST", path: "/" + testToken + "?id=7", contentType: form, body: status, wantStatus: 200, wantCalls: 1},
		{name: "POST with form and query disagreeing", method: "POST", path: "/" + testToken + "?id=8", contentType: form, body: status, wantStatus: 400, wantBody: "id is given more than once"},
		{name: "PUT", method: "PUT", path: "/" + testToken + "?" + status, wantStatus: 405, wantAllow: "GET, POST"},
		{name: "HEAD", method: "HEAD", path: "/" + testToken + "?" + status, wantStatus: 405, wantAllow: "GET, POST"},
		{name: "DELETE", method: "DELETE", path: "/" + testToken + "?" + status, wantStatus: 405, wantAllow: "GET, POST"},
		{name: "no token", method: "GET", path: "/?" + status, wantStatus: 401},
		{name: "wrong token", method: "GET", path: "/nope?" + status, wantStatus: 401},
		{name: "token only in the form", method: "POST", path: "/", contentType: form, body: "token=" + testToken + "&" + status, wantStatus: 401},
		{name: "form at the default limit", method: "POST", path: "/" + testToken, contentType: form, body: status + "&pad=" + strings.Repeat("x", 64<<10-len(status)-len("&pad=")), wantStatus: 200, wantCalls: 1},
		{name: "form over the default limit", method: "POST", path: "/" + testToken, contentType: form, body: status + "&pad=" + strings.Repeat("x", 64<<10), wantStatus: 413},
		{name: "chunked form over the limit", method: "POST", path: "/" + testToken, contentType: form, chunked: true, body: status + "&pad=" + strings.Repeat("x", 100), opts: []gurulize.HandlerOption{gurulize.WithCallbackToken(testToken), gurulize.WithCallbackBodyLimit(100)}, wantStatus: 413},
		{name: "chunked form within the limit", method: "POST", path: "/" + testToken, contentType: form, chunked: true, body: status, wantStatus: 200, wantCalls: 1},
		{name: "form over a custom limit", method: "POST", path: "/" + testToken, contentType: form, body: status + "&pad=" + strings.Repeat("x", 100), opts: []gurulize.HandlerOption{gurulize.WithCallbackToken(testToken), gurulize.WithCallbackBodyLimit(100)}, wantStatus: 413},
		{name: "form at a custom limit", method: "POST", path: "/" + testToken, contentType: form, body: status, opts: []gurulize.HandlerOption{gurulize.WithCallbackToken(testToken), gurulize.WithCallbackBodyLimit(int64(len(status)))}, wantStatus: 200, wantCalls: 1},
		{name: "missing id", method: "GET", path: "/" + testToken + "?code=1&time=1427116743", wantStatus: 400, wantBody: "id is required"},
		{name: "wrong shape", method: "GET", path: "/" + testToken + "?id=7&code=1&time=yesterday", wantStatus: 400, wantBody: "time must be an integer"},
		{name: "no parameters", method: "GET", path: "/" + testToken, wantStatus: 400, wantBody: "id is required"},
		{name: "invalid form encoding", method: "POST", path: "/" + testToken, contentType: form, body: "id=%zz", wantStatus: 400, wantBody: "form is not valid"},
		{name: "function fails", method: "GET", path: "/" + testToken + "?" + status, fnErr: errors.New("database is down"), wantStatus: 500, wantCalls: 1},
		{name: "function asks for a later delivery", method: "GET", path: "/" + testToken + "?" + status, fnErr: fmt.Errorf("saving: %w", gurulize.ErrRetryLater), wantStatus: 503, wantCalls: 1},
		// Only a URL-encoded form is read from a POST body; anything else
		// leaves the status to the query, and without it the reply is 400.
		{name: "form with a charset", method: "POST", path: "/" + testToken, contentType: form + "; charset=UTF-8", body: status, wantStatus: 200, wantCalls: 1},
		{name: "form labelled text/plain", method: "POST", path: "/" + testToken, contentType: "text/plain", body: status, wantStatus: 400, wantBody: "id is required"},
		{name: "form without a content type", method: "POST", path: "/" + testToken, body: status, wantStatus: 400, wantBody: "id is required"},
		{name: "JSON body", method: "POST", path: "/" + testToken, contentType: "application/json", body: `{"id":7,"code":1,"time":1427116743}`, wantStatus: 400, wantBody: "id is required"},
		{name: "multipart form", method: "POST", path: "/" + testToken, contentType: "multipart/form-data; boundary=b", body: "--b\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\n7\r\n--b--\r\n", wantStatus: 400, wantBody: "id is required"},
		{name: "JSON body, status in the query", method: "POST", path: "/" + testToken + "?" + status, contentType: "application/json", body: `{"id":8}`, wantStatus: 200, wantCalls: 1},
		{name: "GET with a form body", method: "GET", path: "/" + testToken + "?" + status, contentType: form, body: "id=8", wantStatus: 200, wantCalls: 1},
		{name: "unlabelled body over the limit", method: "POST", path: "/" + testToken + "?" + status, contentType: "application/json", body: strings.Repeat("x", 64<<10+1), wantStatus: 413},
		{name: "wrong method before token", method: "PUT", path: "/nope", wantStatus: 405, wantAllow: "GET, POST"},
		{name: "token before size", method: "POST", path: "/nope", contentType: form, body: strings.Repeat("x", 64<<10+1), wantStatus: 401},
		{name: "size before payload", method: "POST", path: "/" + testToken, contentType: form, body: strings.Repeat("x", 64<<10+1), wantStatus: 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &received[gurulize.VoiceStatus]{err: tt.fnErr}
			opts := tt.opts
			if opts == nil {
				opts = []gurulize.HandlerOption{gurulize.WithCallbackToken(testToken)}
			}
			base := serve(t, gurulize.NewVoiceStatusHandler(rec.fn, opts...))
			var body io.Reader = strings.NewReader(tt.body)
			if tt.chunked {
				body = unsized{body}
			}
			got := send(t, tt.method, base+tt.path, tt.contentType, body)

			assert.Equal(t, tt.wantStatus, got.status, got.body)
			assert.Equal(t, tt.wantAllow, got.header.Get("Allow"))
			assert.Contains(t, got.body, tt.wantBody)
			calls := rec.calls()
			require.Len(t, calls, tt.wantCalls)
			if tt.wantStatus == 200 {
				assert.Equal(t, int64(7), calls[0].ID)
				assert.Equal(t, gurulize.StatusCallerConnected, calls[0].Code)
				assert.Equal(t, []any{"req-1"}, rec.ctxID, "fn gets the request's context")
			}
			if tt.wantStatus >= 500 {
				assert.NotContains(t, got.body, "database")
			}
		})
	}
}

// TestHandlersRefuseDeclaredOversizeBodiesUnread sends only the headers of
// a request announcing a body over the limit: the reply must come without
// waiting for the body.
func TestHandlersRefuseDeclaredOversizeBodiesUnread(t *testing.T) {
	t.Parallel()
	handlers := map[string]http.Handler{
		"video": gurulize.NewVideoEventHandler(func(context.Context, gurulize.VideoEvent) error { return nil }, gurulize.WithoutCallbackToken()),
		"voice": gurulize.NewVoiceStatusHandler(func(context.Context, gurulize.VoiceStatus) error { return nil }, gurulize.WithoutCallbackToken()),
	}
	for name, h := range handlers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			require.NoError(t, err)
			t.Cleanup(func() { conn.Close() })
			_, err = io.WriteString(conn, "POST /hook HTTP/1.1\r\nHost: x\r\n"+
				"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000000\r\n\r\n")
			require.NoError(t, err)
			require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			require.NoError(t, err, "no reply before the body was sent")
			defer resp.Body.Close()
			assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
		})
	}
}

// TestHandlersUnderServeMuxPatterns mounts the handlers the way the README
// shows, with Go 1.22 method and wildcard patterns.
func TestHandlersUnderServeMuxPatterns(t *testing.T) {
	t.Parallel()
	videos := &received[gurulize.VideoEvent]{}
	statuses := &received[gurulize.VoiceStatus]{}
	video := gurulize.NewVideoEventHandler(videos.fn, gurulize.WithCallbackToken(testToken))
	voice := gurulize.NewVoiceStatusHandler(statuses.fn, gurulize.WithCallbackToken(testToken))
	mux := http.NewServeMux()
	mux.Handle("POST /gurulize/video/{token}", video)
	mux.Handle("GET /gurulize/voice/{token}", voice)
	mux.Handle("POST /gurulize/voice/{token}", voice)
	mux.Handle("/stripped/", http.StripPrefix("/stripped", video))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	seed := string(readTestdata(t, "video/seed-join.json"))
	const status = "id=7&code=2&time=1427116743"
	tests := []struct {
		method, path, contentType, body string
		want                            int
	}{
		{"POST", "/gurulize/video/" + testToken, "application/json", seed, 200},
		{"POST", "/gurulize/video/wrong", "application/json", seed, 401},
		{"GET", "/gurulize/video/" + testToken, "", "", 405}, // the mux answers
		{"GET", "/gurulize/voice/" + testToken + "?" + status, "", "", 200},
		{"POST", "/gurulize/voice/" + testToken, "application/x-www-form-urlencoded", status, 200},
		{"GET", "/gurulize/voice/wrong?" + status, "", "", 401},
		{"POST", "/stripped/" + testToken, "application/json", seed, 200},
		{"POST", "/stripped/wrong?token=" + url.QueryEscape(testToken), "application/json", seed, 200},
	}
	for _, tt := range tests {
		got := send(t, tt.method, srv.URL+tt.path, tt.contentType, strings.NewReader(tt.body))
		assert.Equal(t, tt.want, got.status, "%s %s: %s", tt.method, tt.path, got.body)
	}
	assert.Len(t, videos.calls(), 3)
	assert.Len(t, statuses.calls(), 2)
}

func TestHandlerLogsWithoutToken(t *testing.T) {
	t.Parallel()
	var buf safeBuffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	videos := &received[gurulize.VideoEvent]{}
	failing := &received[gurulize.VoiceStatus]{err: errors.New("database is down")}
	mux := http.NewServeMux()
	mux.Handle("/video/", gurulize.NewVideoEventHandler(videos.fn, gurulize.WithCallbackToken(testToken), gurulize.WithCallbackLogger(logger)))
	mux.Handle("/voice/", gurulize.NewVoiceStatusHandler(failing.fn, gurulize.WithCallbackToken(testToken), gurulize.WithCallbackLogger(logger)))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	seed := string(readTestdata(t, "video/seed-join.json"))
	assert.Equal(t, 200, send(t, "POST", srv.URL+"/video/"+testToken, "", strings.NewReader(seed)).status)
	assert.Equal(t, 200, send(t, "POST", srv.URL+"/video/x?token="+testToken, "", strings.NewReader(seed)).status)
	assert.Equal(t, 401, send(t, "POST", srv.URL+"/video/"+testToken+"0", "", strings.NewReader(seed)).status)
	assert.Equal(t, 400, send(t, "POST", srv.URL+"/video/"+testToken, "", strings.NewReader("{}")).status)
	assert.Equal(t, 405, send(t, "GET", srv.URL+"/video/"+testToken, "", nil).status)
	assert.Equal(t, 500, send(t, "GET", srv.URL+"/voice/"+testToken+"?id=7&code=1&time=1427116743", "", nil).status)

	logs := buf.String()
	assert.NotContains(t, logs, testToken)
	assert.NotContains(t, logs, "/video/")
	assert.Contains(t, logs, `"msg":"gurulize: callback accepted"`)
	assert.Contains(t, logs, `"code":"JOIN"`)
	assert.Contains(t, logs, `"msg":"gurulize: callback refused"`)
	assert.Contains(t, logs, `"status":401`)
	assert.Contains(t, logs, `"status":400`)
	assert.Contains(t, logs, `"reason":"gurulize: malformed callback: code is required"`)
	assert.Contains(t, logs, `"status":405`)
	assert.Contains(t, logs, `"msg":"gurulize: callback function failed"`)
	assert.Contains(t, logs, `"error":"database is down"`)
	assert.Contains(t, logs, `"code":"CALLER_CONNECTED"`, "a status logs its code by name")
}

// TestHandlerSkipsRecordsTheLoggerDrops: with the logger at its usual Info
// level, the debug record of an accepted callback is not built at all, so
// the answer costs what it costs without a logger.
func TestHandlerSkipsRecordsTheLoggerDrops(t *testing.T) {
	seed := readTestdata(t, "video/seed-join.json")
	allocs := func(opts ...gurulize.HandlerOption) float64 {
		h := gurulize.NewVideoEventHandler(func(context.Context, gurulize.VideoEvent) error { return nil },
			append(opts, gurulize.WithCallbackToken(testToken))...)
		return testing.AllocsPerRun(200, func() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("POST", "/"+testToken, bytes.NewReader(seed)))
			if w.Code != 200 {
				t.Fatalf("status %d", w.Code)
			}
		})
	}
	var buf safeBuffer
	info := slog.New(slog.NewJSONHandler(&buf, nil))
	assert.Equal(t, allocs(), allocs(gurulize.WithCallbackLogger(info)))
	assert.Empty(t, buf.String())
}

type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestHandlerConstructorsPanicOnMisuse(t *testing.T) {
	t.Parallel()
	videoFn := func(context.Context, gurulize.VideoEvent) error { return nil }
	voiceFn := func(context.Context, gurulize.VoiceStatus) error { return nil }
	tests := []struct {
		name string
		want string
		opts []gurulize.HandlerOption
		nil  bool
	}{
		{"nil function", "%s: fn is nil", nil, true},
		{"empty token", "WithCallbackToken: the token is empty: " + tokenRule, []gurulize.HandlerOption{gurulize.WithCallbackToken("")}, false},
		{"zero limit", "WithCallbackBodyLimit: limit must be positive, got 0", []gurulize.HandlerOption{gurulize.WithCallbackBodyLimit(0)}, false},
		{"negative limit", "WithCallbackBodyLimit: limit must be positive, got -1", []gurulize.HandlerOption{gurulize.WithCallbackBodyLimit(-1)}, false},
		{"nil logger", "WithCallbackLogger: logger is nil", []gurulize.HandlerOption{gurulize.WithCallbackLogger(nil)}, false},
		{"nil option", "%s option 1: is nil", []gurulize.HandlerOption{gurulize.WithCallbackToken(testToken), nil}, false},
	}
	for _, tt := range tests {
		vf, sf := videoFn, voiceFn
		if tt.nil {
			vf, sf = nil, nil
		}
		// The panic is the same error an invalid client option returns.
		for name, construct := range map[string]func(){
			"NewVideoEventHandler":  func() { gurulize.NewVideoEventHandler(vf, tt.opts...) },
			"NewVoiceStatusHandler": func() { gurulize.NewVoiceStatusHandler(sf, tt.opts...) },
		} {
			want := "gurulize: invalid " + strings.ReplaceAll(tt.want, "%s", name)
			assert.PanicsWithError(t, want, construct, tt.name)
			func() {
				defer func() {
					err, _ := recover().(error)
					assert.ErrorIs(t, err, gurulize.ErrInvalidConfig, tt.name)
				}()
				construct()
			}()
		}
	}
	assert.NotPanics(t, func() { gurulize.NewVideoEventHandler(videoFn, gurulize.WithCallbackToken(testToken)) })
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

// TestHandlersOnUnusualRequests calls ServeHTTP directly with requests a
// server would not produce, or that fail while being read.
func TestHandlersOnUnusualRequests(t *testing.T) {
	t.Parallel()
	video := gurulize.NewVideoEventHandler(func(context.Context, gurulize.VideoEvent) error { return nil }, gurulize.WithoutCallbackToken())
	voice := gurulize.NewVoiceStatusHandler(func(context.Context, gurulize.VoiceStatus) error { return nil }, gurulize.WithoutCallbackToken())
	tests := []struct {
		name    string
		handler http.Handler
		req     *http.Request
		want    int
		body    string
	}{
		{"video, nil body", video, &http.Request{Method: "POST", URL: &url.URL{Path: "/"}, Header: http.Header{}}, 400, "body is empty"},
		{"video, body fails", video, &http.Request{Method: "POST", URL: &url.URL{Path: "/"}, Header: http.Header{}, Body: io.NopCloser(failingReader{}), ContentLength: -1}, 400, "cannot read request body"},
		{"voice, body fails", voice, &http.Request{Method: "POST", URL: &url.URL{Path: "/"}, Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, Body: io.NopCloser(failingReader{}), ContentLength: -1}, 400, "cannot read request body"},
		{"voice, nil body", voice, &http.Request{Method: "POST", URL: &url.URL{Path: "/", RawQuery: "id=1&code=1&time=1"}, Header: http.Header{}}, 200, ""},
		{"video, empty path", video, &http.Request{Method: "POST", URL: &url.URL{}, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(`{"code":"JOIN","roomUuid":"r","receivedTime":1600938359259}`))}, 200, ""},
	}
	for _, tt := range tests {
		w := httptest.NewRecorder()
		tt.handler.ServeHTTP(w, tt.req)
		assert.Equal(t, tt.want, w.Code, tt.name)
		assert.Contains(t, w.Body.String(), tt.body, tt.name)
	}

	protected := gurulize.NewVideoEventHandler(func(context.Context, gurulize.VideoEvent) error { return nil }, gurulize.WithCallbackToken(testToken))
	w := httptest.NewRecorder()
	protected.ServeHTTP(w, &http.Request{Method: "POST", URL: &url.URL{}, Header: http.Header{}})
	assert.Equal(t, 401, w.Code, "an empty path carries no token")
}

// TestHandlersUnderSlowUploads: the handlers set no deadlines of their own;
// the http.Server's timeouts, as SECURITY.md and the examples set them
// (scaled down here), are what bound a client that sends slowly. A request
// trickled past them never reaches the function and its connection is
// closed; one that is merely slow gets through.
func TestHandlersUnderSlowUploads(t *testing.T) {
	t.Parallel()
	const (
		// Wide enough that the slow but honest request (100 ms) gets
		// through on a loaded machine running the race detector.
		readHeaderTimeout = 500 * time.Millisecond
		readTimeout       = 2 * time.Second
	)
	video := string(readTestdata(t, "video/seed-join.json"))
	const voice = "id=7&code=1&desc=CALLER_CONNECTED&cause=0&time=1427116743"
	kinds := []struct {
		name, contentType, body string
		handler                 func(*atomic.Int32) http.Handler
	}{
		{"video", "application/json", video, func(n *atomic.Int32) http.Handler {
			return gurulize.NewVideoEventHandler(func(context.Context, gurulize.VideoEvent) error { n.Add(1); return nil }, gurulize.WithoutCallbackToken())
		}},
		{"voice", "application/x-www-form-urlencoded", voice, func(n *atomic.Int32) http.Handler {
			return gurulize.NewVoiceStatusHandler(func(context.Context, gurulize.VoiceStatus) error { n.Add(1); return nil }, gurulize.WithoutCallbackToken())
		}},
	}
	tests := []struct {
		name       string
		pace       time.Duration // between the pieces sent after the first line
		pieces     int           // 0: one byte at a time
		headerPace bool          // trickle the headers too, not only the body
		wantStatus int           // 0: the server closes the connection without a reply
		maybe400   bool          // a 400 or no reply, as net/http decides (see below)
		wantCalls  int32
		minTime    time.Duration
	}{
		// net/http answers 400 when the timeout cuts a header line before
		// its colon, and closes without a word after it: which one depends
		// on where the timeout falls. Either way the function is not called
		// and the connection ends.
		{name: "headers trickled past ReadHeaderTimeout", pace: 50 * time.Millisecond, headerPace: true, maybe400: true, minTime: readHeaderTimeout / 2},
		{name: "body trickled past ReadTimeout", pace: 50 * time.Millisecond, wantStatus: http.StatusBadRequest, minTime: readTimeout / 2},
		{name: "slow body within ReadTimeout", pace: 20 * time.Millisecond, pieces: 5, wantStatus: http.StatusOK, wantCalls: 1},
	}
	for _, kind := range kinds {
		for _, tt := range tests {
			t.Run(kind.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				var calls atomic.Int32
				srv := httptest.NewUnstartedServer(kind.handler(&calls))
				srv.Config.ReadHeaderTimeout = readHeaderTimeout
				srv.Config.ReadTimeout = readTimeout
				srv.Config.WriteTimeout = 2 * readTimeout
				srv.Config.IdleTimeout = time.Second
				srv.Config.MaxHeaderBytes = 16 << 10
				srv.Start()
				t.Cleanup(srv.Close)

				conn, err := net.Dial("tcp", srv.Listener.Addr().String())
				require.NoError(t, err)
				t.Cleanup(func() { conn.Close() })
				start := time.Now()
				head := "Host: callbacks.test\r\nContent-Type: " + kind.contentType + "\r\n" +
					"Content-Length: " + strconv.Itoa(len(kind.body)) + "\r\n\r\n"
				_, err = io.WriteString(conn, "POST /hook HTTP/1.1\r\n")
				require.NoError(t, err)
				rest := kind.body
				if tt.headerPace {
					rest = head + rest
				} else {
					_, err = io.WriteString(conn, head)
					require.NoError(t, err)
				}
				// Trickle the rest until it is sent or the server hangs up.
				sent := make(chan struct{})
				piece := 1
				if tt.pieces > 0 {
					piece = len(rest)/tt.pieces + 1
				}
				go func() {
					defer close(sent)
					for i := 0; i < len(rest); i += piece {
						if _, err := io.WriteString(conn, rest[i:min(i+piece, len(rest))]); err != nil {
							return
						}
						time.Sleep(tt.pace)
					}
				}()
				t.Cleanup(func() { conn.Close(); <-sent })

				require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
				resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
				elapsed := time.Since(start)
				switch {
				case tt.maybe400:
					if err == nil {
						_ = resp.Body.Close()
						assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "the only reply net/http gives a cut header")
					}
				case tt.wantStatus == 0:
					assert.Error(t, err, "no reply, the connection is closed")
				default:
					require.NoError(t, err)
					_ = resp.Body.Close()
					assert.Equal(t, tt.wantStatus, resp.StatusCode)
				}
				assert.Equal(t, tt.wantCalls, calls.Load(), "calls of the function")
				assert.GreaterOrEqual(t, elapsed, tt.minTime)
				assert.Less(t, elapsed, 5*time.Second, "the server's timeouts bound the request")
				if tt.wantStatus != http.StatusOK {
					// The server is done with the connection: reading sees its
					// end (or a reset, as bytes still arrive), not the deadline.
					_, err = io.Copy(io.Discard, conn)
					var ne net.Error
					assert.False(t, errors.As(err, &ne) && ne.Timeout(), "the server closed the connection: %v", err)
				}
			})
		}
	}
}

// TestHandlerFunctionPanics: a panicking function gets the provider a 500,
// not a dropped connection, and the panic is logged with its stack, through
// the callback logger or, without one, slog.Default(). Not parallel: it
// replaces slog.Default().
func TestHandlerFunctionPanics(t *testing.T) {
	seed := string(readTestdata(t, "video/seed-join.json"))
	boom := func(context.Context, gurulize.VideoEvent) error { panic("nil map in the billing code") }
	for _, withLogger := range []bool{true, false} {
		var buf safeBuffer
		logger := slog.New(slog.NewJSONHandler(&buf, nil))
		opts := []gurulize.HandlerOption{gurulize.WithoutCallbackToken()}
		if withLogger {
			opts = append(opts, gurulize.WithCallbackLogger(logger))
		} else {
			saved := slog.Default()
			slog.SetDefault(logger)
			t.Cleanup(func() { slog.SetDefault(saved) })
		}
		srv := httptest.NewServer(gurulize.NewVideoEventHandler(boom, opts...))
		got := send(t, "POST", srv.URL+"/", "application/json", strings.NewReader(seed))
		srv.Close()
		assert.Equal(t, 500, got.status, "logger %v", withLogger)
		assert.NotContains(t, got.body, "billing", "the panic stays out of the reply")
		logs := buf.String()
		assert.Contains(t, logs, `"msg":"gurulize: callback function panicked"`, "logger %v", withLogger)
		assert.Contains(t, logs, `"panic":"nil map in the billing code"`)
		assert.Contains(t, logs, "callback_handler_test.go", "the stack points at the function")
		assert.Contains(t, logs, `"code":"JOIN"`, "the event that made it panic")
	}

	// http.ErrAbortHandler is net/http's way to abort a reply: it goes on.
	abort := gurulize.NewVoiceStatusHandler(func(context.Context, gurulize.VoiceStatus) error { panic(http.ErrAbortHandler) }, gurulize.WithoutCallbackToken())
	assert.PanicsWithValue(t, http.ErrAbortHandler, func() {
		abort.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/?id=1&code=1&time=1427116743", nil))
	})
}

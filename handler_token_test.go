package gurulize_test

import (
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

// tokenRule is the rule for callback tokens as the panics word it.
const tokenRule = "a callback token must be at least 16 characters long, each a letter A-Z or a-z, " +
	"a digit 0-9, or one of - . _ ~ (the characters a URL carries verbatim)"

// constructors builds both handlers with opts.
func constructors(opts ...gurulize.HandlerOption) map[string]func() {
	return map[string]func(){
		"NewVideoEventHandler": func() {
			gurulize.NewVideoEventHandler(func(context.Context, gurulize.VideoEvent) error { return nil }, opts...)
		},
		"NewVoiceStatusHandler": func() {
			gurulize.NewVoiceStatusHandler(func(context.Context, gurulize.VoiceStatus) error { return nil }, opts...)
		},
	}
}

func TestHandlersAreClosedByDefault(t *testing.T) {
	t.Parallel()
	for name, construct := range constructors() {
		assert.PanicsWithError(t, "gurulize: invalid "+name+": needs WithCallbackToken(token), to accept only requests that carry the token, "+
			"or WithoutCallbackToken(), when something in front of the handler authenticates the provider (NewCallbackToken makes a token)", construct)
	}
	// Options that say nothing about the token do not open it either.
	for name, construct := range constructors(gurulize.WithCallbackBodyLimit(100), gurulize.WithCallbackLogger(slog.Default())) {
		assert.Panics(t, construct, name)
	}
	for name, construct := range constructors(gurulize.WithCallbackToken(testToken), gurulize.WithoutCallbackToken()) {
		assert.PanicsWithError(t, "gurulize: invalid "+name+": WithCallbackToken and WithoutCallbackToken contradict each other: give one", construct)
	}
	for name, construct := range constructors(gurulize.WithoutCallbackToken()) {
		assert.NotPanics(t, construct, name)
	}
	for name, construct := range constructors(gurulize.WithCallbackToken(testToken)) {
		assert.NotPanics(t, construct, name)
	}
}

func TestWithCallbackTokenRule(t *testing.T) {
	t.Parallel()
	valid := []string{
		"0123456789abcdef", // 16 characters, the fewest
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ-._~0123456789abcdefghijklmnopqrstuvwxyz",
	}
	for _, tok := range valid {
		for name, construct := range constructors(gurulize.WithCallbackToken(tok)) {
			assert.NotPanics(t, construct, "%s %q", name, tok)
		}
	}
	invalid := []struct{ tok, why string }{
		{"", "the token is empty"},
		{"t0k3n", "the token is 5 characters long"},
		{"0123456789abcde", "the token is 15 characters long"},
		{"a/b", "the token has a character that is not allowed at byte 2"},
		{"aaaaaaaa/bbbbbbbb", "the token has a character that is not allowed at byte 9"},
		{"aaaaaaaa+bbbbbbbb", "the token has a character that is not allowed at byte 9"},       // base64
		{"aaaaaaaabbbbbbbb=", "the token has a character that is not allowed at byte 17"},      // base64 padding
		{"aaaaaaaa bbbbbbbb", "the token has a character that is not allowed at byte 9"},       // a space
		{"aaaaaaaa%2Fbbbbbbbb", "the token has a character that is not allowed at byte 9"},     // already escaped
		{"aaaaaaaa?token=bbbbbbbb", "the token has a character that is not allowed at byte 9"}, // a query
		{"aaaaaaaaÿbbbbbbbb", "the token has a character that is not allowed at byte 9"},       // not ASCII
		{"aaaaaaaa\nbbbbbbbb", "the token has a character that is not allowed at byte 9"},      // a control character
	}
	for _, tt := range invalid {
		for name, construct := range constructors(gurulize.WithCallbackToken(tt.tok)) {
			want := "gurulize: invalid WithCallbackToken: " + tt.why + ": " + tokenRule
			assert.PanicsWithError(t, want, construct, "%s %q", name, tt.tok)
			func() {
				defer func() {
					err, _ := recover().(error)
					require.Error(t, err)
					assert.ErrorIs(t, err, gurulize.ErrInvalidConfig)
					if tt.tok != "" {
						assert.NotContains(t, err.Error(), tt.tok, "the panic never shows the token")
					}
				}()
				construct()
			}()
		}
	}
}

func TestNewCallbackToken(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 50 {
		tok := gurulize.NewCallbackToken()
		require.Len(t, tok, 43)
		raw, err := base64.RawURLEncoding.Strict().DecodeString(tok)
		require.NoError(t, err, "base64url without padding")
		assert.Len(t, raw, 32)
		assert.False(t, seen[tok], "a token came twice")
		seen[tok] = true
	}

	// A new token works as it is, in the path and in the query.
	tok := gurulize.NewCallbackToken()
	rec := &received[gurulize.VideoEvent]{}
	base := serve(t, gurulize.NewVideoEventHandler(rec.fn, gurulize.WithCallbackToken(tok)))
	seed := string(readTestdata(t, "video/seed-join.json"))
	assert.Equal(t, 200, send(t, "POST", base+"/"+tok, "application/json", strings.NewReader(seed)).status)
	assert.Equal(t, 200, send(t, "POST", base+"/video?token="+tok, "application/json", strings.NewReader(seed)).status)
	assert.Equal(t, 401, send(t, "POST", base+"/"+gurulize.NewCallbackToken(), "application/json", strings.NewReader(seed)).status)
	assert.Len(t, rec.calls(), 2)
}

// TestHandlerFunctionCallsGoexit: a function that ends its goroutine with
// runtime.Goexit, as t.FailNow does in a user's test, still gets the
// provider a 500, and is logged. Not parallel: it replaces slog.Default().
func TestHandlerFunctionCallsGoexit(t *testing.T) {
	seed := string(readTestdata(t, "video/seed-join.json"))
	var buf safeBuffer
	saved := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(saved) })

	video := gurulize.NewVideoEventHandler(func(context.Context, gurulize.VideoEvent) error {
		runtime.Goexit()
		return nil
	}, gurulize.WithoutCallbackToken())
	srv := httptest.NewServer(video)
	got := send(t, "POST", srv.URL+"/", "application/json", strings.NewReader(seed))
	srv.Close()
	assert.Equal(t, 500, got.status)
	assert.Equal(t, "callback not processed\n", got.body, "the whole reply, before net/http closes the connection")
	logs := buf.String()
	assert.Contains(t, logs, `"msg":"gurulize: callback function did not return"`)
	assert.Contains(t, logs, "runtime.Goexit")
	assert.Contains(t, logs, "handler_token_test.go", "the stack points at the function")

	var lbuf safeBuffer
	voice := gurulize.NewVoiceStatusHandler(func(context.Context, gurulize.VoiceStatus) error {
		runtime.Goexit()
		return nil
	}, gurulize.WithCallbackToken(testToken), gurulize.WithCallbackLogger(slog.New(slog.NewJSONHandler(&lbuf, nil))))
	// Served directly, the handler's caller is the goroutine that ends:
	// here one of its own, as net/http's is.
	w := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		voice.ServeHTTP(w, httptest.NewRequest("GET", "/"+testToken+"?id=1&code=1&time=1427116743", nil))
	}()
	<-done
	assert.Equal(t, 500, w.Code)
	assert.Equal(t, "callback not processed\n", w.Body.String())
	assert.True(t, w.Flushed, "the reply is flushed before the goroutine ends")
	assert.Contains(t, lbuf.String(), `"msg":"gurulize: callback function did not return"`, "through the handler's logger")
	assert.Contains(t, lbuf.String(), `"id":1`)

	// Through an observer's writer and a middleware's that unwraps, the
	// reply still reaches the server's writer, and the observer sees it.
	observed := make(chan int, 1)
	observer := gurulize.Observer{CallbackEnd: func(_ context.Context, cb *gurulize.CallbackInfo) { observed <- cb.StatusCode }}
	wrapped := gurulize.NewVideoEventHandler(func(context.Context, gurulize.VideoEvent) error {
		runtime.Goexit()
		return nil
	}, gurulize.WithoutCallbackToken(), gurulize.WithCallbackObserver(observer), gurulize.WithCallbackLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wrapped.ServeHTTP(&unwrappingWriter{w}, r)
	}))
	got = send(t, "POST", srv.URL+"/", "application/json", strings.NewReader(seed))
	srv.Close()
	assert.Equal(t, 500, got.status)
	assert.Equal(t, "callback not processed\n", got.body)
	assert.Equal(t, 500, <-observed)
}

// unwrappingWriter is a middleware's writer, as http.ResponseController
// expects one to be.
type unwrappingWriter struct{ http.ResponseWriter }

func (w *unwrappingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

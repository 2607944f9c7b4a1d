package otelgurulize_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/otelgurulize"
)

// callbackServer serves the two handlers, instrumented, on loopback:
// video at /gurulize/video/{token}, voice at /gurulize/voice?token=….
func callbackServer(t *testing.T, tel *telemetry, onVideo func(context.Context, gurulize.VideoEvent) error, onVoice func(context.Context, gurulize.VoiceStatus) error) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/gurulize/video/", gurulize.NewVideoEventHandler(onVideo, gurulize.WithCallbackToken(testToken), otelgurulize.HandlerOption(tel.opts...)))
	mux.Handle("/gurulize/voice", gurulize.NewVoiceStatusHandler(onVoice, gurulize.WithCallbackToken(testToken), otelgurulize.HandlerOption(tel.opts...)))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

const videoBody = `{"code":"MEETING_ENDED","source":"GUEST","receivedTime":1597149000000,"reason":"HANGUP","roomUuid":"` + roomUUID + `","meetingTotalDuration":"1800000"}`

func post(t *testing.T, target, body string) int {
	t.Helper()
	resp, err := http.Post(target, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func get(t *testing.T, target string) int {
	t.Helper()
	resp, err := http.Get(target)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func TestVideoAndVoiceCallbacks(t *testing.T) {
	tel := newTelemetry(t)
	var videoSpan, voiceSpan trace.SpanContext
	srv := callbackServer(t, tel,
		func(ctx context.Context, ev gurulize.VideoEvent) error {
			videoSpan = trace.SpanContextFromContext(ctx)
			return nil
		},
		func(ctx context.Context, st gurulize.VoiceStatus) error {
			voiceSpan = trace.SpanContextFromContext(ctx)
			if st.Code == gurulize.StatusOutOfCredits {
				return gurulize.ErrRetryLater
			}
			return nil
		})

	require.Equal(t, 200, post(t, srv.URL+"/gurulize/video/"+testToken, videoBody))
	voiceQuery := url.Values{"id": {"42"}, "code": {"4"}, "desc": {"CALLEE_BUSY"}, "time": {"1597154400"}, "token": {testToken}}
	require.Equal(t, 200, get(t, srv.URL+"/gurulize/voice?"+voiceQuery.Encode()))
	voiceQuery.Set("code", "13")
	require.Equal(t, 503, get(t, srv.URL+"/gurulize/voice?"+voiceQuery.Encode()))

	posts := tel.ended("POST")
	require.Len(t, posts, 1)
	video := posts[0]
	assert.Equal(t, trace.SpanKindServer, video.SpanKind())
	assert.Equal(t, video.SpanContext(), videoSpan, "the function runs in the span's context")
	assert.Equal(t, map[string]any{
		"http.request.method":       "POST",
		"url.scheme":                "http",
		"url.path":                  "/gurulize/video/REDACTED",
		"http.response.status_code": int64(200),
		"gurulize.event.code":       "MEETING_ENDED",
		"gurulize.room.uuid":        roomUUID,
	}, attrs(video))
	assert.Equal(t, codes.Unset, video.Status().Code)

	gets := tel.ended("GET")
	require.Len(t, gets, 2)
	assert.Equal(t, gets[1].SpanContext(), voiceSpan)
	assert.Equal(t, map[string]any{
		"http.request.method":       "GET",
		"url.scheme":                "http",
		"url.path":                  "/gurulize/voice",
		"url.query":                 "code=4&desc=CALLEE_BUSY&id=42&time=1597154400&token=REDACTED",
		"http.response.status_code": int64(200),
		"gurulize.event.code":       "CALLEE_BUSY",
		"gurulize.call.id":          int64(42),
	}, attrs(gets[0]))
	failed := attrs(gets[1])
	assert.Equal(t, "OUT_OF_CREDITS", failed["gurulize.event.code"])
	assert.Equal(t, int64(503), failed["http.response.status_code"])
	assert.Equal(t, "503", failed["error.type"])
	assert.Equal(t, codes.Error, gets[1].Status().Code)

	sets, counts, unit := tel.histogram(t, "http.server.request.duration")
	assert.Equal(t, "s", unit)
	assert.ElementsMatch(t, []map[string]any{
		{"http.request.method": "POST", "url.scheme": "http", "http.response.status_code": int64(200)},
		{"http.request.method": "GET", "url.scheme": "http", "http.response.status_code": int64(200)},
		{"http.request.method": "GET", "url.scheme": "http", "http.response.status_code": int64(503), "error.type": "503"},
	}, sets)
	assert.Equal(t, []uint64{1, 1, 1}, counts)
}

func TestRefusedCallbacks(t *testing.T) {
	tel := newTelemetry(t)
	called := false
	srv := callbackServer(t, tel,
		func(context.Context, gurulize.VideoEvent) error { called = true; return errors.New("not reached") },
		func(context.Context, gurulize.VoiceStatus) error { called = true; return nil })

	assert.Equal(t, 401, post(t, srv.URL+"/gurulize/video/not-the-token-at-all", videoBody))
	assert.Equal(t, 400, post(t, srv.URL+"/gurulize/video/"+testToken, `{"code":`))
	req, err := http.NewRequest("BREW", srv.URL+"/gurulize/video/"+testToken, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 405, resp.StatusCode)
	assert.False(t, called)

	posts := tel.ended("POST")
	require.Len(t, posts, 2)
	assert.Equal(t, int64(401), attrs(posts[0])["http.response.status_code"])
	assert.Equal(t, "/gurulize/video/not-the-token-at-all", attrs(posts[0])["url.path"], "a wrong token is not the secret")
	assert.Equal(t, int64(400), attrs(posts[1])["http.response.status_code"])
	for _, s := range posts {
		assert.NotContains(t, attrs(s), "gurulize.event.code", "nothing parsed, nothing said")
		assert.Equal(t, codes.Unset, s.Status().Code, "a 4xx is the client's error, not the server's")
	}
	other := tel.ended("HTTP")
	require.Len(t, other, 1, "an unknown method names the span HTTP")
	assert.Equal(t, "_OTHER", attrs(other[0])["http.request.method"])
	assert.Equal(t, "BREW", attrs(other[0])["http.request.method_original"])
}

package gurulize_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

// observed records what an Observer is told, as lines, and checks that each
// End function gets the context its Start function returned.
type observed struct {
	t     *testing.T
	mu    sync.Mutex
	lines []string
}

type stage struct{ name string }

func (o *observed) add(format string, args ...any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.lines = append(o.lines, fmt.Sprintf(format, args...))
}

func (o *observed) Lines() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.lines...)
}

func (o *observed) observer() gurulize.Observer {
	mark := func(ctx context.Context, name string) context.Context {
		return context.WithValue(ctx, stage{name}, true)
	}
	has := func(ctx context.Context, name string) bool { v, _ := ctx.Value(stage{name}).(bool); return v }
	return gurulize.Observer{
		CallStart: func(ctx context.Context, c *gurulize.CallInfo) context.Context {
			o.add("call start %s", c.Op)
			return mark(ctx, "call")
		},
		CallEnd: func(ctx context.Context, c *gurulize.CallInfo) {
			assert.True(o.t, has(ctx, "call"), "CallEnd gets CallStart's context")
			o.add("call end %s room=%q call=%d err=%v", c.Op, c.RoomUUID, c.CallID, c.Err != nil)
		},
		AttemptStart: func(ctx context.Context, a *gurulize.AttemptInfo) context.Context {
			assert.True(o.t, has(ctx, "call"), "AttemptStart runs in the call's context")
			a.Header.Set("Traceparent", fmt.Sprintf("attempt-%d", a.Attempt))
			o.add("attempt start %s %d %s", a.Method, a.Attempt, a.URL().RawQuery)
			assert.Equal(o.t, a.URL().Host, a.Host)
			assert.Equal(o.t, a.URL().Scheme, a.Scheme)
			return mark(ctx, "attempt")
		},
		AttemptEnd: func(ctx context.Context, a *gurulize.AttemptInfo) {
			assert.True(o.t, has(ctx, "attempt"), "AttemptEnd gets AttemptStart's context")
			assert.Positive(o.t, a.Duration)
			o.add("attempt end %s %d status=%d err=%v", a.Method, a.Attempt, a.StatusCode, a.Err != nil)
		},
		CallbackStart: func(ctx context.Context, cb *gurulize.CallbackInfo) context.Context {
			o.add("callback start %s %s %s %s ?%s", cb.Kind, cb.Scheme, cb.Method, cb.Path, cb.Query)
			return mark(ctx, "callback")
		},
		CallbackEnd: func(ctx context.Context, cb *gurulize.CallbackInfo) {
			assert.True(o.t, has(ctx, "callback"), "CallbackEnd gets CallbackStart's context")
			assert.Positive(o.t, cb.Duration)
			o.add("callback end %s status=%d code=%q room=%q call=%d", cb.Kind, cb.StatusCode, cb.EventCode, cb.RoomUUID, cb.CallID)
		},
	}
}

func TestObserverSeesCallsAndAttempts(t *testing.T) {
	for _, transport := range transports {
		t.Run(transport, func(t *testing.T) {
			o := &observed{t: t}
			calls := 0
			c, b := newTestClient(t, transport, func(w http.ResponseWriter, r *http.Request) {
				calls++
				if r.Method == http.MethodGet && calls == 1 {
					w.Header().Set("Retry-After", "1")
					replyRaw(http.StatusServiceUnavailable, "text/plain", "busy")(w, r)
					return
				}
				if r.Method == http.MethodPost {
					replyJSON(http.StatusOK, map[string]any{"success": false, "message": "Invalid Parameter (callee): Not a phone number"})(w, r)
					return
				}
				both(w, r)
			}, gurulize.WithObserver(o.observer()), gurulize.WithRetry(gurulize.RetryPolicy{MaxAttempts: 2, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))

			room, err := c.CreateVideoRoom(context.Background(), validRoom())
			require.NoError(t, err)
			_, err = c.RegisterCall(context.Background(), validCall())
			require.ErrorIs(t, err, gurulize.ErrInvalidParameter)
			_, err = c.RegisterCall(context.Background(), gurulize.CallRequest{Caller: "x"})
			require.ErrorIs(t, err, gurulize.ErrInvalidRequest)

			q := "durationInMinutes=50&endHow=AUTOMATIC&endWhen=END_TIME&password=REDACTED&startDate=1597148937000&type=video&username=REDACTED"
			assert.Equal(t, []string{
				"call start CreateVideoRoom",
				"attempt start GET 1 " + q,
				"attempt end GET 1 status=503 err=true",
				"attempt start GET 2 " + q,
				"attempt end GET 2 status=200 err=false",
				`call end CreateVideoRoom room="` + room.UUID + `" call=0 err=false`,
				"call start RegisterCall",
				"attempt start POST 1 ",
				"attempt end POST 1 status=200 err=true",
				`call end RegisterCall room="" call=0 err=true`,
				"call start RegisterCall", // validation: nothing sent
				`call end RegisterCall room="" call=0 err=true`,
			}, o.Lines())
			reqs := b.Requests()
			require.Len(t, reqs, 3)
			for i, want := range []string{"attempt-1", "attempt-2", "attempt-1"} {
				assert.Equal(t, want, reqs[i].Header.Get("Traceparent"), "AttemptStart adds headers to request %d", i)
			}
		})
	}
}

func TestObserverSeesTransportFailure(t *testing.T) {
	o := &observed{t: t}
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		panic(http.ErrAbortHandler) // the connection drops after the request was read
	}))
	t.Cleanup(srv.Close)
	// The request the observer's context rides on is still one net/http
	// cannot replay by itself.
	replayable := false
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		replayable = replayable || r.GetBody != nil || r.Body == nil
		return srv.Client().Transport.RoundTrip(r)
	})}
	c, err := gurulize.NewClient(testUser, testPassword, gurulize.WithVideoURL(srv.URL), gurulize.WithHTTPClient(hc),
		gurulize.WithObserver(o.observer()))
	require.NoError(t, err)
	_, err = c.CreateVideoRoom(context.Background(), validRoom())
	require.Error(t, err)
	assert.False(t, replayable, "a request with an observer must not be replayable by net/http")
	assert.Equal(t, int32(1), hits.Load(), "delivered once")
	assert.Equal(t, []string{
		"call start CreateVideoRoom",
		"attempt start GET 1 durationInMinutes=50&endHow=AUTOMATIC&endWhen=END_TIME&password=REDACTED&startDate=1597148937000&type=video&username=REDACTED",
		"attempt end GET 1 status=0 err=true",
		`call end CreateVideoRoom room="" call=0 err=true`,
	}, o.Lines())
}

func TestObserverWithoutFunctionsChangesNothing(t *testing.T) {
	c, _ := newTestClient(t, "httptest", both, gurulize.WithObserver(gurulize.Observer{}))
	room, err := c.CreateVideoRoom(context.Background(), validRoom())
	require.NoError(t, err)
	assert.Equal(t, roomReply["uuid"], room.UUID)
	h := gurulize.NewVideoEventHandler(func(context.Context, gurulize.VideoEvent) error { return nil },
		gurulize.WithCallbackToken(observeToken), gurulize.WithCallbackObserver(gurulize.Observer{}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/cb/"+observeToken, bytes.NewReader(wireVideo(observeEvent))))
	assert.Equal(t, http.StatusOK, rec.Code)
}

const observeToken = "Zm9vYmFyYmF6cXV4LXRva2VuLW9mLTQzLWNoYXJzX3g" // 43 characters

var observeEvent = gurulize.VideoEvent{
	Code: gurulize.EventMeetingStarted, Source: gurulize.SourceServer, RoomUUID: "444f4061-3494-4e60-a552-c4316ac6702d",
	ReceivedAt: time.UnixMilli(1597149000000).UTC(),
}

func TestCallbackObserver(t *testing.T) {
	o := &observed{t: t}
	var sawStage bool
	video := gurulize.NewVideoEventHandler(func(ctx context.Context, ev gurulize.VideoEvent) error {
		sawStage, _ = ctx.Value(stage{"callback"}).(bool)
		return nil
	}, gurulize.WithCallbackToken(observeToken), gurulize.WithCallbackObserver(o.observer()))
	voice := gurulize.NewVoiceStatusHandler(func(ctx context.Context, st gurulize.VoiceStatus) error {
		if st.Code == gurulize.StatusOutOfCredits {
			panic("out of credits")
		}
		return nil
	}, gurulize.WithCallbackToken(observeToken), gurulize.WithCallbackObserver(o.observer()),
		gurulize.WithCallbackLogger(discardLogger()))

	serve := func(h http.Handler, method, target string, body []byte) int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, target, bytes.NewReader(body)))
		return rec.Code
	}
	status := "id=7&code=4&desc=CALLEE_BUSY&time=1597154400"
	assert.Equal(t, 200, serve(video, http.MethodPost, "/gurulize/video/"+observeToken+"?x=1", wireVideo(observeEvent)))
	assert.True(t, sawStage, "the function runs in CallbackStart's context")
	assert.Equal(t, 200, serve(voice, http.MethodGet, "/gurulize/voice?token="+observeToken+"&"+status, nil))
	assert.Equal(t, 401, serve(voice, http.MethodGet, "/gurulize/voice?token=wrong&"+status, nil))
	assert.Equal(t, 405, serve(video, http.MethodGet, "/v/"+observeToken, nil))
	assert.Equal(t, 400, serve(video, http.MethodPost, "/v?a="+observeToken+"&token="+observeToken, []byte("{")))
	assert.Equal(t, 500, serve(voice, http.MethodGet, "/v?token="+observeToken+"&id=8&code=13&time=1597154400", nil))
	assert.Equal(t, []string{
		"callback start video http POST /gurulize/video/REDACTED ?x=1",
		`callback end video status=200 code="MEETING_STARTED" room="444f4061-3494-4e60-a552-c4316ac6702d" call=0`,
		"callback start voice http GET /gurulize/voice ?code=4&desc=CALLEE_BUSY&id=7&time=1597154400&token=REDACTED",
		`callback end voice status=200 code="CALLEE_BUSY" room="" call=7`,
		"callback start voice http GET /gurulize/voice ?code=4&desc=CALLEE_BUSY&id=7&time=1597154400&token=REDACTED",
		`callback end voice status=401 code="" room="" call=0`,
		"callback start video http GET /v/REDACTED ?",
		`callback end video status=405 code="" room="" call=0`,
		"callback start video http POST /v ?a=REDACTED&token=REDACTED",
		`callback end video status=400 code="" room="" call=0`,
		"callback start voice http GET /v ?code=13&id=8&time=1597154400&token=REDACTED",
		`callback end voice status=500 code="OUT_OF_CREDITS" room="" call=8`,
	}, o.Lines())
}

func TestObserverSeesRegisteredCall(t *testing.T) {
	o := &observed{t: t}
	c, _ := newTestClient(t, "httptest", both, gurulize.WithObserver(o.observer()))
	reg, err := c.RegisterCall(context.Background(), validCall())
	require.NoError(t, err)
	assert.Equal(t, []string{
		"call start RegisterCall",
		"attempt start POST 1 ",
		"attempt end POST 1 status=200 err=false",
		fmt.Sprintf(`call end RegisterCall room="" call=%d err=false`, reg.ID),
	}, o.Lines())
}

func TestCallbackObserverMasksTokenAsKeyAndSeesTLS(t *testing.T) {
	var info gurulize.CallbackInfo
	h := gurulize.NewVoiceStatusHandler(func(context.Context, gurulize.VoiceStatus) error { return nil },
		gurulize.WithCallbackToken(observeToken), gurulize.WithCallbackObserver(gurulize.Observer{
			CallbackEnd: func(ctx context.Context, cb *gurulize.CallbackInfo) { info = *cb },
		}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "https://example.test/v/"+observeToken+"?"+observeToken+"=1&id=7&code=4&time=1597154400", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "https", info.Scheme)
	assert.Equal(t, "/v/REDACTED", info.Path)
	assert.Equal(t, "REDACTED=REDACTED&code=4&id=7&time=1597154400", info.Query)
	assert.Equal(t, int64(7), info.CallID)
}

func TestCallbackObserverMasksUnparsableQuery(t *testing.T) {
	var query string
	h := gurulize.NewVoiceStatusHandler(func(context.Context, gurulize.VoiceStatus) error { return nil },
		gurulize.WithCallbackToken(observeToken), gurulize.WithCallbackObserver(gurulize.Observer{
			CallbackStart: func(ctx context.Context, cb *gurulize.CallbackInfo) context.Context { query = cb.Query; return ctx },
		}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v?token="+observeToken+"&bad=%zz", nil))
	assert.Equal(t, "REDACTED", query)
}

// The root module stays free of OpenTelemetry: package otelgurulize, a
// module of its own, brings it in only for those who import it.
func TestRootModuleHasNoOpenTelemetry(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), "github.com/gurulize/gurulize-go\n")
	for _, pkg := range strings.Fields(string(out)) {
		assert.NotContains(t, pkg, "opentelemetry", "the root package depends on %s", pkg)
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

package gurulize_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

const (
	testUser     = "acme-consulting"
	testPassword = "s3cr3t/p@ss word&more=yes"
	basePath     = "/gurulize-api/v1"
	videoPath    = basePath + "/webrtc-meeting/room/create"
	voicePath    = basePath + "/c2c/register"
)

// transports are the two ways every API test runs: through a real loopback
// httptest server, and through an httpmock transport that opens no socket.
var transports = []string{"httptest", "httpmock"}

// seen is one request as the server received it.
type seen struct {
	Method string
	Path   string
	Query  url.Values
	Form   url.Values // POST body, parsed
	Header http.Header
	Body   string
}

// backend records what reaches the fake endpoint and answers with handler.
type backend struct {
	mu       sync.Mutex
	requests []seen
	handler  http.HandlerFunc
}

func (b *backend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
	}
	s := seen{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: string(body)}
	if r.Method == http.MethodPost {
		s.Form, _ = url.ParseQuery(string(body))
	}
	b.mu.Lock()
	b.requests = append(b.requests, s)
	b.mu.Unlock()
	r.Body = io.NopCloser(bytes.NewReader(body))
	b.handler(w, r)
}

func (b *backend) Requests() []seen {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]seen(nil), b.requests...)
}

func (b *backend) Count() int { return len(b.Requests()) }

// newTestClient returns a client whose video and voice endpoints are served
// by handler, over the named transport. The endpoints live under a non-empty
// base path, so the client must keep the URL's path.
func newTestClient(t *testing.T, transport string, handler http.HandlerFunc, opts ...gurulize.Option) (*gurulize.Client, *backend) {
	t.Helper()
	b := &backend{handler: handler}
	var base string
	var hc *http.Client
	switch transport {
	case "httptest":
		mux := http.NewServeMux()
		mux.Handle(videoPath, b)
		mux.Handle(voicePath, b)
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			t.Errorf("request outside the base path: %s %s", r.Method, r.URL.Path)
			http.NotFound(w, r)
		})
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		base, hc = srv.URL, srv.Client()
	case "httpmock":
		mt := httpmock.NewMockTransport()
		base = "https://api.gurulize.test"
		responder := func(req *http.Request) (*http.Response, error) {
			rec := httptest.NewRecorder()
			b.ServeHTTP(rec, req)
			return rec.Result(), nil
		}
		mt.RegisterResponder(http.MethodGet, base+videoPath, responder)
		mt.RegisterResponder(http.MethodPost, base+voicePath, responder)
		hc = &http.Client{Transport: mt}
	default:
		t.Fatalf("unknown transport %q", transport)
	}
	all := append([]gurulize.Option{
		gurulize.WithHTTPClient(hc),
		gurulize.WithVideoURL(base + videoPath),
		gurulize.WithVoiceURL(base + voicePath),
		gurulize.WithRetry(gurulize.RetryPolicy{MaxAttempts: 1}),
	}, opts...)
	c, err := gurulize.NewClient(testUser, testPassword, all...)
	require.NoError(t, err)
	return c, b
}

// replyJSON answers with status and v encoded as JSON.
func replyJSON(status int, v any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
}

// replyRaw answers with status and body as given.
func replyRaw(status int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

var roomReply = map[string]any{
	"uuid":     "444f4061-3494-4e60-a552-c4316ac6702d",
	"hostUrl":  "https://webrtc.gurulize.com/?rop=V_US2qRjrTFn&urp=gN-mYT-host-token",
	"guestUrl": "https://webrtc.gurulize.com/?rop=GFPyacAAOrPc&urp=gN-mYT-guest-token",
}

var callReply = map[string]any{"success": true, "message": "Request Received", "id": 2}

// both answers a room on GET and a call on POST.
func both(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		replyJSON(http.StatusOK, roomReply)(w, r)
		return
	}
	replyJSON(http.StatusOK, callReply)(w, r)
}

func validRoom() gurulize.VideoRoomRequest {
	return gurulize.VideoRoomRequest{
		Duration: 50 * time.Minute,
		StartAt:  time.UnixMilli(1597148937000),
		EndHow:   gurulize.EndAutomatic,
		EndWhen:  gurulize.EndAtEndTime,
	}
}

func validCall() gurulize.CallRequest {
	return gurulize.CallRequest{Caller: "5321234567", Callee: "5427654321", MaxDuration: 10 * time.Minute}
}

// callBoth makes one call of the named kind and returns its error.
func callBoth(ctx context.Context, c *gurulize.Client, kind string) error {
	if kind == "video" {
		_, err := c.CreateVideoRoom(ctx, validRoom())
		return err
	}
	_, err := c.RegisterCall(ctx, validCall())
	return err
}

// assertNoSecret checks every way an error can be printed for the password
// (raw and URL-encoded) and the room link tokens.
func assertNoSecret(t *testing.T, v any) {
	t.Helper()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		out := fmt.Sprintf(verb, v)
		for _, secret := range secrets() {
			assert.NotContains(t, out, secret, "%s printed a secret", verb)
		}
	}
}

func secrets() []string {
	return []string{testPassword, url.QueryEscape(testPassword), url.PathEscape(testPassword), "host-token", "guest-token"}
}

// logBuffer is a debug-level JSON slog logger writing to a buffer.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) Logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// Records returns the logged records, decoded.
func (l *logBuffer) Records(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec))
		out = append(out, rec)
	}
	return out
}

// wireVideo encodes ev as the provider sends it: a JSON object, every number
// a string, reason, eventSource and meetingTotalDuration left out when empty.
func wireVideo(ev gurulize.VideoEvent) []byte {
	w := map[string]string{
		"code":         string(ev.Code),
		"receivedTime": strconv.FormatInt(ev.ReceivedAt.UnixMilli(), 10),
		"roomUuid":     ev.RoomUUID,
	}
	if ev.Source != "" {
		w["eventSource"] = string(ev.Source)
	}
	if ev.Reason != "" {
		w["reason"] = string(ev.Reason)
	}
	if ev.MeetingTotalDuration != 0 {
		w["meetingTotalDuration"] = strconv.FormatInt(ev.MeetingTotalDuration.Milliseconds(), 10)
	}
	b, err := json.Marshal(w)
	if err != nil {
		panic(err)
	}
	return b
}

// wireVoice encodes st as the provider sends it: id, code and time (Unix
// seconds) always, desc and cause when not empty.
func wireVoice(st gurulize.VoiceStatus) url.Values {
	v := url.Values{
		"id":   {strconv.FormatInt(st.ID, 10)},
		"code": {strconv.Itoa(int(st.Code))},
		"time": {strconv.FormatInt(st.Time.Unix(), 10)},
	}
	if st.Desc != "" {
		v.Set("desc", st.Desc)
	}
	if st.Cause != "" {
		v.Set("cause", st.Cause)
	}
	return v
}

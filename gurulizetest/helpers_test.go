package gurulizetest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
)

// received is one callback as a plain endpoint saw it.
type received struct {
	Method      string
	Path        string
	RawQuery    string
	ContentType string
	Body        string
}

// sink is a plain httptest endpoint that records every callback: room
// events on /video, call statuses on /voice.
type sink struct {
	srv *httptest.Server

	mu    sync.Mutex
	video []received
	voice []received
}

func newSink(t *testing.T) *sink {
	t.Helper()
	s := &sink{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec := received{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, ContentType: r.Header.Get("Content-Type"), Body: string(body)}
		s.mu.Lock()
		if r.URL.Path == "/video" {
			s.video = append(s.video, rec)
		} else {
			s.voice = append(s.voice, rec)
		}
		s.mu.Unlock()
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *sink) VideoURL() string { return s.srv.URL + "/video" }
func (s *sink) VoiceURL() string { return s.srv.URL + "/voice" }

// options points a fake's callbacks at the sink.
func (s *sink) options() []gurulizetest.Option {
	return []gurulizetest.Option{
		gurulizetest.WithVideoCallbackURL(s.VideoURL()),
		gurulizetest.WithVoiceCallbackURL(s.VoiceURL()),
	}
}

func (s *sink) Video() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.video...)
}

func (s *sink) Voice() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.voice...)
}

// roomEvent is a room callback decoded into the fields a test compares.
type roomEvent struct {
	Code   string
	Source string
	Reason string
	Offset time.Duration // receivedTime - room start
	Total  time.Duration // meetingTotalDuration
}

// decodeRoomEvents decodes the bodies, requiring every field the provider
// sends to be a JSON string, and returns the events of room uuid.
func decodeRoomEvents(t *testing.T, recs []received, uuid string, start time.Time) []roomEvent {
	t.Helper()
	var out []roomEvent
	for _, rec := range recs {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(rec.Body), &m), rec.Body)
		for k, v := range m {
			_, isString := v.(string)
			require.True(t, isString, "field %s is %T in %s", k, v, rec.Body)
		}
		if m["roomUuid"] != uuid {
			continue
		}
		ms, err := strconv.ParseInt(m["receivedTime"].(string), 10, 64)
		require.NoError(t, err)
		ev := roomEvent{
			Code:   m["code"].(string),
			Source: m["eventSource"].(string),
			Offset: time.UnixMilli(ms).Sub(start),
		}
		if r, ok := m["reason"].(string); ok {
			ev.Reason = r
		}
		if tot, ok := m["meetingTotalDuration"].(string); ok {
			n, err := strconv.ParseInt(tot, 10, 64)
			require.NoError(t, err)
			ev.Total = time.Duration(n) * time.Millisecond
		}
		out = append(out, ev)
	}
	return out
}

// callStatus is a call callback decoded into the fields a test compares.
type callStatus struct {
	Code   int
	Desc   string
	Cause  string
	Offset time.Duration // time - registration, whole seconds
}

func decodeCallStatuses(t *testing.T, recs []received, id int64, registered time.Time) []callStatus {
	t.Helper()
	var out []callStatus
	for _, rec := range recs {
		q, err := url.ParseQuery(rec.RawQuery)
		require.NoError(t, err)
		if q.Get("id") != strconv.FormatInt(id, 10) {
			continue
		}
		code, err := strconv.Atoi(q.Get("code"))
		require.NoError(t, err)
		sec, err := strconv.ParseInt(q.Get("time"), 10, 64)
		require.NoError(t, err)
		out = append(out, callStatus{
			Code: code, Desc: q.Get("desc"), Cause: q.Get("cause"),
			Offset: time.Unix(sec, 0).Sub(registered.Truncate(time.Second)),
		})
	}
	return out
}

func waitIdle(t *testing.T, srv *gurulizetest.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(t, srv.WaitIdle(ctx))
}

// roomAt is a valid room request starting at start.
func roomAt(start time.Time, d time.Duration, how gurulize.EndHow) gurulize.VideoRoomRequest {
	return gurulize.VideoRoomRequest{Duration: d, StartAt: start, EndHow: how}
}

// fixedStart is a startDate for rooms whose events tests compare exactly.
var fixedStart = time.UnixMilli(1600938000000).UTC()

// baseURL is the fake's address, below which it serves both APIs and its
// room links.
func baseURL(srv *gurulizetest.Server) string {
	return strings.TrimSuffix(srv.VideoURL(), "/webrtc-meeting/room/create")
}

// newClient is a client of the fake's default account with opts.
func newClient(srv *gurulizetest.Server, opts ...gurulize.Option) (*gurulize.Client, error) {
	return gurulize.NewClient(gurulizetest.DefaultUsername, gurulizetest.DefaultPassword,
		append([]gurulize.Option{gurulize.WithVideoURL(srv.VideoURL()), gurulize.WithVoiceURL(srv.VoiceURL())}, opts...)...)
}

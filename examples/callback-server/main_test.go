package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const token = "test-token-0123456789"

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// client has a pool of its own: httptest.Server.Close closes the idle
// connections of http.DefaultTransport, which would break a request of a
// test running in parallel that had just picked one of them.
var client = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}

func post(t *testing.T, u, body string) int {
	t.Helper()
	resp, err := client.Post(u, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func get(t *testing.T, u string) int {
	t.Helper()
	resp, err := client.Get(u)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestPrintsEventsAndChangedSummaries(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	a := newApp(slog.New(slog.NewTextHandler(&out, nil)))
	srv := httptest.NewServer(a.handler(token))
	t.Cleanup(srv.Close)

	join := `{"code":"JOIN","eventSource":"HOST","receivedTime":"1600938359259","reason":"","roomUuid":"444f4061-3494-4e60-a552-c4316ac6702d","meetingTotalDuration":"0"}`
	assert.Equal(t, 200, post(t, srv.URL+"/gurulize/video/"+token, join))
	assert.Equal(t, 200, post(t, srv.URL+"/gurulize/video/"+token, join)) // redelivered: no change
	assert.Equal(t, 401, post(t, srv.URL+"/gurulize/video/wrong", join))
	assert.Equal(t, 405, get(t, srv.URL+"/gurulize/video/"+token))
	assert.Equal(t, 200, get(t, srv.URL+"/gurulize/voice/"+token+"?id=7&code=4&desc=CALLEE_BUSY&cause=17&time=1427116743"))
	assert.Equal(t, 400, get(t, srv.URL+"/gurulize/voice/"+token+"?id=7&code=4&time=soon"))
	assert.Equal(t, 200, get(t, srv.URL+"/healthz"))

	logs := out.String()
	assert.Equal(t, 2, strings.Count(logs, `msg="video event"`))
	assert.Equal(t, 1, strings.Count(logs, `msg="room changed"`), "a redelivered event changes nothing")
	assert.Contains(t, logs, "event.code=JOIN")
	assert.Contains(t, logs, "room.host_present=true")
	assert.Contains(t, logs, "status.code=CALLEE_BUSY")
	assert.Contains(t, logs, "call.outcome=BUSY")
	assert.Contains(t, logs, "call.failed_party=CALLEE")
	assert.NotContains(t, logs, token)
}

func TestServerTimeouts(t *testing.T) {
	t.Parallel()
	srv := newServer(http.NotFoundHandler(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	assert.Positive(t, srv.ReadHeaderTimeout)
	assert.Positive(t, srv.ReadTimeout)
	assert.Positive(t, srv.WriteTimeout)
	assert.Positive(t, srv.IdleTimeout)
	assert.Positive(t, srv.MaxHeaderBytes)
	assert.NotNil(t, srv.ErrorLog)
}

func TestServeStopsGracefully(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	a := newApp(slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, ln, newServer(a.handler(token), a.logger)) }()

	assert.Equal(t, 200, get(t, "http://"+ln.Addr().String()+"/healthz"))
	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not return after cancellation")
	}
	_, err = http.Get("http://" + ln.Addr().String() + "/healthz")
	assert.Error(t, err, "the listener is closed")
}

func TestServeReportsListenerErrors(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	require.NoError(t, ln.Close())
	err = serve(context.Background(), ln, newServer(http.NotFoundHandler(), slog.New(slog.NewTextHandler(io.Discard, nil))))
	assert.Error(t, err)
}

func TestForgetOldEntries(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	a := newApp(slog.New(slog.NewTextHandler(&out, nil)))
	srv := httptest.NewServer(a.handler(token))
	t.Cleanup(srv.Close)
	// Entries are forgotten by when the tracker last changed them, not by
	// the events' own times (2020 and 2015 here): with an age limit of 50 ms
	// they go on a tick after that.
	assert.Equal(t, 200, post(t, srv.URL+"/gurulize/video/"+token, `{"code":"JOIN","eventSource":"HOST","receivedTime":"1600938359259","roomUuid":"r1"}`))
	assert.Equal(t, 200, get(t, srv.URL+"/gurulize/voice/"+token+"?id=7&code=0&time=1427116743"))
	_, room := a.rooms.Room("r1")
	_, call := a.calls.Call(7)
	require.True(t, room && call)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		a.forgetOldEntries(ctx, 10*time.Millisecond, 50*time.Millisecond)
		close(done)
	}()
	require.Eventually(t, func() bool {
		_, room := a.rooms.Room("r1")
		_, call := a.calls.Call(7)
		return !room && !call
	}, 5*time.Second, 10*time.Millisecond)
	cancel()
	<-done
	assert.Contains(t, out.String(), `msg="forgot old entries" rooms=1 calls=1`)
}

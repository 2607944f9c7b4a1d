package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

// Two servers get the callbacks in turn, on the token's path, from at most
// -clients connections; every callback is a valid, distinct event that
// changes its room, each room's in the order of its meeting.
func TestLoadgenSendsDistinctChangesInOrder(t *testing.T) {
	var mu sync.Mutex
	rooms := map[string]*gurulize.RoomState{}
	bodies := map[string]bool{}
	conns := map[string]bool{}
	var paths []string
	srv := func() *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			ev, err := gurulize.ParseVideoEvent(body)
			mu.Lock()
			defer mu.Unlock()
			conns[r.RemoteAddr], paths = true, append(paths, r.URL.Path)
			if !assert.NoError(t, err) || !assert.False(t, bodies[string(body)], "a callback sent twice") {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			bodies[string(body)] = true
			st := rooms[ev.RoomUUID]
			if st == nil {
				st = &gurulize.RoomState{}
				rooms[ev.RoomUUID] = st
			}
			assert.True(t, st.Apply(ev), "every callback a change: %s", body)
		}))
	}
	a, b := srv(), srv()
	defer a.Close()
	defer b.Close()

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-urls", a.URL + "," + b.URL, "-token", "tok", "-clients", "3",
		"-duration", "300ms", "-prefix", "t"}, &out))
	assert.Regexp(t, `^\d+ callbacks in \d+\.\d+s: \d+ callbacks/s, \d+ µs of CPU per callback\n$`, out.String())
	mu.Lock()
	defer mu.Unlock()
	assert.Positive(t, len(bodies))
	assert.LessOrEqual(t, len(conns), 6, "kept-alive connections")
	for _, p := range paths {
		assert.Equal(t, "/gurulize/video/tok", p)
	}

	out.Reset()
	require.NoError(t, run(context.Background(), []string{"-sizes"}, &out))
	assert.Regexp(t, `^\d{3} \d{3}\n$`, out.String())
	assert.Error(t, run(context.Background(), []string{"-urls", a.URL}, &out), "no token")
}

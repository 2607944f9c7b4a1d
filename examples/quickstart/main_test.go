package main

import (
	"bytes"
	"context"
	"flag"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go/gurulizetest"
)

func noEnv(string) string { return "" }

func TestQuickstartOnTheFake(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	began := time.Now()
	require.NoError(t, run(ctx, &out, nil, noEnv))
	assert.Less(t, time.Since(began), 20*time.Second, "a few seconds, even on a busy machine")

	text := out.String()
	assert.Contains(t, text, "running against gurulizetest")
	assert.Regexp(t, `Room [0-9a-f-]{36} created`, text)
	assert.Contains(t, text, "host link:  http://127.0.0.1:")
	assert.Contains(t, text, "Call 1 registered (Request Received)")
	for _, line := range []string{
		"+00:00  room  JOIN             HOST",
		"+01:00  room  ROOM_ACTIVATED   GUEST",
		"+11:00  room  MEETING_ENDED    GUEST (connection lost), 10m0s of meetings so far",
		"+34:00  room  MEETING_ENDED    GUEST (HANGUP), 30m0s of meetings so far",
		"+00:00  call  CALLS_STARTING",
		"+03:18  call  CALLEE_CLOSED",
	} {
		assert.Contains(t, text, line+"\n")
	}
	assert.True(t, strings.HasSuffix(text, "\nSummary\n"+
		"  room: billed 30m0s over 3 meetings, ended by HANGUP\n"+
		"  call: COMPLETED, talk time 3m0s\n"), text)
	// The story is printed in order: the headers before any callback.
	assert.Less(t, strings.Index(text, "Call 1 registered"), strings.Index(text, "call  CALLS_STARTING"))
}

func TestQuickstartBadFlag(t *testing.T) {
	t.Parallel()
	assert.ErrorIs(t, run(context.Background(), &bytes.Buffer{}, []string{"-help"}, noEnv), flag.ErrHelp)
	assert.Error(t, run(context.Background(), &bytes.Buffer{}, []string{"-scale", "fast"}, noEnv))
	assert.ErrorContains(t, run(context.Background(), &bytes.Buffer{}, []string{"-scale", "0"}, noEnv), "WithTimeScale")
}

// realAPI points the GURULIZE_* variables at a fake standing in for the
// real API. Tests that use it cannot run in parallel.
func realAPI(t *testing.T, opts ...gurulizetest.Option) *gurulizetest.Server {
	t.Helper()
	srv := gurulizetest.NewTestServer(t, opts...)
	t.Setenv("GURULIZE_USERNAME", gurulizetest.DefaultUsername)
	t.Setenv("GURULIZE_PASSWORD", gurulizetest.DefaultPassword)
	t.Setenv("GURULIZE_VIDEO_URL", srv.VideoURL())
	t.Setenv("GURULIZE_VOICE_URL", srv.VoiceURL())
	t.Setenv("GURULIZE_CALLBACK_TOKEN", "")
	return srv
}

func TestQuickstartRealAPIWithoutCallbacks(t *testing.T) {
	srv := realAPI(t)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, nil, os.Getenv))
	text := out.String()
	assert.True(t, strings.HasPrefix(text, "GURULIZE_USERNAME is set: talking to a fake Gurulize (gurulizetest's test account), not the real API.\n"+
		"  video API: "+srv.VideoURL()+"\n  voice API: "+srv.VoiceURL()+"\n"), text)
	assert.NotContains(t, text, "talking to the Gurulize API")
	require.Len(t, srv.Rooms(), 1)
	assert.Contains(t, text, "Room "+srv.Rooms()[0].UUID+" created")
	assert.Contains(t, text, "No call placed: pass -caller and -callee")
	assert.Contains(t, text, "cannot reach this program")
	assert.Empty(t, srv.Calls(), "no phone rings without -caller and -callee")

	out.Reset()
	require.NoError(t, run(context.Background(), &out, []string{"-caller", "532 123 45 67", "-callee", "5427654321"}, os.Getenv))
	require.Len(t, srv.Calls(), 1)
	assert.Equal(t, "5321234567", srv.Calls()[0].Caller)
	assert.Contains(t, out.String(), "Call 1 registered")
	assert.NotContains(t, out.String(), "No call placed")
}

func TestQuickstartRealAPIWithCallbacks(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	srv := realAPI(t,
		gurulizetest.WithVideoCallbackURL("http://"+addr+"/gurulize/video/tok3n-0123456789ab"),
		gurulizetest.WithRoomScript(gurulizetest.HostEnds(5*time.Minute)))

	var out bytes.Buffer
	args := []string{"-callback-url", "https://example.test/hooks/", "-listen", addr, "-token", "tok3n-0123456789ab", "-wait", "1s"}
	require.NoError(t, run(context.Background(), &out, args, os.Getenv))
	text := out.String()
	assert.Contains(t, text, "video room events: https://example.test/hooks/gurulize/video/tok3n-0123456789ab\n")
	assert.Contains(t, text, "call statuses:     https://example.test/hooks/gurulize/voice/tok3n-0123456789ab\n")
	assert.Contains(t, text, "room  MEETING_ENDED    HOST (HANGUP), 5m0s of meetings so far")
	assert.True(t, strings.HasSuffix(text, "\nSummary\n  room: billed 5m0s over 1 meeting, ended by HANGUP\n"), text)
	assert.Less(t, strings.Index(text, "No call placed"), strings.Index(text, "room  JOIN"), "callbacks wait for the headers")
	assert.Less(t, strings.Index(text, "Listening for callbacks"), strings.Index(text, "room  JOIN"))
	for _, d := range srv.Deliveries() {
		assert.Empty(t, d.Err, "%+v", d)
	}
	assert.ErrorContains(t, run(context.Background(), &out, []string{"-callback-url", "not a url"}, os.Getenv), "not an absolute URL")
}

func TestQuickstartRealAPIWrongAccount(t *testing.T) {
	realAPI(t)
	t.Setenv("GURULIZE_PASSWORD", "wrong-password")
	err := run(context.Background(), &bytes.Buffer{}, nil, os.Getenv)
	assert.ErrorContains(t, err, "check GURULIZE_USERNAME and GURULIZE_PASSWORD")
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestQuickstartRealAccountNeedsEveryInput: with a real account the
// quickstart names the inputs it lacks before sending anything.
func TestQuickstartRealAccountNeedsEveryInput(t *testing.T) {
	t.Parallel()
	env := envOf(map[string]string{"GURULIZE_USERNAME": "acme", "GURULIZE_PASSWORD": "pw", "GURULIZE_VOICE_URL": "https://voice.example.test/c2c"})
	for _, tc := range []struct {
		args    []string
		missing string
	}{
		{nil, "missing: -caller, -callee, -callback-url (nothing was sent)"},
		{[]string{"-caller", "5321234567", "-callee", "5427654321"}, "missing: -callback-url (nothing was sent)"},
		{[]string{"-callback-url", "https://hooks.example.test", "-caller", "5321234567"}, "missing: -callee (nothing was sent)"},
	} {
		var out bytes.Buffer
		err := run(context.Background(), &out, tc.args, env)
		assert.ErrorContains(t, err, "with a real account the quickstart rings two real phones and listens for the provider's callbacks, so it needs -caller, -callee and -callback-url", tc.args)
		assert.ErrorContains(t, err, tc.missing, tc.args)
		assert.Empty(t, out.String(), "nothing printed, nothing sent")
	}
}

// TestQuickstartNamesALocalServer: an account other than the fake's on a
// loopback URL is not called the real API either.
func TestQuickstartNamesALocalServer(t *testing.T) {
	srv := realAPI(t, gurulizetest.WithAccount("acme", "pw"))
	t.Setenv("GURULIZE_USERNAME", "acme")
	t.Setenv("GURULIZE_PASSWORD", "pw")
	t.Setenv("GURULIZE_VOICE_URL", "")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, nil, os.Getenv))
	assert.True(t, strings.HasPrefix(out.String(), "GURULIZE_USERNAME is set: talking to a server on this machine, not the real Gurulize API.\n"+
		"  video API: "+srv.VideoURL()+"\n  voice API: none (GURULIZE_VOICE_URL is not set)\n"), out.String())
	assert.Len(t, srv.Rooms(), 1)
}

package cli

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go/gurulizetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// start is the instant every golden run is pinned to.
var start = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

var (
	uuidRe  = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	tokenRe = regexp.MustCompile(`(rop|urp)=[0-9A-Za-z_-]+`)
	portRe  = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	clockRe = regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d (GET|POST|callback)`)
)

// normalize replaces what changes from run to run: room UUIDs, link tokens,
// ports, and the wall-clock times of the fake's report lines.
func normalize(s string) string {
	s = uuidRe.ReplaceAllString(s, "<uuid>")
	s = tokenRe.ReplaceAllString(s, "$1=<token>")
	s = portRe.ReplaceAllString(s, "127.0.0.1:<port>")
	return clockRe.ReplaceAllString(s, "hh:mm:ss $1")
}

// golden compares got with testdata/name.golden, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	got = normalize(got)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./internal/cli -update to create it")
	assert.Equal(t, string(want), got, "golden file %s (go test ./internal/cli -update rewrites it)", path)
}

// transcript is a command's exit code and output, as a golden file holds it.
func transcript(r result) string {
	return "exit " + strconv.Itoa(r.code) + "\n--- stdout\n" + r.stdout + "--- stderr\n" + r.stderr
}

// fakeEnv points the commands at a fake's APIs with its test account.
func fakeEnv(srv *gurulizetest.Server) map[string]string {
	return map[string]string{
		"GURULIZE_USERNAME":  gurulizetest.DefaultUsername,
		"GURULIZE_PASSWORD":  gurulizetest.DefaultPassword,
		"GURULIZE_VIDEO_URL": srv.VideoURL(),
		"GURULIZE_VOICE_URL": srv.VoiceURL(),
	}
}

func TestGoldenAgainstFake(t *testing.T) {
	srv := gurulizetest.NewTestServer(t, gurulizetest.WithManualClock(start))
	env := fakeEnv(srv)
	wrong := fakeEnv(srv)
	wrong["GURULIZE_PASSWORD"] = "not-the-password"
	at := start.Add(time.Hour).Format(time.RFC3339)

	tests := []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"room-create", env, []string{"room", "create", "--duration", "45m", "--start", at, "--end-how", "BY_HOST"}},
		{"room-create-json", env, []string{"room", "create", "--duration", "30m", "--start", at, "--lang", "tr", "--json"}},
		{"room-create-bad-duration", env, []string{"room", "create", "--duration", "90s", "--start", at}},
		{"room-create-wrong-password", wrong, []string{"room", "create", "--duration", "45m", "--start", at}},
		{"call-register", env, []string{"call", "register", "--caller", "(532) 123 45 67", "--callee", "5005550004", "--max-duration", "10m"}},
		{"call-register-json", env, []string{"call", "register", "--caller", "5321234567", "--callee", "5005551090", "--max-duration", "10m", "--json"}},
		{"call-register-wrong-password-json", wrong, []string{"call", "register", "--caller", "5321234567", "--callee", "5427654321", "--max-duration", "1m", "--json"}},
		{"call-register-bad-callee", env, []string{"call", "register", "--caller", "5321234567", "--callee", "+90542", "--max-duration", "1m"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, tt.name, transcript(runCLI(t, tt.env, tt.args...)))
		})
	}
	// The fake saw only what passed validation: 2 rooms and 2 calls, plus one refusal of each.
	assert.Len(t, srv.Rooms(), 2)
	assert.Len(t, srv.Calls(), 2)
	assert.Len(t, srv.Requests(), 6)
}

// TestGoldenListenReceivesFakeCallbacks: "gurulize listen" receives the
// callbacks the fake plays for a room and a call created with the command.
func TestGoldenListenReceivesFakeCallbacks(t *testing.T) {
	base, out, stop := startListen(t, map[string]string{"GURULIZE_CALLBACK_TOKEN": "t0k3n-0123456789ab"})
	srv := gurulizetest.NewTestServer(t,
		gurulizetest.WithManualClock(start),
		gurulizetest.WithRoomScript(gurulizetest.TwoBreaks()),
		gurulizetest.WithVideoCallbackURL(base+"/gurulize/video?token=t0k3n-0123456789ab"),
		gurulizetest.WithVoiceCallbackURL(base+"/gurulize/voice/t0k3n-0123456789ab"),
	)
	env := fakeEnv(srv)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	r := runCLI(t, env, "room", "create", "--duration", "45m", "--start", start.Format(time.RFC3339), "--end-how", "AUTOMATIC")
	require.Equal(t, ExitOK, r.code, r.stderr)
	srv.Advance(2 * time.Hour)
	require.NoError(t, srv.WaitIdle(ctx))

	r = runCLI(t, env, "call", "register", "--caller", "5321234567", "--callee", "5005551090", "--max-duration", "10m")
	require.Equal(t, ExitOK, r.code, r.stderr)
	srv.Advance(2 * time.Hour)
	require.NoError(t, srv.WaitIdle(ctx))

	require.Equal(t, ExitOK, stop())
	for _, d := range srv.Deliveries() {
		assert.Empty(t, d.Err, "%+v", d)
	}
	golden(t, "listen-fake", out.String())
}

// TestGoldenFakeCommand runs "gurulize fake" and drives it with the other
// commands, as a team testing from another language would.
func TestGoldenFakeCommand(t *testing.T) {
	base, listened, stopListen := startListen(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, IO{Stdout: out, Stderr: errOut, Getenv: func(string) string { return "" }}, []string{
			"fake", "--addr", "127.0.0.1:0", "--voice-callback", base + "/gurulize/voice",
		})
	}()
	urlRe := regexp.MustCompile(`voice API:  POST (\S+)`)
	var voiceURL string
	require.Eventually(t, func() bool {
		if m := urlRe.FindStringSubmatch(out.String()); m != nil {
			voiceURL = m[1]
		}
		return voiceURL != ""
	}, 5*time.Second, 5*time.Millisecond, "fake did not start: %s", errOut.String())

	// A request path is printed escaped: this one would clear the screen.
	assert.Equal(t, 404, get(t, strings.TrimSuffix(voiceURL, "/click2call/register")+"/%1b%5b2J"))
	r := runCLI(t, map[string]string{
		"GURULIZE_USERNAME": gurulizetest.DefaultUsername, "GURULIZE_PASSWORD": gurulizetest.DefaultPassword, "GURULIZE_VOICE_URL": voiceURL,
	}, "call", "register", "--caller", "5321234567", "--callee", "5005550003", "--max-duration", "1m")
	require.Equal(t, ExitOK, r.code, r.stderr)
	assert.Equal(t, "call   1\nstatus Request Received\n", r.stdout)
	require.Eventually(t, func() bool {
		return strings.Count(out.String(), "callback voice call 1 -> 200") == 2
	}, 5*time.Second, 10*time.Millisecond, "the fake reports both deliveries")
	cancel()
	assert.Equal(t, ExitOK, <-done)
	assert.Equal(t, ExitOK, stopListen())
	assert.Contains(t, listened.String(), "call 1 BUSY (caller), final")
	golden(t, "fake-command", out.String())
}

func TestFakeCommandErrors(t *testing.T) {
	r := runCLI(t, nil, "fake", "--addr", "nonsense")
	assert.Equal(t, ExitUsage, r.code)
	assert.Contains(t, r.stderr, "--addr")
	r = runCLI(t, nil, "fake", "--addr", "127.0.0.1:0", "--video-callback", "ftp://x")
	assert.Equal(t, ExitUsage, r.code)
	assert.Contains(t, r.stderr, "--video-callback")
	r = runCLI(t, nil, "fake", "--time-scale", "-1")
	assert.Equal(t, ExitUsage, r.code)
	assert.Contains(t, r.stderr, "gurulize fake: --time-scale must be a positive number, or 0 to send every callback at once; got -1")
	for _, tc := range []struct{ args, want string }{
		{"--addr nonsense", "gurulize fake: --addr address nonsense: missing port in address\n"},
		{"--addr 127.0.0.1:0 --video-callback ftp://x", `gurulize fake: --video-callback "ftp://x" is not an absolute http(s) URL` + "\n"},
		{"--addr 127.0.0.1:0 --voice-callback /relative", `gurulize fake: --voice-callback "/relative" is not an absolute http(s) URL` + "\n"},
		{"--addr 127.0.0.1:0 --time-scale NaN", "gurulize fake: --time-scale must be a positive number, or 0 to send every callback at once; got NaN\n"},
		{"--addr 127.0.0.1:0 --username=", "gurulize fake: --username must not be empty\n"},
		{"--addr 127.0.0.1:0 --password=", "gurulize fake: --password must not be empty\n"},
	} {
		stopped, cancel := context.WithCancel(context.Background())
		cancel() // a fake that starts stops at once
		r := runCLIContext(t, stopped, nil, append([]string{"fake"}, strings.Fields(tc.args)...)...)
		assert.Equal(t, ExitUsage, r.code, tc.args)
		assert.Equal(t, tc.want, r.stderr, "the flag, and no Go option: %s", tc.args)
	}
	r = runCLI(t, nil, "fake", "--help")
	assert.Equal(t, ExitOK, r.code)
	assert.Contains(t, r.stdout, "5005550004  callee busy")
}

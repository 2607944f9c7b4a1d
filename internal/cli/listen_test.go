package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startListen runs "gurulize listen" in-process on a free loopback port and
// returns its base URL, its output, and a function that stops it and returns
// its exit code.
func startListen(t *testing.T, env map[string]string, args ...string) (string, *syncBuffer, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, IO{Stdout: stdout, Stderr: stderr, Getenv: func(k string) string { return env[k] }},
			append([]string{"listen", "--addr", "127.0.0.1:0"}, args...))
	}()
	addrRe := regexp.MustCompile(`http://(127\.0\.0\.1:\d+)`)
	var base string
	require.Eventually(t, func() bool {
		m := addrRe.FindStringSubmatch(stdout.String())
		if m != nil {
			base = "http://" + m[1]
		}
		return m != nil
	}, 5*time.Second, 5*time.Millisecond, "listen did not start: %s", stderr.String())
	stop := func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(10 * time.Second):
			t.Fatal("listen did not stop")
			return -1
		}
	}
	t.Cleanup(func() { cancel() })
	return base, stdout, stop
}

func post(t *testing.T, url, body string) int {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func get(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func TestListenPrintsEventsAndSummaries(t *testing.T) {
	base, out, stop := startListen(t, map[string]string{"GURULIZE_CALLBACK_TOKEN": "s3cr3t-0123456789ab"})
	room := `"roomUuid":"r-1"`
	assert.Equal(t, 200, post(t, base+"/gurulize/video?token=s3cr3t-0123456789ab", `{"code":"MEETING_STARTED","eventSource":"GUEST","receivedTime":"1600938359259",`+room+`}`))
	assert.Equal(t, 200, post(t, base+"/gurulize/video/s3cr3t-0123456789ab", `{"code":"MEETING_ENDED","eventSource":"SERVER","receivedTime":"1600940759259","reason":"END_MEETING_FORCED",`+room+`,"meetingTotalDuration":"2400000"}`))
	assert.Equal(t, 401, post(t, base+"/gurulize/video?token=wrong", `{}`))
	assert.Equal(t, 200, get(t, base+"/gurulize/voice?token=s3cr3t-0123456789ab&id=7&code=4&desc=CALLEE_BUSY&cause=17&time=1427116743"))
	assert.Equal(t, 400, get(t, base+"/gurulize/voice?token=s3cr3t-0123456789ab&id=7"))
	assert.Equal(t, ExitOK, stop())

	text := out.String()
	for _, want := range []string{
		"listening on http://127.0.0.1:",
		"POST http://127.0.0.1:",
		"/gurulize/video/s3cr3t-0123456789ab\n",
		"GET  http://127.0.0.1:",
		"/gurulize/voice/s3cr3t-0123456789ab\n",
		"\n2020-09-24T09:05:59.259Z  video  MEETING_STARTED  room r-1  by GUEST",
		"room r-1 open: 1 meeting(s), billed 0s",
		"video  MEETING_ENDED    room r-1  by SERVER  reason END_MEETING_FORCED  total 40m0s",
		"room r-1 ended (END_MEETING_FORCED): 1 meeting(s), billed 40m0s",
		"\n2015-03-23T13:19:03Z  voice  CALLEE_BUSY           call 7  cause 17",
		"call 7 BUSY (callee), final",
	} {
		assert.Contains(t, text, want)
	}
	assert.NotContains(t, text, "\x1b[", "no colours when not on a terminal")
}

func TestListenJSON(t *testing.T) {
	base, out, stop := startListen(t, nil, "--json")
	assert.Equal(t, 200, get(t, base+"/gurulize/voice?id=9&code=2&desc=CALLEE_CONNECTED&cause=0&time=1427116743"))
	assert.Equal(t, 200, post(t, base+"/gurulize/video", `{"code":"MEETING_ENDED","eventSource":"SERVER","receivedTime":"1600940759259","reason":"END_MEETING_FORCED","roomUuid":"r-1","meetingTotalDuration":"2400000"}`))
	assert.Equal(t, ExitOK, stop())
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 5)
	assert.JSONEq(t, `{"type":"video","event":{"code":"MEETING_ENDED","eventSource":"SERVER","receivedTime":"2020-09-24T09:45:59.259Z","reason":"END_MEETING_FORCED","roomUuid":"r-1","meetingTotalDurationSeconds":2400}}`, lines[3])
	assert.JSONEq(t, `{"type":"room","summary":{"roomUuid":"r-1","activated":false,"meetings":0,"billedSeconds":2400,"ended":true,"endReason":"END_MEETING_FORCED"}}`, lines[4])
	assert.Contains(t, lines[0], `"type":"listening"`)
	assert.JSONEq(t, `{"type":"voice","status":{"id":9,"code":2,"name":"CALLEE_CONNECTED","desc":"CALLEE_CONNECTED","cause":"0","time":"2015-03-23T13:19:03Z"}}`, lines[1])
	assert.JSONEq(t, `{"type":"call","summary":{"id":9,"outcome":"IN_PROGRESS","final":false,"talkTimeSeconds":0,"failedParty":""}}`, lines[2])
}

func TestListenColours(t *testing.T) {
	p := &printer{out: &bytes.Buffer{}, color: true}
	assert.Equal(t, ansiRed+"x"+ansiReset, p.paint(ansiRed, "x"))
	p.color = false
	assert.Equal(t, "x", p.paint(ansiRed, "x"))
}

func TestListenBadAddress(t *testing.T) {
	r := runCLI(t, nil, "listen", "--addr", "256.0.0.1:99999")
	assert.Equal(t, ExitUsage, r.code)
	assert.Contains(t, r.stderr, "--addr")
}

// TestListenEscapesWhatItPrints: a callback's fields reach the terminal
// escaped, so a hostile payload can neither send escape sequences nor forge
// lines; one callback stays one line.
func TestListenEscapesWhatItPrints(t *testing.T) {
	base, out, stop := startListen(t, nil)
	assert.Equal(t, 200, post(t, base+"/gurulize/video",
		`{"code":"JOIN\nvideo  MEETING_ENDED    room r-9  by HOST","eventSource":"\u001b[2J","receivedTime":"1600938359259","roomUuid":"r-1\u009b2J","reason":"\u202eDNAH"}`))
	assert.Equal(t, 200, get(t, base+"/gurulize/voice?id=7&code=4&cause=17%0A13:19:03++voice++CALLER_CLOSED&time=1427116743"))
	assert.Equal(t, 200, post(t, base+"/gurulize/video",
		`{"code":"MEETING_ENDED","eventSource":"HOST","receivedTime":"1600938359259","roomUuid":"r-2\u001b]0;title\u0007","reason":"HANG\rUP","meetingTotalDuration":"60000"}`))
	assert.Equal(t, ExitOK, stop())

	text := out.String()
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	require.Len(t, lines, 3+1+2+2, "the listening header (3 lines), the event (an unknown code changes no room), the status and its call, the event and its room:\n%s", text)
	assert.Contains(t, lines[3], `video  "JOIN\nvideo  MEETING_ENDED    room r-9  by HOST"  room "r-1\u009b2J"  by "\x1b[2J"  reason "\u202eDNAH"`)
	assert.Contains(t, lines[4], `voice  CALLEE_BUSY           call 7  cause "17\n13:19:03  voice  CALLER_CLOSED"`)
	assert.Equal(t, "  call 7 BUSY (callee), final", lines[5])
	assert.Contains(t, lines[6], `video  MEETING_ENDED    room "r-2\x1b]0;title\a"  by HOST  reason "HANG\rUP"  total 1m0s`)
	assert.Equal(t, `  room "r-2\x1b]0;title\a" ended ("HANG\rUP"): 0 meeting(s), billed 1m0s`, lines[7])
	for _, r := range text {
		if r != '\n' {
			assert.True(t, strconv.IsPrint(r), "%q reached the terminal", r)
		}
	}
}

func TestListenJSONEscapesWhatItPrints(t *testing.T) {
	base, out, stop := startListen(t, nil, "--json")
	assert.Equal(t, 200, get(t, base+"/gurulize/voice?id=7&code=4&cause=%7F%C2%9B2J%E2%80%AE%F3%A0%80%81&time=1427116743"))
	assert.Equal(t, ExitOK, stop())
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 3)
	assert.Contains(t, lines[1], `"cause":"\u007f\u009b2J\u202e\udb40\udc01"`)
	var v struct{ Status struct{ Cause string } }
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &v))
	assert.Equal(t, "\x7f\u009b2J\u202e\U000E0001", v.Status.Cause, "the escapes decode to what was received")
	for _, r := range out.String() {
		if r != '\n' {
			assert.True(t, r >= 0x20 && r < 0x7f, "%q reached the terminal", r)
		}
	}
}

// TestListenRefusesOpenAddressWithoutToken: beyond loopback, anyone could
// send callbacks; listen starts there only with a token or --no-token.
func TestListenRefusesOpenAddressWithoutToken(t *testing.T) {
	stopped, cancel := context.WithCancel(context.Background())
	cancel() // a listen that starts stops at once
	r := runCLIContext(t, stopped, nil, "listen", "--addr", "0.0.0.0:0")
	assert.Equal(t, ExitUsage, r.code)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "gurulize listen: --addr 0.0.0.0:0 is reachable from other machines")
	assert.Contains(t, r.stderr, "set --token (or GURULIZE_CALLBACK_TOKEN), or pass --no-token")
	file := filepath.Join(t.TempDir(), "callbacks.jsonl")
	r = runCLIContext(t, stopped, nil, "listen", "--addr", "0.0.0.0:0", "--record", file)
	assert.Equal(t, ExitUsage, r.code)
	assert.NoFileExists(t, file, "a refused listen records nothing, not even an empty file")

	r = runCLIContext(t, stopped, nil, "listen", "--addr", ":0", "--token", "s3cr3t-0123456789ab", "--no-token")
	assert.Equal(t, ExitUsage, r.code)
	assert.Contains(t, r.stderr, "--no-token contradicts --token")

	for _, args := range [][]string{
		{"--addr", "0.0.0.0:0", "--no-token"},
		{"--addr", "0.0.0.0:0", "--token", "s3cr3t-0123456789ab"},
		{"--addr", "localhost:0"},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		stdout, stderr := &syncBuffer{}, &syncBuffer{}
		done := make(chan int, 1)
		go func() {
			done <- Run(ctx, IO{Stdout: stdout, Stderr: stderr, Getenv: func(string) string { return "" }}, append([]string{"listen"}, args...))
		}()
		require.Eventually(t, func() bool { return strings.Contains(stdout.String(), "listening on") }, 5*time.Second, 5*time.Millisecond, "%v: %s", args, stderr.String())
		cancel()
		assert.Equal(t, ExitOK, <-done, args)
	}
}

// TestCallbackAddressesInPathForm: listen and fake advertise the callback
// addresses as /gurulize/video/TOKEN, the form a mux pattern
// "POST /gurulize/video/{token}" serves; listen still takes ?token=.
func TestCallbackAddressesInPathForm(t *testing.T) {
	for _, cmd := range []string{"listen", "fake"} {
		r := runCLI(t, nil, cmd, "--help")
		assert.Contains(t, r.stdout, "/gurulize/video/TOKEN", cmd)
		assert.Contains(t, r.stdout, "/gurulize/voice/TOKEN", cmd)
		assert.NotContains(t, r.stdout, "?token=T ", cmd)
		assert.NotContains(t, r.stdout, "?token=T\n", cmd)
	}
	base, out, stop := startListen(t, map[string]string{"GURULIZE_CALLBACK_TOKEN": "t0k3n-0123456789ab"})
	assert.Equal(t, 200, get(t, base+"/gurulize/voice/t0k3n-0123456789ab?id=1&code=0&time=1427116743"))
	assert.Equal(t, 200, get(t, base+"/gurulize/voice?token=t0k3n-0123456789ab&id=1&code=1&time=1427116744"))
	assert.Equal(t, 401, get(t, base+"/gurulize/voice/wrong?id=1&code=2&time=1427116745"))
	assert.Equal(t, ExitOK, stop())
	assert.Contains(t, out.String(), "  video events:  POST "+base+"/gurulize/video/t0k3n-0123456789ab\n  call statuses: GET  "+base+"/gurulize/voice/t0k3n-0123456789ab\n")
}

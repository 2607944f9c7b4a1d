package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go/gurulizetest"
)

// sampleRecording is the recording gurulizetest checks in: a meeting of
// room 1b4e28ba-… (7 events) and a busy call 7 (3 statuses).
var sampleRecording = filepath.Join("..", "..", "gurulizetest", "testdata", "recording-v1.jsonl")

// sampleLines returns the sample's lines, each with its newline.
func sampleLines(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(sampleRecording)
	require.NoError(t, err)
	return strings.SplitAfter(strings.TrimSuffix(string(b), "\n"), "\n")
}

// writeRecording writes content to a file in a fresh directory and
// returns the directory and the file's path.
func writeRecording(t *testing.T, content string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "rec.jsonl")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return dir, path
}

// TestGoldenReplay replays recordings into "gurulize listen", a real
// loopback endpoint running the SDK's handlers, with another token than
// the one they were recorded with.
func TestGoldenReplay(t *testing.T) {
	lines := sampleLines(t)
	require.Len(t, lines, 10)
	truncated := strings.Join(lines[:3], "") + lines[3][:40]
	notACallback := lines[0] + `{"hello":"world"}` + "\n" + lines[1]

	tests := []struct {
		name    string
		content string
		args    []string
		code    int
		sent    int // callbacks the endpoint receives
	}{
		{"replay", strings.Join(lines, ""), []string{"--token", "n3w-t0ken-0123456789"}, ExitOK, 10},
		{"replay-duplicate-reorder", strings.Join(lines[7:], ""), []string{"--token", "n3w-t0ken-0123456789", "--duplicate", "--reorder", "--seed", "4"}, ExitOK, 6},
		{"replay-refused", strings.Join(lines[:2], ""), []string{"--token", "wrong-t0ken-0123456789"}, ExitAPI, 0},
		{"replay-truncated", truncated, []string{"--token", "n3w-t0ken-0123456789"}, ExitUsage, 3},
		{"replay-not-a-callback", notACallback, []string{"--token", "n3w-t0ken-0123456789"}, ExitUsage, 0},
		{"replay-empty", "\n", []string{"--token", "n3w-t0ken-0123456789"}, ExitUsage, 0},
		{"replay-no-token", lines[0], nil, ExitUsage, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, listened, stop := startListen(t, map[string]string{"GURULIZE_CALLBACK_TOKEN": "n3w-t0ken-0123456789"})
			dir, path := writeRecording(t, tt.content)
			r := runCLI(t, nil, append([]string{"replay", path, "--to", base}, tt.args...)...)
			assert.Equal(t, tt.code, r.code, r.stderr)
			require.Equal(t, ExitOK, stop())
			golden(t, tt.name, strings.ReplaceAll(transcript(r), dir, "<dir>"))
			assert.Equal(t, tt.sent, strings.Count(listened.String(), "  video  ")+strings.Count(listened.String(), "  voice  "),
				"callbacks the endpoint took:\n%s", listened.String())
		})
	}
}

func TestReplayIntoListenGivesTheSummaries(t *testing.T) {
	base, listened, stop := startListen(t, nil, "--token", "other-t0ken-0123456789")
	r := runCLI(t, map[string]string{"GURULIZE_CALLBACK_TOKEN": "other-t0ken-0123456789"}, "replay", "--speed", "1000", sampleRecording, "--to", base+"/")
	require.Equal(t, ExitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "10 deliveries: 10 accepted, 0 refused, 0 without an answer\n")
	require.Equal(t, ExitOK, stop())
	assert.Contains(t, listened.String(), "room 1b4e28ba-2fa1-41d2-883f-0016d3cca427 ended (HANGUP): 1 meeting(s), billed 40m0s")
	assert.Contains(t, listened.String(), "call 7 BUSY (callee), final")
}

func TestReplayUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"replay", "--to", "http://127.0.0.1:1"}, "gurulize replay: missing FILE (a recording)\n"},
		{[]string{"replay", sampleRecording}, "gurulize replay: --to is required\n"},
		{[]string{"replay", sampleRecording, "--to", "file:///tmp"}, "gurulize replay: --to must be an absolute http:// or https:// URL\n"},
		{[]string{"replay", sampleRecording, "--to", "http://127.0.0.1:1/?token=x"}, "gurulize replay: --to must not have a query"},
		{[]string{"replay", sampleRecording, "--to", "http://127.0.0.1:1", "--speed", "-1"}, "gurulize replay: --speed must be 0 or a positive number\n"},
		{[]string{"replay", "no-such-file.jsonl", "--to", "http://127.0.0.1:1"}, "gurulize replay: open no-such-file.jsonl: no such file or directory\n"},
		{[]string{"replay", sampleRecording, "other.jsonl", "--to", "http://127.0.0.1:1"}, `gurulize replay: unexpected argument "other.jsonl"`},
		{[]string{"replay", sampleRecording, "--to", "http://127.0.0.1:1", "--bogus"}, "gurulize replay: flag provided but not defined: --bogus\n"},
	}
	for _, tt := range tests {
		r := runCLI(t, nil, tt.args...)
		assert.Equal(t, ExitUsage, r.code, "%v", tt.args)
		assert.Contains(t, r.stderr, tt.want, "%v", tt.args)
		assert.Empty(t, r.stdout, "%v: nothing sent", tt.args)
	}
	r := runCLI(t, nil, "replay", "--help")
	assert.Equal(t, ExitOK, r.code)
	assert.Contains(t, r.stdout, "gurulize replay callbacks.jsonl --to http://127.0.0.1:8080")
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		rec  gurulizetest.RecordedCallback
		want string
	}{
		{gurulizetest.RecordedCallback{Method: "POST", Path: "/v", Body: []byte(`{"code":"MEETING_ENDED","eventSource":"SERVER","receivedTime":"1796126400000","reason":"END_MEETING_FORCED","roomUuid":"r\u001b1","meetingTotalDuration":"60000"}`)},
			`video  MEETING_ENDED    room "r\x1b1"  by SERVER  reason END_MEETING_FORCED  total 1m0s`},
		{gurulizetest.RecordedCallback{Method: "GET", Path: "/v", Query: "id=4&code=14&time=1796126400"},
			"voice  VoiceStatusCode(14)   call 4  cause "},
		{gurulizetest.RecordedCallback{Method: "POST", Path: "/v", Query: "token={token}", ContentType: "application/x-www-form-urlencoded; charset=utf-8", Body: []byte("id=5&code=12&cause=16&time=1796126400")},
			"voice  CALLEE_CLOSED         call 5  cause 16"},
		{gurulizetest.RecordedCallback{Method: "GET", Path: "/probe", Query: "x=1"}, ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, describe(tt.rec))
	}
}

func TestDeliveryReport(t *testing.T) {
	var out strings.Builder
	rep := &deliveryReport{p: &printer{out: &out}, origin: start, paths: true}
	rec := gurulizetest.RecordedCallback{Method: "GET", Path: "/probe", Time: start.Add(-1500 * time.Millisecond)}
	rep.add(gurulizetest.ReplayResult{Index: 4, Callback: rec, Status: 502, Answer: "  bad gateway\nsecond line"})
	rep.add(gurulizetest.ReplayResult{Index: 5, Callback: rec, Status: 400, Answer: strings.Repeat("é", 150), Duplicate: true})
	assert.Equal(t, ExitAPI, rep.finish())
	assert.Equal(t, "   5  -1.5s         GET /probe  -> 502 Bad Gateway: bad gateway\n"+
		"   6  -1.5s         GET /probe  (again)  -> 400 Bad Request: "+strings.Repeat("é", 100)+"…\n"+
		"2 deliveries: 0 accepted, 2 refused, 0 without an answer\n", out.String())
}

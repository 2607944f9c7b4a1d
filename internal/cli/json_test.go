package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jsonLines decodes output of one JSON object per line.
func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var v map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &v), "not a JSON line: %q", line)
		lines = append(lines, v)
	}
	return lines
}

// TestTriggerJSON: trigger --json prints the scenario, one object per
// delivery, the count and what a tracker should end with.
func TestTriggerJSON(t *testing.T) {
	const token = "trigger-json-token-0123"
	base, _, stop := startListen(t, map[string]string{"GURULIZE_CALLBACK_TOKEN": token})
	defer stop()
	r := runCLI(t, nil, "trigger", "room", "meet", "--to", base+"/gurulize/video/"+token,
		"--room", fixedRoom, "--start", start.Format(time.RFC3339), "--json")
	require.Equal(t, ExitOK, r.code, r.stderr)
	lines := jsonLines(t, r.stdout)
	require.Len(t, lines, 1+7+2, r.stdout) // header, 7 events, count, expectation

	assert.Equal(t, map[string]any{"type": "trigger", "kind": "room", "scenario": "meet", "callbacks": 7.0,
		"roomUuid": fixedRoom, "to": strings.TrimPrefix(base, "http://")}, lines[0])
	first := lines[1]
	assert.Equal(t, "delivery", first["type"])
	assert.Equal(t, 1.0, first["n"])
	assert.Equal(t, 0.0, first["offsetMs"])
	assert.Equal(t, true, first["delivered"])
	assert.Equal(t, 200.0, first["status"])
	assert.Equal(t, false, first["duplicate"])
	assert.NotContains(t, first, "path", "trigger does not print the URL it was given, token included")
	video := first["video"].(map[string]any)
	assert.Equal(t, "JOIN", video["code"])
	assert.Equal(t, fixedRoom, video["roomUuid"])
	assert.Equal(t, 30_000.0, lines[2]["offsetMs"])
	assert.Equal(t, map[string]any{"type": "summary", "deliveries": 7.0, "accepted": 7.0, "refused": 0.0, "unanswered": 0.0}, lines[8])
	assert.Equal(t, "expected", lines[9]["type"])
	room := lines[9]["room"].(map[string]any)
	assert.Equal(t, fixedRoom, room["roomUuid"])
	assert.Equal(t, 2400.0, room["billedSeconds"])
	assert.Equal(t, 1.0, room["meetings"])
	assert.NotContains(t, r.stdout, token)

	// A call scenario carries the call's statuses and its expected summary.
	r = runCLI(t, nil, "trigger", "call", "callee-busy", "--to", base+"/gurulize/voice/"+token, "--call", "9", "--json")
	require.Equal(t, ExitOK, r.code, r.stderr)
	lines = jsonLines(t, r.stdout)
	assert.Equal(t, 9.0, lines[0]["callId"])
	assert.Equal(t, "CALLS_STARTING", lines[1]["voice"].(map[string]any)["name"])
	call := lines[len(lines)-1]["call"].(map[string]any)
	assert.Equal(t, "BUSY", call["outcome"])
	assert.Equal(t, "CALLEE", call["failedParty"])
}

// TestTriggerNothingAccepted: when the endpoint took no callback, trigger
// says so instead of describing a summary nobody has.
func TestTriggerNothingAccepted(t *testing.T) {
	base, _, stop := startListen(t, map[string]string{"GURULIZE_CALLBACK_TOKEN": "the-right-token-0123"})
	defer stop()
	r := runCLI(t, nil, "trigger", "room", "two-breaks", "--to", base+"/gurulize/video/a-wrong-token-01234", "--room", fixedRoom)
	assert.Equal(t, ExitAPI, r.code)
	assert.True(t, strings.HasSuffix(r.stdout, "15 deliveries: 0 accepted, 15 refused, 0 without an answer\n"+
		"no callback was accepted: your endpoint has nothing for room "+fixedRoom+"\n"), r.stdout)
	assert.NotContains(t, r.stdout, "a tracker given every callback")

	r = runCLI(t, nil, "trigger", "room", "two-breaks", "--to", base+"/gurulize/video/a-wrong-token-01234", "--room", fixedRoom, "--json")
	assert.Equal(t, ExitAPI, r.code)
	lines := jsonLines(t, r.stdout)
	last := lines[len(lines)-1]
	assert.Equal(t, map[string]any{"type": "nothing-accepted", "message": "no callback was accepted"}, last)
	assert.Equal(t, false, lines[1]["delivered"])
	assert.Equal(t, 401.0, lines[1]["status"])
	assert.Contains(t, lines[1]["answer"], "token")

	// Usage errors are JSON on stderr too.
	r = runCLI(t, nil, "trigger", "room", "party", "--to", base+"/gurulize/video/x", "--json")
	assert.Equal(t, ExitUsage, r.code)
	var failed map[string]failure
	require.NoError(t, json.Unmarshal([]byte(r.stderr), &failed), r.stderr)
	assert.Equal(t, "usage", failed["error"].Kind)
	assert.Contains(t, failed["error"].Message, `unknown scenario "party"`)
}

// replayToken is the token of the endpoint the recordings are replayed to.
const replayToken = "replay-json-token-0123"

// TestReplayJSON: replay --json prints the replay, one object per delivery
// with its recorded method and path, and the count.
func TestReplayJSON(t *testing.T) {
	base, _, stop := startListen(t, map[string]string{"GURULIZE_CALLBACK_TOKEN": replayToken})
	defer stop()
	lines := sampleLines(t)
	_, path := writeRecording(t, strings.Join(lines[7:], ""))
	r := runCLI(t, nil, "replay", path, "--to", base, "--token", replayToken, "--json")
	require.Equal(t, ExitOK, r.code, r.stderr)
	out := jsonLines(t, r.stdout)
	require.Len(t, out, 1+3+1, r.stdout)
	assert.Equal(t, map[string]any{"type": "replay", "file": path, "callbacks": 3.0, "to": strings.TrimPrefix(base, "http://")}, out[0])
	d := out[1]
	assert.Equal(t, "delivery", d["type"])
	assert.Equal(t, "GET", d["method"])
	assert.Equal(t, "/gurulize/voice", d["path"])
	assert.Equal(t, true, d["delivered"])
	assert.Equal(t, 7.0, d["voice"].(map[string]any)["id"])
	assert.Equal(t, map[string]any{"type": "summary", "deliveries": 3.0, "accepted": 3.0, "refused": 0.0, "unanswered": 0.0}, out[4])

	// A recording cut short: a JSON warning on stderr, the rest sent.
	_, path = writeRecording(t, strings.Join(lines[:3], "")+lines[3][:40])
	r = runCLI(t, nil, "replay", path, "--to", base, "--token", replayToken, "--json")
	assert.Equal(t, ExitUsage, r.code)
	var warning map[string]map[string]string
	require.NoError(t, json.Unmarshal([]byte(r.stderr), &warning), r.stderr)
	assert.Contains(t, warning["warning"]["message"], "sending the 3 callback(s) before it")
	assert.Len(t, jsonLines(t, r.stdout), 1+3+1)

	// Errors are JSON on stderr.
	r = runCLI(t, nil, "replay", path, "--to", "ftp://x", "--json")
	assert.Equal(t, ExitUsage, r.code)
	var failed map[string]failure
	require.NoError(t, json.Unmarshal([]byte(r.stderr), &failed), r.stderr)
	assert.Equal(t, "--to", failed["error"].Flag)
}

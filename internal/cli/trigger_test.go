package cli

import (
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

// fixedRoom is the room UUID the golden trigger runs use.
const fixedRoom = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"

// TestGoldenTrigger plays scenarios into "gurulize listen", a real loopback
// endpoint running the SDK's handlers.
func TestGoldenTrigger(t *testing.T) {
	base, listened, stop := startListen(t, map[string]string{"GURULIZE_CALLBACK_TOKEN": "t0k3n-0123456789ab"})
	at := start.Format(time.RFC3339)
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"trigger-room-two-breaks", []string{"trigger", "room", "two-breaks", "--to", base + "/gurulize/video/t0k3n-0123456789ab", "--room", fixedRoom, "--start", at}, ExitOK},
		{"trigger-call-callee-busy-faults", []string{"trigger", "call", "--duplicate", "callee-busy", "--reorder", "--seed", "2",
			"--to", base + "/gurulize/voice?token=t0k3n-0123456789ab", "--call", "7", "--start", at}, ExitOK},
		{"trigger-refused", []string{"trigger", "room", "no-show", "--to", base + "/gurulize/video?token=wrong-t0ken-0123456789", "--room", fixedRoom, "--start", at}, ExitAPI},
		{"trigger-unknown-scenario", []string{"trigger", "room", "party", "--to", base + "/gurulize/video"}, ExitUsage},
		{"trigger-bad-url", []string{"trigger", "call", "busy", "--to", "ftp://127.0.0.1/gurulize/voice?token=t0k3n-0123456789ab"}, ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, nil, tt.args...)
			assert.Equal(t, tt.code, r.code, r.stderr)
			golden(t, tt.name, transcript(r))
			assert.NotContains(t, r.stdout+r.stderr, "t0k3n-0123456789ab", "the token is not printed")
		})
	}
	require.Equal(t, ExitOK, stop())
	out := listened.String()
	assert.Contains(t, out, "room "+fixedRoom+" ended (HANGUP): 3 meeting(s), billed 30m0s", "the endpoint got the scenario")
	assert.Contains(t, out, "call 7 BUSY (callee), final")
	assert.Equal(t, 6, strings.Count(out, "  call 7  cause"), "duplicates and all: 3 statuses twice")
}

func TestTriggerWithoutAnEndpoint(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	r := runCLI(t, nil, "trigger", "call", "out-of-credits", "--to", "http://"+addr+"/gurulize/voice/s3cr3t-0123456789ab", "--call", "3")
	assert.Equal(t, ExitNetwork, r.code)
	assert.Contains(t, r.stdout, "   1  +0s           voice  CALLS_STARTING        call 3  cause 0  -> no answer: dial tcp "+addr+": connect: connection refused\n")
	assert.Contains(t, r.stdout, "2 deliveries: 0 accepted, 0 refused, 2 without an answer\n")
	assert.NotContains(t, r.stdout+r.stderr, "s3cr3t-0123456789ab")
}

func TestTriggerTimeScale(t *testing.T) {
	base, _, stop := startListen(t, nil)
	began := time.Now()
	// CALLER_NOT_ANSWERED comes 30s after CALLS_STARTING: 300ms at 100 times real time.
	r := runCLI(t, nil, "trigger", "call", "no-answer", "--to", base+"/gurulize/voice", "--time-scale", "100")
	elapsed := time.Since(began)
	require.Equal(t, ExitOK, r.code, r.stderr)
	assert.GreaterOrEqual(t, elapsed, 300*time.Millisecond)
	assert.Less(t, elapsed, 3*time.Second)
	assert.Contains(t, r.stdout, "+30s          voice  CALLER_NOT_ANSWERED")
	assert.Equal(t, ExitOK, stop())
}

func TestTriggerUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"trigger", "room", "meet"}, "gurulize trigger room: --to is required\n"},
		{[]string{"trigger", "room", "--to", "http://127.0.0.1:1/"}, "gurulize trigger room: missing SCENARIO\n"},
		{[]string{"trigger", "room", "meet", "two-breaks", "--to", "http://127.0.0.1:1/"}, `gurulize trigger room: unexpected argument "two-breaks"`},
		{[]string{"trigger", "call", "party"}, `gurulize trigger call: unknown scenario "party"; the call scenarios are answered, caller-hangs-up, busy, callee-busy, rejected,`},
		{[]string{"trigger", "call", "busy", "--to", "127.0.0.1:8080/gurulize/voice"}, "gurulize trigger call: --to must be an absolute http:// or https:// URL\n"},
		{[]string{"trigger", "call", "busy", "--to", "http://127.0.0.1:1/", "--time-scale", "-2"}, "gurulize trigger call: --time-scale must be 0 or a positive number\n"},
		{[]string{"trigger", "call", "busy", "--to", "http://127.0.0.1:1/", "--start", "yesterday"}, "gurulize trigger call: --start "},
		{[]string{"trigger", "call", "busy", "--to", "http://127.0.0.1:1/", "--room", "r"}, "gurulize trigger call: flag provided but not defined: --room\n"},
		{[]string{"trigger", "room", "meet", "--to", "http://127.0.0.1:1/", "--call", "1"}, "gurulize trigger room: flag provided but not defined: --call\n"},
	}
	for _, tt := range tests {
		r := runCLI(t, nil, tt.args...)
		assert.Equal(t, ExitUsage, r.code, "%v", tt.args)
		assert.Contains(t, r.stderr, tt.want, "%v", tt.args)
		assert.Empty(t, r.stdout, "%v: nothing sent", tt.args)
	}

	r := runCLI(t, nil, "trigger", "room", "--help")
	assert.Equal(t, ExitOK, r.code)
	for _, sc := range roomScenarios {
		assert.Contains(t, r.stdout, "  "+sc.name+" ")
	}
	assert.Contains(t, r.stdout, "-> 3 meeting(s), billed 30m0s, ended (HANGUP)")
	r = runCLI(t, nil, "trigger", "call", "-h")
	assert.Equal(t, ExitOK, r.code)
	for _, sc := range callScenarios {
		assert.Contains(t, r.stdout, "  "+sc.name+" ")
	}
	assert.Contains(t, r.stdout, "-> BUSY (callee), final")
	r = runCLI(t, nil, "trigger")
	assert.Equal(t, ExitUsage, r.code)
	assert.Contains(t, r.stderr, "gurulize trigger room SCENARIO --to URL [flags]\n")
	r = runCLI(t, nil, "trigger", "--help")
	assert.Equal(t, ExitOK, r.code)
	assert.Contains(t, r.stdout, "gurulize trigger call SCENARIO --to URL [flags]\n")
	r = runCLI(t, nil, "trigger", "video")
	assert.Equal(t, ExitUsage, r.code)
	assert.Contains(t, r.stderr, `unknown command "trigger video"`)
}

// Without --room or --call, each run is a new room or call.
func TestTriggerPicksANewRoomAndCall(t *testing.T) {
	base, _, stop := startListen(t, nil)
	headRe := regexp.MustCompile(`^room meet: 7 callbacks for room ([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}), to `)
	var rooms []string
	for range 2 {
		r := runCLI(t, nil, "trigger", "room", "meet", "--to", base+"/gurulize/video")
		require.Equal(t, ExitOK, r.code, r.stderr)
		m := headRe.FindStringSubmatch(r.stdout)
		require.NotNil(t, m, "a version 4 UUID: %s", r.stdout)
		rooms = append(rooms, m[1])
	}
	assert.NotEqual(t, rooms[0], rooms[1])

	callRe := regexp.MustCompile(`^call busy: 2 callbacks for call ([1-9][0-9]*), to `)
	var calls []string
	for range 2 {
		r := runCLI(t, nil, "trigger", "call", "busy", "--to", base+"/gurulize/voice")
		require.Equal(t, ExitOK, r.code, r.stderr)
		m := callRe.FindStringSubmatch(r.stdout)
		require.NotNil(t, m, r.stdout)
		calls = append(calls, m[1])
	}
	assert.NotEqual(t, calls[0], calls[1])
	assert.Equal(t, ExitOK, stop())
}

func TestOutcomeTexts(t *testing.T) {
	assert.Equal(t, "2 meeting(s), billed 5m0s, ended", roomOutcome(gurulize.RoomSummary{Activated: true, Meetings: 2, Billed: 5 * time.Minute, Ended: true}))
	assert.Equal(t, "1 meeting(s), billed 0s", roomOutcome(gurulize.RoomSummary{Activated: true, Meetings: 1}))
	assert.Equal(t, "IN_PROGRESS", callOutcome(gurulize.CallSummary{Outcome: gurulize.OutcomeInProgress}))
}

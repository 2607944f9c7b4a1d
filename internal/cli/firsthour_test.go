package cli

import (
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go/gurulizetest"
)

// TestFlagsAreCheckedBeforeCredentials: with no account configured at all,
// a mistake in the flags is what the command reports, naming the flag.
func TestFlagsAreCheckedBeforeCredentials(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"room", "create"}, "gurulize room create: --duration is required\n"},
		{[]string{"room", "create", "--duration", "90s"}, "gurulize room create: --duration must be a whole number of minutes, got 1m30s\n"},
		{[]string{"room", "create", "--duration", "45m", "--end-how", "LATER"}, `gurulize room create: --end-how "LATER" is not AUTOMATIC or BY_HOST` + "\n"},
		{[]string{"room", "create", "--duration", "45m", "--end-when", "NEVER"}, `gurulize room create: --end-when "NEVER" is not END_TIME or END_OF_DURATION` + "\n"},
		{[]string{"room", "create", "--duration", "45m", "--start", "tomorrow"}, `gurulize room create: --start "tomorrow" is not now`},
		{[]string{"call", "register"}, "gurulize call register: --caller is required\n"},
		{[]string{"call", "register", "--caller", "5321234567"}, "gurulize call register: --callee is required\n"},
		{[]string{"call", "register", "--caller", "5321234567", "--callee", "5427654321"}, "gurulize call register: --max-duration is required\n"},
		{[]string{"call", "register", "--caller", "+90532", "--callee", "5427654321", "--max-duration", "1m"}, "gurulize call register: --caller has '+' at offset 0"},
		{[]string{"call", "register", "--caller", "5321234567", "--callee", "x", "--max-duration", "1m"}, "gurulize call register: --callee has 'x' at offset 0"},
		{[]string{"call", "register", "--caller", "5321234567", "--callee", "5427654321", "--max-duration", "1500ms"}, "gurulize call register: --max-duration must be a whole number of seconds, got 1.5s\n"},
	} {
		r := runCLI(t, nil, tc.args...) // no GURULIZE_USERNAME, no password
		assert.Equal(t, ExitUsage, r.code, tc.args)
		assert.True(t, strings.HasPrefix(r.stderr, tc.want), "%v: %q", tc.args, r.stderr)
		assert.NotContains(t, r.stderr, "username", tc.args)
	}
	// Once the flags are right, the missing account is reported.
	r := runCLI(t, nil, "room", "create", "--duration", "45m")
	assert.Equal(t, "gurulize room create: --username is required (or set GURULIZE_USERNAME)\n", r.stderr)
}

// TestParseErrorsAreShort: a flag the command does not know, or a value it
// cannot parse, is one line and a pointer to the help, not the help itself.
func TestParseErrorsAreShort(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"room", "create", "--color"}, "gurulize room create: flag provided but not defined: --color\nsee 'gurulize room create --help'\n"},
		{[]string{"room", "create", "--duration", "45"}, "gurulize room create: invalid value \"45\" for flag --duration: a duration needs a unit: 45m for minutes, 45s for seconds\nsee 'gurulize room create --help'\n"},
		{[]string{"call", "register", "--caller"}, "gurulize call register: flag needs an argument: --caller\nsee 'gurulize call register --help'\n"},
		{[]string{"listen", "extra"}, "gurulize listen: unexpected argument \"extra\"\nsee 'gurulize listen --help'\n"},
		{[]string{"trigger", "room"}, "gurulize trigger room: missing SCENARIO\nsee 'gurulize trigger room --help'\n"},
		{[]string{"replay", "--speed", "fast"}, "gurulize replay: invalid value \"fast\" for flag --speed: parse error\nsee 'gurulize replay --help'\n"},
	} {
		r := runCLI(t, nil, tc.args...)
		assert.Equal(t, ExitUsage, r.code, tc.args)
		assert.Equal(t, tc.want, r.stderr, tc.args)
		assert.Empty(t, r.stdout, tc.args)
	}
}

// TestHelpCommand: "gurulize help X" is "gurulize X --help", for a group
// and for a command.
func TestHelpCommand(t *testing.T) {
	r := runCLI(t, nil, "help", "room")
	assert.Equal(t, ExitOK, r.code)
	assert.True(t, strings.HasPrefix(r.stdout, "gurulize room: video rooms."), r.stdout)

	r = runCLI(t, nil, "help", "room", "create")
	assert.Equal(t, ExitOK, r.code)
	assert.Contains(t, r.stdout, "gurulize room create: create a video room")
	assert.Contains(t, r.stdout, "  --duration duration\n")

	r = runCLI(t, nil, "help", "listen")
	assert.Equal(t, ExitOK, r.code)
	assert.Contains(t, r.stdout, "gurulize listen: receive the provider's callbacks")

	r = runCLI(t, nil, "help")
	assert.Equal(t, ExitOK, r.code)
	assert.Contains(t, r.stdout, "Usage:")

	r = runCLI(t, nil, "help", "lisen")
	assert.Equal(t, ExitUsage, r.code)
	assert.Equal(t, "gurulize: unknown command \"lisen\"; did you mean \"listen\"?\nsee 'gurulize --help'\n", r.stderr)
}

// TestDidYouMean: an unknown command close to a real one names it.
func TestDidYouMean(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"lsiten"}, "gurulize: unknown command \"lsiten\"; did you mean \"listen\"?\nsee 'gurulize --help'\n"},
		{[]string{"rooms", "create"}, "gurulize: unknown command \"rooms\"; did you mean \"room\"?\nsee 'gurulize --help'\n"},
		{[]string{"replya"}, "gurulize: unknown command \"replya\"; did you mean \"replay\"?\nsee 'gurulize --help'\n"},
		{[]string{"room", "crate"}, "gurulize: unknown command \"room crate\"; did you mean \"room create\"?\nsee 'gurulize room --help'\n"},
		{[]string{"call", "registr"}, "gurulize: unknown command \"call registr\"; did you mean \"call register\"?\nsee 'gurulize call --help'\n"},
		{[]string{"trigger", "rooms"}, "gurulize: unknown command \"trigger rooms\"; did you mean \"trigger room\"?\nsee 'gurulize trigger --help'\n"},
		{[]string{"deploy"}, "gurulize: unknown command \"deploy\"\nsee 'gurulize --help'\n"},
		{[]string{"room", "destroy"}, "gurulize: unknown command \"room destroy\"\nsee 'gurulize room --help'\n"},
	} {
		r := runCLI(t, nil, tc.args...)
		assert.Equal(t, ExitUsage, r.code, tc.args)
		assert.Equal(t, tc.want, r.stderr, tc.args)
	}
}

// TestAddressInUse: a port already taken names the flag that picks another.
func TestAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	addr := ln.Addr().String()

	r := runCLI(t, nil, "listen", "--addr", addr, "--token", "listen-test-token-0123")
	assert.Equal(t, ExitUsage, r.code)
	assert.Equal(t, "gurulize listen: --addr "+addr+" is already in use (by another program, or another gurulize): "+
		"choose another port with --addr, such as --addr 127.0.0.1:0 (any free port; the one taken is printed)\n", r.stderr)

	r = runCLI(t, nil, "fake", "--addr", addr)
	assert.Equal(t, ExitUsage, r.code)
	assert.Contains(t, r.stderr, "gurulize fake: --addr "+addr+" is already in use")
	assert.Contains(t, r.stderr, "choose another port with --addr")
}

// TestRoomCreateWarnsOfAPastStart: a start time in the past is sent as
// given (the provider's rule is not documented), with a warning on stderr.
func TestRoomCreateWarnsOfAPastStart(t *testing.T) {
	srv, seen := provider(t)
	env := map[string]string{"GURULIZE_USERNAME": "acme", "GURULIZE_PASSWORD": "pw", "GURULIZE_VIDEO_URL": srv.URL + "/create"}
	past := start.Add(-2 * time.Hour).Format("2006-01-02T15:04:05Z07:00")

	r := runCLI(t, env, "room", "create", "--duration", "45m", "--start", past)
	require.Equal(t, ExitOK, r.code, r.stderr)
	assert.Equal(t, "gurulize room create: warning: --start "+past+" is in the past; the provider does not document "+
		"what it does with such a room, so check that it can be entered\n", r.stderr)
	assert.Contains(t, r.stdout, "room   u-1")
	require.Len(t, *seen, 1, "the room is created all the same")

	r = runCLI(t, env, "room", "create", "--duration", "45m", "--start", past, "--json")
	require.Equal(t, ExitOK, r.code, r.stderr)
	var warning map[string]map[string]string
	require.NoError(t, json.Unmarshal([]byte(r.stderr), &warning), r.stderr)
	assert.Equal(t, "--start", warning["warning"]["flag"])
	assert.Contains(t, warning["warning"]["message"], "is in the past")

	for _, s := range []string{"now", "+10m", start.Add(2 * time.Hour).Format("2006-01-02T15:04:05Z07:00")} {
		r = runCLI(t, env, "room", "create", "--duration", "45m", "--start", s)
		require.Equal(t, ExitOK, r.code, r.stderr)
		assert.Empty(t, r.stderr, s)
	}
}

// TestFakeHelpListsEveryMagicNumber: the help's table is the fake's.
func TestFakeHelpListsEveryMagicNumber(t *testing.T) {
	r := runCLI(t, nil, "fake", "--help")
	require.Equal(t, ExitOK, r.code)
	numbers := gurulizetest.MagicNumbers()
	require.GreaterOrEqual(t, len(numbers), 11)
	for number, what := range numbers {
		assert.Contains(t, r.stdout, "\n  "+number+"  "+what+"\n")
	}
	assert.Contains(t, r.stdout, "\n  any other   answered, 1 minute of talk\n")
}

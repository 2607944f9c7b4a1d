package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostileProvider answers the APIs with strings a terminal would act on.
func hostileProvider(t *testing.T, refuse bool) map[string]string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case refuse:
			_, _ = w.Write([]byte(`{"success":false,"message":"Missing Parameter (x)\u001b[2J\nok"}`))
		case r.Method == http.MethodGet:
			_, _ = w.Write([]byte(`{"uuid":"u-1\u001b[2J","hostUrl":"https://h/?t=1\u009b31m","guestUrl":"https://g/?t=2\u202e"}`))
		default:
			_, _ = w.Write([]byte(`{"success":true,"message":"Request Received\u001b]0;pwned\u0007\r\nstatus OK","id":7}`))
		}
	}))
	t.Cleanup(srv.Close)
	return map[string]string{"GURULIZE_USERNAME": "acme", "GURULIZE_PASSWORD": "pw",
		"GURULIZE_VIDEO_URL": srv.URL + "/create", "GURULIZE_VOICE_URL": srv.URL + "/c2c"}
}

// assertTerminalSafe checks that only printable characters and line ends
// reach the terminal (and, with asciiOnly, only printable ASCII).
func assertTerminalSafe(t *testing.T, out string, asciiOnly bool) {
	t.Helper()
	for _, r := range out {
		if r == '\n' {
			continue
		}
		if asciiOnly {
			assert.True(t, r >= 0x20 && r < 0x7f, "%q reached the terminal in %q", r, out)
		} else {
			assert.True(t, r >= 0x20 && r != 0x7f && !(r >= 0x80 && r < 0xa0) && r != 0x202e, "%q reached the terminal in %q", r, out)
		}
	}
}

// TestRoomCreateAndCallRegisterEscapeWhatTheServerSent: the server's
// strings are printed as listen prints callbacks: Go-quoted in text when
// they hold a character a terminal acts on, \u-escaped in JSON.
func TestRoomCreateAndCallRegisterEscapeWhatTheServerSent(t *testing.T) {
	env := hostileProvider(t, false)
	r := runCLI(t, env, "room", "create", "--duration", "45m")
	require.Equal(t, ExitOK, r.code, r.stderr)
	assert.Equal(t, "room   \"u-1\\x1b[2J\"\nhost   \"https://h/?t=1\\u009b31m\"\nguest  \"https://g/?t=2\\u202e\"\n", r.stdout)
	assertTerminalSafe(t, r.stdout, false)

	r = runCLI(t, env, "room", "create", "--duration", "45m", "--json")
	require.Equal(t, ExitOK, r.code, r.stderr)
	assertTerminalSafe(t, r.stdout, true)
	assert.Contains(t, r.stdout, `"hostUrl": "https://h/?t=1\u009b31m"`, "indented as before")
	var room map[string]string
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &room))
	assert.Equal(t, map[string]string{"uuid": "u-1\x1b[2J", "hostUrl": "https://h/?t=1\u009b31m", "guestUrl": "https://g/?t=2\u202e"}, room,
		"the escapes decode to what the server sent")

	r = runCLI(t, env, "call", "register", "--caller", "5321234567", "--callee", "5427654321", "--max-duration", "10m")
	require.Equal(t, ExitOK, r.code, r.stderr)
	assert.Equal(t, "call   7\nstatus \"Request Received\\x1b]0;pwned\\a\\r\\nstatus OK\"\n", r.stdout)
	assertTerminalSafe(t, r.stdout, false)

	r = runCLI(t, env, "call", "register", "--caller", "5321234567", "--callee", "5427654321", "--max-duration", "10m", "--json")
	require.Equal(t, ExitOK, r.code, r.stderr)
	assertTerminalSafe(t, r.stdout, true)
	var reg struct{ Message string }
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &reg))
	assert.Equal(t, "Request Received\x1b]0;pwned\a\r\nstatus OK", reg.Message)
}

// TestRefusalsEscapeWhatTheServerSent: an API error quotes the server's
// message; it reaches stderr escaped too.
func TestRefusalsEscapeWhatTheServerSent(t *testing.T) {
	env := hostileProvider(t, true)
	for _, args := range [][]string{
		{"room", "create", "--duration", "45m"},
		{"call", "register", "--caller", "5321234567", "--callee", "5427654321", "--max-duration", "10m"},
	} {
		r := runCLI(t, env, args...)
		assert.Equal(t, ExitAPI, r.code, r.stderr)
		assert.Contains(t, r.stderr, `\x1b[2J\nok`, args)
		assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
		assertTerminalSafe(t, r.stderr, false)

		r = runCLI(t, env, append(args, "--json")...)
		assert.Equal(t, ExitAPI, r.code, r.stderr)
		assert.Contains(t, r.stderr, `\u001b[2J\nok`, args)
		assertTerminalSafe(t, r.stderr, true)
	}
}

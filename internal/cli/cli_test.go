package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

// result is one in-process run of the command.
type result struct {
	code   int
	stdout string
	stderr string
}

func runCLI(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	return runCLIContext(t, context.Background(), env, args...)
}

// runCLIContext is runCLI with a context: a cancelled one stops a server
// command (listen, fake) as soon as it has started.
func runCLIContext(t *testing.T, ctx context.Context, env map[string]string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(ctx, IO{
		Stdout: &stdout,
		Stderr: &stderr,
		Getenv: func(k string) string { return env[k] },
		Now:    func() time.Time { return start }, // "now" is when the golden runs are pinned
	}, args)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// provider is a minimal loopback stand-in for the APIs that records queries.
func provider(t *testing.T) (*httptest.Server, *[]url.Values) {
	t.Helper()
	var seen []url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		seen = append(seen, r.Form)
		if r.Form.Get("password") != "pw" {
			_, _ = w.Write([]byte(`{"success":false,"message":"User Information Is Invalid"}`))
			return
		}
		if r.Method == http.MethodGet {
			_, _ = w.Write([]byte(`{"uuid":"u-1","hostUrl":"https://h/?t=1","guestUrl":"https://g/?t=2"}`))
			return
		}
		_, _ = w.Write([]byte(`{"success":true,"message":"Request Received","id":7}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &seen
}

func TestTopLevel(t *testing.T) {
	r := runCLI(t, nil, "--version")
	assert.Equal(t, ExitOK, r.code)
	assert.Equal(t, "gurulize "+gurulize.Version+"\n", r.stdout)

	r = runCLI(t, nil, "--help")
	assert.Equal(t, ExitOK, r.code)
	assert.Contains(t, r.stdout, "gurulize room create")

	r = runCLI(t, nil)
	assert.Equal(t, ExitUsage, r.code)
	assert.Contains(t, r.stderr, "Usage:")

	r = runCLI(t, nil, "room", "destroy")
	assert.Equal(t, ExitUsage, r.code)
	assert.Contains(t, r.stderr, `unknown command "room destroy"`)
}

func TestRoomCreate(t *testing.T) {
	srv, seen := provider(t)
	env := map[string]string{"GURULIZE_USERNAME": "acme", "GURULIZE_PASSWORD": "pw", "GURULIZE_VIDEO_URL": srv.URL + "/create"}

	r := runCLI(t, env, "room", "create", "--duration", "45m", "--start", "2026-12-01T15:00:00+03:00", "--end-how", "BY_HOST", "--lang", "tr")
	require.Equal(t, ExitOK, r.code, r.stderr)
	assert.Equal(t, "room   u-1\nhost   https://h/?t=1\nguest  https://g/?t=2\n", r.stdout)
	q := (*seen)[0]
	assert.Equal(t, "45", q.Get("durationInMinutes"))
	assert.Equal(t, "1796126400000", q.Get("startDate"))
	assert.Equal(t, "BY_HOST", q.Get("endHow"))
	assert.Equal(t, "tr", q.Get("lang"))

	r = runCLI(t, env, "room", "create", "--duration", "30m", "--start", "+10m", "--json")
	require.Equal(t, ExitOK, r.code, r.stderr)
	var out map[string]string
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
	assert.Equal(t, map[string]string{"uuid": "u-1", "hostUrl": "https://h/?t=1", "guestUrl": "https://g/?t=2"}, out)
}

func TestCallRegister(t *testing.T) {
	srv, seen := provider(t)
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	require.NoError(t, os.WriteFile(pwFile, []byte("pw\n"), 0o600))
	env := map[string]string{"GURULIZE_VOICE_URL": srv.URL + "/c2c"}

	r := runCLI(t, env, "call", "register", "--username", "acme", "--password-file", pwFile,
		"--caller", "(532) 123 45 67", "--callee", "542-765-43-21", "--max-duration", "10m")
	require.Equal(t, ExitOK, r.code, r.stderr)
	assert.Equal(t, "call   7\nstatus Request Received\n", r.stdout)
	f := (*seen)[0]
	assert.Equal(t, "5321234567", f.Get("caller"))
	assert.Equal(t, "600", f.Get("duration"))
	assert.Equal(t, "acme", f.Get("username"))

	r = runCLI(t, env, "call", "register", "--username", "acme", "--password-file", pwFile,
		"--caller", "5321234567", "--callee", "5427654321", "--max-duration", "90s", "--json")
	require.Equal(t, ExitOK, r.code, r.stderr)
	assert.JSONEq(t, `{"id":7,"message":"Request Received"}`, r.stdout)
}

func TestExitCodes(t *testing.T) {
	srv, seen := provider(t)
	good := map[string]string{"GURULIZE_USERNAME": "acme", "GURULIZE_PASSWORD": "pw", "GURULIZE_VIDEO_URL": srv.URL + "/create", "GURULIZE_VOICE_URL": srv.URL + "/c2c"}
	bad := map[string]string{"GURULIZE_USERNAME": "acme", "GURULIZE_PASSWORD": "nope", "GURULIZE_VIDEO_URL": srv.URL + "/create", "GURULIZE_VOICE_URL": srv.URL + "/c2c"}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	offline := map[string]string{"GURULIZE_USERNAME": "acme", "GURULIZE_PASSWORD": "pw", "GURULIZE_VIDEO_URL": closed.URL + "/create"}

	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		stderr string
	}{
		{"fractional minutes", good, []string{"room", "create", "--duration", "90s"}, ExitUsage, "--duration must be a whole number of minutes"},
		{"missing duration", good, []string{"room", "create"}, ExitUsage, "--duration is required"},
		{"zero duration", good, []string{"room", "create", "--duration", "0s"}, ExitUsage, "--duration must be positive"},
		{"bad start", good, []string{"room", "create", "--duration", "1h", "--start", "tomorrow"}, ExitUsage, `--start "tomorrow" is not now`},
		{"bad relative start", good, []string{"room", "create", "--duration", "1h", "--start", "+soon"}, ExitUsage, "--start"},
		{"unknown end-how", good, []string{"room", "create", "--duration", "1h", "--end-how", "LATER"}, ExitUsage, `--end-how "LATER"`},
		{"bad lang", good, []string{"room", "create", "--duration", "1h", "--lang", "de"}, ExitUsage, `--lang "de"`},
		{"bad caller", good, []string{"call", "register", "--caller", "+90", "--callee", "1", "--max-duration", "1m"}, ExitUsage, "--caller has '+'"},
		{"no username", map[string]string{}, []string{"room", "create", "--duration", "1h"}, ExitUsage, "--username is required"},
		{"no password", map[string]string{"GURULIZE_USERNAME": "a"}, []string{"room", "create", "--duration", "1h"}, ExitUsage, "--password-file is required"},
		{"missing password file", good, []string{"room", "create", "--duration", "1h", "--password-file", "/nonexistent/pw"}, ExitUsage, "--password-file open /nonexistent/pw"},
		{"no voice url", map[string]string{"GURULIZE_USERNAME": "a", "GURULIZE_PASSWORD": "b"}, []string{"call", "register", "--caller", "1", "--callee", "2", "--max-duration", "1m"}, ExitUsage, "--voice-url is required"},
		{"plain http url", good, []string{"room", "create", "--duration", "1h", "--video-url", "http://example.com/x"}, ExitUsage, `--video-url http:// is only allowed on loopback hosts (got "example.com"); use https, or --insecure-http`},
		{"unknown flag", good, []string{"room", "create", "--color"}, ExitUsage, "gurulize room create: flag provided but not defined: --color"},
		{"stray argument", good, []string{"room", "create", "--duration", "1h", "extra"}, ExitUsage, `unexpected argument "extra"`},
		{"wrong credentials", bad, []string{"room", "create", "--duration", "1h"}, ExitAPI, "User Information Is Invalid"},
		{"wrong credentials call", bad, []string{"call", "register", "--caller", "1", "--callee", "2", "--max-duration", "1m"}, ExitAPI, "User Information Is Invalid"},
		{"connection refused", offline, []string{"room", "create", "--duration", "1h", "--timeout", "2s"}, ExitNetwork, "refused"},
	}
	for _, tt := range tests {
		before := len(*seen)
		r := runCLI(t, tt.env, tt.args...)
		assert.Equal(t, tt.code, r.code, "%s: %s", tt.name, r.stderr)
		assert.Contains(t, r.stderr, tt.stderr, tt.name)
		assert.Empty(t, r.stdout, tt.name)
		assert.NotContains(t, r.stderr, "pw&", tt.name)
		if tt.code == ExitUsage {
			assert.Equal(t, before, len(*seen), "%s: nothing sent on a usage error", tt.name)
		}
	}
}

func TestJSONErrors(t *testing.T) {
	srv, _ := provider(t)
	env := map[string]string{"GURULIZE_USERNAME": "acme", "GURULIZE_PASSWORD": "nope", "GURULIZE_VOICE_URL": srv.URL + "/c2c"}
	r := runCLI(t, env, "call", "register", "--caller", "1", "--callee", "2", "--max-duration", "1m", "--json")
	assert.Equal(t, ExitAPI, r.code)
	assert.JSONEq(t, `{"error":{"code":1,"kind":"api","status":200,"message":"API error (HTTP 200): User Information Is Invalid"}}`, r.stderr)

	r = runCLI(t, env, "call", "register", "--caller", "x", "--callee", "2", "--max-duration", "1m", "--json")
	assert.Equal(t, ExitUsage, r.code)
	var out map[string]failure
	require.NoError(t, json.Unmarshal([]byte(r.stderr), &out))
	assert.Equal(t, "--caller", out["error"].Flag)
	assert.Equal(t, "usage", out["error"].Kind)
}

func TestHelpPerCommand(t *testing.T) {
	for _, args := range [][]string{{"room", "create", "--help"}, {"call", "register", "-h"}} {
		r := runCLI(t, nil, args...)
		assert.Equal(t, ExitOK, r.code)
		assert.Contains(t, r.stdout, "Examples:")
		assert.Contains(t, r.stdout, "-json")
		assert.Empty(t, r.stderr)
	}
}

func TestParseStart(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"":                          now,
		"now":                       now,
		"+10m":                      now.Add(10 * time.Minute),
		"+1h30m":                    now.Add(90 * time.Minute),
		"2026-12-01T15:00:00+03:00": time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC),
	} {
		got, err := parseStart(in, now)
		require.NoError(t, err, in)
		assert.True(t, want.Equal(got), "%q: %v", in, got)
	}
	for _, in := range []string{"+-5m", "+", "yesterday", "2026-12-01"} {
		_, err := parseStart(in, now)
		assert.ErrorContains(t, err, "--start", in)
		assert.True(t, strings.Contains(err.Error(), in), in)
	}
}

// TestCommandGroups: "gurulize room" and "gurulize call" print their own
// help: on stdout with exit 0 when asked for, on stderr with exit 2 when the
// subcommand is missing or unknown.
func TestCommandGroups(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"room"}, ExitUsage, "", "gurulize room create --duration 45m --start now [flags]"},
		{[]string{"room", "--help"}, ExitOK, "gurulize room create --duration 45m --start now [flags]", ""},
		{[]string{"room", "-h"}, ExitOK, "Run \"gurulize room create --help\"", ""},
		{[]string{"call"}, ExitUsage, "", "gurulize call register --caller 5321234567"},
		{[]string{"call", "help"}, ExitOK, "gurulize call: click-to-calls.", ""},
		{[]string{"call", "dial"}, ExitUsage, "", "gurulize: unknown command \"call dial\"\nsee 'gurulize call --help'\n"},
	} {
		r := runCLI(t, nil, tc.args...)
		assert.Equal(t, tc.code, r.code, tc.args)
		if tc.stdout == "" {
			assert.Empty(t, r.stdout, tc.args)
		} else {
			assert.Contains(t, r.stdout, tc.stdout, tc.args)
		}
		if tc.stderr == "" {
			assert.Empty(t, r.stderr, tc.args)
		} else {
			assert.Contains(t, r.stderr, tc.stderr, tc.args)
		}
	}
}

// TestDurationNeedsUnit: a number without a unit is refused with the unit
// it needs, not a bare "parse error".
func TestDurationNeedsUnit(t *testing.T) {
	r := runCLI(t, nil, "room", "create", "--duration", "45")
	assert.Equal(t, ExitUsage, r.code)
	assert.Contains(t, r.stderr, `gurulize room create: invalid value "45" for flag --duration: a duration needs a unit: 45m for minutes, 45s for seconds`)
	r = runCLI(t, nil, "call", "register", "--max-duration", "600")
	assert.Equal(t, ExitUsage, r.code)
	assert.Contains(t, r.stderr, `--max-duration: a duration needs a unit: 600m for minutes, 600s for seconds`)
	r = runCLI(t, nil, "room", "create", "--timeout", "soon")
	assert.Equal(t, ExitUsage, r.code)
	assert.Contains(t, r.stderr, `invalid value "soon" for flag --timeout: not a duration such as 45m, 90s or 1h30m`)
}

// TestErrorsNameTheCommandsSettings: a setting the SDK refuses is named by
// the flag, or by the environment variable when the flag was not given; the
// advice names flags, not the SDK's Go options.
func TestErrorsNameTheCommandsSettings(t *testing.T) {
	env := map[string]string{"GURULIZE_USERNAME": "acme", "GURULIZE_PASSWORD": "pw"}
	with := func(k, v string) map[string]string {
		e := map[string]string{k: v}
		for k, v := range env {
			e[k] = v
		}
		return e
	}
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{env, []string{"--lang", "de"}, `gurulize room create: --lang "de" is not a supported language`},
		{with("GURULIZE_LANG", "de"), nil, `gurulize room create: GURULIZE_LANG "de" is not a supported language`},
		{with("GURULIZE_LANG", "de"), []string{"--lang", "xx"}, `gurulize room create: --lang "xx"`},
		{with("GURULIZE_VIDEO_URL", "http://example.com/x"), nil, `gurulize room create: GURULIZE_VIDEO_URL http:// is only allowed on loopback hosts (got "example.com"); use https, or --insecure-http`},
		{env, []string{"--video-url", "https://me:pw@example.com/x"}, `gurulize room create: --video-url must not carry user information; give them with --username and --password-file`},
		{env, []string{"--timeout", "-1s"}, `gurulize room create: --timeout must be positive, got -1s`},
	} {
		r := runCLI(t, tc.env, append([]string{"room", "create", "--duration", "45m"}, tc.args...)...)
		assert.Equal(t, ExitUsage, r.code, tc.want)
		assert.Contains(t, r.stderr, tc.want)
		assert.NotRegexp(t, `With[A-Z]|NewClient`, r.stderr)
	}

	r := runCLI(t, with("GURULIZE_LANG", "de"), "room", "create", "--duration", "45m", "--json")
	var out map[string]failure
	require.NoError(t, json.Unmarshal([]byte(r.stderr), &out), r.stderr)
	assert.Equal(t, "GURULIZE_LANG", out["error"].Env)
	assert.Empty(t, out["error"].Flag)
}

// TestHelpShowsFlagsAsTheExamplesWriteThem: --duration, not -duration.
func TestHelpShowsFlagsAsTheExamplesWriteThem(t *testing.T) {
	for _, cmd := range [][]string{{"room", "create"}, {"call", "register"}, {"listen"}, {"fake"}} {
		r := runCLI(t, nil, append(cmd, "--help")...)
		assert.Equal(t, ExitOK, r.code)
		assert.Contains(t, r.stdout, "\n  --json\n", cmd)
		assert.NotRegexp(t, `(?m)^\s+-[a-z]`, r.stdout, cmd)
	}
	r := runCLI(t, nil, "room", "create", "--help")
	assert.Contains(t, r.stdout, "  --duration duration\n      maximum meeting length, a duration of whole minutes such as 45m (required)\n")
	assert.Contains(t, r.stdout, `(default "now")`)
	r = runCLI(t, nil, "call", "register", "--help")
	assert.Contains(t, r.stdout, `("numerical, such as 5xxyyyzztt"): 5321234567, not +90 532 123 45 67`)
	assert.Contains(t, r.stdout, "  --caller number\n")
}

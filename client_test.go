package gurulize_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

func TestNewClientRejectsBadSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		user     string
		pass     string
		opts     []gurulize.Option
		setting  string
		contains string
	}{
		{name: "empty username", pass: "p", setting: "username"},
		{name: "empty password", user: "u", setting: "password"},
		{name: "nil option", opts: []gurulize.Option{nil}, setting: "option 0"},
		{name: "nil http client", opts: []gurulize.Option{gurulize.WithHTTPClient(nil)}, setting: "WithHTTPClient"},
		{name: "empty video URL", opts: []gurulize.Option{gurulize.WithVideoURL("")}, setting: "WithVideoURL", contains: "empty"},
		{name: "malformed video URL", opts: []gurulize.Option{gurulize.WithVideoURL("https://exa mple.com/%zz")}, setting: "WithVideoURL", contains: "not a valid URL"},
		{name: "relative URL", opts: []gurulize.Option{gurulize.WithVideoURL("/room/create")}, setting: "WithVideoURL", contains: "scheme"},
		{name: "ftp scheme", opts: []gurulize.Option{gurulize.WithVoiceURL("ftp://example.com/x")}, setting: "WithVoiceURL", contains: "scheme"},
		{name: "no host", opts: []gurulize.Option{gurulize.WithVoiceURL("https:///path")}, setting: "WithVoiceURL", contains: "no host"},
		{name: "user info", opts: []gurulize.Option{gurulize.WithVoiceURL("https://u:p@example.com/")}, setting: "WithVoiceURL", contains: "user information"},
		{name: "fragment", opts: []gurulize.Option{gurulize.WithVideoURL("https://example.com/#x")}, setting: "WithVideoURL", contains: "fragment"},
		{name: "plain http video", opts: []gurulize.Option{gurulize.WithVideoURL("http://webrtc.gurulize.com/x")}, setting: "WithVideoURL", contains: "WithInsecureHTTP"},
		{name: "plain http voice", opts: []gurulize.Option{gurulize.WithVoiceURL("http://10.0.0.1/c2c")}, setting: "WithVoiceURL", contains: "loopback"},
		{name: "plain http look-alike host", opts: []gurulize.Option{gurulize.WithVoiceURL("http://localhost.example.com/c2c")}, setting: "WithVoiceURL", contains: "loopback"},
		{name: "unknown language", opts: []gurulize.Option{gurulize.WithLanguage("de")}, setting: "WithLanguage", contains: `"de"`},
		{name: "empty user agent", opts: []gurulize.Option{gurulize.WithUserAgent("  ")}, setting: "WithUserAgent"},
		{name: "user agent with newline", opts: []gurulize.Option{gurulize.WithUserAgent("app\r\nX-Evil: 1")}, setting: "WithUserAgent", contains: `'\r'`},
		{name: "zero timeout", opts: []gurulize.Option{gurulize.WithTimeout(0)}, setting: "WithTimeout"},
		{name: "negative timeout", opts: []gurulize.Option{gurulize.WithTimeout(-time.Second)}, setting: "WithTimeout"},
		{name: "nil logger", opts: []gurulize.Option{gurulize.WithLogger(nil)}, setting: "WithLogger"},
		{name: "zero attempts", opts: []gurulize.Option{gurulize.WithRetry(gurulize.RetryPolicy{})}, setting: "WithRetry", contains: "MaxAttempts"},
		{name: "negative min backoff", opts: []gurulize.Option{gurulize.WithRetry(gurulize.RetryPolicy{MaxAttempts: 2, MinBackoff: -1})}, setting: "WithRetry", contains: "MinBackoff"},
		{name: "negative max backoff", opts: []gurulize.Option{gurulize.WithRetry(gurulize.RetryPolicy{MaxAttempts: 2, MaxBackoff: -1})}, setting: "WithRetry", contains: "MaxBackoff"},
		{name: "max below min", opts: []gurulize.Option{gurulize.WithRetry(gurulize.RetryPolicy{MaxAttempts: 2, MinBackoff: time.Second, MaxBackoff: time.Millisecond})}, setting: "WithRetry", contains: "below"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			user, pass := tt.user, tt.pass
			if user == "" && pass == "" {
				user, pass = testUser, testPassword
			}
			c, err := gurulize.NewClient(user, pass, tt.opts...)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.ErrorIs(t, err, gurulize.ErrInvalidConfig)
			var ce *gurulize.ValidationError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.setting, ce.Field)
			assert.Contains(t, err.Error(), tt.setting)
			assert.Contains(t, err.Error(), tt.contains)
			assertNoSecret(t, err)
		})
	}
}

func TestNewClientAcceptsLoopbackAndInsecureHTTP(t *testing.T) {
	t.Parallel()
	for _, u := range []string{
		"http://localhost:8080/x", "http://LOCALHOST/x", "http://127.0.0.1/x",
		"http://127.10.20.30:9/x", "http://[::1]:8080/x", "https://example.com/x?region=eu",
	} {
		_, err := gurulize.NewClient(testUser, testPassword, gurulize.WithVideoURL(u), gurulize.WithVoiceURL(u))
		assert.NoError(t, err, u)
	}
	_, err := gurulize.NewClient(testUser, testPassword, gurulize.WithVideoURL("http://10.1.2.3/x"), gurulize.WithInsecureHTTP())
	assert.NoError(t, err)
	_, err = gurulize.NewClient(testUser, testPassword, gurulize.WithInsecureHTTP(), gurulize.WithVoiceURL("http://gurulize.example/x"))
	assert.NoError(t, err, "WithInsecureHTTP applies whatever its position")
	_, err = gurulize.NewClient(testUser, testPassword, gurulize.WithLanguage(gurulize.Turkish), gurulize.WithLanguage(""))
	assert.NoError(t, err, `WithLanguage("") restores the default`)
}

func TestNewClientFromEnv(t *testing.T) {
	var gotQuery, gotPath string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotQuery, gotPath = r.URL.RawQuery, r.URL.Path
		replyJSON(http.StatusOK, roomReply)(w, r)
	}))
	t.Cleanup(srv.Close)

	t.Setenv("GURULIZE_USERNAME", "env-user")
	t.Setenv("GURULIZE_PASSWORD", "env-pass")
	t.Setenv("GURULIZE_VIDEO_URL", srv.URL+"/from-env")
	t.Setenv("GURULIZE_VOICE_URL", srv.URL+"/voice")
	t.Setenv("GURULIZE_LANG", "tr")

	c, err := gurulize.NewClientFromEnv(gurulize.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	_, err = c.CreateVideoRoom(context.Background(), validRoom())
	require.NoError(t, err)
	assert.Equal(t, "/from-env", gotPath)
	assert.Contains(t, gotQuery, "username=env-user")
	assert.Contains(t, gotQuery, "password=env-pass")
	assert.Contains(t, gotQuery, "lang=tr")

	// Explicit options win over the environment.
	c, err = gurulize.NewClientFromEnv(gurulize.WithHTTPClient(srv.Client()),
		gurulize.WithVideoURL(srv.URL+"/explicit"), gurulize.WithLanguage(gurulize.English))
	require.NoError(t, err)
	_, err = c.CreateVideoRoom(context.Background(), validRoom())
	require.NoError(t, err)
	assert.Equal(t, "/explicit", gotPath)
	assert.Contains(t, gotQuery, "lang=en")

	t.Setenv("GURULIZE_LANG", "fr")
	_, err = gurulize.NewClientFromEnv()
	var ce *gurulize.ValidationError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "GURULIZE_LANG", ce.Field, "a bad variable is named, not the option it feeds")

	t.Setenv("GURULIZE_LANG", "")
	t.Setenv("GURULIZE_VOICE_URL", "http://voice.example.com/c2c")
	_, err = gurulize.NewClientFromEnv()
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "WithVoiceURL", ce.Field)
	_, err = gurulize.NewClientFromEnv(gurulize.WithInsecureHTTP())
	assert.NoError(t, err)

	t.Setenv("GURULIZE_PASSWORD", "")
	_, err = gurulize.NewClientFromEnv()
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "GURULIZE_PASSWORD", ce.Field)

	t.Setenv("GURULIZE_USERNAME", "")
	_, err = gurulize.NewClientFromEnv()
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "GURULIZE_USERNAME", ce.Field)
}

func TestClientNeverPrintsPassword(t *testing.T) {
	t.Parallel()
	c, err := gurulize.NewClient(testUser, testPassword,
		gurulize.WithVideoURL("https://video.example.com/create?tenant=1"),
		gurulize.WithVoiceURL("https://voice.example.com/c2c"))
	require.NoError(t, err)
	assertNoSecret(t, c)
	assertNoSecret(t, *c)
	assertNoSecret(t, []any{c, struct{ C *gurulize.Client }{c}, struct{ C gurulize.Client }{*c}})
	type holder struct {
		c  gurulize.Client
		pc *gurulize.Client
	}
	assertNoSecret(t, holder{c: *c, pc: c})
	assertNoSecret(t, &holder{c: *c, pc: c})
	assert.NotContains(t, c.String(), testUser)
	assert.Contains(t, c.String(), "username: REDACTED")
	assert.Contains(t, c.String(), "video.example.com")
	assert.Contains(t, c.String(), "password: REDACTED")
	var nilClient *gurulize.Client
	assert.Equal(t, "gurulize.Client(nil)", nilClient.String())
}

// diffRecorder is a testify TestingT that keeps what a failed assertion
// prints, such as the diff of assert.Equal.
type diffRecorder struct{ out strings.Builder }

func (d *diffRecorder) Errorf(format string, args ...any) { fmt.Fprintf(&d.out, format, args...) }

// TestSecretsOutOfReflection: no printer reaches the credentials, not even
// those that print unexported fields by reflection (fmt's %v of a Client
// value, testify's diffs, which the README recommends), and not through a
// username that equals the password.
func TestSecretsOutOfReflection(t *testing.T) {
	t.Parallel()
	const same = "acme-2024"
	c1, err := gurulize.NewClient(same, same, gurulize.WithVoiceURL("https://voice.example.com/c2c"))
	require.NoError(t, err)
	c2, err := gurulize.NewClient(testUser, testPassword, gurulize.WithVoiceURL("https://voice.example.com/c2c"))
	require.NoError(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%T"} {
		for _, v := range []any{c1, *c1, []any{c1}, struct{ C gurulize.Client }{*c1}} {
			assert.NotContains(t, fmt.Sprintf(verb, v), same, "%s of %T", verb, v)
		}
	}
	assert.Contains(t, c1.String(), "username: REDACTED", "the username is masked")

	rec := &diffRecorder{}
	assert.Equal(rec, c1, c2)
	assert.Equal(rec, *c1, *c2)
	assert.NotEmpty(t, rec.out.String(), "the clients differ, and testify says so")
	for _, secret := range append(secrets(), same, testUser) {
		assert.NotContains(t, rec.out.String(), secret, "testify's diff")
	}
}

func TestUserAgent(t *testing.T) {
	t.Parallel()
	sdk := "gurulize-go/" + gurulize.Version + " go/" + strings.TrimPrefix(runtime.Version(), "go")
	for _, transport := range transports {
		c, b := newTestClient(t, transport, both)
		require.NoError(t, callBoth(context.Background(), c, "video"))
		c2, b2 := newTestClient(t, transport, both, gurulize.WithUserAgent("myapp/1.2"))
		require.NoError(t, callBoth(context.Background(), c2, "voice"))

		assert.Equal(t, sdk, b.Requests()[0].Header.Get("User-Agent"), transport)
		assert.Equal(t, "myapp/1.2 "+sdk, b2.Requests()[0].Header.Get("User-Agent"), transport)
		assert.Equal(t, "application/json", b.Requests()[0].Header.Get("Accept"), transport)
	}
}

// TestDefaultTransportIsReadAtCallTime proves that httpmock.Activate(),
// called after NewClient, intercepts a client built without WithHTTPClient.
// It changes http.DefaultTransport, so it must not run in parallel.
func TestDefaultTransportIsReadAtCallTime(t *testing.T) {
	c, err := gurulize.NewClient(testUser, testPassword, gurulize.WithVoiceURL("https://voice.gurulize.test/c2c"))
	require.NoError(t, err)

	httpmock.Activate()
	t.Cleanup(httpmock.DeactivateAndReset)
	httpmock.RegisterResponder(http.MethodGet, gurulize.DefaultVideoURL,
		httpmock.NewJsonResponderOrPanic(http.StatusOK, roomReply))
	httpmock.RegisterResponder(http.MethodPost, "https://voice.gurulize.test/c2c",
		httpmock.NewJsonResponderOrPanic(http.StatusOK, map[string]any{"success": true, "message": "Request Received", "id": "41"}))

	room, err := c.CreateVideoRoom(context.Background(), validRoom())
	require.NoError(t, err)
	assert.Equal(t, roomReply["uuid"], room.UUID)
	reg, err := c.RegisterCall(context.Background(), validCall())
	require.NoError(t, err)
	assert.Equal(t, int64(41), reg.ID)
	assert.Equal(t, 2, httpmock.GetTotalCallCount())
}

// TestHTTPClientIsReadAtCallTime proves httpmock.ActivateNonDefault(hc) works
// with WithHTTPClient(hc), even when activated after NewClient.
// It uses httpmock's shared mock transport, so it must not run in parallel.
func TestHTTPClientIsReadAtCallTime(t *testing.T) {
	hc := &http.Client{}
	c, err := gurulize.NewClient(testUser, testPassword, gurulize.WithHTTPClient(hc))
	require.NoError(t, err)

	httpmock.ActivateNonDefault(hc)
	t.Cleanup(func() {
		httpmock.DeactivateNonDefault(hc)
		httpmock.Reset()
	})
	mt := hc.Transport.(*httpmock.MockTransport)
	mt.RegisterResponder(http.MethodGet, gurulize.DefaultVideoURL, httpmock.NewJsonResponderOrPanic(http.StatusOK, roomReply))

	room, err := c.CreateVideoRoom(context.Background(), validRoom())
	require.NoError(t, err)
	assert.Equal(t, roomReply["guestUrl"], room.GuestURL)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

// TestHTTPMockNoResponderIsRedacted: httpmock's "no responder" error quotes
// the whole URL, query string and so the password included.
func TestHTTPMockNoResponderIsRedacted(t *testing.T) {
	t.Parallel()
	hc := &http.Client{Transport: httpmock.NewMockTransport()}
	logs := &logBuffer{}
	c, err := gurulize.NewClient(testUser, testPassword, gurulize.WithHTTPClient(hc), gurulize.WithLogger(logs.Logger()))
	require.NoError(t, err)

	_, err = c.CreateVideoRoom(context.Background(), validRoom())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no responder")
	assert.Contains(t, err.Error(), "password=REDACTED")
	assertNoSecret(t, err)
	for _, secret := range secrets() {
		assert.NotContains(t, logs.String(), secret)
	}
	assert.NotEmpty(t, logs.Records(t))
}

func TestNilContext(t *testing.T) {
	t.Parallel()
	c, b := newTestClient(t, "httptest", both)
	//lint:ignore SA1012 the test is about a nil context
	_, err := c.CreateVideoRoom(nil, validRoom())
	assert.EqualError(t, err, "gurulize: nil context")
	assert.NotErrorIs(t, err, gurulize.ErrInvalidRequest, "a context is not a request field")
	//lint:ignore SA1012 the test is about a nil context
	_, err = c.RegisterCall(nil, validCall())
	assert.EqualError(t, err, "gurulize: nil context")
	assert.Zero(t, b.Count())
}

func TestZeroClient(t *testing.T) {
	t.Parallel()
	for _, c := range []*gurulize.Client{nil, {}} {
		_, err := c.CreateVideoRoom(context.Background(), validRoom())
		assert.ErrorIs(t, err, gurulize.ErrInvalidConfig)
		_, err = c.RegisterCall(context.Background(), validCall())
		assert.ErrorIs(t, err, gurulize.ErrInvalidConfig)
	}
	var nilClient *gurulize.Client
	assert.Equal(t, "gurulize.Client(nil)", nilClient.String())
	assert.Equal(t, "gurulize.Client(nil)", (&gurulize.Client{}).String())
}

func TestContextCancelledBeforeCall(t *testing.T) {
	t.Parallel()
	for _, transport := range transports {
		c, b := newTestClient(t, transport, both)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		for _, kind := range []string{"video", "voice"} {
			err := callBoth(ctx, c, kind)
			require.Error(t, err, "%s %s", transport, kind)
			assert.True(t, errors.Is(err, context.Canceled), "%s %s: %v", transport, kind, err)
			assertNoSecret(t, err)
		}
		assert.Zero(t, b.Count(), transport)
	}
}

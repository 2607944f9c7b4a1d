package gurulize_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
)

func TestAPIErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler http.HandlerFunc
		kinds   []string // "video", "voice": which calls this reply applies to
		status  int
		is      error
		param   string
		message string // exact APIError.Message, when set
		has     string // substring of APIError.Message, when set
		empty   bool   // APIError.Message must be empty
	}{
		{
			name:    "missing parameter",
			handler: replyJSON(http.StatusOK, map[string]any{"success": false, "message": "Missing Parameter (username)"}),
			kinds:   []string{"video", "voice"}, status: 200, is: gurulize.ErrMissingParameter, param: "username",
			message: "Missing Parameter (username)",
		},
		{
			name:    "invalid parameter",
			handler: replyJSON(http.StatusOK, map[string]any{"success": false, "message": "Invalid Parameter (caller): Not a phone number"}),
			kinds:   []string{"video", "voice"}, status: 200, is: gurulize.ErrInvalidParameter, param: "caller",
			message: "Invalid Parameter (caller): Not a phone number",
		},
		{
			name:    "invalid credentials",
			handler: replyJSON(http.StatusOK, map[string]any{"success": false, "message": "User Information Is Invalid"}),
			kinds:   []string{"video", "voice"}, status: 200, is: gurulize.ErrInvalidCredentials,
			message: "User Information Is Invalid",
		},
		{
			name:    "documented message on an error status",
			handler: replyJSON(http.StatusBadRequest, map[string]any{"success": false, "message": "Missing Parameter (durationInMinutes)"}),
			kinds:   []string{"video"}, status: 400, is: gurulize.ErrMissingParameter, param: "durationInMinutes",
		},
		{
			name:    "Turkish message kept verbatim",
			handler: replyJSON(http.StatusOK, map[string]any{"success": false, "message": "Kullanıcı bilgileri geçersiz"}),
			kinds:   []string{"video", "voice"}, status: 200, message: "Kullanıcı bilgileri geçersiz",
		},
		{
			name:    "401 without a body",
			handler: replyRaw(http.StatusUnauthorized, "text/plain", ""),
			kinds:   []string{"video", "voice"}, status: 401, is: gurulize.ErrInvalidCredentials, message: "(empty body)",
		},
		{
			name:    "500 with JSON message",
			handler: replyJSON(http.StatusInternalServerError, map[string]any{"message": "database is down"}),
			kinds:   []string{"video", "voice"}, status: 500, message: "database is down",
		},
		{
			name:    "502 with an HTML page",
			handler: replyRaw(http.StatusBadGateway, "text/html", "<html><body><h1>502 Bad Gateway</h1>\n"+strings.Repeat("<p>padding</p>", 100)+"</body></html>"),
			kinds:   []string{"video", "voice"}, status: 502, has: "502 Bad Gateway",
		},
		{
			name:    "200 that is not JSON",
			handler: replyRaw(http.StatusOK, "text/html", "<html>maintenance</html>"),
			kinds:   []string{"video", "voice"}, status: 200, is: gurulize.ErrUnexpectedResponse, has: "maintenance",
		},
		{
			name:    "empty 200",
			handler: replyRaw(http.StatusOK, "application/json", ""),
			kinds:   []string{"video", "voice"}, status: 200, is: gurulize.ErrUnexpectedResponse, has: "(empty body)",
		},
		{
			name:    "truncated JSON",
			handler: replyRaw(http.StatusOK, "application/json", `{"uuid":"abc","hostUrl":"https://`),
			kinds:   []string{"video", "voice"}, status: 200, is: gurulize.ErrUnexpectedResponse, has: "not the documented JSON",
		},
		{
			name:    "JSON array",
			handler: replyRaw(http.StatusOK, "application/json", `[1,2]`),
			kinds:   []string{"video", "voice"}, status: 200, is: gurulize.ErrUnexpectedResponse, has: "not the documented JSON",
		},
		{
			name:    "wrong field type",
			handler: replyRaw(http.StatusOK, "application/json", `{"uuid":42,"id":[]}`),
			kinds:   []string{"video", "voice"}, status: 200, is: gurulize.ErrUnexpectedResponse, has: "not the documented JSON",
		},
		{
			name:    "syntax error",
			handler: replyRaw(http.StatusOK, "application/json", `{"uuid" "x"}`),
			kinds:   []string{"video", "voice"}, status: 200, is: gurulize.ErrUnexpectedResponse, has: "not the documented JSON",
		},
		{
			name:    "room without uuid",
			handler: replyJSON(http.StatusOK, map[string]any{"hostUrl": "x", "guestUrl": "y"}),
			kinds:   []string{"video"}, status: 200, is: gurulize.ErrUnexpectedResponse, message: "reply has no uuid",
		},
		{
			name:    "room with success false and no message",
			handler: replyJSON(http.StatusOK, map[string]any{"success": false}),
			kinds:   []string{"video", "voice"}, status: 200, empty: true,
		},
		{
			name:    "reply over 1 MiB",
			handler: replyRaw(http.StatusOK, "application/json", `{"uuid":"`+strings.Repeat("a", (1<<20))+`"}`),
			kinds:   []string{"video", "voice"}, status: 200, is: gurulize.ErrUnexpectedResponse, has: "larger than 1048576 bytes",
		},
	}
	for _, transport := range transports {
		for _, tt := range tests {
			c, b := newTestClient(t, transport, tt.handler)
			for _, kind := range tt.kinds {
				name := fmt.Sprintf("%s/%s/%s", transport, tt.name, kind)
				err := callBoth(context.Background(), c, kind)
				require.Error(t, err, name)
				var apiErr *gurulize.APIError
				require.ErrorAs(t, err, &apiErr, name)
				assert.Equal(t, tt.status, apiErr.StatusCode, name)
				assert.Equal(t, tt.param, apiErr.Param, name)
				if tt.is != nil {
					assert.ErrorIs(t, err, tt.is, name)
				}
				for _, other := range []error{gurulize.ErrMissingParameter, gurulize.ErrInvalidParameter, gurulize.ErrInvalidCredentials, gurulize.ErrUnexpectedResponse, gurulize.ErrInvalidRequest} {
					if other != tt.is {
						assert.False(t, errors.Is(err, other), "%s: must not match %v", name, other)
					}
				}
				if tt.message != "" || tt.empty {
					assert.Equal(t, tt.message, apiErr.Message, name)
				}
				assert.Contains(t, apiErr.Message, tt.has, name)
				assert.LessOrEqual(t, len(err.Error()), 400, "%s: errors quote only an excerpt", name)
				assertNoSecret(t, err)
			}
			assert.Equal(t, len(tt.kinds), b.Count(), "%s/%s: an API error is not retried", transport, tt.name)
		}
	}
}

func TestAPIErrorText(t *testing.T) {
	t.Parallel()
	c, _ := newTestClient(t, "httpmock", replyJSON(http.StatusOK, map[string]any{"success": false, "message": "Invalid Parameter (callee): Not a phone number"}))
	err := callBoth(context.Background(), c, "voice")
	assert.EqualError(t, err, "gurulize: API error (HTTP 200): Invalid Parameter (callee): Not a phone number")
	assert.EqualError(t, &gurulize.APIError{}, "gurulize: API error")
	assert.EqualError(t, &gurulize.ValidationError{Field: "CallRequest.Caller", Reason: "is required"}, "gurulize: invalid CallRequest.Caller: is required")
	_, err = gurulize.NewClient(testUser, testPassword, gurulize.WithTimeout(0))
	assert.EqualError(t, err, "gurulize: invalid WithTimeout: must be positive, got 0s")
	assert.False(t, errors.Is(&gurulize.APIError{}, nil))
}

// TestServerEchoingSecrets: a server that quotes the request URL or the
// password back must not get them into an error.
func TestServerEchoingSecrets(t *testing.T) {
	t.Parallel()
	echo := func(status int, asJSON bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			text := fmt.Sprintf("bad request %s %s password=%s form=%s", r.Method, r.URL.String(), r.FormValue("password"), r.PostForm.Encode())
			if asJSON {
				replyJSON(status, map[string]any{"success": false, "message": text})(w, r)
				return
			}
			replyRaw(status, "text/plain", text)(w, r)
		}
	}
	for _, transport := range transports {
		for _, status := range []int{http.StatusOK, http.StatusBadRequest, http.StatusInternalServerError} {
			for _, asJSON := range []bool{true, false} {
				logs := &logBuffer{}
				c, _ := newTestClient(t, transport, echo(status, asJSON), gurulize.WithLogger(logs.Logger()))
				for _, kind := range []string{"video", "voice"} {
					err := callBoth(context.Background(), c, kind)
					require.Error(t, err)
					assert.Contains(t, err.Error(), "REDACTED", "%s %d %v %s", transport, status, asJSON, kind)
					assertNoSecret(t, err)
					var apiErr *gurulize.APIError
					require.ErrorAs(t, err, &apiErr)
					assertNoSecret(t, apiErr.Message)
				}
				for _, secret := range secrets() {
					assert.NotContains(t, logs.String(), secret)
				}
			}
		}
	}
}

// leakPasswords are passwords with what makes an echo hard to recognise:
// control characters, invalid UTF-8, non-ASCII letters, URL-special characters.
var leakPasswords = []string{
	"bad\tpassword\nnew line",
	"P@ss w0rd&x",
	"ab\xffcd\x01ef-gh",
	"Şifre-çok/gizli?ğ=ü",
	"a+b%2Fc#d;e,f\"g'h",
}

// echoForms are the forms in which a server or a transport may send a
// password back, written here independently of the SDK's redaction.
func echoForms(pw string) map[string]string {
	percent := func(keep string) string {
		var b strings.Builder
		for _, c := range []byte(pw) {
			if c < 0x80 && (unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c)) || strings.IndexByte(keep, c) >= 0) {
				b.WriteByte(c)
			} else {
				fmt.Fprintf(&b, "%%%02X", c)
			}
		}
		return b.String()
	}
	printable := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(pw, ""))
	return map[string]string{
		"raw":                pw,
		"printable":          printable,
		"encodeURIComponent": percent("-_.!~*'()"),
		"quote(safe='')":     percent("-_.~"),
		"lower-case hex":     regexp.MustCompile(`%[0-9A-F]{2}`).ReplaceAllStringFunc(percent("-_.~"), strings.ToLower),
		"%+q":                strings.Trim(fmt.Sprintf("%+q", pw), `"`),
		"%q":                 strings.Trim(fmt.Sprintf("%q", pw), `"`),
	}
}

// TestEchoedPasswordForms: whatever form a server echoes the password in,
// and whatever a custom transport puts in its error, neither the error nor
// the debug log shows it, before or after the excerpt's clean-up.
func TestEchoedPasswordForms(t *testing.T) {
	t.Parallel()
	for _, pw := range leakPasswords {
		for name, form := range echoForms(pw) {
			for _, reply := range []string{"text", "json", "transport"} {
				logs := &logBuffer{}
				var rt http.RoundTripper = roundTripFunc(func(r *http.Request) (*http.Response, error) {
					switch reply {
					case "json":
						b, _ := json.Marshal(map[string]any{"success": false, "message": "wrong password " + form})
						return &http.Response{StatusCode: 400, Body: io.NopCloser(bytes.NewReader(b)), Header: http.Header{}, Request: r}, nil
					case "transport":
						return nil, fmt.Errorf("proxy refused %s for %+q", r.URL, form)
					}
					return &http.Response{StatusCode: 502, Body: io.NopCloser(strings.NewReader("upstream said: " + form + " !")), Header: http.Header{}, Request: r}, nil
				})
				c, err := gurulize.NewClient("acme", pw, gurulize.WithHTTPClient(&http.Client{Transport: rt}),
					gurulize.WithVoiceURL("https://voice.gurulize.test/c2c"), gurulize.WithLogger(logs.Logger()))
				require.NoError(t, err)
				for _, kind := range []string{"video", "voice"} {
					err := callBoth(context.Background(), c, kind)
					require.Error(t, err)
					for fname, f := range echoForms(pw) {
						if strings.TrimSpace(f) == "" {
							continue
						}
						assert.NotContains(t, err.Error(), f, "%q echoed as %s via %s (%s): the error shows it as %s", pw, name, reply, kind, fname)
						assert.NotContains(t, logs.String(), f, "%q echoed as %s via %s (%s): the log shows it as %s", pw, name, reply, kind, fname)
					}
				}
			}
		}
	}
}

// TestMessagesInTurkish: the provider documents no Turkish text. A refusal
// in Turkish (here the fake's own wording) is still an *APIError with the
// message verbatim and Param from the parenthesised name, but matches none
// of the English messages' sentinels; credentials refused with 401 still
// match ErrInvalidCredentials in any language.
func TestMessagesInTurkish(t *testing.T) {
	t.Parallel()
	fake := gurulizetest.NewTestServer(t)
	c, err := gurulize.NewClient("no-such-user", "wrong", gurulize.WithLanguage(gurulize.Turkish),
		gurulize.WithVideoURL(fake.VideoURL()), gurulize.WithVoiceURL(fake.VoiceURL()))
	require.NoError(t, err)
	_, err = c.RegisterCall(context.Background(), gurulize.CallRequest{Caller: "5321234567", Callee: "5427654321", MaxDuration: time.Minute})
	var apiErr *gurulize.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.NotContains(t, apiErr.Message, "User Information Is Invalid", "the fake answered in Turkish")
	assert.NotErrorIs(t, err, gurulize.ErrInvalidCredentials, "an undocumented message is not classified")

	for _, tt := range []struct {
		status int
		msg    string
		param  string
		is     error
	}{
		{200, "Eksik parametre (username)", "username", nil},
		{200, "Geçersiz parametre (caller): telefon numarası değil", "caller", nil},
		{200, "Kullanıcı bilgileri geçersiz", "", nil},
		{401, "Kullanıcı bilgileri geçersiz", "", gurulize.ErrInvalidCredentials},
		{200, "Missing Parameter (username)", "username", gurulize.ErrMissingParameter},
	} {
		c, _ := newTestClient(t, "httpmock", replyJSON(tt.status, map[string]any{"success": false, "message": tt.msg}))
		err := callBoth(context.Background(), c, "voice")
		require.ErrorAs(t, err, &apiErr, tt.msg)
		assert.Equal(t, tt.msg, apiErr.Message, "verbatim")
		assert.Equal(t, tt.param, apiErr.Param, tt.msg)
		for _, sentinel := range []error{gurulize.ErrMissingParameter, gurulize.ErrInvalidParameter, gurulize.ErrInvalidCredentials} {
			assert.Equal(t, sentinel == tt.is, errors.Is(err, sentinel), "%q and %v", tt.msg, sentinel)
		}
	}
}

// TestRoomReplyWithoutLinks: a room without its links cannot be used, so a
// success that lacks one is an error naming it.
func TestRoomReplyWithoutLinks(t *testing.T) {
	t.Parallel()
	for missing, reply := range map[string]map[string]any{
		"hostUrl":  {"uuid": "x", "guestUrl": "https://webrtc.gurulize.com/?g=1"},
		"guestUrl": {"uuid": "x", "hostUrl": "https://webrtc.gurulize.com/?h=1"},
		"uuid":     {"hostUrl": "https://webrtc.gurulize.com/?h=1", "guestUrl": "https://webrtc.gurulize.com/?g=1"},
	} {
		for _, transport := range transports {
			c, _ := newTestClient(t, transport, replyJSON(http.StatusOK, reply))
			_, err := c.CreateVideoRoom(context.Background(), validRoom())
			assert.ErrorIs(t, err, gurulize.ErrUnexpectedResponse, missing)
			assert.ErrorContains(t, err, "reply has no "+missing)
		}
	}
}

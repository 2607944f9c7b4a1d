package gurulize_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

// This file is the matrix of secrets: passwords of every shape, echoed by a
// server in every encoding, through every channel by which server text can
// reach what the SDK returns or logs; none may come out in the error's
// text (by any fmt verb) or the debug log.

// passwordShapes are the passwords tried, by name.
var passwordShapes = map[string]string{
	"symbols":      `p@ss:w/rd?&=+%#"<>\'~*;`,
	"spaces":       "correct horse battery staple",
	"non-ASCII":    "şifré-密码-ü😀",
	"common word":  "password",
	"invalid UTF8": "pa\xffss\xfe-word",
}

// percentKeeping percent-encodes every byte of s (upper-case hex) but ASCII
// letters, digits and keep; a space becomes plus when asked.
func percentKeeping(s, keep string, plus bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte(keep, c) >= 0:
			b.WriteByte(c)
		case c == ' ' && plus:
			b.WriteByte('+')
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// jsonASCII escapes s as a JSON encoder that writes only ASCII does
// (Python's json.dumps): every non-ASCII rune as \uXXXX, surrogate pairs
// above U+FFFF.
func jsonASCII(s string) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '"' || r == '\\':
			b.WriteString(`\` + string(r))
		case r < 0x20 || r > 0x7e && r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		case r > 0xffff:
			r -= 0x10000
			fmt.Fprintf(&b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// entities writes every rune of s as an XML numeric character reference.
func entities(s, format string) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		fmt.Fprintf(&b, format, r)
	}
	return b.String()
}

// echoEncodings are the forms in which a server sends a password back.
var echoEncodings = map[string]func(string) string{
	"raw":                          func(s string) string { return s },
	"Go QueryEscape":               url.QueryEscape,
	"Go PathEscape":                url.PathEscape,
	"double percent-encoded":       func(s string) string { return url.QueryEscape(url.QueryEscape(s)) },
	"lower-case hex":               func(s string) string { return strings.ToLower(percentKeeping(s, "", false)) },
	"PHP urlencode":                func(s string) string { return percentKeeping(s, "-_.", true) },
	"Java URLEncoder":              func(s string) string { return percentKeeping(s, ".-*_", true) },
	"JS encodeURI":                 func(s string) string { return percentKeeping(s, ";,/?:@&=+$-_.!~*'()#", false) },
	"JS encodeURIComponent":        func(s string) string { return percentKeeping(s, "-_.!~*'()", false) },
	"JSON, <>& escaped":            func(s string) string { b, _ := json.Marshal(s); return strings.Trim(string(b), `"`) },
	"JSON, non-ASCII escaped":      jsonASCII,
	"HTML":                         html.EscapeString,
	"XML decimal references":       func(s string) string { return entities(s, "&#%d;") },
	"XML hex references, any case": func(s string) string { return entities(s, "&#X%X;") },
	"Go %q":                        func(s string) string { return strings.Trim(strconv.Quote(s), `"`) },
	"Go %+q":                       func(s string) string { return strings.Trim(strconv.QuoteToASCII(s), `"`) },
	"invalid UTF-8 as U+FFFD":      func(s string) string { return strings.ToValidUTF8(s, "\uFFFD") },
}

// marker sits next to every echo: server text holding a secret is withheld
// whole, so the marker never comes out either.
const marker = "zqxmarker"

// echoChannels answer a request with an echo, each through one channel by
// which a server's text reaches an error.
var echoChannels = map[string]func(echo string) string{
	"message": func(e string) string {
		body, _ := json.Marshal(map[string]any{"success": false, "message": "Invalid Parameter (password): " + marker + e})
		return rawReply(400, "Content-Type: application/json\r\n", string(body))
	},
	"body excerpt": func(e string) string { return rawReply(500, "Content-Type: text/plain\r\n", marker+e) },
	"Content-Encoding header": func(e string) string {
		return rawReply(200, "Content-Encoding: "+marker+headerSafe(e)+"\r\n", "{}")
	},
	"Location": func(e string) string {
		return rawReply(302, "Location: /%zz/"+marker+headerSafe(e)+"\r\n", "")
	},
	"transport error": func(e string) string {
		return "HTTP/1.1 200 OK\r\nTransfer-Encoding: " + marker + headerSafe(e) + "\r\n\r\n"
	},
}

// headerSafe keeps an echo within what a header line can carry.
func headerSafe(s string) string { return strings.NewReplacer("\r", "", "\n", "").Replace(s) }

func rawReply(status int, headers, body string) string {
	return fmt.Sprintf("HTTP/1.1 %d %s\r\n%sContent-Length: %d\r\nConnection: close\r\n\r\n%s", status, http.StatusText(status), headers, len(body), body)
}

func TestSecretsMatrix(t *testing.T) {
	t.Parallel()
	type echoCase struct{ shape, encoding, channel string }
	var cases []echoCase
	answers := map[string]string{}
	for shape, pw := range passwordShapes {
		for encoding, encode := range echoEncodings {
			for channel, reply := range echoChannels {
				answers["/"+strconv.Itoa(len(cases))] = reply(encode(pw))
				cases = append(cases, echoCase{shape, encoding, channel})
			}
		}
	}
	srv := newRawServer(t, func(r *http.Request) string { return answers[r.URL.Path] })
	leaks := 0
	for i, tc := range cases {
		pw := passwordShapes[tc.shape]
		logs := &logBuffer{}
		c, err := gurulize.NewClient(testUser, pw, gurulize.WithHTTPClient(&http.Client{Transport: &http.Transport{}}),
			gurulize.WithVideoURL(srv.URL+"/"+strconv.Itoa(i)), gurulize.WithLogger(logs.Logger()),
			gurulize.WithRetry(gurulize.RetryPolicy{MaxAttempts: 1}))
		require.NoError(t, err)
		_, err = c.CreateVideoRoom(context.Background(), validRoom())
		require.Error(t, err, "%+v", tc)
		sinks := map[string]string{"slog": logs.String()}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			sinks[verb] = fmt.Sprintf(verb, err)
		}
		for sink, out := range sinks {
			if leaked := leakIn(out, pw, tc.shape); leaked != "" {
				leaks++
				t.Errorf("%s password echoed as %s through the %s: %s shows %q in %q", tc.shape, tc.encoding, tc.channel, sink, leaked, out)
			}
		}
	}
	assert.Zero(t, leaks)
	assert.Len(t, cases, len(passwordShapes)*len(echoEncodings)*len(echoChannels))
}

// leakIn returns what out shows of the password, or "": the server's text
// around the echo (the marker), or any form of the password. A password
// that is a common word also appears in the SDK's own words (the URL's
// parameter name "password"); for it, only the server's text is checked.
func leakIn(out, pw, shape string) string {
	if strings.Contains(out, marker) {
		return marker
	}
	if shape == "common word" {
		return ""
	}
	for _, encode := range echoEncodings {
		form := encode(pw)
		for _, f := range []string{form, strings.Trim(strconv.Quote(form), `"`), strings.Trim(strconv.QuoteToASCII(form), `"`)} {
			if utf8.RuneCountInString(f) > 3 && strings.Contains(out, f) {
				return f
			}
		}
	}
	return ""
}

// TestCommonWordPassword: with a password that is a common word, a server
// message holding the word is withheld, yet still classified; Param, which
// would name the word, is empty; messages without it are shown.
func TestCommonWordPassword(t *testing.T) {
	t.Parallel()
	srv := newRawServer(t, func(r *http.Request) string {
		msg := "Invalid Parameter (password): too short"
		if r.URL.Path == "/other" {
			msg = "Invalid Parameter (caller): not a number"
		}
		body, _ := json.Marshal(map[string]any{"success": false, "message": msg})
		return rawReply(200, "Content-Type: application/json\r\n", string(body))
	})
	for path, want := range map[string]gurulize.APIError{
		"/word":  {StatusCode: 200, Message: "REDACTED (text withheld: it holds the password in some form)"},
		"/other": {StatusCode: 200, Message: "Invalid Parameter (caller): not a number", Param: "caller"},
	} {
		c, err := gurulize.NewClient(testUser, "password", gurulize.WithHTTPClient(&http.Client{Transport: &http.Transport{}}),
			gurulize.WithVideoURL(srv.URL+path))
		require.NoError(t, err)
		_, err = c.CreateVideoRoom(context.Background(), validRoom())
		assert.ErrorIs(t, err, gurulize.ErrInvalidParameter, path)
		var apiErr *gurulize.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, want.Message, apiErr.Message, path)
		assert.Equal(t, want.Param, apiErr.Param, path)
		assert.False(t, gurulize.MaybeSent(err), "a refusal")
	}
}

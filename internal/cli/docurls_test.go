package cli

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

// docToken stands for the token placeholders the documents write ($TOKEN,
// TOKEN, <token>).
const docToken = "documented-token-0123456789"

var (
	// callbackURLRe finds a callback address written out in full.
	callbackURLRe = regexp.MustCompile("https?://[^/\\s\"'`]+(/gurulize/(?:video|voice)[^\\s\"'`)]*)")
	// helpAddressRe finds an address a help text gives as "METHOD /path".
	helpAddressRe = regexp.MustCompile(`(?m)^\s+[a-z ]+:\s+(?:POST|GET)\s+(/gurulize/\S+)`)
	// readmeRouteRe finds the routes the README's callback mux mounts.
	readmeRouteRe = regexp.MustCompile(`mux\.Handle\("([^"]+)", gurulize\.New(Video|Voice)`)
)

// documentedCallbackURLs returns the callback addresses of the README and of
// the help of every command that shows them, each with where it came from.
func documentedCallbackURLs(t *testing.T) map[string]string {
	t.Helper()
	found := map[string]string{}
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	for _, m := range callbackURLRe.FindAllStringSubmatch(string(readme), -1) {
		found[m[1]] = "README.md: " + m[0]
	}
	for _, cmd := range [][]string{{"trigger", "room"}, {"trigger", "call"}, {"fake"}, {"listen"}} {
		r := runCLI(t, nil, append(cmd, "--help")...)
		require.Equal(t, ExitOK, r.code)
		where := "gurulize " + strings.Join(cmd, " ") + " --help: "
		for _, m := range callbackURLRe.FindAllStringSubmatch(r.stdout, -1) {
			found[m[1]] = where + m[0]
		}
		for _, m := range helpAddressRe.FindAllStringSubmatch(r.stdout, -1) {
			found[m[1]] = where + strings.TrimSpace(m[0])
		}
	}
	return found
}

// readmeMux builds the mux of the README's "Receiving callbacks": its
// routes, as the README writes them, to the SDK's handlers with token.
func readmeMux(t *testing.T, token string) *http.ServeMux {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	section := string(readme)[strings.Index(string(readme), "## Receiving callbacks"):]
	routes := readmeRouteRe.FindAllStringSubmatch(section[:strings.Index(section, "\n## ")], -1)
	require.Len(t, routes, 2, "the README's callback mux mounts a video and a voice route")
	mux := http.NewServeMux()
	for _, r := range routes {
		if r[2] == "Video" {
			mux.Handle(r[1], gurulize.NewVideoEventHandler(func(context.Context, gurulize.VideoEvent) error { return nil }, gurulize.WithCallbackToken(token)))
		} else {
			mux.Handle(r[1], gurulize.NewVoiceStatusHandler(func(context.Context, gurulize.VoiceStatus) error { return nil }, gurulize.WithCallbackToken(token)))
		}
	}
	return mux
}

// callbackTo returns a valid callback, as the provider sends it, to the
// address path (path and query), and the token the address carries.
func callbackTo(t *testing.T, path string) (*http.Request, string) {
	t.Helper()
	for _, placeholder := range []string{"$TOKEN", "<token>", "TOKEN"} {
		path = strings.ReplaceAll(path, placeholder, docToken)
	}
	u, err := url.Parse(path)
	require.NoError(t, err, path)
	token := u.Query().Get("token")
	if rest, ok := strings.CutPrefix(u.Path, "/gurulize/video/"); ok {
		token = rest
	} else if rest, ok := strings.CutPrefix(u.Path, "/gurulize/voice/"); ok {
		token = rest
	}
	if strings.HasPrefix(u.Path, "/gurulize/video") {
		body := `{"code":"JOIN","eventSource":"HOST","receivedTime":"1796126400000","roomUuid":"1b4e28ba-2fa1-41d2-883f-0016d3cca427"}`
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		return req, token
	}
	q := u.Query()
	for k, v := range map[string]string{"id": "7", "code": "4", "desc": "CALLEE_BUSY", "cause": "17", "time": "1796126412"} {
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()
	return httptest.NewRequest(http.MethodGet, u.String(), nil), token
}

// TestDocumentedCallbackURLsAreRouted: every callback address the README
// and the commands' help give, sent a valid callback, reaches a handler and
// is accepted, both by the mux the README mounts and by gurulize listen's.
func TestDocumentedCallbackURLsAreRouted(t *testing.T) {
	urls := documentedCallbackURLs(t)
	require.GreaterOrEqual(t, len(urls), 6, "%v", urls)
	for path, where := range urls {
		_, token := callbackTo(t, path)
		require.NotEmpty(t, token, "%s: the address carries no token", where)
		for name, mux := range map[string]http.Handler{
			"the README's mux": readmeMux(t, token),
			"listen's mux":     newListenMux(&printer{out: io.Discard}, token),
		} {
			req, _ := callbackTo(t, path)
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, req)
			assert.Equal(t, http.StatusOK, rec.Code, "%s: %s answers %d: %s", where, name, rec.Code, rec.Body.String())
		}
	}
}

// TestReadmeMuxRefusesTheQueryForm: the README says a {token} pattern does
// not route ?token= addresses; this test keeps the other test honest, since
// it shows the README's mux answers 404 to a form the documents must not use.
func TestReadmeMuxRefusesTheQueryForm(t *testing.T) {
	req, token := callbackTo(t, "/gurulize/video?token=TOKEN")
	rec := httptest.NewRecorder()
	readmeMux(t, token).ServeHTTP(rec, req)
	assert.Equal(t, http.StatusNotFound, rec.Code)
}

package redact

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const secret = `p@ss w/"rd&x=<1>`

// TestHoldsEveryEncoding: text holds the secret in any layering of the
// encodings canonical form undoes; text without it is shown as it is. The
// full matrix, through the client, is in the root package's secrets_test.go.
func TestHoldsEveryEncoding(t *testing.T) {
	t.Parallel()
	r := New(secret, "")
	for _, form := range []string{
		secret,
		url.QueryEscape(secret),
		url.QueryEscape(url.QueryEscape(url.QueryEscape(secret))),
		url.PathEscape(secret),
		`p@ss w/\"rd\u0026x=\u003c1\u003e`,            // JSON with HTML escaping
		`p@ss w/\\\"rd&x=<1>`,                         // Go-quoted twice
		"p%40ss+w%2f%22rd%26x%3d%3c1%3e",              // lower-case percent-encoding
		"p@ss w/&quot;rd&amp;x=&lt;1&gt;",             // HTML
		"&#112;&#x40;ss w/&#X22;rd&#38;x=&#60;1&#62;", // numeric references
		"p@ss\tw/\"rd&x=<1>",                          // a control character for the space
		"p@\xffss w/\"rd&x=<1>",                       // invalid UTF-8 within
		"p@\ufffdss w/\"rd&x=<1>",                     // U+FFFD within
	} {
		text := "before " + form + " after"
		assert.True(t, r.Holds(text), "form %q", form)
		assert.Equal(t, Withheld, r.Text(text), "form %q", form)
	}
	for _, text := range []string{"nothing here", "p@ss w/", `"rd&x=<1>`, "%zz%", `\u12`, "&bogus;"} {
		assert.False(t, r.Holds(text), "%q", text)
		assert.Equal(t, text, r.Text(text))
	}
}

// TestSurrogatePairs: JSON's form of a rune above U+FFFF.
func TestSurrogatePairs(t *testing.T) {
	t.Parallel()
	r := New("key😀lock")
	assert.True(t, r.Holds(`"key\ud83d\ude00lock"`))
	assert.False(t, r.Holds(`"key\ud83dlock"`), "a lone surrogate is not the rune")
}

// TestTooManyLayers: text still changing after maxRounds is not provably
// free of the secret, so it is withheld.
func TestTooManyLayers(t *testing.T) {
	t.Parallel()
	r := New("s3cret")
	text := "harmless"
	for range maxRounds + 2 {
		text = url.QueryEscape(text + "%")
	}
	assert.True(t, r.Holds(text))
	assert.False(t, r.Holds(url.QueryEscape(url.QueryEscape("harmless%"))))
}

// TestCommonWordPassword: a password that is a common word withholds every
// text holding the word; the SDK's own URL masks its whole query then.
func TestCommonWordPassword(t *testing.T) {
	t.Parallel()
	r := New("password")
	assert.Equal(t, Withheld, r.Text("Missing Parameter (password)"))
	assert.Equal(t, "Missing Parameter (caller)", r.Text("Missing Parameter (caller)"))
	u, err := url.Parse("https://example.com/create?username=u&password=password")
	require.NoError(t, err)
	assert.Equal(t, "https://example.com/REDACTED", r.URL(u, "username", "password"))
}

func TestQueries(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`{"hostUrl":"https://webrtc.gurulize.com/?rop=V_US&urp=gN-host"}`, `{"hostUrl":"https://webrtc.gurulize.com/?REDACTED"}`},
		{`{"guestUrl":"https:\/\/webrtc.gurulize.com\/?rop=GF\u0026urp=gN-guest"}`, `{"guestUrl":"https:\/\/webrtc.gurulize.com\/?REDACTED"}`},
		{`<a href='https://x.example/p?token=abc'>here</a>`, `<a href='https://x.example/p?REDACTED'>here</a>`},
		{`cut short: https://x.example/?urp=gN-mY`, `cut short: https://x.example/?REDACTED`},
		{`two: /a?x=1 and /b?y=2#frag`, `two: /a?REDACTED and /b?REDACTED#frag`},
		{`why? no query here, nor in "a?b" or "?=x"`, `why? no query here, nor in "a?b" or "?=x"`},
		{``, ``},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Queries(tt.in), "%q", tt.in)
	}
}

func TestNilAndEmptyRedactor(t *testing.T) {
	t.Parallel()
	var r *Redactor
	assert.Equal(t, "x", r.Text("x"))
	assert.False(t, r.Holds("x"))
	assert.Equal(t, "x", New().Text("x"))
	assert.False(t, New("").Holds("x"))
}

func TestURL(t *testing.T) {
	t.Parallel()
	r := New(secret)
	u, err := url.Parse("https://user:" + url.QueryEscape("other") + "@example.com/create?username=u&password=" + url.QueryEscape(secret) + "&type=video")
	require.NoError(t, err)
	assert.Equal(t, "https://user:REDACTED@example.com/create?password=REDACTED&type=video&username=REDACTED", r.URL(u, "username", "password"))
	assert.Equal(t, "", r.URL(nil))

	plain, err := url.Parse("https://example.com/x?a=1")
	require.NoError(t, err)
	assert.Equal(t, "https://example.com/x?a=1", r.URL(plain, "password"), "URLs without the parameter are unchanged")
	assert.Equal(t, "https://example.com/x?a=1", plain.String(), "the input is not modified")

	elsewhere, err := url.Parse("https://example.com/" + url.PathEscape(secret) + "?tenant=1")
	require.NoError(t, err)
	assert.Equal(t, "https://example.com/REDACTED", r.URL(elsewhere, "password"), "a secret elsewhere masks path and query")
}

func TestPrintable(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "a b\uFFFDc d", Printable("a\tb\xffc\x7fd"))
}

// FuzzText: whatever the secret and the text, Text either withholds the
// text or returns it unchanged, and never returns text that holds the
// secret raw or percent-encoded.
func FuzzText(f *testing.F) {
	f.Add("s3cret", "prefix s3cret suffix")
	f.Add("a&b=c", "x=a%26b%3Dc")
	f.Add("\"", `\"`)
	f.Fuzz(func(t *testing.T, secret, text string) {
		r := New(secret)
		out := r.Text(text)
		if out != text && out != Withheld {
			t.Fatalf("Text(%q) = %q", text, out)
		}
		if secret != "" && out == text && (strings.Contains(text, secret) || strings.Contains(text, url.QueryEscape(secret))) {
			t.Fatalf("secret %q shown in %q", secret, out)
		}
	})
}

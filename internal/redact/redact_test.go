package redact

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"html"
	"net"
	"net/url"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const secret = `p@ss w/"rd&x=<1>`

func TestStringMasksEveryEncoding(t *testing.T) {
	t.Parallel()
	r := New(secret, "")
	for _, form := range []string{
		secret,
		url.QueryEscape(secret),
		url.PathEscape(secret),
		`p@ss w/\"rd\u0026x=\u003c1\u003e`, // JSON with HTML escaping
		`p@ss w/\"rd&x=<1>`,                // Go quoted
		"p%40ss+w%2f%22rd%26x%3d%3c1%3e",   // lower-case percent-encoding
	} {
		out := r.String("before " + form + " after")
		assert.Equal(t, "before REDACTED after", out, "form %q", form)
		assert.True(t, r.Contains(form), "form %q", form)
	}
	assert.Equal(t, "nothing here", r.String("nothing here"))
	assert.False(t, r.Contains("nothing here"))
}

// TestStringMasksEchoedForms: the forms a password takes when a server or a
// transport echoes it back, for passwords with control characters, invalid
// UTF-8, non-ASCII letters and URL-special characters.
func TestStringMasksEchoedForms(t *testing.T) {
	t.Parallel()
	passwords := []string{
		"P@ss w0rd&x",
		"bad\tpassword\nnew line",
		"ab\xffcd\x01ef",
		"Şifre-çok/gizli?ğ=ü",
		"a+b%2Fc#d;e,f",
	}
	for _, pw := range passwords {
		r := New(pw)
		echoes := map[string]string{
			"raw":                pw,
			"encodeURIComponent": jsEncodeURIComponent(pw),
			"quote(safe='')":     percentAll(pw, "-_.~"),
			"lower-case hex":     lowerEscapes(percentAll(pw, "-_.~")),
			"%+q":                strings.Trim(fmt.Sprintf("%+q", pw), `"`),
			"%q":                 strings.Trim(fmt.Sprintf("%q", pw), `"`),
			"printable":          Printable(pw),
			"HTML":               html.EscapeString(pw),
		}
		for name, echo := range echoes {
			if strings.TrimSpace(echo) == "" {
				continue
			}
			out := r.String("said: " + echo + ".")
			assert.Equal(t, "said: REDACTED.", out, "%q as %s (%q)", pw, name, echo)
			// Cleaned up after masking, nothing of the password comes back.
			assert.Equal(t, "said: REDACTED.", r.String(Printable(r.String("said: "+echo+"."))), "%q as %s", pw, name)
		}
		// Cleaned up before masking, as an excerpt of a body is.
		assert.Equal(t, "said: REDACTED.", r.String(Printable("said: "+pw+".")), "%q cleaned first", pw)
	}
}

// jsEncodeURIComponent encodes as JavaScript's encodeURIComponent does.
func jsEncodeURIComponent(s string) string { return percentAll(s, "-_.!~*'()") }

// lowerEscapes writes the two hex digits after each '%' in lower case.
func lowerEscapes(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = byte(unicode.ToLower(rune(b[i+1]))), byte(unicode.ToLower(rune(b[i+2])))
		}
	}
	return string(b)
}

// percentAll escapes every byte but ASCII letters, digits and keep, written
// independently of the package's own encoder.
func percentAll(s, keep string) string {
	out := ""
	for _, c := range []byte(s) {
		if c < 0x80 && (unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c)) || strings.ContainsRune(keep, rune(c))) {
			out += string(rune(c))
		} else {
			out += fmt.Sprintf("%%%X%X", c>>4, c&15)
		}
	}
	return out
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
	assert.Equal(t, "x", r.String("x"))
	assert.False(t, r.Contains("x"))
	assert.Equal(t, "x", New().String("x"))
	assert.Nil(t, New("a").Error(nil))
}

func TestURL(t *testing.T) {
	t.Parallel()
	r := New(secret)
	u, err := url.Parse("https://user:" + url.QueryEscape("other") + "@example.com/create?username=u&password=" + url.QueryEscape(secret) + "&type=video")
	require.NoError(t, err)
	out := r.URL(u, "password")
	assert.Equal(t, "https://user:REDACTED@example.com/create?password=REDACTED&type=video&username=u", out)
	assert.Equal(t, "", r.URL(nil))

	plain, err := url.Parse("https://example.com/x?a=1")
	require.NoError(t, err)
	assert.Equal(t, "https://example.com/x?a=1", r.URL(plain, "password"), "URLs without the parameter are unchanged")
	assert.Equal(t, "https://example.com/x?a=1", plain.String(), "the input is not modified")
}

type leaky struct{ url string }

func (e *leaky) Error() string { return "failed " + e.url }

func TestErrorDropsTheOriginal(t *testing.T) {
	t.Parallel()
	r := New(secret)
	orig := fmt.Errorf("wrapped: %w", &leaky{url: "https://x/?password=" + url.QueryEscape(secret)})
	err := r.Error(orig)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		assert.NotContains(t, fmt.Sprintf(verb, err), url.QueryEscape(secret), verb)
	}
	assert.Contains(t, err.Error(), "password=REDACTED")
	var l *leaky
	assert.False(t, errors.As(err, &l), "the original, which holds the secret in its fields, is not reachable")
	assert.Nil(t, errors.Unwrap(err))
}

type timeoutErr struct{}

func (timeoutErr) Error() string { return "i/o timeout" }
func (timeoutErr) Timeout() bool { return true }

func TestErrorKeepsSafeCauses(t *testing.T) {
	t.Parallel()
	r := New(secret)
	assert.ErrorIs(t, r.Error(fmt.Errorf("x: %w", context.Canceled)), context.Canceled)
	assert.ErrorIs(t, r.Error(fmt.Errorf("x: %w", context.DeadlineExceeded)), context.DeadlineExceeded)

	dns := &net.DNSError{Err: "no such host", Name: "gurulize.invalid", IsNotFound: true}
	var gotDNS *net.DNSError
	require.ErrorAs(t, r.Error(fmt.Errorf("dial: %w", dns)), &gotDNS)
	assert.Equal(t, dns, gotDNS)

	op := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	var gotOp *net.OpError
	require.ErrorAs(t, r.Error(fmt.Errorf("x: %w", op)), &gotOp)

	var rec tls.RecordHeaderError
	require.ErrorAs(t, r.Error(fmt.Errorf("x: %w", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"})), &rec)
	var alert tls.AlertError
	require.ErrorAs(t, r.Error(fmt.Errorf("x: %w", tls.AlertError(42))), &alert)
	var cert *tls.CertificateVerificationError
	require.ErrorAs(t, r.Error(fmt.Errorf("x: %w", &tls.CertificateVerificationError{Err: errors.New("unknown authority")})), &cert)

	// A safe type whose text carries the secret anyway is dropped.
	bad := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New(secret)}
	assert.False(t, errors.As(r.Error(bad), &gotOp))

	te := r.Error(fmt.Errorf("x: %w", timeoutErr{}))
	var ne net.Error
	require.ErrorAs(t, te, &ne)
	assert.True(t, ne.Timeout())
	assert.True(t, te.(*Error).Temporary())
	assert.False(t, r.Error(errors.New("plain")).(*Error).Timeout())
}

func FuzzString(f *testing.F) {
	f.Add("s3cret", "prefix s3cret suffix")
	f.Add("a&b=c", "x=a%26b%3Dc")
	f.Add("\"", `\"`)
	f.Fuzz(func(t *testing.T, secret, text string) {
		r := New(secret)
		out := r.String(text)
		// A match spanning the mask needs a character of the mask.
		if secret != "" && !strings.ContainsAny(secret, Mask) {
			assert.NotContains(t, out, secret)
			assert.NotContains(t, out, url.QueryEscape(secret))
		}
	})
}

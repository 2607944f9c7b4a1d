// Package redact masks a secret in text that leaves the SDK: error messages
// and log records, including what a server or a transport echoes back.
package redact

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Mask replaces every secret.
const Mask = "REDACTED"

// Redactor masks a fixed set of secrets in every form in which a server or a
// transport can send them back (see forms). The zero value and a nil
// *Redactor mask nothing.
type Redactor struct {
	forms []string // longest first, so a longer form wins over its prefix
	r     *strings.Replacer
}

// New returns a Redactor for the given secrets; empty secrets are ignored.
func New(secrets ...string) *Redactor {
	var all []string
	for _, s := range secrets {
		if s != "" {
			all = append(all, forms(s)...)
		}
	}
	slices.SortStableFunc(all, func(a, b string) int { return len(b) - len(a) })
	all = slices.Compact(all)
	pairs := make([]string, 0, 2*len(all))
	for _, f := range all {
		pairs = append(pairs, f, Mask)
	}
	return &Redactor{forms: all, r: strings.NewReplacer(pairs...)}
}

// forms returns the forms a secret takes in what comes back from a server
// or a transport: as it is; percent-encoded as Go's url.QueryEscape and
// url.PathEscape, JavaScript's encodeURIComponent and Python's
// quote(safe=”), each with upper- and lower-case hex; escaped in JSON (with
// and without HTML escaping), in HTML, and in Go's %q and %+q; and each of
// those as Printable leaves it, so that cleaning text up cannot reassemble a
// secret that was masked before.
func forms(s string) []string {
	jsonHTML, _ := json.Marshal(s) // escapes <, > and & as \u00XX
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	base := []string{
		s,
		url.QueryEscape(s),
		url.PathEscape(s),
		percentEncode(s, "-_.!~*'()"), // encodeURIComponent
		percentEncode(s, "-_.~"),      // Python's quote(s, safe='')
		strings.Trim(string(jsonHTML), `"`),
		strings.Trim(strings.TrimSpace(plain.String()), `"`),
		html.EscapeString(s),
		strings.Trim(strconv.Quote(s), `"`),
		strings.Trim(strconv.QuoteToASCII(s), `"`),
	}
	var out []string
	for _, f := range base {
		out = append(out, f, lowerHex(f))
		// A form that cleaning leaves blank would mask every run of spaces.
		if p := Printable(f); strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return out
}

// percentEncode escapes every byte of s as %XX but ASCII letters, digits and
// the bytes in keep.
func percentEncode(s, keep string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(keep, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

var hexEscape = regexp.MustCompile(`%[0-9A-F]{2}`)

// lowerHex writes the hex digits of every percent escape in lower case.
func lowerHex(s string) string { return hexEscape.ReplaceAllStringFunc(s, strings.ToLower) }

// Printable returns s with invalid UTF-8 dropped and every control
// character turned into a space, so that it can be quoted in an error.
func Printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, ""))
}

// String returns s with every secret masked.
func (r *Redactor) String(s string) string {
	if r == nil || r.r == nil {
		return s
	}
	return r.r.Replace(s)
}

// Contains reports whether s holds any secret in any of its forms.
func (r *Redactor) Contains(s string) bool {
	if r == nil {
		return false
	}
	for _, f := range r.forms {
		if strings.Contains(s, f) {
			return true
		}
	}
	return false
}

// URL returns u as a string with the values of the named query parameters
// masked, the user-info password masked, and every secret masked.
func (r *Redactor) URL(u *url.URL, params ...string) string {
	if u == nil {
		return ""
	}
	c := *u
	if c.User != nil {
		if _, ok := c.User.Password(); ok {
			c.User = url.UserPassword(c.User.Username(), Mask)
		}
	}
	if q := c.Query(); len(params) > 0 && len(q) > 0 {
		changed := false
		for _, p := range params {
			for i := range q[p] {
				q[p][i], changed = Mask, true
			}
		}
		if changed {
			c.RawQuery = q.Encode()
		}
	}
	return r.String(c.String())
}

// queryRe matches a query string in free text: a '?' then a parameter name
// and '=', up to whatever ends a link in JSON, HTML or prose.
var queryRe = regexp.MustCompile(`\?[A-Za-z0-9_.~%+-]+=[^\s"'<>#]*`)

// Queries masks the query string of every link in s, such as the access
// tokens in a room's host and guest links, whether the link is plain, in
// JSON (with "\/" or "\u0026" escapes) or in HTML. It is meant for text
// quoted from a reply, which may hold links the SDK cannot otherwise know.
func Queries(s string) string {
	return queryRe.ReplaceAllLiteralString(s, "?"+Mask)
}

// Error returns an error whose message is err's with every secret masked.
// The original error is not kept, since its fields may hold the secret; what
// is kept for errors.Is and errors.As is the context error (Canceled or
// DeadlineExceeded) and the standard library's network and TLS errors, whose
// messages do not carry secrets. Timeout and Temporary answers are preserved.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	e := &Error{msg: r.String(err.Error())}
	var te interface{ Timeout() bool }
	if errors.As(err, &te) {
		e.timeout = te.Timeout()
	}
	e.cause = safeCause(err)
	if e.cause != nil && r.Contains(e.cause.Error()) {
		e.cause = nil
	}
	return e
}

func safeCause(err error) error {
	switch {
	case errors.Is(err, context.Canceled):
		return context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return context.DeadlineExceeded
	}
	var (
		dnsErr  *net.DNSError
		opErr   *net.OpError
		certErr *tls.CertificateVerificationError
		recErr  tls.RecordHeaderError
		alert   tls.AlertError
	)
	switch {
	case errors.As(err, &dnsErr):
		return dnsErr
	case errors.As(err, &certErr):
		return certErr
	case errors.As(err, &recErr):
		return recErr
	case errors.As(err, &alert):
		return alert
	case errors.As(err, &opErr):
		return opErr
	}
	return nil
}

// Error is an error whose message has been redacted. It unwraps to the safe
// part of the original error, if any.
type Error struct {
	msg     string
	cause   error
	timeout bool
}

func (e *Error) Error() string { return e.msg }

// Unwrap returns the context or network error the original wrapped, or nil.
func (e *Error) Unwrap() error { return e.cause }

// Timeout reports whether the original error was a timeout.
func (e *Error) Timeout() bool { return e.timeout }

// Temporary reports the same as Timeout, as net.Error asks.
func (e *Error) Temporary() bool { return e.timeout }

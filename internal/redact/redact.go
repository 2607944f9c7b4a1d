// Package redact removes secrets from strings, URLs and errors before they
// leave the SDK in an error value or a log record.
package redact

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Mask replaces every secret.
const Mask = "REDACTED"

// Redactor masks a fixed set of secrets in every encoding in which they can
// reach an error message: raw, URL query and path escaped, JSON escaped and Go
// quoted. The zero value and a nil *Redactor mask nothing.
type Redactor struct {
	variants []string // longest first, so a longer encoding wins over its prefix
	r        *strings.Replacer
}

// New returns a Redactor for the given secrets; empty secrets are ignored.
func New(secrets ...string) *Redactor {
	seen := map[string]bool{}
	var variants []string
	add := func(v string) {
		if v != "" && !seen[v] {
			seen[v] = true
			variants = append(variants, v)
		}
	}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		add(s)
		add(url.QueryEscape(s))
		add(url.PathEscape(s))
		add(strings.ToLower(url.QueryEscape(s)))
		if b, err := json.Marshal(s); err == nil { // escapes <, > and & as \u00XX
			add(string(b[1 : len(b)-1]))
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if enc.Encode(s) == nil {
			b := bytes.TrimSpace(buf.Bytes())
			add(string(b[1 : len(b)-1]))
		}
		q := strconv.Quote(s)
		add(q[1 : len(q)-1])
	}
	sort.SliceStable(variants, func(i, j int) bool { return len(variants[i]) > len(variants[j]) })
	pairs := make([]string, 0, 2*len(variants))
	for _, v := range variants {
		pairs = append(pairs, v, Mask)
	}
	return &Redactor{variants: variants, r: strings.NewReplacer(pairs...)}
}

// String returns s with every secret masked.
func (r *Redactor) String(s string) string {
	if r == nil || r.r == nil {
		return s
	}
	return r.r.Replace(s)
}

// Contains reports whether s holds any secret in any of its encodings.
func (r *Redactor) Contains(s string) bool {
	if r == nil {
		return false
	}
	for _, v := range r.variants {
		if strings.Contains(s, v) {
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
	if c.RawQuery != "" && len(params) > 0 {
		q := c.Query()
		changed := false
		for _, p := range params {
			if vs, ok := q[p]; ok {
				for i := range vs {
					vs[i] = Mask
				}
				changed = true
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

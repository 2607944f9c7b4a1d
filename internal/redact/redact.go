// Package redact keeps secrets out of text that leaves the SDK: error
// messages, log records and printed values. Rather than list the forms a
// secret can take, it brings text to a canonical form (every escape and
// encoding undone) and compares it with the secrets brought to the same
// form: text that holds a secret is withheld whole, text that does not is
// shown as it is.
package redact

import (
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Mask replaces a secret the SDK itself placed, such as a query value.
const Mask = "REDACTED"

// Withheld replaces text that holds a secret.
const Withheld = Mask + " (text withheld: it holds the password in some form)"

// maxRounds bounds how many layers of encoding are undone. Text still
// changing after that many is not provably free of a secret, so it is
// withheld.
const maxRounds = 8

// Redactor knows a fixed set of secrets. The zero value and a nil *Redactor
// know none and withhold nothing.
type Redactor struct {
	secrets []string // canonical forms, non-empty
}

// New returns a Redactor for the given secrets; empty ones are ignored.
func New(secrets ...string) *Redactor {
	r := &Redactor{}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if c, _ := canonical(s); c != "" {
			r.secrets = append(r.secrets, c)
		} else {
			r.secrets = append(r.secrets, s) // nothing survives canonical form: compare it raw
		}
	}
	return r
}

// Holds reports whether s holds a secret: whether s, or any of the forms
// met on the way to its canonical form, contains a secret's canonical form.
// Text whose encodings cannot all be undone within maxRounds holds one.
func (r *Redactor) Holds(s string) bool {
	if r == nil || len(r.secrets) == 0 {
		return false
	}
	for round := 0; ; round++ {
		t := tidy(s)
		for _, secret := range r.secrets {
			if strings.Contains(t, secret) || strings.Contains(s, secret) {
				return true
			}
		}
		next := unescape(s)
		if next == s {
			return false
		}
		if round == maxRounds {
			return true
		}
		s = next
	}
}

// Text returns s when it holds no secret, and Withheld when it does.
func (r *Redactor) Text(s string) string {
	if r.Holds(s) {
		return Withheld
	}
	return s
}

// canonical undoes every layer of encoding of s and tidies the result; ok
// is false when layers remain after maxRounds.
func canonical(s string) (c string, ok bool) {
	for range maxRounds {
		next := unescape(s)
		if next == s {
			return tidy(s), true
		}
		s = next
	}
	return tidy(s), false
}

// unescape undoes one layer of each encoding a server or a transport may
// wrap text in: percent-encoding with '+' as a space (any case of hex), the
// backslash escapes of JSON and Go (\" \\ \n \xHH \uHHHH \UHHHHHHHH, with
// UTF-16 surrogate pairs), and HTML/XML character references, named and
// numeric.
func unescape(s string) string {
	if strings.ContainsAny(s, "%+") {
		s = percent(s)
	}
	if strings.Contains(s, `\`) {
		s = backslash(s)
	}
	if strings.Contains(s, "&") {
		s = html.UnescapeString(s)
	}
	return s
}

// tidy makes what differs only in presentation compare equal: invalid UTF-8,
// U+FFFD (what invalid UTF-8 is often replaced by) and lone surrogates are
// dropped, and control characters become spaces.
func tidy(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == utf8.RuneError:
			return -1
		case r < 0x20 || r == 0x7f:
			return ' '
		}
		return r
	}, s)
}

// percent decodes %XX escapes (either case) and '+' as a space; a '%' not
// followed by two hex digits stays as it is.
func percent(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b.WriteByte(' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			v, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b.WriteByte(byte(v))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// backslash decodes the escapes of JSON strings and Go's %q and %+q; an
// unknown escape stays as it is.
func backslash(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		c, width := s[i+1], 0
		switch c {
		case 'x':
			width = 2
		case 'u':
			width = 4
		case 'U':
			width = 8
		default:
			if e := strings.IndexByte(`nrtbfva"\/'`, c); e >= 0 {
				b.WriteByte("\n\r\t\b\f\v\a\"\\/'"[e])
				i++
				continue
			}
		}
		if width == 0 || i+2+width > len(s) {
			b.WriteByte(s[i])
			continue
		}
		v, err := strconv.ParseUint(s[i+2:i+2+width], 16, 32)
		if err != nil {
			b.WriteByte(s[i])
			continue
		}
		i += 1 + width
		switch r := rune(v); {
		case c == 'x':
			b.WriteByte(byte(v))
		case r >= 0xd800 && r < 0xdc00 && strings.HasPrefix(s[i+1:], `\u`) && len(s) >= i+7:
			// A high surrogate: JSON's form of a rune above U+FFFF when the
			// low one follows; alone, it tidies away as invalid.
			low, err := strconv.ParseUint(s[i+3:i+7], 16, 32)
			if err == nil && low >= 0xdc00 && low < 0xe000 {
				b.WriteRune(0x10000 + (r-0xd800)<<10 + rune(low) - 0xdc00)
				i += 6
				continue
			}
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// URL returns u as a string with the user-info password and the values of
// the named query parameters masked. Should the result still hold a secret
// (the endpoint's own path or query spells one, or the secret is a word
// such as a parameter's name), the whole path and query are masked.
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
	if s := c.String(); !r.Holds(s) {
		return s
	}
	return (&url.URL{Scheme: c.Scheme, Host: c.Host, Path: "/" + Mask}).String()
}

// Printable returns s with invalid UTF-8 replaced by U+FFFD and every
// control character turned into a space, so that it can be quoted in an
// error.
func Printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
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

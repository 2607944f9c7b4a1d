// Package token holds the one rule for callback tokens and the one way to
// find a token in a request, shared by the SDK's callback handlers, the
// gurulize CLI and gurulizetest, so that a token one accepts the others
// accept too.
package token

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
)

// MinLength is the fewest characters a callback token may have.
const MinLength = 16

// Rule says in words what a callback token must be; error messages end
// with it.
const Rule = "a callback token must be at least 16 characters long, each a letter A-Z or a-z, " +
	"a digit 0-9, or one of - . _ ~ (the characters a URL carries verbatim)"

// Check returns nil when tok follows Rule, or an error saying what is wrong
// and the rule. The error never holds tok nor any of its characters.
func Check(tok string) error {
	if tok == "" {
		return fmt.Errorf("the token is empty: %s", Rule)
	}
	for i := 0; i < len(tok); i++ {
		if !allowed(tok[i]) {
			return fmt.Errorf("the token has a character that is not allowed at byte %d: %s", i+1, Rule)
		}
	}
	if len(tok) < MinLength {
		return fmt.Errorf("the token is %d characters long: %s", len(tok), Rule)
	}
	return nil
}

// allowed reports whether c is one of RFC 3986's unreserved characters,
// which no part of a URL escapes.
func allowed(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// New returns a new random token: 32 bytes from crypto/rand, encoded as
// base64url without padding (43 characters, all allowed by Rule). It
// panics if the system's random source fails, which Go 1.24 and later
// never let happen.
func New() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("gurulize: cannot read random bytes for a callback token: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Matcher finds one token in requests. Its zero value matches nothing.
type Matcher struct {
	sum [sha256.Size]byte
	set bool
}

// NewMatcher returns a Matcher for tok, or Check's error when tok does not
// follow Rule.
func NewMatcher(tok string) (Matcher, error) {
	if err := Check(tok); err != nil {
		return Matcher{}, err
	}
	return Matcher{sum: sha256.Sum256([]byte(tok)), set: true}, nil
}

// InRequest reports whether a request carries the token, where the
// callback handlers look for it: as the last segment of path (the URL's
// path, unescaped, a trailing slash ignored) or as param (the value of the
// query parameter token). Both are compared, each in constant time.
func (m Matcher) InRequest(path, param string) bool {
	path = strings.TrimRight(path, "/")
	fromPath := m.Matches(path[strings.LastIndexByte(path, '/')+1:])
	fromParam := m.Matches(param)
	return fromPath || fromParam
}

// Matches compares candidate with the token through their SHA-256
// digests, so neither the token's content nor its length shows in the
// time it takes.
func (m Matcher) Matches(candidate string) bool {
	sum := sha256.Sum256([]byte(candidate))
	return m.set && candidate != "" && subtle.ConstantTimeCompare(sum[:], m.sum[:]) == 1
}

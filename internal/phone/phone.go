// Package phone checks the phone numbers the Voice API takes: digits, as
// the provider's document asks ("numerical such as 5xxyyyzztt").
package phone

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Format says what the provider takes, for error messages and help texts.
const Format = "the national number in digits, such as 5321234567, without + or a country code"

// Normalize removes the separators people write in phone numbers (spaces,
// '-', '.', '(' and ')') and returns the digits that remain. Any other
// character is an error that quotes it and says what to send instead; so is
// a number without digits. Nothing else is changed: the provider documents
// no other normalisation.
func Normalize(s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("is required: %s", Format)
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case '0' <= r && r <= '9':
			b.WriteRune(r)
		case strings.ContainsRune(" -.()", r):
		case r == '+':
			return "", fmt.Errorf("has '+' at offset %d: send %s", i, Format)
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			return "", fmt.Errorf("has an invalid UTF-8 byte at offset %d: send %s", i, Format)
		default:
			return "", fmt.Errorf("has %q at offset %d: send %s (spaces, '-', '.', '(' and ')' are removed)", r, i, Format)
		}
	}
	if b.Len() == 0 {
		return "", fmt.Errorf("has no digits: send %s", Format)
	}
	return b.String(), nil
}

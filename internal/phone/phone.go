// Package phone normalizes the phone numbers the Voice API accepts.
package phone

import (
	"fmt"
	"unicode/utf8"
)

// Normalize removes the separators people write in phone numbers (spaces,
// '-', '.', '(' and ')') and returns the digits that remain. Any other
// character is an error that quotes it; so is a number without digits.
func Normalize(s string) (string, error) {
	// Fast path: already only digits.
	clean := true
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			clean = false
			break
		}
	}
	if clean {
		if s == "" {
			return "", fmt.Errorf("is required")
		}
		return s, nil
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			b = append(b, c)
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size <= 1 {
				return "", fmt.Errorf("has an invalid UTF-8 byte at offset %d; only digits, spaces, '-', '.', '(' and ')' are allowed", i)
			}
			return "", fmt.Errorf("has %q at offset %d; only digits, spaces, '-', '.', '(' and ')' are allowed", r, i)
		}
		i++
	}
	if len(b) == 0 {
		return "", fmt.Errorf("has no digits")
	}
	return string(b), nil
}

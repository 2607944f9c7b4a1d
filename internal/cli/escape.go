// escape.go: what the command prints of what it received (callback fields,
// request paths), made safe for a terminal: no control character, escape
// sequence or line break from the wire reaches it.

package cli

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// printable reports whether every rune of s is printable by strconv.IsPrint
// (letters, marks, numbers, punctuation, symbols and the ASCII space) and s
// is valid UTF-8.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !strconv.IsPrint(r) {
			return false
		}
	}
	return true
}

// escape returns s unchanged when it is printable, otherwise Go-quoted
// (strconv.Quote): control characters, line and paragraph separators,
// bidirectional overrides and invalid bytes become escapes such as \x1b,
// \n or \u202e, and the quotes show that the value was unusual.
func escape(s string) string {
	if printable(s) {
		return s
	}
	return strconv.Quote(s)
}

// escapeJSON rewrites the non-printable runes in JSON written by
// encoding/json, which leaves them as they are from DEL upwards (DEL itself,
// the C1 controls such as U+009B, which some terminals read as the start of
// an escape sequence, bidirectional overrides, U+FEFF), as \u escapes.
// Outside strings encoding/json writes only printable ASCII, so only string
// contents change, and the result decodes to the same value.
func escapeJSON(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case size == 1 && r >= 0x20 && r < 0x7f:
			out = append(out, b[0])
		case size > 1 && strconv.IsPrint(r):
			out = append(out, b[:size]...)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			out = appendUnicodeEscape(appendUnicodeEscape(out, r1), r2)
		default: // a control character, or an invalid byte (as U+FFFD)
			out = appendUnicodeEscape(out, r)
		}
		b = b[size:]
	}
	return out
}

// appendUnicodeEscape appends the JSON escape \uXXXX of r, which must be
// at most 0xffff.
func appendUnicodeEscape(b []byte, r rune) []byte {
	const hex = "0123456789abcdef"
	return append(b, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
}

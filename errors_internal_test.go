package gurulize

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzNewAPIError checks the classifier of server messages on arbitrary
// statuses and messages: it keeps both verbatim, matches at most one
// sentinel, names a parameter only for the two parameter messages (and then
// one that the message holds), and classifies the documented credentials
// message and a 401 or 403. Seeds: testdata/fuzz/FuzzNewAPIError.
func FuzzNewAPIError(f *testing.F) {
	f.Add(200, "Missing Parameter (username)")
	f.Fuzz(func(t *testing.T, status int, msg string) {
		e := newAPIError(status, msg)
		if e.StatusCode != status || e.Message != msg {
			t.Fatalf("status or message changed: %+v", e)
		}
		var matched []error
		for _, s := range []error{ErrMissingParameter, ErrInvalidParameter, ErrInvalidCredentials, ErrUnexpectedResponse, ErrInvalidRequest, ErrInvalidConfig, ErrNoVoiceURL, ErrMalformedCallback} {
			if errors.Is(e, s) {
				matched = append(matched, s)
			}
		}
		if len(matched) > 1 {
			t.Fatalf("%q matches %v", msg, matched)
		}
		var kind error
		if len(matched) == 1 {
			kind = matched[0]
		}
		trimmed := strings.TrimSpace(msg)
		switch kind {
		case ErrMissingParameter, ErrInvalidParameter:
			prefix := map[error]string{ErrMissingParameter: "missing parameter", ErrInvalidParameter: "invalid parameter"}[kind]
			if !hasPrefixFold(trimmed, prefix) {
				t.Fatalf("%q classified as %v", msg, kind)
			}
			open := strings.Index(msg, "(")
			end := strings.Index(msg[open+1:], ")")
			if open < 0 || end < 0 || e.Param != strings.Trim(msg[open+1:open+1+end], " \t\n\f\r") {
				t.Fatalf("Param %q is not what the parentheses of %q hold", e.Param, msg)
			}
		case nil, ErrInvalidCredentials:
			if e.Param != "" {
				t.Fatalf("Param %q set for %q", e.Param, msg)
			}
		default:
			t.Fatalf("%q classified as %v, which a server message never is", msg, kind)
		}
		if strings.EqualFold(trimmed, "User Information Is Invalid") && kind != ErrInvalidCredentials {
			t.Fatalf("the documented credentials message %q is not ErrInvalidCredentials", msg)
		}
		if (status == 401 || status == 403) && kind == nil {
			t.Fatalf("HTTP %d with %q is unclassified", status, msg)
		}
		text := e.Error()
		if !strings.HasPrefix(text, "gurulize: API error") || !strings.Contains(text, msg) {
			t.Fatalf("Error() = %q for %q", text, msg)
		}
		if status != 0 && !strings.Contains(text, fmt.Sprintf("(HTTP %d)", status)) {
			t.Fatalf("Error() = %q does not give the status %d", text, status)
		}
	})
}

// hasPrefixFold reports whether s begins with prefix under Unicode case
// folding, as a (?i) regular expression matches it.
func hasPrefixFold(s, prefix string) bool {
	want := utf8.RuneCountInString(prefix)
	for i := range s {
		if want == 0 {
			return strings.EqualFold(s[:i], prefix)
		}
		want--
	}
	return want == 0 && strings.EqualFold(s, prefix)
}

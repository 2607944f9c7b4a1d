package gurulize

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/gurulize/gurulize-go/internal/redact"
)

// FuzzNewAPIError checks the classifier of server messages on arbitrary
// statuses and messages: it keeps both verbatim, matches at most one
// sentinel, takes Param only from a name the message holds in parentheses,
// matches the parameter sentinels only for the documented English messages
// that name one, and classifies the documented credentials message and a
// 401 or 403. Seeds: testdata/fuzz/FuzzNewAPIError.
func FuzzNewAPIError(f *testing.F) {
	f.Add(200, "Missing Parameter (username)")
	f.Fuzz(func(t *testing.T, status int, msg string) {
		e := newAPIError(status, msg, (*redact.Redactor)(nil))
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
		if e.Param != "" && !regexp.MustCompile(`\(\s*`+regexp.QuoteMeta(e.Param)+`\s*\)`).MatchString(msg) {
			t.Fatalf("Param %q is not a name %q holds in parentheses", e.Param, msg)
		}
		lower := strings.ToLower(strings.TrimSpace(msg))
		switch kind {
		case ErrMissingParameter, ErrInvalidParameter:
			prefix := map[error]string{ErrMissingParameter: "missing parameter", ErrInvalidParameter: "invalid parameter"}[kind]
			if !strings.HasPrefix(lower, prefix) || e.Param == "" {
				t.Fatalf("%q classified as %v", msg, kind)
			}
		case nil, ErrInvalidCredentials:
		default:
			t.Fatalf("%q classified as %v, which a server message never is", msg, kind)
		}
		if lower == "user information is invalid" && kind != ErrInvalidCredentials {
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

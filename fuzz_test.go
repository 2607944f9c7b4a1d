package gurulize_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gurulize/gurulize-go"
)

// FuzzReply sends arbitrary replies (status, Retry-After header, body) to
// both calls, through a transport that opens no socket. Whatever the reply,
// the client does not panic, a success carries what the call promises, every
// failure is an *APIError, and neither the error, however printed, nor the
// debug log holds the password. Seeds: testdata/fuzz/FuzzReply.
func FuzzReply(f *testing.F) {
	f.Add(200, "", []byte(roomAndCallJSON))
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte) {
		if status < 100 || status > 999 {
			status = 100 + int(uint(status)%900) // what an HTTP reply can carry
		}
		rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if r.Body != nil {
				_, _ = io.Copy(io.Discard, r.Body)
				_ = r.Body.Close()
			}
			h := http.Header{"Content-Type": {"application/json"}}
			if retryAfter != "" {
				h.Set("Retry-After", retryAfter)
			}
			return &http.Response{
				StatusCode: status, Status: fmt.Sprintf("%d fuzzed", status), Header: h,
				Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: r,
			}, nil
		})
		logs := &logBuffer{}
		c, err := gurulize.NewClient(testUser, testPassword,
			gurulize.WithHTTPClient(&http.Client{Transport: rt}),
			gurulize.WithVoiceURL("https://voice.gurulize.test/c2c"),
			gurulize.WithRetry(gurulize.RetryPolicy{MaxAttempts: 2, MinBackoff: time.Microsecond, MaxBackoff: time.Millisecond}),
			gurulize.WithLogger(logs.Logger()))
		if err != nil {
			t.Fatal(err)
		}

		room, err := c.CreateVideoRoom(context.Background(), validRoom())
		if err == nil && (room == nil || room.UUID == "") {
			t.Fatalf("CreateVideoRoom succeeded without a room uuid: %+v", room)
		}
		checkFuzzedError(t, err)
		reg, err := c.RegisterCall(context.Background(), validCall())
		if err == nil && reg == nil {
			t.Fatal("RegisterCall succeeded without a registration")
		}
		checkFuzzedError(t, err)
		if leaked(logs.String()) {
			t.Fatalf("the debug log holds the password: %s", logs.String())
		}
	})
}

// checkFuzzedError fails unless err is nil, or an *APIError that does not
// print the password in any form.
func checkFuzzedError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var apiErr *gurulize.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("a reply must give an *APIError, got %T: %v", err, err)
	}
	if apiErr.StatusCode < 100 || apiErr.StatusCode > 999 {
		t.Fatalf("APIError.StatusCode %d is not the reply's", apiErr.StatusCode)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%q"} {
		if out := fmt.Sprintf(verb, err); leaked(out) {
			t.Fatalf("%s of the error holds the password: %s", verb, out)
		}
	}
}

// leaked reports whether s holds the password, raw or URL-encoded.
func leaked(s string) bool {
	for _, form := range []string{testPassword, url.QueryEscape(testPassword), url.PathEscape(testPassword)} {
		if strings.Contains(s, form) {
			return true
		}
	}
	return false
}

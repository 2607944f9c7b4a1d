package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRun(t *testing.T) {
	var form url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ = url.ParseQuery(string(body))
		_, _ = w.Write([]byte(`{"success":true,"message":"Request Received","id":"7"}`))
	}))
	t.Cleanup(srv.Close)
	t.Setenv("GURULIZE_USERNAME", "acme")
	t.Setenv("GURULIZE_PASSWORD", "pw")
	t.Setenv("GURULIZE_VOICE_URL", srv.URL+"/c2c")

	require.NoError(t, run("532 123 45 67", "(542) 765-4321", 2*time.Minute))
	assert.Equal(t, "5321234567", form.Get("caller"))
	assert.Equal(t, "5427654321", form.Get("callee"))
	assert.Equal(t, "120", form.Get("duration"))

	err := run("", "5427654321", time.Minute)
	assert.EqualError(t, err, "fix -caller: it is required: the national number in digits, such as 5321234567, "+
		"without + or a country code (nothing was sent)")
	err = run("5321234567", "+905427654321", time.Minute)
	assert.ErrorContains(t, err, "fix -callee: it has '+' at offset 0")
	err = run("5321234567", "5427654321", 1500*time.Millisecond)
	assert.EqualError(t, err, "fix -max: it must be a whole number of seconds, got 1.5s (nothing was sent)")
	assert.NotContains(t, err.Error(), "CallRequest")

	t.Setenv("GURULIZE_VOICE_URL", "")
	err = run("5321234567", "5427654321", time.Minute)
	assert.ErrorContains(t, err, "set GURULIZE_VOICE_URL")
}

package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRun(t *testing.T) {
	var got http.Header
	var query map[string][]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, query = r.Header.Clone(), r.URL.Query()
		if r.URL.Query().Get("password") != "pw" {
			_, _ = w.Write([]byte(`{"success":false,"message":"User Information Is Invalid"}`))
			return
		}
		_, _ = w.Write([]byte(`{"uuid":"u-1","hostUrl":"https://h","guestUrl":"https://g"}`))
	}))
	t.Cleanup(srv.Close)
	t.Setenv("GURULIZE_USERNAME", "acme")
	t.Setenv("GURULIZE_PASSWORD", "pw")
	t.Setenv("GURULIZE_VIDEO_URL", srv.URL+"/create")

	require.NoError(t, run(45*time.Minute, time.Minute, true, true))
	assert.Contains(t, got.Get("User-Agent"), "video-room-example/1.0")
	assert.Equal(t, []string{"45"}, query["durationInMinutes"])
	assert.Equal(t, []string{"BY_HOST"}, query["endHow"])

	t.Setenv("GURULIZE_PASSWORD", "wrong")
	err := run(45*time.Minute, time.Minute, false, false)
	assert.ErrorContains(t, err, "check GURULIZE_USERNAME and GURULIZE_PASSWORD")

	err = run(90*time.Second, time.Minute, false, false)
	assert.ErrorContains(t, err, "VideoRoomRequest.Duration")
}

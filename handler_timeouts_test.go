package gurulize_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

// TestHeadersCutByReadHeaderTimeout pins down why the trickled-headers
// case of TestHandlersUnderSlowUploads accepts a 400 or no reply: net/http
// answers 400 when the timeout leaves a header line without its colon,
// and closes without a word when it falls after the colon. Either way the
// function is not called and the connection ends.
func TestHeadersCutByReadHeaderTimeout(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, sent string
		wantStatus int // 0: no reply
	}{
		{"before the colon", "POST /hook HTTP/1.1\r\nHost: callbacks.test\r\nContent-Ty", http.StatusBadRequest},
		{"after the colon", "POST /hook HTTP/1.1\r\nHost: callbacks.test\r\nContent-Type: applica", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			srv := httptest.NewUnstartedServer(gurulize.NewVideoEventHandler(func(context.Context, gurulize.VideoEvent) error {
				calls.Add(1)
				return nil
			}, gurulize.WithoutCallbackToken()))
			srv.Config.ReadHeaderTimeout = 200 * time.Millisecond
			srv.Start()
			t.Cleanup(srv.Close)

			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			require.NoError(t, err)
			t.Cleanup(func() { conn.Close() })
			_, err = io.WriteString(conn, tt.sent)
			require.NoError(t, err)
			require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
			br := bufio.NewReader(conn)
			resp, err := http.ReadResponse(br, nil)
			if tt.wantStatus == 0 {
				assert.Error(t, err, "no reply")
			} else if assert.NoError(t, err) {
				_ = resp.Body.Close()
				assert.Equal(t, tt.wantStatus, resp.StatusCode)
			}
			_, err = io.Copy(io.Discard, br)
			var ne net.Error
			assert.False(t, errors.As(err, &ne) && ne.Timeout(), "the server closed the connection: %v", err)
			assert.Zero(t, calls.Load(), "the function is not called")
		})
	}
}

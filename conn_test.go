package gurulize_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

// countingServer serves h on loopback and counts the TCP connections it
// accepts; closedConns, when not nil, counts those that closed.
func countingServer(tb testing.TB, h http.Handler, closedConns ...*atomic.Int32) (*httptest.Server, *atomic.Int64) {
	tb.Helper()
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			conns.Add(1)
		case http.StateClosed:
			for _, c := range closedConns {
				c.Add(1)
			}
		}
	}
	srv.Start()
	tb.Cleanup(srv.Close)
	return srv, &conns
}

// TestSequentialCallsUseOneConnection: 1,000 sequential calls, successes,
// refusals and 502 pages with a body mixed, over the default client (http.DefaultTransport) open
// exactly one TCP connection. Not parallel: it relies on the shared default
// transport's idle pool.
func TestSequentialCallsUseOneConnection(t *testing.T) {
	srv, conns := countingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			_ = r.ParseForm()
			switch r.PostForm.Get("callee") {
			case "0000000000":
				replyJSON(http.StatusOK, map[string]any{"success": false, "message": "Invalid Parameter (callee): Not a phone number"})(w, r)
				return
			case "5555555555":
				replyRaw(http.StatusBadGateway, "text/html", strings.Repeat("<p>down</p>", 1000))(w, r)
				return
			}
		}
		both(w, r)
	}))
	c, err := gurulize.NewClient(testUser, testPassword, gurulize.WithVideoURL(srv.URL+videoPath), gurulize.WithVoiceURL(srv.URL+voicePath))
	require.NoError(t, err)
	ctx := context.Background()
	for i := 0; i < 1000; i++ {
		switch i % 4 {
		case 0:
			_, err = c.CreateVideoRoom(ctx, validRoom())
			require.NoError(t, err)
		case 1:
			_, err = c.RegisterCall(ctx, validCall())
			require.NoError(t, err)
		case 2:
			bad := validCall()
			bad.Callee = "0000000000"
			_, err = c.RegisterCall(ctx, bad)
			require.ErrorIs(t, err, gurulize.ErrInvalidParameter)
		default:
			down := validCall()
			down.Callee = "5555555555"
			_, err = c.RegisterCall(ctx, down)
			var apiErr *gurulize.APIError
			require.ErrorAs(t, err, &apiErr)
			require.Equal(t, http.StatusBadGateway, apiErr.StatusCode)
		}
	}
	assert.Equal(t, int64(1), conns.Load(), "sequential calls share one connection, error replies included")
}

// TestConcurrentCallersKeepTheirConnections: callers sharing a default
// client reuse their connections, where http.DefaultTransport's pool of 2
// idle connections per host would open one for most calls. Not parallel: it
// reads http.DefaultTransport.
func TestConcurrentCallersKeepTheirConnections(t *testing.T) {
	const callers, calls = 16, 40
	srv, conns := countingServer(t, http.HandlerFunc(both))
	c, err := gurulize.NewClient(testUser, testPassword, gurulize.WithVideoURL(srv.URL+videoPath))
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	var wg sync.WaitGroup
	var failures atomic.Int32
	for g := 0; g < callers; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < calls; i++ {
				if _, err := c.CreateVideoRoom(context.Background(), validRoom()); err != nil {
					failures.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	assert.Zero(t, failures.Load())
	assert.LessOrEqual(t, conns.Load(), int64(2*callers), "connections opened for %d calls", callers*calls)
}

// TestDefaultTransportReplacedBeforeNewClient: a client built while
// httpmock is active goes back to the real default transport once httpmock
// is deactivated. Not parallel: it replaces http.DefaultTransport.
func TestDefaultTransportReplacedBeforeNewClient(t *testing.T) {
	httpmock.Activate()
	deactivated := false
	t.Cleanup(func() {
		if !deactivated {
			httpmock.DeactivateAndReset()
		}
	})
	httpmock.RegisterResponder(http.MethodGet, gurulize.DefaultVideoURL, httpmock.NewJsonResponderOrPanic(http.StatusOK, roomReply))
	c, err := gurulize.NewClient(testUser, testPassword, gurulize.WithVideoURL(gurulize.DefaultVideoURL))
	require.NoError(t, err)
	_, err = c.CreateVideoRoom(context.Background(), validRoom())
	require.NoError(t, err)
	assert.Equal(t, 1, httpmock.GetTotalCallCount())

	srv, conns := countingServer(t, http.HandlerFunc(both))
	c, err = gurulize.NewClient(testUser, testPassword, gurulize.WithVideoURL(srv.URL+videoPath))
	require.NoError(t, err)
	httpmock.DeactivateAndReset()
	deactivated = true
	_, err = c.CreateVideoRoom(context.Background(), validRoom())
	require.NoError(t, err)
	assert.Equal(t, int64(1), conns.Load(), "the request reached the real server")
	c.CloseIdleConnections()
}

func TestCloseIdleConnections(t *testing.T) {
	t.Parallel()
	var closed atomic.Int32
	srv, conns := countingServer(t, http.HandlerFunc(both), &closed)
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	for _, opts := range [][]gurulize.Option{nil, {gurulize.WithHTTPClient(hc)}} {
		c, err := gurulize.NewClient(testUser, testPassword, append(opts, gurulize.WithVideoURL(srv.URL+videoPath))...)
		require.NoError(t, err)
		_, err = c.CreateVideoRoom(context.Background(), validRoom())
		require.NoError(t, err)
		c.CloseIdleConnections()
	}
	assert.Eventually(t, func() bool { return closed.Load() == 2 }, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, int64(2), conns.Load())
	var zero *gurulize.Client
	zero.CloseIdleConnections() // no panic on a nil client
}

// TestDefaultTransportSettingsAfterNewClient: settings made on
// http.DefaultTransport after NewClient but before the first request (here,
// trusting a test server's certificate) apply to the client's requests. Not
// parallel: it changes http.DefaultTransport.
func TestDefaultTransportSettingsAfterNewClient(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(both))
	t.Cleanup(srv.Close)
	c, err := gurulize.NewClient(testUser, testPassword, gurulize.WithVideoURL(srv.URL+videoPath))
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)

	dt := http.DefaultTransport.(*http.Transport)
	saved := dt.TLSClientConfig
	dt.TLSClientConfig = srv.Client().Transport.(*http.Transport).TLSClientConfig
	t.Cleanup(func() { dt.TLSClientConfig = saved })

	room, err := c.CreateVideoRoom(context.Background(), validRoom())
	require.NoError(t, err)
	assert.Equal(t, roomReply["uuid"], room.UUID)
}

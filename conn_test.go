package gurulize_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

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
}

// TestClientPerTenantSharesOnePool: 200 clients with different
// credentials, built and used one after the other as a server with a client
// per tenant does, share one connection pool, and building them starts no
// goroutine. Not parallel: it counts goroutines and relies on the shared
// pool.
func TestClientPerTenantSharesOnePool(t *testing.T) {
	srv, conns := countingServer(t, http.HandlerFunc(both))
	before := runtime.NumGoroutine()
	clients := make([]*gurulize.Client, 200)
	for i := range clients {
		c, err := gurulize.NewClient(fmt.Sprintf("tenant-%d", i), fmt.Sprintf("password-%d", i),
			gurulize.WithVideoURL(srv.URL+videoPath), gurulize.WithVoiceURL(srv.URL+voicePath))
		require.NoError(t, err)
		clients[i] = c
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), before, "NewClient starts no goroutine")
	for i, c := range clients {
		require.NoError(t, callBoth(context.Background(), c, []string{"video", "voice"}[i%2]))
	}
	t.Logf("200 tenants' calls, one after the other, used %d TCP connection(s)", conns.Load())
	assert.LessOrEqual(t, conns.Load(), int64(2), "TCP connections for 200 tenants' calls")
}

// TestDefaultTransportSettingsBeforeFirstRequest: settings a program makes
// on http.DefaultTransport before its first request (here, trusting a test
// server's certificate), even after NewClient, apply to the shared pool. It
// runs in a process of its own, where no request was made before.
func TestDefaultTransportSettingsBeforeFirstRequest(t *testing.T) {
	if os.Getenv("GURULIZE_TEST_FRESH_PROCESS") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestDefaultTransportSettingsBeforeFirstRequest$", "-test.count=1")
		cmd.Env = append(os.Environ(), "GURULIZE_TEST_FRESH_PROCESS=1")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		require.Contains(t, string(out), "PASS")
		return
	}
	srv := httptest.NewTLSServer(http.HandlerFunc(both))
	t.Cleanup(srv.Close)
	c, err := gurulize.NewClient(testUser, testPassword, gurulize.WithVideoURL(srv.URL+videoPath))
	require.NoError(t, err)

	dt := http.DefaultTransport.(*http.Transport)
	dt.TLSClientConfig = srv.Client().Transport.(*http.Transport).TLSClientConfig

	room, err := c.CreateVideoRoom(context.Background(), validRoom())
	require.NoError(t, err)
	assert.Equal(t, roomReply["uuid"], room.UUID)
}

package gurulizetest_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
)

// TestDeliveryReusesConnections: thousands of callbacks reach the endpoint
// over at most the delivery concurrency (8) + 2 TCP connections.
func TestDeliveryReusesConnections(t *testing.T) {
	var conns, callbacks atomic.Int64
	endpoint := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		callbacks.Add(1)
	}))
	endpoint.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	endpoint.Start()
	t.Cleanup(endpoint.Close)
	srv := gurulizetest.NewTestServer(t,
		gurulizetest.WithVideoCallbackURL(endpoint.URL+"/video"),
		gurulizetest.WithVoiceCallbackURL(endpoint.URL+"/voice"))
	ctx := context.Background()
	for i := range 300 {
		_, err := srv.Client().CreateVideoRoom(ctx, roomAt(fixedStart.Add(time.Duration(i)*time.Minute), time.Hour, gurulize.EndAutomatic))
		require.NoError(t, err)
		_, err = srv.Client().RegisterCall(ctx, gurulize.CallRequest{Caller: "5321234567", Callee: "5427654321", MaxDuration: time.Hour})
		require.NoError(t, err)
	}
	waitIdle(t, srv)
	require.GreaterOrEqual(t, callbacks.Load(), int64(3000))
	t.Logf("%d callbacks over %d connections", callbacks.Load(), conns.Load())
	assert.LessOrEqual(t, conns.Load(), int64(8+2), "%d connections for %d callbacks", conns.Load(), callbacks.Load())
}

// BenchmarkCallbackAtRooms: the cost of one room's callbacks (create, play,
// deliver; 7 callbacks) does not grow with the rooms the fake already holds.
// Under -short (CI runs every benchmark once that way) the larger fake holds
// 10,000 rooms instead of 100,000, so that it only proves it runs.
func BenchmarkCallbackAtRooms(b *testing.B) {
	sizes := []int{1_000, 100_000}
	if testing.Short() {
		sizes = []int{1_000, 10_000}
	}
	for _, held := range sizes {
		b.Run(fmt.Sprintf("rooms=%d", held), func(b *testing.B) {
			endpoint := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			defer endpoint.Close()
			srv := gurulizetest.NewTestServer(b, gurulizetest.WithRoomScript(gurulizetest.Silent()), gurulizetest.WithVideoCallbackURL(endpoint.URL+"/video"))
			ctx := context.Background()
			// Fill the fake from 8 goroutines: the set-up, not the measure.
			var wg sync.WaitGroup
			for w := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := w; i < held; i += 8 {
						if _, err := srv.Client().CreateVideoRoom(ctx, roomAt(fixedStart.Add(time.Duration(i)*time.Second), time.Hour, "")); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			require.Len(b, srv.Rooms(), held)
			last := srv.Rooms()[held-1].UUID
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, ok := srv.Room(last); !ok {
					b.Fatal("room not found")
				}
				require.NoError(b, srv.PlayRoom(last, gurulizetest.Meet(time.Minute)))
				require.NoError(b, srv.WaitIdle(ctx))
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/7, "ns/callback")
		})
	}
}

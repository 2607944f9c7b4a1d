// Callbacks stored per second by 1, 2 and 4 replicas sharing one PostgreSQL,
// and the handler latency, beside the same handler folding into an in-memory
// tracker. See BENCHMARKS.md for the command and figures.

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

// benchClients is how many callbacks are in flight at once.
const benchClients = 32

// meeting is the provider's callbacks for one meeting: each changes the
// room's state, so every callback of the benchmark is a transaction that
// stores a change.
var meeting = []struct {
	code, source, reason string
	after                time.Duration
	total                time.Duration
}{
	{"JOIN", "HOST", "", 0, 0},
	{"JOIN", "GUEST", "", 30 * time.Second, 0},
	{"ROOM_ACTIVATED", "GUEST", "", 30*time.Second + time.Millisecond, 0},
	{"MEETING_STARTED", "GUEST", "", 30*time.Second + 2*time.Millisecond, 0},
	{"MEETING_ENDED", "GUEST", "HANGUP", 40*time.Minute + 30*time.Second, 40 * time.Minute},
	{"LEFT", "GUEST", "", 40*time.Minute + 30*time.Second + time.Millisecond, 0},
	{"LEFT", "HOST", "", 40*time.Minute + 35*time.Second, 0},
	{"JOIN", "HOST", "", 41 * time.Minute, 0},
}

// benchBodies returns n video callbacks as the provider sends them (every
// number a JSON string), the events of n/len(meeting) rooms interleaved, so
// that callbacks in flight together are mostly for different rooms, as they
// are in production.
func benchBodies(n int) [][]byte {
	roomCount := max(1, n/len(meeting))
	bodies := make([][]byte, n)
	for i := range bodies {
		room, step := i%roomCount, i/roomCount%len(meeting)
		e := meeting[step]
		at := t0.Add(time.Duration(room) * time.Minute).Add(e.after)
		body := fmt.Sprintf(`{"code":%q,"eventSource":%q,"receivedTime":"%d"`, e.code, e.source, at.UnixMilli())
		if e.reason != "" {
			body += fmt.Sprintf(`,"reason":%q`, e.reason)
		}
		body += fmt.Sprintf(`,"roomUuid":"bench-room-%d"`, room)
		if e.total != 0 {
			body += `,"meetingTotalDuration":"` + strconv.FormatInt(e.total.Milliseconds(), 10) + `"`
		}
		bodies[i] = []byte(body + "}")
	}
	return bodies
}

// latencies records how long each request took in the handler.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h.ServeHTTP(w, r)
		took := time.Since(start)
		l.mu.Lock()
		l.d = append(l.d, took)
		l.mu.Unlock()
	})
}

func (l *latencies) percentile(p float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0
	}
	s := slices.Clone(l.d)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

// serveBench serves h as main does, on a loopback port, until the benchmark
// ends.
func serveBench(b *testing.B, h http.Handler) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	srv := newServer(h, slog.New(slog.NewTextHandler(io.Discard, nil)))
	go func() { _ = srv.Serve(ln) }()
	b.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

// sendAll posts every body to a random server, benchClients at a time, and
// fails on any answer but 200.
func sendAll(b *testing.B, urls []string, bodies [][]byte) {
	b.Helper()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients}}
	defer hc.CloseIdleConnections()
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	for range benchClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(bodies) {
					return
				}
				// A 503 says "try again later" (the store gave up after
				// colliding with other replicas on the same room, which a
				// short run of few rooms makes common): send it again, as
				// the provider would.
				status := http.StatusServiceUnavailable
				for try := 0; status == http.StatusServiceUnavailable && try < 20; try++ {
					if try > 0 {
						time.Sleep(time.Duration(try) * time.Millisecond)
					}
					u := urls[rand.IntN(len(urls))] + "/gurulize/video/" + testToken
					resp, err := hc.Post(u, "application/json", bytes.NewReader(bodies[i]))
					if err != nil {
						failed.Store(err.Error())
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					status = resp.StatusCode
				}
				if status != http.StatusOK {
					failed.Store(fmt.Sprintf("status %d", status))
					return
				}
			}
		}()
	}
	wg.Wait()
	if msg := failed.Load(); msg != nil {
		b.Fatal(msg)
	}
}

func report(b *testing.B, elapsed time.Duration, l *latencies) {
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "callbacks/s")
	b.ReportMetric(float64(l.percentile(0.50).Microseconds()), "p50-µs")
	b.ReportMetric(float64(l.percentile(0.99).Microseconds()), "p99-µs")
}

// BenchmarkCallbacks posts b.N video callbacks, each a change, benchClients at
// a time, to replicas picked at random. postgres/replicas=N stores them in
// PostgreSQL through N replicas, each with its own pool; memory folds them
// into one in-memory RoomTracker behind the same handler and server, the
// figure for a single process that keeps nothing.
func BenchmarkCallbacks(b *testing.B) {
	for _, n := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("postgres/replicas=%d", n), func(b *testing.B) {
			dsn := freshSchema(b)
			var l latencies
			var urls []string
			for range n {
				s := openStore(b, dsn)
				urls = append(urls, serveBench(b, l.wrap(routes(s, testToken, slog.New(slog.NewTextHandler(io.Discard, nil))))))
			}
			bodies := benchBodies(b.N)
			b.ResetTimer()
			start := time.Now()
			sendAll(b, urls, bodies)
			elapsed := time.Since(start)
			b.StopTimer()
			report(b, elapsed, &l)
			checkBenchStored(b, urls[0], len(bodies))
		})
	}
	b.Run("memory/replicas=1", func(b *testing.B) {
		rt := gurulize.NewRoomTracker()
		var l latencies
		h := gurulize.NewVideoEventHandler(func(_ context.Context, ev gurulize.VideoEvent) error {
			rt.Apply(ev)
			return nil
		}, gurulize.WithCallbackToken(testToken))
		mux := http.NewServeMux()
		mux.Handle("POST /gurulize/video/{token}", h)
		u := serveBench(b, l.wrap(mux))
		bodies := benchBodies(b.N)
		b.ResetTimer()
		start := time.Now()
		sendAll(b, []string{u}, bodies)
		elapsed := time.Since(start)
		b.StopTimer()
		report(b, elapsed, &l)
	})
}

// checkBenchStored checks that the first room holds as many changes as it
// was sent callbacks: the benchmark measured stored changes, not refusals.
func checkBenchStored(b *testing.B, u string, n int) {
	b.Helper()
	roomCount := max(1, n/len(meeting))
	want := n / roomCount
	if n%roomCount > 0 {
		want++
	}
	want = min(want, len(meeting))
	status, body := get(b, u, "/rooms/bench-room-0/changes")
	require.Equal(b, http.StatusOK, status)
	require.Equal(b, want, bytes.Count(body, []byte(`"version":`)), "changes stored for bench-room-0")
}

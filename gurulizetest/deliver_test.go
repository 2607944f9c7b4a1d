package gurulizetest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
)

var uuidRe = regexp.MustCompile(`"roomUuid":"[^"]*"`)

// bodies returns the bodies without their room UUID, so the callbacks of
// rooms on different servers compare equal.
func bodies(recs []received) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = uuidRe.ReplaceAllString(r.Body, `"roomUuid":"…"`)
	}
	return out
}

// queries returns the call statuses' queries without their time, which
// follows the wall clock of the call's registration: two runs a second
// apart send the same statuses at other times.
func queries(recs []received) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = timeParamRe.ReplaceAllString(r.RawQuery, "time=…")
	}
	return out
}

var timeParamRe = regexp.MustCompile(`time=\d+`)

// playOnce creates a room (Meet(40m)) and registers a call (CALLEE_BUSY) on a
// fresh fake with the given options, and returns what the sink received.
func playOnce(t *testing.T, opts ...gurulizetest.Option) (*gurulizetest.Server, []received, []received) {
	t.Helper()
	sk := newSink(t)
	srv := gurulizetest.NewTestServer(t, append(sk.options(), opts...)...)
	ctx := context.Background()
	_, err := srv.Client().CreateVideoRoom(ctx, roomAt(fixedStart, time.Hour, gurulize.EndAutomatic))
	require.NoError(t, err)
	_, err = srv.Client().RegisterCall(ctx, gurulize.CallRequest{Caller: "5321234567", Callee: gurulizetest.NumberCalleeBusy, MaxDuration: time.Minute})
	require.NoError(t, err)
	waitIdle(t, srv)
	return srv, sk.Video(), sk.Voice()
}

func TestFaultDuplicate(t *testing.T) {
	t.Parallel()
	_, video, voice := playOnce(t)
	srv, dupVideo, dupVoice := playOnce(t, gurulizetest.WithFaults(gurulizetest.Faults{Duplicate: true}))

	require.Len(t, dupVideo, 2*len(video))
	for i := 0; i < len(dupVideo); i += 2 {
		assert.Equal(t, dupVideo[i].Body, dupVideo[i+1].Body, "each room event twice in a row")
	}
	require.Len(t, dupVoice, 2*len(voice))
	for i := 0; i < len(dupVoice); i += 2 {
		assert.Equal(t, dupVoice[i].RawQuery, dupVoice[i+1].RawQuery, "each call status twice in a row")
	}
	dups := 0
	for _, d := range srv.Deliveries() {
		if d.Duplicate {
			dups++
		}
	}
	assert.Equal(t, len(video)+len(voice), dups)
}

func TestFaultReorder(t *testing.T) {
	t.Parallel()
	_, video, voice := playOnce(t)
	_, video1, voice1 := playOnce(t, gurulizetest.WithFaults(gurulizetest.Faults{Reorder: true, Seed: 7}))
	_, video2, voice2 := playOnce(t, gurulizetest.WithFaults(gurulizetest.Faults{Reorder: true, Seed: 7}))

	inOrder, shuffled := bodies(video), bodies(video1)
	assert.NotEqual(t, inOrder, shuffled, "room events out of order")
	assert.ElementsMatch(t, inOrder, shuffled, "and all of them")
	assert.Equal(t, shuffled, bodies(video2), "the same seed gives the same order")

	assert.NotEqual(t, queries(voice), queries(voice1), "call statuses out of order")
	assert.ElementsMatch(t, queries(voice), queries(voice1))
	assert.Equal(t, queries(voice1), queries(voice2))
}

func TestFaultReorderNeverKeepsTheOrder(t *testing.T) {
	t.Parallel()
	// Two callbacks have two orders; whatever the seed, the reversed one comes.
	for seed := uint64(0); seed < 8; seed++ {
		sk := newSink(t)
		srv := gurulizetest.NewTestServer(t, append(sk.options(), gurulizetest.WithFaults(gurulizetest.Faults{Reorder: true, Seed: seed}))...)
		reg, err := srv.Client().RegisterCall(context.Background(), gurulize.CallRequest{Caller: "5321234567", Callee: gurulizetest.NumberOutOfCredits, MaxDuration: time.Minute})
		require.NoError(t, err)
		waitIdle(t, srv)
		call, _ := srv.Call(reg.ID)
		got := decodeCallStatuses(t, sk.Voice(), reg.ID, call.RegisteredAt)
		require.Len(t, got, 2)
		assert.Equal(t, 13, got[0].Code, "seed %d", seed)
	}
}

// stamped records the arrival time of each request before passing it on.
type stamped struct {
	mu    sync.Mutex
	times []time.Time
	next  http.Handler
}

func (s *stamped) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.times = append(s.times, time.Now())
	s.mu.Unlock()
	s.next.ServeHTTP(w, r)
}

func TestFlakyEndpointRecoversThroughRetries(t *testing.T) {
	t.Parallel()
	sk := newSink(t)
	flaky := gurulizetest.Flaky(sk.srv.Config.Handler, 3)
	arrivals := &stamped{next: flaky}
	endpoint := httptest.NewServer(arrivals)
	t.Cleanup(endpoint.Close)
	srv := gurulizetest.NewTestServer(t,
		gurulizetest.WithVideoCallbackURL(endpoint.URL+"/video"),
		gurulizetest.WithCallbackRetry(gurulize.RetryPolicy{MaxAttempts: 5, MinBackoff: 20 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}))
	room, err := srv.Client().CreateVideoRoom(context.Background(), roomAt(fixedStart, time.Hour, gurulize.EndAutomatic))
	require.NoError(t, err)
	waitIdle(t, srv)

	attempts := 0
	for _, d := range srv.Deliveries() {
		attempts += d.Attempts
	}
	assert.Equal(t, 3, attempts-len(srv.Deliveries()), "three attempts were refused, then retried")
	events := decodeRoomEvents(t, sk.Video(), room.UUID, fixedStart)
	require.Len(t, events, 7, "every event arrives once the endpoint is back")
	assert.Equal(t, "JOIN", events[0].Code)

	ds := srv.Deliveries()
	require.Len(t, ds, 7)
	assert.Equal(t, 4, ds[0].Attempts, "three refusals, then success")
	assert.Empty(t, ds[0].Err)
	assert.Equal(t, http.StatusOK, ds[0].Status)
	for _, d := range ds[1:] {
		assert.Equal(t, 1, d.Attempts)
	}
	// Backoff: 20ms, 40ms, then 50ms (the cap) between the four attempts.
	arrivals.mu.Lock()
	defer arrivals.mu.Unlock()
	require.GreaterOrEqual(t, len(arrivals.times), 4)
	for i, least := range []time.Duration{20 * time.Millisecond, 40 * time.Millisecond, 50 * time.Millisecond} {
		gap := arrivals.times[i+1].Sub(arrivals.times[i])
		assert.GreaterOrEqual(t, gap, least, "wait before attempt %d", i+2)
	}
}

func TestDeliveryGivesUp(t *testing.T) {
	t.Parallel()
	var calls sync.Map
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := calls.LoadOrStore(r.URL.RawQuery, new(int))
		*n.(*int)++
		if strings.Contains(r.URL.RawQuery, "code=0") {
			http.Error(w, "boom", http.StatusInternalServerError)
		}
	}))
	t.Cleanup(endpoint.Close)
	srv := gurulizetest.NewTestServer(t,
		gurulizetest.WithVoiceCallbackURL(endpoint.URL),
		gurulizetest.WithCallbackRetry(gurulize.RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
	_, err := srv.Client().RegisterCall(context.Background(), gurulize.CallRequest{Caller: "5321234567", Callee: gurulizetest.NumberOutOfCredits, MaxDuration: time.Minute})
	require.NoError(t, err)
	waitIdle(t, srv)

	ds := srv.Deliveries()
	require.Len(t, ds, 2)
	assert.NotEmpty(t, ds[0].Err)
	assert.Equal(t, 3, ds[0].Attempts)
	assert.Equal(t, http.StatusInternalServerError, ds[0].Status)
	assert.Equal(t, "endpoint answered 500 Internal Server Error", ds[0].Err)
	assert.Empty(t, ds[1].Err, "the next status is still sent")
}

func TestDeliveryToAnUnreachableEndpoint(t *testing.T) {
	t.Parallel()
	endpoint := httptest.NewServer(http.NotFoundHandler())
	dead := endpoint.URL
	endpoint.Close()
	srv := gurulizetest.NewTestServer(t,
		gurulizetest.WithVoiceCallbackURL(dead),
		gurulizetest.WithCallbackRetry(gurulize.RetryPolicy{MaxAttempts: 2, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
	_, err := srv.Client().RegisterCall(context.Background(), gurulize.CallRequest{Caller: "5321234567", Callee: gurulizetest.NumberOutOfCredits, MaxDuration: time.Minute})
	require.NoError(t, err)
	waitIdle(t, srv)
	ds := srv.Deliveries()
	require.Len(t, ds, 2)
	assert.Equal(t, 2, ds[0].Attempts)
	assert.Zero(t, ds[0].Status)
	assert.Contains(t, ds[0].Err, "connect")
}

func TestCallbackURLs(t *testing.T) {
	t.Parallel()
	srv := gurulizetest.NewTestServer(t, gurulizetest.WithRoomScript(gurulizetest.NoShow()))
	_, err := srv.Client().CreateVideoRoom(context.Background(), roomAt(fixedStart, time.Hour, gurulize.EndAutomatic))
	require.NoError(t, err)
	waitIdle(t, srv)
	ds := srv.Deliveries()
	require.Len(t, ds, 2, "recorded although nowhere to send them")
	assert.Equal(t, "no video callback URL configured", ds[0].Err)
	assert.Zero(t, ds[0].Attempts)
}

func TestManualClock(t *testing.T) {
	t.Parallel()
	sk := newSink(t)
	start := time.Date(2031, 1, 2, 9, 0, 0, 0, time.UTC)
	srv := gurulizetest.NewTestServer(t, append(sk.options(), gurulizetest.WithManualClock(start))...)
	assert.Equal(t, start, srv.Advance(0))
	ctx := context.Background()
	roomStart := start.Add(10 * time.Minute)
	room, err := srv.Client().CreateVideoRoom(ctx, roomAt(roomStart, time.Hour, gurulize.EndAutomatic))
	require.NoError(t, err)

	waitIdle(t, srv)
	assert.Empty(t, sk.Video(), "nothing is due before the room starts")

	assert.Equal(t, roomStart, srv.Advance(10*time.Minute))
	waitIdle(t, srv)
	assert.Equal(t, []roomEvent{ev("JOIN", "HOST", 0)}, decodeRoomEvents(t, sk.Video(), room.UUID, roomStart))

	srv.Advance(30 * time.Second)
	waitIdle(t, srv)
	assert.Len(t, sk.Video(), 2, "JOIN of the guest is due, ROOM_ACTIVATED 1ms later is not")

	srv.Advance(time.Millisecond)
	reg, err := srv.Client().RegisterCall(ctx, gurulize.CallRequest{Caller: "5321234567", Callee: gurulizetest.NumberCallerBusy, MaxDuration: time.Minute})
	require.NoError(t, err)
	call, _ := srv.Call(reg.ID)
	assert.Equal(t, roomStart.Add(30*time.Second+time.Millisecond), call.RegisteredAt, "calls are registered at the manual clock's time")
	waitIdle(t, srv)
	assert.Len(t, sk.Video(), 3)
	assert.Len(t, sk.Voice(), 1, "CALLS_STARTING at registration; CALLER_BUSY 4s later is not due")

	srv.Advance(time.Hour)
	waitIdle(t, srv)
	assert.Len(t, sk.Video(), 7)
	assert.Len(t, sk.Voice(), 2)
}

func TestTimeScale(t *testing.T) {
	t.Parallel()
	sk := newSink(t)
	arrivals := &stamped{next: sk.srv.Config.Handler}
	endpoint := httptest.NewServer(arrivals)
	t.Cleanup(endpoint.Close)
	srv := gurulizetest.NewTestServer(t,
		gurulizetest.WithVideoCallbackURL(endpoint.URL+"/video"),
		gurulizetest.WithTimeScale(10000))
	start := time.Now().Truncate(time.Millisecond)
	began := time.Now()
	room, err := srv.Client().CreateVideoRoom(context.Background(), roomAt(start, time.Hour, gurulize.EndAutomatic))
	require.NoError(t, err)
	waitIdle(t, srv)
	elapsed := time.Since(began)

	// Meet(40m) lasts 40m35s: 243.5ms at 10000x.
	assert.GreaterOrEqual(t, elapsed, 240*time.Millisecond)
	assert.Less(t, elapsed, 10*time.Second)
	events := decodeRoomEvents(t, sk.Video(), room.UUID, start)
	require.Len(t, events, 7)
	assert.Equal(t, 40*time.Minute+35*time.Second, events[6].Offset, "timestamps are the scripted ones, not scaled")
	arrivals.mu.Lock()
	defer arrivals.mu.Unlock()
	require.Len(t, arrivals.times, 7)
	for i, ev := range events {
		// No event comes before its scaled moment (the room starts when it is created).
		early := began.Add(ev.Offset / 10000)
		assert.False(t, arrivals.times[i].Before(early), "%s at +%v arrived %v after creation", ev.Code, ev.Offset, arrivals.times[i].Sub(began))
	}
}

func TestWaitIdleHonoursContext(t *testing.T) {
	t.Parallel()
	srv := gurulizetest.NewTestServer(t, gurulizetest.WithTimeScale(1))
	_, err := srv.Client().CreateVideoRoom(context.Background(), roomAt(time.Now(), time.Hour, gurulize.EndAutomatic))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err = srv.WaitIdle(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorContains(t, err, "1 rooms or calls still have callbacks to deliver")
}

func TestAdvanceWithoutManualClock(t *testing.T) {
	t.Parallel()
	srv := gurulizetest.NewTestServer(t)
	before := time.Now()
	got := srv.Advance(time.Hour)
	assert.WithinDuration(t, before, got, 5*time.Second, "no manual clock: real time, not moved")
	assert.WithinDuration(t, time.Now(), srv.Advance(0), 5*time.Second)
}

func TestOptionErrors(t *testing.T) {
	t.Parallel()
	cases := map[string]gurulizetest.Option{
		"zero scale":        gurulizetest.WithTimeScale(0),
		"negative scale":    gurulizetest.WithTimeScale(-2),
		"infinite scale":    gurulizetest.WithTimeScale(math.Inf(1)),
		"NaN scale":         gurulizetest.WithTimeScale(math.NaN()),
		"empty username":    gurulizetest.WithAccount("", "x"),
		"empty password":    gurulizetest.WithAccount("x", ""),
		"no attempts":       gurulizetest.WithCallbackRetry(gurulize.RetryPolicy{}),
		"backoffs reversed": gurulizetest.WithCallbackRetry(gurulize.RetryPolicy{MaxAttempts: 2, MinBackoff: time.Second, MaxBackoff: time.Millisecond}),
		"video URL scheme":  gurulizetest.WithVideoCallbackURL("ftp://example.com/"),
		"voice URL no host": gurulizetest.WithVoiceCallbackURL("http:///path"),
		"voice URL parse":   gurulizetest.WithVoiceCallbackURL("http://[::1"),
		"nil":               nil,
	}
	for name, opt := range cases {
		srv, err := gurulizetest.NewServer(opt)
		assert.Error(t, err, name)
		assert.Nil(t, srv, name)
	}
}

// fatalRecorder is a testing.TB that records Fatalf instead of stopping.
type fatalRecorder struct {
	testing.TB
	fatal string
}

func (f *fatalRecorder) Helper() {}
func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.fatal = fmt.Sprintf(format, args...)
}

func TestNewTestServerFailsTheTest(t *testing.T) {
	t.Parallel()
	rec := &fatalRecorder{TB: t}
	srv := gurulizetest.NewTestServer(rec, gurulizetest.WithTimeScale(0))
	assert.Nil(t, srv)
	assert.Contains(t, rec.fatal, "WithTimeScale")
}

// waitForGoroutines waits until at most n goroutines run, and fails with
// their stacks if that does not happen.
func waitForGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines, want at most %d:\n%s", runtime.NumGoroutine(), n, buf)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Not parallel: it counts goroutines.
func TestCloseCancelsDeliveriesAndLeaksNothing(t *testing.T) {
	before := runtime.NumGoroutine()

	entered := make(chan struct{}, 16)
	blocking := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body) // the server notices a closed connection only once the body is read
		entered <- struct{}{}
		<-r.Context().Done() // holds the delivery until the fake gives up on it
	}))
	ctx := context.Background()

	// A delivery in flight, a stream waiting for the scaled clock, and one
	// waiting for the manual clock.
	inFlight, err := gurulizetest.NewServer(gurulizetest.WithVideoCallbackURL(blocking.URL))
	require.NoError(t, err)
	_, err = inFlight.Client().CreateVideoRoom(ctx, roomAt(fixedStart, time.Hour, gurulize.EndAutomatic))
	require.NoError(t, err)
	scaled, err := gurulizetest.NewServer(gurulizetest.WithTimeScale(1), gurulizetest.WithVideoCallbackURL(blocking.URL))
	require.NoError(t, err)
	_, err = scaled.Client().CreateVideoRoom(ctx, roomAt(time.Now().Add(time.Hour), time.Hour, gurulize.EndAutomatic))
	require.NoError(t, err)
	manual, err := gurulizetest.NewServer(gurulizetest.WithManualClock(time.Time{}), gurulizetest.WithVideoCallbackURL(blocking.URL))
	require.NoError(t, err)
	_, err = manual.Client().CreateVideoRoom(ctx, roomAt(manual.Advance(0).Add(time.Hour), time.Hour, gurulize.EndAutomatic))
	require.NoError(t, err)
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the first delivery never arrived")
	}

	began := time.Now()
	for _, s := range []*gurulizetest.Server{inFlight, scaled, manual} {
		s.Close()
		s.Close() // twice is fine
	}
	assert.Less(t, time.Since(began), 5*time.Second, "Close does not wait for the clock or the endpoint")

	ds := inFlight.Deliveries()
	require.Len(t, ds, 1, "the cancelled delivery is recorded; the rest were never sent")
	assert.NotEmpty(t, ds[0].Err)
	assert.Contains(t, ds[0].Err, "context canceled")
	assert.Empty(t, scaled.Deliveries())
	assert.Empty(t, manual.Deliveries())
	assert.NoError(t, scaled.WaitIdle(ctx), "nothing is left to wait for after Close")

	_, err = inFlight.Client().CreateVideoRoom(ctx, roomAt(fixedStart, time.Hour, gurulize.EndAutomatic))
	var urlErr interface{ Timeout() bool }
	assert.True(t, errors.As(err, &urlErr), "the server no longer listens: %v", err)

	blocking.Close()
	waitForGoroutines(t, before)
}

// Not parallel: it counts goroutines.
func TestNewTestServerClosesAtCleanup(t *testing.T) {
	before := runtime.NumGoroutine()
	var srv *gurulizetest.Server
	t.Run("inner", func(t *testing.T) {
		srv = gurulizetest.NewTestServer(t, gurulizetest.WithTimeScale(1))
		_, err := srv.Client().CreateVideoRoom(context.Background(), roomAt(time.Now(), time.Hour, gurulize.EndAutomatic))
		require.NoError(t, err)
	})
	waitForGoroutines(t, before)
	_, err := http.Get(srv.VideoURL())
	assert.Error(t, err, "closed when the test ended")
}

func TestDeliveriesInOrderOfCompletion(t *testing.T) {
	t.Parallel()
	srv, video, voice := playOnce(t)
	ds := srv.Deliveries()
	require.Len(t, ds, len(video)+len(voice))
	var roomTimes []time.Time
	for _, d := range ds {
		if d.RoomUUID != "" {
			roomTimes = append(roomTimes, d.At)
		}
	}
	assert.True(t, sort.SliceIsSorted(roomTimes, func(i, j int) bool { return roomTimes[i].Before(roomTimes[j]) }),
		"without faults one room's callbacks go out in time order")
}

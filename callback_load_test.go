package gurulize_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

// delivery is one callback as the provider would send it.
type delivery struct {
	video  *gurulize.VideoEvent // one of video and voice is set
	voice  *gurulize.VoiceStatus
	method string
	path   string // after the server's URL
	body   string
	forged bool // carries a wrong token: must be refused and never applied
}

// key identifies the event a delivery carries, for counting.
func (d delivery) key() string {
	if d.video != nil {
		return "video " + string(wireVideo(*d.video))
	}
	return "voice " + wireVoice(*d.voice).Encode()
}

// TestCallbackLoad sends 10,000 callbacks, half room events and half call
// statuses, from 64 goroutines through both handlers into a RoomTracker and
// a CallTracker, with redeliveries and forged callbacks mixed in, over real
// loopback connections; run it with -race. Every callback is accounted for:
// each accepted one reached its function exactly once per delivery, each
// forged one was refused before it, and the trackers end equal to a
// sequential fold of the same events.
func TestCallbackLoad(t *testing.T) {
	t.Parallel()
	const (
		goroutines = 64
		perKind    = 5000 // callbacks of each kind, redeliveries included
		forged     = 256
	)
	work, videos, voices := callbackWorkload(t, perKind, forged)
	require.Len(t, work, 2*perKind+forged)

	rooms, calls := gurulize.NewRoomTracker(), gurulize.NewCallTracker()
	var mu sync.Mutex
	got := map[string]int{}
	count := func(k string) {
		mu.Lock()
		got[k]++
		mu.Unlock()
	}
	opts := []gurulize.HandlerOption{gurulize.WithCallbackToken(testToken)}
	mux := http.NewServeMux()
	mux.Handle("POST /hooks/video/{token}", gurulize.NewVideoEventHandler(func(_ context.Context, ev gurulize.VideoEvent) error {
		rooms.Apply(ev)
		count(delivery{video: &ev}.key())
		return nil
	}, opts...))
	voice := gurulize.NewVoiceStatusHandler(func(_ context.Context, st gurulize.VoiceStatus) error {
		calls.Apply(st)
		count(delivery{voice: &st}.key())
		return nil
	}, opts...)
	mux.Handle("/hooks/voice", voice)
	mux.Handle("/hooks/voice/{token}", voice)
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.ReadHeaderTimeout = 5 * time.Second
	srv.Config.ReadTimeout = 10 * time.Second
	srv.Config.WriteTimeout = 15 * time.Second
	srv.Config.IdleTimeout = 60 * time.Second
	srv.Start()
	t.Cleanup(srv.Close)
	tr := &http.Transport{MaxIdleConnsPerHost: goroutines}
	t.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}

	var next atomic.Int64
	var accepted, refused, unexpected atomic.Int32
	var wg sync.WaitGroup
	start := time.Now()
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(work) {
					return
				}
				d := work[i]
				req, err := http.NewRequest(d.method, srv.URL+d.path, strings.NewReader(d.body))
				if err != nil {
					unexpected.Add(1)
					continue
				}
				switch {
				case d.video != nil:
					req.Header.Set("Content-Type", "application/json")
				case d.method == http.MethodPost:
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				resp, err := hc.Do(req)
				if err != nil {
					unexpected.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				switch {
				case !d.forged && resp.StatusCode == http.StatusOK:
					accepted.Add(1)
				case d.forged && resp.StatusCode == http.StatusUnauthorized:
					refused.Add(1)
				default:
					unexpected.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("%d callbacks from %d goroutines in %v", len(work), goroutines, time.Since(start))

	assert.Zero(t, unexpected.Load(), "callbacks that failed or got an unexpected status")
	assert.Equal(t, int32(2*perKind), accepted.Load())
	assert.Equal(t, int32(forged), refused.Load())

	// Every delivery reached its function once; nothing else did.
	want := map[string]int{}
	for _, d := range work {
		if !d.forged {
			want[d.key()]++
		}
	}
	mu.Lock()
	assert.Equal(t, want, got, "events received, with their redeliveries")
	mu.Unlock()

	// The trackers equal a sequential fold of the same events.
	wantRooms, wantCalls := gurulize.NewRoomTracker(), gurulize.NewCallTracker()
	for _, ev := range videos {
		wantRooms.Apply(ev)
	}
	for _, st := range voices {
		wantCalls.Apply(st)
	}
	require.Equal(t, wantRooms.Len(), rooms.Len())
	require.Equal(t, wantCalls.Len(), calls.Len())
	for _, ev := range videos {
		w, _ := wantRooms.Room(ev.RoomUUID)
		g, ok := rooms.Room(ev.RoomUUID)
		require.True(t, ok, ev.RoomUUID)
		require.Equal(t, w, g, ev.RoomUUID)
	}
	for _, st := range voices {
		w, _ := wantCalls.Call(st.ID)
		g, ok := calls.Call(st.ID)
		require.True(t, ok, st.ID)
		require.Equal(t, w, g, st.ID)
	}
}

// callbackWorkload builds perKind room events and perKind call statuses,
// redeliveries included, from copies of the lifecycles in testdata (each
// copy its own room or call), plus forged callbacks with a wrong token, all
// shuffled. It also returns the distinct events and statuses, in order.
func callbackWorkload(t *testing.T, perKind, forged int) (work []delivery, videos []gurulize.VideoEvent, voices []gurulize.VoiceStatus) {
	t.Helper()
	rng := rand.New(rand.NewPCG(10, 64))
	var roomLives [][]gurulize.VideoEvent
	for _, name := range roomLifecycles {
		roomLives = append(roomLives, loadRoom(t, name))
	}
	var callLives [][]gurulize.VoiceStatus
	for _, name := range callLifecycles {
		callLives = append(callLives, loadCall(t, name))
	}
	// Distinct events for about four fifths of each kind; redeliveries of
	// random ones make up the rest.
	for i := 0; len(videos) < perKind*4/5; i++ {
		for _, ev := range roomLives[i%len(roomLives)] {
			ev.RoomUUID = fmt.Sprintf("room-%04d", i)
			videos = append(videos, ev)
		}
	}
	for i := 0; len(voices) < perKind*4/5; i++ {
		for _, st := range callLives[i%len(callLives)] {
			st.ID = int64(1000 + i)
			voices = append(voices, st)
		}
	}
	videoDelivery := func(ev gurulize.VideoEvent, token string) delivery {
		return delivery{video: &ev, method: http.MethodPost, path: "/hooks/video/" + token, body: string(wireVideo(ev))}
	}
	voiceDelivery := func(st gurulize.VoiceStatus, token string) delivery {
		q := wireVoice(st).Encode()
		switch rng.IntN(3) { // the three ways the voice handler takes a status
		case 0:
			return delivery{voice: &st, method: http.MethodGet, path: "/hooks/voice/" + token + "?" + q}
		case 1:
			return delivery{voice: &st, method: http.MethodGet, path: "/hooks/voice?token=" + token + "&" + q}
		default:
			return delivery{voice: &st, method: http.MethodPost, path: "/hooks/voice/" + token, body: q}
		}
	}
	for _, ev := range videos {
		work = append(work, videoDelivery(ev, testToken))
	}
	for i := len(videos); i < perKind; i++ {
		work = append(work, videoDelivery(videos[rng.IntN(len(videos))], testToken))
	}
	for _, st := range voices {
		work = append(work, voiceDelivery(st, testToken))
	}
	for i := len(voices); i < perKind; i++ {
		work = append(work, voiceDelivery(voices[rng.IntN(len(voices))], testToken))
	}
	for i := range forged {
		var d delivery
		if i%2 == 0 {
			ev := videos[rng.IntN(len(videos))]
			ev.RoomUUID = "forged-room"
			d = videoDelivery(ev, "not-the-token")
		} else {
			st := voices[rng.IntN(len(voices))]
			st.ID = 1
			d = voiceDelivery(st, "not-the-token")
		}
		d.forged = true
		work = append(work, d)
	}
	rng.Shuffle(len(work), func(i, j int) { work[i], work[j] = work[j], work[i] })
	return work, videos, voices
}

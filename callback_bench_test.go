package gurulize_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gurulize/gurulize-go"
)

// The seed payloads, as the provider sends them.
var (
	benchVideoBody  = []byte(`{"code":"MEETING_ENDED","eventSource":"SERVER","receivedTime":"1600938359259","reason":"END_MEETING_FORCED","roomUuid":"444f4061-3494-4e60-a552-c4316ac6702d","meetingTotalDuration":"2400000"}`)
	benchVoiceQuery = "id=7&code=12&desc=CALLEE_CLOSED&cause=16&time=1427116743"
)

// handVideoEvent is what an integrator would decode a video callback into
// by hand: the payload's strings, then the conversions.
type handVideoEvent struct {
	Code                 string `json:"code"`
	EventSource          string `json:"eventSource"`
	ReceivedTime         string `json:"receivedTime"`
	Reason               string `json:"reason"`
	RoomUUID             string `json:"roomUuid"`
	MeetingTotalDuration string `json:"meetingTotalDuration"`
}

type handEvent struct {
	Code, Source, Reason, Room string
	At                         time.Time
	Total                      time.Duration
}

func handParseVideo(body []byte) (handEvent, error) {
	var w handVideoEvent
	if err := json.Unmarshal(body, &w); err != nil {
		return handEvent{}, err
	}
	if w.Code == "" || w.RoomUUID == "" {
		return handEvent{}, errors.New("missing field")
	}
	ms, err := strconv.ParseInt(w.ReceivedTime, 10, 64)
	if err != nil {
		return handEvent{}, err
	}
	ev := handEvent{Code: w.Code, Source: w.EventSource, Reason: w.Reason, Room: w.RoomUUID, At: time.UnixMilli(ms).UTC()}
	if w.MeetingTotalDuration != "" {
		total, err := strconv.ParseInt(w.MeetingTotalDuration, 10, 64)
		if err != nil {
			return handEvent{}, err
		}
		ev.Total = time.Duration(total) * time.Millisecond
	}
	return ev, nil
}

type handStatus struct {
	ID          int64
	Code        int
	Desc, Cause string
	Time        time.Time
}

func handParseVoice(v url.Values) (handStatus, error) {
	id, err := strconv.ParseInt(v.Get("id"), 10, 64)
	if err != nil {
		return handStatus{}, err
	}
	code, err := strconv.Atoi(v.Get("code"))
	if err != nil {
		return handStatus{}, err
	}
	sec, err := strconv.ParseInt(v.Get("time"), 10, 64)
	if err != nil {
		return handStatus{}, err
	}
	return handStatus{ID: id, Code: code, Desc: v.Get("desc"), Cause: v.Get("cause"), Time: time.Unix(sec, 0).UTC()}, nil
}

func BenchmarkParseVideoEvent(b *testing.B) {
	b.Run("impl=baseline", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := handParseVideo(benchVideoBody); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=sdk", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := gurulize.ParseVideoEvent(benchVideoBody); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkParseVoiceStatus(b *testing.B) {
	values, err := url.ParseQuery(benchVoiceQuery)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("impl=baseline", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := handParseVoice(values); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=sdk", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := gurulize.ParseVoiceStatus(values); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkVideoHandler serves one callback per iteration, in memory:
// the hand-written baseline (size limit, decode, a map update under a lock)
// beside the SDK's handler feeding a RoomTracker.
func BenchmarkVideoHandler(b *testing.B) {
	serve := func(b *testing.B, h http.Handler) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			req := httptest.NewRequest(http.MethodPost, "/gurulize/video?token=b3nch-t0k3n-0123456789", bytes.NewReader(benchVideoBody))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
	}
	b.Run("impl=baseline", func(b *testing.B) {
		var mu sync.Mutex
		billed := map[string]time.Duration{}
		serve(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost {
				http.Error(w, "method", http.StatusMethodNotAllowed)
				return
			}
			if r.URL.Query().Get("token") != "b3nch-t0k3n-0123456789" {
				http.Error(w, "token", http.StatusUnauthorized)
				return
			}
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
			if err != nil {
				http.Error(w, "too large", http.StatusRequestEntityTooLarge)
				return
			}
			ev, err := handParseVideo(body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			mu.Lock()
			if ev.Total > billed[ev.Room] {
				billed[ev.Room] = ev.Total
			}
			mu.Unlock()
		}))
	})
	b.Run("impl=sdk", func(b *testing.B) {
		rooms := gurulize.NewRoomTracker()
		serve(b, gurulize.NewVideoEventHandler(func(_ context.Context, ev gurulize.VideoEvent) error {
			rooms.Apply(ev)
			return nil
		}, gurulize.WithCallbackToken("b3nch-t0k3n-0123456789")))
	})
}

// BenchmarkVoiceHandler is BenchmarkVideoHandler for call statuses, as the
// provider sends them: a GET with the status in the query.
func BenchmarkVoiceHandler(b *testing.B) {
	target := "/gurulize/voice?token=b3nch-t0k3n-0123456789&" + benchVoiceQuery
	serve := func(b *testing.B, h http.Handler) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
	}
	b.Run("impl=baseline", func(b *testing.B) {
		var mu sync.Mutex
		last := map[int64]int{}
		serve(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			if q.Get("token") != "b3nch-t0k3n-0123456789" {
				http.Error(w, "token", http.StatusUnauthorized)
				return
			}
			st, err := handParseVoice(q)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			mu.Lock()
			last[st.ID] = st.Code
			mu.Unlock()
		}))
	})
	b.Run("impl=sdk", func(b *testing.B) {
		calls := gurulize.NewCallTracker()
		serve(b, gurulize.NewVoiceStatusHandler(func(_ context.Context, st gurulize.VoiceStatus) error {
			calls.Apply(st)
			return nil
		}, gurulize.WithCallbackToken("b3nch-t0k3n-0123456789")))
	})
}

// BenchmarkMeetingStarted: what a MEETING_STARTED costs in a room that
// grows to 2 or to 1,000 meetings (the most a room remembers): each
// operation builds such a room in a tracker, one start after the other, and
// ns/start and B/start divide its cost by the starts.
func BenchmarkMeetingStarted(b *testing.B) {
	from := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	for _, meetings := range []int{2, 1000} {
		b.Run("meetings="+strconv.Itoa(meetings), func(b *testing.B) {
			starts := make([]gurulize.VideoEvent, meetings)
			for i := range starts {
				starts[i] = gurulize.VideoEvent{Code: gurulize.EventMeetingStarted, Source: gurulize.SourceGuest,
					RoomUUID: "r", ReceivedAt: from.Add(time.Duration(i) * time.Minute)}
			}
			tr := gurulize.NewRoomTracker()
			var mem runtime.MemStats
			runtime.ReadMemStats(&mem)
			before := mem.TotalAlloc
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for _, ev := range starts {
					tr.Apply(ev)
				}
				tr.Forget("r")
			}
			b.StopTimer()
			runtime.ReadMemStats(&mem)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*meetings), "ns/start")
			b.ReportMetric(float64(mem.TotalAlloc-before)/float64(b.N*meetings), "B/start")
		})
	}
}

// BenchmarkCallTrackerApply applies the statuses of many calls, each a
// whole completed call.
func BenchmarkCallTrackerApply(b *testing.B) {
	t0 := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	codes := []gurulize.VoiceStatusCode{gurulize.StatusCallsStarting, gurulize.StatusCallerConnected, gurulize.StatusCalleeConnected, gurulize.StatusCalleeClosed}
	statuses := make([]gurulize.VoiceStatus, b.N)
	for i := range statuses {
		statuses[i] = gurulize.VoiceStatus{ID: int64(i / len(codes)), Code: codes[i%len(codes)], Time: t0.Add(time.Duration(i) * time.Second)}
	}
	tr := gurulize.NewCallTracker()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tr.Apply(statuses[i])
	}
}

package gurulize_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gurulize/gurulize-go"
)

// benchServer answers both APIs with their documented success replies, as
// cheaply as it can, so the client side dominates the measurement.
func benchServer(b *testing.B) *httptest.Server {
	b.Helper()
	srv := httptest.NewServer(benchHandler())
	b.Cleanup(srv.Close)
	return srv
}

func benchHandler() http.Handler {
	room := []byte(`{"uuid":"444f4061-3494-4e60-a552-c4316ac6702d","hostUrl":"https://webrtc.gurulize.com/?rop=V_US2qRjrTFn&urp=gN-mYT","guestUrl":"https://webrtc.gurulize.com/?rop=GFPyacAAOrPc&urp=gN-mYT"}`)
	call := []byte(`{"success":true,"message":"Request Received","id":2}`)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPost {
			_, _ = io.Copy(io.Discard, r.Body)
			_, _ = w.Write(call)
			return
		}
		_, _ = w.Write(room)
	})
}

// The hand-written baseline: what an integrator would write with net/http
// for the same requests, with the same reply handling (a size limit, a JSON
// decode, a check of the result).

type handRoom struct {
	UUID     string `json:"uuid"`
	HostURL  string `json:"hostUrl"`
	GuestURL string `json:"guestUrl"`
}

func handCreateRoom(ctx context.Context, hc *http.Client, endpoint, user, pass string, d time.Duration, start time.Time) (*handRoom, error) {
	q := url.Values{}
	q.Set("durationInMinutes", strconv.FormatInt(int64(d/time.Minute), 10))
	q.Set("type", "video")
	q.Set("startDate", strconv.FormatInt(start.UnixMilli(), 10))
	q.Set("username", user)
	q.Set("password", pass)
	q.Set("endHow", "AUTOMATIC")
	q.Set("endWhen", "END_TIME")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, errors.New(resp.Status)
	}
	var room handRoom
	if err := json.Unmarshal(body, &room); err != nil {
		return nil, err
	}
	if room.UUID == "" {
		return nil, errors.New("no uuid")
	}
	return &room, nil
}

type handCall struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
	ID      int64  `json:"id"`
}

func handRegisterCall(ctx context.Context, hc *http.Client, endpoint, user, pass, caller, callee string, d time.Duration) (*handCall, error) {
	form := url.Values{}
	form.Set("username", user)
	form.Set("password", pass)
	form.Set("caller", caller)
	form.Set("callee", callee)
	form.Set("duration", strconv.FormatInt(int64(d/time.Second), 10))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, errors.New(resp.Status)
	}
	var out handCall
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, err
	}
	if !out.Success {
		return nil, errors.New(out.Message)
	}
	return &out, nil
}

func BenchmarkCreateVideoRoom(b *testing.B) {
	srv := benchServer(b)
	endpoint := srv.URL + "/webrtc-meeting/room/create"
	start := time.UnixMilli(1597148937000)
	ctx := context.Background()

	b.Run("impl=baseline", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := handCreateRoom(ctx, http.DefaultClient, endpoint, testUser, testPassword, 50*time.Minute, start); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=sdk", func(b *testing.B) {
		c, err := gurulize.NewClient(testUser, testPassword, gurulize.WithVideoURL(endpoint))
		if err != nil {
			b.Fatal(err)
		}
		req := gurulize.VideoRoomRequest{Duration: 50 * time.Minute, StartAt: start, EndHow: gurulize.EndAutomatic, EndWhen: gurulize.EndAtEndTime}
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := c.CreateVideoRoom(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkRegisterCall(b *testing.B) {
	srv := benchServer(b)
	endpoint := srv.URL + "/c2c"
	ctx := context.Background()

	b.Run("impl=baseline", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := handRegisterCall(ctx, http.DefaultClient, endpoint, testUser, testPassword, "5321234567", "5427654321", 10*time.Minute); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=sdk", func(b *testing.B) {
		c, err := gurulize.NewClient(testUser, testPassword, gurulize.WithVoiceURL(endpoint))
		if err != nil {
			b.Fatal(err)
		}
		req := gurulize.CallRequest{Caller: "5321234567", Callee: "5427654321", MaxDuration: 10 * time.Minute}
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := c.RegisterCall(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkConcurrentCalls: 64 callers share one client, as a web server's
// handlers would: the hand-written baseline and the SDK on
// http.DefaultClient (2 idle connections per host), and the SDK's own
// default client (the process-wide pool). It reports the TCP connections
// the run opened: run it with -benchtime=20000x for the connections of
// 20,000 calls, as BENCHMARKS.md does.
func BenchmarkConcurrentCalls(b *testing.B) {
	const callers = 64
	start := time.UnixMilli(1597148937000)
	ctx := context.Background()
	req := gurulize.VideoRoomRequest{Duration: 50 * time.Minute, StartAt: start, EndHow: gurulize.EndAutomatic, EndWhen: gurulize.EndAtEndTime}
	run := func(b *testing.B, call func(endpoint string) func() error) {
		http.DefaultTransport.(*http.Transport).CloseIdleConnections()
		srv, conns := countingServer(b, benchHandler())
		do := call(srv.URL + "/webrtc-meeting/room/create")
		var next atomic.Int64
		var wg sync.WaitGroup
		b.ReportAllocs()
		b.ResetTimer()
		for g := 0; g < callers; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= int64(b.N) {
					if err := do(); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		b.StopTimer()
		b.ReportMetric(float64(conns.Load()), "conns")
	}
	sdk := func(opts ...gurulize.Option) func(endpoint string) func() error {
		return func(endpoint string) func() error {
			c, err := gurulize.NewClient(testUser, testPassword, append(opts, gurulize.WithVideoURL(endpoint))...)
			if err != nil {
				b.Fatal(err)
			}
			return func() error {
				_, err := c.CreateVideoRoom(ctx, req)
				return err
			}
		}
	}
	b.Run("impl=baseline", func(b *testing.B) {
		run(b, func(endpoint string) func() error {
			return func() error {
				_, err := handCreateRoom(ctx, http.DefaultClient, endpoint, testUser, testPassword, 50*time.Minute, start)
				return err
			}
		})
	})
	b.Run("impl=sdk-on-DefaultClient", func(b *testing.B) { run(b, sdk(gurulize.WithHTTPClient(http.DefaultClient))) })
	b.Run("impl=sdk", func(b *testing.B) { run(b, sdk()) })
}

// BenchmarkPerTenantCall: a client built for each call, as a server with a
// client per tenant (or per request) does, beside the hand-written call.
func BenchmarkPerTenantCall(b *testing.B) {
	srv := benchServer(b)
	endpoint := srv.URL + "/webrtc-meeting/room/create"
	start := time.UnixMilli(1597148937000)
	ctx := context.Background()
	b.Run("impl=baseline", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := handCreateRoom(ctx, http.DefaultClient, endpoint, testUser, testPassword, 50*time.Minute, start); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=sdk", func(b *testing.B) {
		req := gurulize.VideoRoomRequest{Duration: 50 * time.Minute, StartAt: start}
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			c, err := gurulize.NewClient(testUser, testPassword, gurulize.WithVideoURL(endpoint))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := c.CreateVideoRoom(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkNewClient is what building a client costs, options included.
func BenchmarkNewClient(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := gurulize.NewClient(testUser, testPassword, gurulize.WithVoiceURL("https://voice.gurulize.test/c2c"),
			gurulize.WithLanguage(gurulize.English), gurulize.WithUserAgent("myapp/1.2"), gurulize.WithTimeout(10*time.Second)); err != nil {
			b.Fatal(err)
		}
	}
}

// canned answers every request with 200 and body, without a network.
type canned struct{ body string }

func (c canned) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(c.body)), Request: r}, nil
}

// BenchmarkClientOverhead measures the client side alone: the same calls as
// BenchmarkCreateVideoRoom and BenchmarkRegisterCall, answered by an
// in-memory transport, so the network's cost and noise drop out.
func BenchmarkClientOverhead(b *testing.B) {
	room := `{"uuid":"444f4061-3494-4e60-a552-c4316ac6702d","hostUrl":"https://webrtc.gurulize.com/?rop=V_US2qRjrTFn&urp=gN-mYT","guestUrl":"https://webrtc.gurulize.com/?rop=GFPyacAAOrPc&urp=gN-mYT"}`
	call := `{"success":true,"message":"Request Received","id":2}`
	start := time.UnixMilli(1597148937000)
	ctx := context.Background()
	videoURL, voiceURL := "https://webrtc.gurulize.com/webrtc-meeting/room/create", "https://voice.gurulize.test/c2c"

	video := &http.Client{Transport: canned{room}}
	b.Run("call=video/impl=baseline", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := handCreateRoom(ctx, video, videoURL, testUser, testPassword, 50*time.Minute, start); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("call=video/impl=sdk", func(b *testing.B) {
		c, err := gurulize.NewClient(testUser, testPassword, gurulize.WithHTTPClient(video))
		if err != nil {
			b.Fatal(err)
		}
		req := gurulize.VideoRoomRequest{Duration: 50 * time.Minute, StartAt: start, EndHow: gurulize.EndAutomatic, EndWhen: gurulize.EndAtEndTime}
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := c.CreateVideoRoom(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	})
	voice := &http.Client{Transport: canned{call}}
	b.Run("call=voice/impl=baseline", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := handRegisterCall(ctx, voice, voiceURL, testUser, testPassword, "5321234567", "5427654321", 10*time.Minute); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("call=voice/impl=sdk", func(b *testing.B) {
		c, err := gurulize.NewClient(testUser, testPassword, gurulize.WithHTTPClient(voice), gurulize.WithVoiceURL(voiceURL))
		if err != nil {
			b.Fatal(err)
		}
		req := gurulize.CallRequest{Caller: "5321234567", Callee: "5427654321", MaxDuration: 10 * time.Minute}
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := c.RegisterCall(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	})
}

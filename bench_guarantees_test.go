// What the client's guarantees cost over loopback: each hand-written call,
// then the same with each mechanism the SDK keeps for a guarantee, then all
// of them, beside the SDK's call, in one run.

package gurulize_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gurulize/gurulize-go"
)

// unreplayableBody is an empty request body that is neither nil nor
// http.NoBody, so net/http cannot send the request again by itself: what
// keeps the SDK's room GET at most once.
type unreplayableBody struct{}

func (unreplayableBody) Read([]byte) (int, error) { return 0, io.EOF }
func (unreplayableBody) Close() error             { return nil }

// guarded is a RoundTripper that adds to each request what the SDK adds
// for its guarantees, each when asked.
type guarded struct {
	body    bool // the unreplayable empty body (at most once)
	timeout bool // a 30s timeout of its own (WithTimeout's default)
	trace   bool // the trace that tells a request never sent (safe retries)
}

func (g guarded) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	var cancel context.CancelFunc
	if g.timeout {
		ctx, cancel = context.WithTimeout(ctx, 30*time.Second)
	}
	if g.trace {
		var getConn, wroteHeaders atomic.Bool
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
			GetConn:      func(string) { getConn.Store(true) },
			WroteHeaders: func() { wroteHeaders.Store(true) },
		})
	}
	if ctx != req.Context() {
		req = req.WithContext(ctx)
	}
	if g.body {
		req.Body = unreplayableBody{}
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if cancel != nil {
		if err != nil {
			cancel()
		} else {
			resp.Body = cancelOnClose{resp.Body, cancel} // the timeout runs until the reply is read
		}
	}
	return resp, err
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// BenchmarkGuaranteeCost: impl=baseline is the hand-written call;
// impl=baseline+body (the room GET only: the POST has a body anyway),
// +timeout and +trace add one mechanism each, impl=guarded all of them;
// impl=sdk is the SDK's call. Compare each with the baseline.
func BenchmarkGuaranteeCost(b *testing.B) {
	srv := benchServer(b)
	roomURL, callURL := srv.URL+"/webrtc-meeting/room/create", srv.URL+"/c2c"
	start := time.UnixMilli(1597148937000)
	ctx := context.Background()
	room := func(hc *http.Client) error {
		_, err := handCreateRoom(ctx, hc, roomURL, testUser, testPassword, 50*time.Minute, start)
		return err
	}
	call := func(hc *http.Client) error {
		_, err := handRegisterCall(ctx, hc, callURL, testUser, testPassword, "5321234567", "5427654321", 10*time.Minute)
		return err
	}
	variants := []struct {
		name string
		g    guarded
		room bool // only for the room GET
	}{
		{"baseline", guarded{}, false},
		{"baseline+body", guarded{body: true}, true},
		{"baseline+timeout", guarded{timeout: true}, false},
		{"baseline+trace", guarded{trace: true}, false},
		{"guarded", guarded{body: true, timeout: true, trace: true}, true},
		{"guarded", guarded{timeout: true, trace: true}, false},
	}
	for _, c := range []struct {
		name string
		room bool
		hand func(*http.Client) error
		sdk  func(*gurulize.Client) error
		opt  gurulize.Option
	}{
		{"room", true, room, func(c *gurulize.Client) error {
			_, err := c.CreateVideoRoom(ctx, gurulize.VideoRoomRequest{Duration: 50 * time.Minute, StartAt: start,
				EndHow: gurulize.EndAutomatic, EndWhen: gurulize.EndAtEndTime})
			return err
		}, gurulize.WithVideoURL(roomURL)},
		{"voice", false, call, func(c *gurulize.Client) error {
			_, err := c.RegisterCall(ctx, gurulize.CallRequest{Caller: "5321234567", Callee: "5427654321", MaxDuration: 10 * time.Minute})
			return err
		}, gurulize.WithVoiceURL(callURL)},
	} {
		for _, v := range variants {
			if v.g.body && !c.room || v.name == "guarded" && v.room != c.room {
				continue
			}
			hc := http.DefaultClient
			if v.g != (guarded{}) {
				hc = &http.Client{Transport: v.g}
			}
			b.Run("call="+c.name+"/impl="+v.name, func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					if err := c.hand(hc); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		b.Run("call="+c.name+"/impl=sdk", func(b *testing.B) {
			client, err := gurulize.NewClient(testUser, testPassword, c.opt)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if err := c.sdk(client); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// What the client's guarantees cost over loopback: the hand-written room
// call, then the same with each mechanism the SDK keeps for a guarantee,
// then all of them, beside the SDK, in one run.

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

// BenchmarkGuaranteeCost: impl=baseline is the hand-written room call;
// impl=baseline+body, +timeout, +trace add one mechanism each, impl=guarded
// all three; impl=sdk is CreateVideoRoom. Compare each with the baseline.
func BenchmarkGuaranteeCost(b *testing.B) {
	srv := benchServer(b)
	endpoint := srv.URL + "/webrtc-meeting/room/create"
	start := time.UnixMilli(1597148937000)
	ctx := context.Background()
	for _, v := range []struct {
		name string
		g    guarded
	}{
		{"baseline", guarded{}},
		{"baseline+body", guarded{body: true}},
		{"baseline+timeout", guarded{timeout: true}},
		{"baseline+trace", guarded{trace: true}},
		{"guarded", guarded{body: true, timeout: true, trace: true}},
	} {
		hc := http.DefaultClient
		if v.g != (guarded{}) {
			hc = &http.Client{Transport: v.g}
		}
		b.Run("impl="+v.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := handCreateRoom(ctx, hc, endpoint, testUser, testPassword, 50*time.Minute, start); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
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

package gurulize_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/binary"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
)

// This file holds the HTTP/2 rows of the fault matrix: a loopback server
// over TLS that speaks HTTP/2 frame by frame, reads each request whole and
// then answers it with a stream reset or a GOAWAY, counting the requests it
// received complete. net/http's HTTP/2 transport resends a request by
// itself after some of these, when it can rewind the body; the SDK must
// deliver each request at most once, and retry only what the server
// provably did not process, within its RetryPolicy.

// HTTP/2 frame types, flags and error codes used below (RFC 9113).
const (
	h2Data, h2Headers, h2RSTStream, h2Settings, h2Ping, h2GoAway, h2Continuation = 0x0, 0x1, 0x3, 0x4, 0x6, 0x7, 0x9

	h2EndStream, h2Ack, h2EndHeaders = 0x1, 0x1, 0x4

	h2NoError, h2ProtocolError, h2InternalError, h2RefusedStream = 0x0, 0x1, 0x2, 0x7
)

// h2Answer is what the raw server does with a complete request.
type h2Answer func(w *h2Conn, stream uint32)

// resetWith answers with RST_STREAM and the given error code.
func resetWith(code uint32) h2Answer {
	return func(w *h2Conn, stream uint32) {
		w.frame(h2RSTStream, 0, stream, binary.BigEndian.AppendUint32(nil, code))
	}
}

// goAwayUnprocessed answers with GOAWAY, last-stream-id 0: no stream was
// processed, and the connection is going away.
func goAwayUnprocessed(w *h2Conn, _ uint32) {
	w.frame(h2GoAway, 0, 0, binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, 0), h2NoError))
}

// succeed answers 200 with a reply valid for both calls. 0x88 is the HPACK
// static-table entry for ":status: 200".
func succeed(w *h2Conn, stream uint32) {
	w.frame(h2Headers, h2EndHeaders, stream, []byte{0x88})
	w.frame(h2Data, h2EndStream, stream, []byte(roomAndCallJSON))
}

// h2Server is the raw HTTP/2 server; answers[n] answers the n-th complete
// request (0-based), the last one repeating.
type h2Server struct {
	URL        string
	Client     *http.Client // trusts the server's certificate, speaks HTTP/2
	answers    []h2Answer
	complete   atomic.Int32
	onComplete func() // if set, called for each complete request
}

func newH2Server(t *testing.T, answers ...h2Answer) *h2Server {
	t.Helper()
	s := &h2Server{answers: answers}
	var wg sync.WaitGroup
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.EnableHTTP2 = true
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Config.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){
		"h2": func(_ *http.Server, c *tls.Conn, _ http.Handler) {
			wg.Add(1)
			defer wg.Done()
			s.serve(c)
		},
	}
	srv.StartTLS()
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		wg.Wait()
	})
	s.URL, s.Client = srv.URL, srv.Client()
	s.Client.Transport.(*http.Transport).ForceAttemptHTTP2 = true
	t.Cleanup(s.Client.CloseIdleConnections)
	return s
}

// h2Conn writes frames to one connection.
type h2Conn struct {
	mu sync.Mutex
	c  *tls.Conn
}

func (w *h2Conn) frame(typ, flags byte, stream uint32, payload []byte) {
	hdr := make([]byte, 9, 9+len(payload))
	hdr[0], hdr[1], hdr[2] = byte(len(payload)>>16), byte(len(payload)>>8), byte(len(payload))
	hdr[3], hdr[4] = typ, flags
	binary.BigEndian.PutUint32(hdr[5:], stream&0x7fffffff)
	w.mu.Lock()
	defer w.mu.Unlock()
	_, _ = w.c.Write(append(hdr, payload...))
}

// serve reads the client's preface and frames until the connection ends,
// answering each request once its stream has ended (END_STREAM seen).
func (s *h2Server) serve(c *tls.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReader(c)
	preface := make([]byte, len("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"))
	if _, err := io.ReadFull(r, preface); err != nil {
		return
	}
	w := &h2Conn{c: c}
	w.frame(h2Settings, 0, 0, nil)
	hdr := make([]byte, 9)
	for {
		if _, err := io.ReadFull(r, hdr); err != nil {
			return
		}
		length := int(hdr[0])<<16 | int(hdr[1])<<8 | int(hdr[2])
		typ, flags := hdr[3], hdr[4]
		stream := binary.BigEndian.Uint32(hdr[5:]) & 0x7fffffff
		payload := make([]byte, length)
		if _, err := io.ReadFull(r, payload); err != nil {
			return
		}
		switch {
		case typ == h2Settings && flags&h2Ack == 0:
			w.frame(h2Settings, h2Ack, 0, nil)
		case typ == h2Ping && flags&h2Ack == 0:
			w.frame(h2Ping, h2Ack, 0, payload)
		case (typ == h2Headers || typ == h2Data || typ == h2Continuation) && flags&h2EndStream != 0:
			n := int(s.complete.Add(1)) - 1
			if s.onComplete != nil {
				s.onComplete()
			}
			s.answers[min(n, len(s.answers)-1)](w, stream)
		}
	}
}

// clientKinds are the two ways a Client reaches the network: through the
// SDK's default (process-wide) transport, which goes through
// http.DefaultTransport once that has been replaced, and through the
// caller's own *http.Client.
var clientKinds = []string{"default", "WithHTTPClient"}

// h2Client returns a client of the given kind pointed at srv. For the
// default kind, http.DefaultTransport is replaced by one that trusts the
// server, for the duration of the test: such tests must not run in parallel.
func h2Client(t *testing.T, srv *h2Server, kind string, policy gurulize.RetryPolicy) *gurulize.Client {
	t.Helper()
	opts := []gurulize.Option{
		gurulize.WithVideoURL(srv.URL + videoPath), gurulize.WithVoiceURL(srv.URL + voicePath),
		gurulize.WithRetry(policy), gurulize.WithTimeout(2 * time.Second),
	}
	if kind == "default" {
		saved := http.DefaultTransport
		http.DefaultTransport = srv.Client.Transport
		t.Cleanup(func() { http.DefaultTransport = saved })
	} else {
		opts = append(opts, gurulize.WithHTTPClient(srv.Client))
	}
	c, err := gurulize.NewClient(testUser, testPassword, opts...)
	require.NoError(t, err)
	return c
}

// TestHTTP2FaultsDeliverAtMostOnce runs the HTTP/2 rows of the fault
// matrix (fault_test.go, where a client WithHTTPClient meets them) on both
// kinds of client, the default one included, which goes through
// http.DefaultTransport.
func TestHTTP2FaultsDeliverAtMostOnce(t *testing.T) {
	cases := []struct {
		name      string
		answers   []h2Answer
		delivered int  // complete requests the server received
		success   bool // the call succeeds in the end
	}{
		// The server received the request and may have acted on it: one
		// delivery, whatever the transport would like to do.
		{name: "RST_STREAM PROTOCOL_ERROR", answers: []h2Answer{resetWith(h2ProtocolError)}, delivered: 1},
		{name: "RST_STREAM INTERNAL_ERROR", answers: []h2Answer{resetWith(h2InternalError)}, delivered: 1},
		// The server says it did not process the stream: retried, within the policy.
		{name: "RST_STREAM REFUSED_STREAM then success", answers: []h2Answer{resetWith(h2RefusedStream), succeed}, delivered: 2, success: true},
		{name: "RST_STREAM REFUSED_STREAM every time", answers: []h2Answer{resetWith(h2RefusedStream)}, delivered: 3},
		{name: "GOAWAY last-stream-id 0 then success", answers: []h2Answer{goAwayUnprocessed, succeed}, delivered: 2, success: true},
		{name: "GOAWAY last-stream-id 0 every time", answers: []h2Answer{goAwayUnprocessed}, delivered: 3},
	}
	for _, tc := range cases {
		for _, call := range []string{"video", "voice"} {
			t.Run(tc.name+"/"+call, func(t *testing.T) {
				srv := newH2Server(t, tc.answers...)
				c := h2Client(t, srv, "default", fastRetry)
				start := time.Now()
				err := callBoth(context.Background(), c, call)
				if tc.success {
					require.NoError(t, err)
				} else {
					var ue *url.Error
					require.ErrorAs(t, err, &ue, "a transport failure")
					assertNoSecret(t, err)
					assert.NotContains(t, err.Error(), "GetBody", "net/http's advice to make the body rewindable is not passed on")
				}
				// The transport's own retries, if any slipped through, would
				// keep counting after the call returned.
				time.Sleep(50 * time.Millisecond)
				assert.Equal(t, tc.delivered, int(srv.complete.Load()), "complete requests the server received")
				assert.Less(t, time.Since(start), 3*time.Second, "no retry loop of the transport's own")
			})
		}
	}
}

// TestHTTP2RoomRequestIsAccepted: over HTTP/2 the room GET carries an empty,
// streamed body (the price of keeping net/http from replaying it). net/http's
// own HTTP/2 server, and the fake's validation behind it, accept it.
func TestHTTP2RoomRequestIsAccepted(t *testing.T) {
	fake, err := gurulizetest.NewHandler(gurulizetest.WithAccount(testUser, testPassword))
	require.NoError(t, err)
	var proto string
	var length int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proto, length = r.Proto, r.ContentLength
		r.URL.Path = "/webrtc-meeting/room/create" // the fake's path; the clients ask for videoPath
		fake.ServeHTTP(w, r)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	for _, kind := range clientKinds {
		t.Run(kind, func(t *testing.T) {
			hs := &h2Server{URL: srv.URL, Client: srv.Client()}
			hs.Client.Transport.(*http.Transport).ForceAttemptHTTP2 = true
			t.Cleanup(hs.Client.CloseIdleConnections)
			c := h2Client(t, hs, kind, gurulize.RetryPolicy{MaxAttempts: 1})
			room, err := c.CreateVideoRoom(context.Background(), validRoom())
			require.NoError(t, err)
			assert.NotEmpty(t, room.UUID)
			assert.Equal(t, "HTTP/2.0", proto)
			assert.Equal(t, int64(-1), length, "an empty body of unknown length")
		})
	}
	assert.Len(t, fake.Rooms(), len(clientKinds), "the fake created a room for each")
}

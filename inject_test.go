package gurulize_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

// This file checks that a server cannot talk the client into sending a
// request again: every phrase the retry decision looks for in net/http's
// errors, injected through every channel by which a server puts its own
// bytes into those errors, over HTTP/1.1 and HTTP/2, leaves each call
// delivered once, and reported as maybe sent.

// injectedPhrases are the texts the request path treats as a server saying
// it did not process a request (see h2Unprocessed in request.go), whole and
// in part.
var injectedPhrases = []string{
	"http2: Transport: cannot retry err [http2: Transport received Server's graceful shutdown GOAWAY] after Request.Body was written; define Request.GetBody to avoid this error",
	"http2: Transport: cannot retry err [stream error: stream ID 1; REFUSED_STREAM; received from peer] after Request.Body was written; define Request.GetBody to avoid this error",
	"http2: Transport received Server's graceful shutdown GOAWAY",
	"stream error: stream ID 1; REFUSED_STREAM; received from peer",
}

// h1Server is a loopback HTTP/1.1 server that reads each request whole,
// counts it, and answers with raw bytes the case chooses, then closes the
// connection.
type h1Server struct {
	URL      string
	complete atomic.Int32
}

func newH1Server(t *testing.T, answer string) *h1Server {
	return newRawServer(t, func(*http.Request) string { return answer })
}

// newRawServer is an h1Server answering each request with answer(request).
func newRawServer(t *testing.T, answer func(*http.Request) string) *h1Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &h1Server{URL: "http://" + ln.Addr().String()}
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				req, err := http.ReadRequest(bufio.NewReader(c))
				if err != nil {
					return
				}
				if _, err := io.Copy(io.Discard, req.Body); err != nil {
					return
				}
				s.complete.Add(1)
				_, _ = io.WriteString(c, answer(req))
			}()
		}
	}()
	return s
}

// hpackLiteral encodes a header field as an HPACK literal without indexing,
// with a new name and no Huffman coding (RFC 7541, 6.2.2).
func hpackLiteral(name, value string) []byte {
	out := []byte{0x00}
	for _, s := range []string{name, value} {
		out = hpackInt(out, len(s))
		out = append(out, s...)
	}
	return out
}

// hpackInt appends n as an HPACK integer with a 7-bit prefix.
func hpackInt(out []byte, n int) []byte {
	if n < 127 {
		return append(out, byte(n))
	}
	out, n = append(out, 127), n-127
	for n >= 128 {
		out, n = append(out, byte(n%128)|0x80), n/128
	}
	return append(out, byte(n))
}

// goAwayWithDebug answers with a GOAWAY that admits the stream as received,
// carrying debug data, and closes the connection.
func goAwayWithDebug(code uint32, debug string) h2Answer {
	return func(w *h2Conn, stream uint32) {
		payload := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, stream), code)
		w.frame(h2GoAway, 0, 0, append(payload, debug...))
		_ = w.c.Close()
	}
}

// badHeaderName answers 200 with a response header whose name is invalid.
func badHeaderName(name string) h2Answer {
	return func(w *h2Conn, stream uint32) {
		w.frame(h2Headers, h2EndHeaders|h2EndStream, stream, append([]byte{0x88}, hpackLiteral(name, "x")...))
	}
}

func TestInjectedRetryPhrasesDeliverOnce(t *testing.T) {
	h1 := map[string]func(phrase string) string{
		"HTTP/1.1 Transfer-Encoding": func(p string) string {
			return "HTTP/1.1 200 OK\r\nTransfer-Encoding: " + p + "\r\n\r\n"
		},
		"HTTP/1.1 Content-Length": func(p string) string {
			return "HTTP/1.1 200 OK\r\nContent-Length: " + p + "\r\n\r\n"
		},
		"HTTP/1.1 invalid header key": func(p string) string {
			return "HTTP/1.1 200 OK\r\nBad Key " + p + ": x\r\nContent-Length: 0\r\n\r\n"
		},
	}
	h2 := map[string]func(phrase string) h2Answer{
		"HTTP/2 GOAWAY NO_ERROR debug data":       func(p string) h2Answer { return goAwayWithDebug(h2NoError, p) },
		"HTTP/2 GOAWAY PROTOCOL_ERROR debug data": func(p string) h2Answer { return goAwayWithDebug(h2ProtocolError, p) },
		"HTTP/2 invalid response header name":     func(p string) h2Answer { return badHeaderName("bad " + p) },
	}
	check := func(t *testing.T, err error, delivered func() int32) {
		t.Helper()
		require.Error(t, err)
		assert.True(t, gurulize.MaybeSent(err), "the server received the request: %v", err)
		assertNoSecret(t, err)
		time.Sleep(20 * time.Millisecond) // a retry of the transport's own would still be counting
		assert.Equal(t, int32(1), delivered(), "one delivery per call")
	}
	for i, phrase := range injectedPhrases {
		for channel, answer := range h1 {
			for _, call := range []string{"video", "voice"} {
				t.Run(fmt.Sprintf("%s/phrase %d/%s", channel, i, call), func(t *testing.T) {
					srv := newH1Server(t, answer(phrase))
					c, err := gurulize.NewClient(testUser, testPassword,
						gurulize.WithHTTPClient(&http.Client{Transport: &http.Transport{}}),
						gurulize.WithVideoURL(srv.URL+videoPath), gurulize.WithVoiceURL(srv.URL+voicePath),
						gurulize.WithRetry(fastRetry), gurulize.WithTimeout(2*time.Second))
					require.NoError(t, err)
					check(t, callBoth(context.Background(), c, call), srv.complete.Load)
				})
			}
		}
		for channel, answer := range h2 {
			for _, call := range []string{"video", "voice"} {
				t.Run(fmt.Sprintf("%s/phrase %d/%s", channel, i, call), func(t *testing.T) {
					srv := newH2Server(t, answer(phrase))
					c := h2Client(t, srv, "WithHTTPClient", fastRetry)
					check(t, callBoth(context.Background(), c, call), srv.complete.Load)
				})
			}
		}
	}
}

// This file holds the one request path both calls take: an attempt with its
// own timeout, the decision to retry, reading and decoding the reply, and
// the redaction of everything that goes back to the caller or the log.

package gurulize

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gurulize/gurulize-go/internal/redact"
)

// maxReplyBytes is the largest reply body the client reads; a larger one is
// an *APIError matching ErrUnexpectedResponse.
const maxReplyBytes = 1 << 20

// reply is the union of both APIs' documented JSON replies.
type reply struct {
	Success  *bool   `json:"success"`
	Message  string  `json:"message"`
	ID       flexInt `json:"id"`
	UUID     string  `json:"uuid"`
	HostURL  string  `json:"hostUrl"`
	GuestURL string  `json:"guestUrl"`

	status int // HTTP status of the reply
}

// do is the one request path. It sends a request (rawURL and form hold the
// password) with a fresh timeout per attempt, repeats it only when
// RetryPolicy.decide says so, reads at most 1 MiB of the reply, decodes it,
// and returns every failure as an *APIError or a *requestError.
func (c *Client) do(ctx context.Context, method, rawURL, form string) (*reply, error) {
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			// Not even a test transport that ignores the context sends anything now.
			return nil, c.requestError(method, rawURL, &url.Error{Op: opName(method), URL: rawURL, Err: err}, false)
		}
		rep, retry, wait, err := c.attempt(ctx, method, rawURL, form, attempt)
		if !retry {
			return rep, err
		}
		if werr := sleep(ctx, wait); werr != nil {
			// Wraps only the context's error, so that errors.As does not take
			// a cancellation for the attempt's *APIError. Only an attempt that
			// was not acted on is retried, so this one was not either.
			werr = fmt.Errorf("gave up waiting to retry after attempt %d (%s): %w", attempt, err, werr)
			return nil, c.requestError(method, rawURL, &url.Error{Op: opName(method), URL: rawURL, Err: werr}, false)
		}
	}
}

// attempt sends the request once, and says whether to send it again and
// after how long.
func (c *Client) attempt(ctx context.Context, method, rawURL, form string, n int) (rep *reply, retry bool, wait time.Duration, err error) {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	trace := newConnTrace()
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(actx, &trace.hooks), method, rawURL, nil)
	if err != nil {
		return nil, false, 0, c.requestError(method, rawURL, &url.Error{Op: opName(method), URL: rawURL, Err: err}, false)
	}
	// At most once: net/http sends a request again by itself, over HTTP/1.1
	// when a reused connection breaks and over HTTP/2 after some stream
	// resets, whenever it can replay the body: no body, or GetBody set. So
	// every request gets a body and no GetBody; only do decides to retry.
	// The room GET's body is empty: over HTTP/1.1 net/http sees that and
	// sends none, over HTTP/2 it goes out as an empty DATA frame (the server
	// sees ContentLength -1), since net/http's public API has no way to send
	// it bodiless and unreplayable. A 307 or 308 redirect, which needs
	// GetBody, is returned rather than followed.
	if form == "" {
		req.Body = emptyBody{}
	} else {
		// io.NopCloser of a *strings.Reader: net/http knows it is in memory,
		// and writes headers and body in one go.
		req.Body, req.ContentLength = io.NopCloser(strings.NewReader(form)), int64(len(form))
		req.Header["Content-Type"] = formContentType
	}
	// The header values are shared slices, set in place of Header.Set,
	// which would allocate one per request; net/http and RoundTrippers
	// only read them.
	req.Header["User-Agent"] = c.uaHeader
	req.Header["Accept"] = acceptJSON
	req = c.startAttempt(req, n) // log ends it

	facts := attemptFacts{attempt: n}
	start := time.Now()
	resp, err := c.client().Do(req)
	if err == nil {
		defer resp.Body.Close()
		facts.status = resp.StatusCode
		facts.retryAfter, facts.hasRetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		var raw []byte
		if raw, err = io.ReadAll(io.LimitReader(resp.Body, maxReplyBytes+1)); err != nil {
			err = &url.Error{Op: opName(method), URL: rawURL, Err: err}
		} else {
			rep, facts.rejected, err = c.decode(resp, raw)
		}
	} else {
		facts.unsent = trace.unsent()
		facts.refused = serverRefused(err)
	}
	facts.ctxDone = ctx.Err() != nil
	switch e := err.(type) {
	case *APIError:
		e.maybeSent = facts.maybeSent()
	case *url.Error: // all http.Client.Do returns
		err = c.requestError(method, rawURL, e, facts.maybeSent())
	}
	retry, after, why := c.retry.decide(facts)
	if retry {
		wait = c.retry.wait(n, after)
	}
	c.log(ctx, req, n, facts.status, start, err, why)
	return rep, retry, wait, err
}

// addCredentials sets the account's username and password in a request's
// query or form, which go-querystring built from the request's own fields.
func (c *Client) addCredentials(v url.Values) {
	s := c.secrets()
	v.Set("username", s.username)
	v.Set("password", s.password)
}

// Shared header values (see attempt).
var (
	acceptJSON      = []string{"application/json"}
	formContentType = []string{"application/x-www-form-urlencoded"}
)

// emptyBody is the room GET's body: empty, but not nil or http.NoBody,
// which net/http would be free to send again (see attempt).
type emptyBody struct{}

func (emptyBody) Read([]byte) (int, error) { return 0, io.EOF }
func (emptyBody) Close() error             { return nil }

// client returns the *http.Client for one request: a copy of the caller's
// (so its Transport, Jar and Timeout are read now) whose redirects never
// leave the original host, or the shared one.
func (c *Client) client() *http.Client {
	if c.httpClient == nil {
		return sharedClient
	}
	hc := *c.httpClient
	hc.CheckRedirect = sameHostRedirects(hc.CheckRedirect)
	return &hc
}

// sameHostRedirects follows a redirect only to the same scheme and host, and
// at most 10 of them, as net/http does; then next, if any, has its say. Any
// other redirect is returned to the caller as the 3xx reply it is. A
// followed redirect is a GET without a body, which net/http could replay:
// it gets an empty body, as the room GET does (see attempt).
func sameHostRedirects(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != via[0].URL.Scheme || req.URL.Host != via[0].URL.Host {
			return http.ErrUseLastResponse
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		req.Body, req.GetBody = emptyBody{}, nil
		if next != nil {
			return next(req, via)
		}
		return nil
	}
}

// decode turns a reply into a *reply, or an *APIError for a reply over the
// size limit, a non-2xx status, a body that is not the documented JSON, or
// "success": false. rejected reports a JSON body with "success": false,
// whatever the status: the provider refused the request.
func (c *Client) decode(resp *http.Response, raw []byte) (rep *reply, rejected bool, err error) {
	status := resp.StatusCode
	red := c.secrets().redactor
	if len(raw) > maxReplyBytes {
		return nil, false, unexpectedResponse(status, fmt.Sprintf("reply is larger than %d bytes", maxReplyBytes))
	}
	// net/http asks for gzip and decodes it itself (then resp.Uncompressed
	// is set); a reply encoded although nobody asked, as when the caller's
	// transport sets DisableCompression, is reported, not quoted as bad JSON.
	if coding := strings.TrimSpace(resp.Header.Get("Content-Encoding")); coding != "" && !resp.Uncompressed && !strings.EqualFold(coding, "identity") {
		msg := red().Text(fmt.Sprintf("reply has Content-Encoding %q, which the client did not ask for and does not decode", coding))
		if status < 200 || status > 299 {
			return nil, false, newAPIError(status, msg, red()) // a 401 still matches ErrInvalidCredentials
		}
		return nil, false, unexpectedResponse(status, msg)
	}
	rep = &reply{status: status}
	jsonErr := json.Unmarshal(raw, rep)
	rejected = jsonErr == nil && rep.Success != nil && !*rep.Success
	switch {
	case status < 200 || status > 299:
		msg := rep.Message
		if jsonErr != nil || msg == "" {
			msg = c.excerpt(raw)
		}
		return nil, rejected, newAPIError(status, msg, red())
	case jsonErr != nil:
		return nil, false, unexpectedResponse(status, "reply is not the documented JSON: "+c.excerpt(raw))
	case rejected:
		return nil, true, newAPIError(status, rep.Message, red())
	}
	return rep, false, nil
}

// excerptBytes is how much of an unexpected body an error quotes.
const excerptBytes = 200

// excerpt returns a short, printable quotation of a body, or
// redact.Withheld when the body holds the password in any form. The query
// of every link is masked: in a room reply it holds the room's access token
// (errors are logged, room links must never be). The whole body is checked
// before it is cut, so no prefix of a secret survives.
func (c *Client) excerpt(raw []byte) string {
	if len(bytes.TrimSpace(raw)) == 0 {
		return "(empty body)"
	}
	s := string(raw)
	if c.secrets().redactor().Holds(s) {
		return redact.Withheld
	}
	s = redact.Queries(strings.TrimSpace(redact.Printable(s)))
	if len(s) > excerptBytes {
		s = strings.TrimSpace(strings.ToValidUTF8(s[:excerptBytes], "")) + "…" // the cut may split a character
	}
	return strconv.Quote(s)
}

// requestError returns ue, which net/http returned or which was made alike
// for a failure before or after it, with its URL's credentials masked in
// place, wrapped so that its text can be printed: see requestError.
func (c *Client) requestError(method, rawURL string, ue *url.Error, maybeSent bool) error {
	red := c.secrets().redactor()
	masked := redact.Mask
	if u, err := url.Parse(rawURL); err == nil {
		masked = red.URL(u, "username", "password")
	}
	ue.URL = masked
	// The cause's text may quote the URL, and net/http's HTTP/2 advice to
	// make the body rewindable is the opposite of what the SDK must do.
	text := strings.ReplaceAll(ue.Err.Error(), rawURL, masked)
	if m := h2NoReplay.FindStringSubmatch(text); m != nil {
		if serverRefused(ue) {
			text = m[1] + ": the server did not process the request"
		} else {
			text = m[1] + ": the request may have been processed, so it is not sent again"
		}
	}
	return &requestError{
		text:      fmt.Sprintf("%s %q: %s", ue.Op, masked, red.Text(text)),
		cause:     ue,
		maybeSent: maybeSent,
	}
}

func opName(method string) string { return method[:1] + strings.ToLower(method[1:]) }

// log writes one debug record for an attempt, when a logger is configured,
// and reports its end to the observer, if any.
func (c *Client) log(ctx context.Context, req *http.Request, attempt, status int, start time.Time, err error, why string) {
	c.endAttempt(req, status, start, err)
	if c.logger == nil || !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", req.Method),
		slog.String("url", c.secrets().redactor().URL(req.URL, "username", "password")),
		slog.Int("attempt", attempt),
		slog.Duration("latency", time.Since(start)),
	}
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()), slog.String("retry", why))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "gurulize request", attrs...)
}

// h2NoReplay matches, whole, the message net/http's HTTP/2 transport
// returns where it would have sent a request again had it been able to
// rewind its body (see attempt); h2Unprocessed, whole, the two cases where
// the server said it did not process the stream: REFUSED_STREAM from the
// peer, or a GOAWAY that leaves the stream out. net/http exposes no type for
// either, only this text. Both are matched from the first byte to the last,
// which no error quoting what a peer sent can do: every such error of
// net/http begins with net/http's own words (GOAWAY debug data, header
// names and values come after a fixed prefix), and the bracketed part has
// only fixed words and our stream ID.
var (
	h2NoReplay    = regexp.MustCompile(`^http2: Transport: cannot retry err \[(.*)\] after Request\.Body was written; define Request\.GetBody to avoid this error$`)
	h2Unprocessed = regexp.MustCompile(`^http2: Transport: cannot retry err \[(?:http2: Transport received Server's graceful shutdown GOAWAY|stream error: stream ID \d+; REFUSED_STREAM; received from peer)\] after Request\.Body was written; define Request\.GetBody to avoid this error$`)
)

// serverRefused reports whether err, from http.Client.Do, is the server
// saying it did not process the request, so that sending it again is safe.
func serverRefused(err error) bool {
	var ue *url.Error
	return errors.As(err, &ue) && h2Unprocessed.MatchString(ue.Err.Error())
}

// connTrace records how far the transport got with an attempt: whether it
// set out to get a connection (GetConn), and whether it wrote the request's
// whole header block (WroteHeaders). A request whose header block was never
// written whole cannot have been acted on: no server acts on half a request
// head. So an attempt that asked for a connection but never wrote its
// headers — the connection refused, a DNS failure, a TLS handshake failure,
// a timeout while connecting, a connection lost before writing — sent
// nothing that counts, and is safe to repeat. A transport that reports none of this (a test double,
// a custom RoundTripper) proves nothing, and its errors are not retried.
// The hooks may run on other goroutines.
type connTrace struct {
	hooks                 httptrace.ClientTrace // in the same allocation as the flags
	getConn, wroteHeaders atomic.Bool
}

func newConnTrace() *connTrace {
	t := &connTrace{}
	t.hooks.GetConn = func(string) { t.getConn.Store(true) }
	t.hooks.WroteHeaders = func() { t.wroteHeaders.Store(true) }
	return t
}

// unsent reports whether the trace proves that no header block went out.
func (t *connTrace) unsent() bool { return t.getConn.Load() && !t.wroteHeaders.Load() }

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
// password) with a fresh timeout per attempt, repeats it only when that is
// provably safe (see RetryPolicy), reads at most 1 MiB of the reply, decodes
// it, and returns every failure as an *APIError or a redacted *url.Error.
func (c *Client) do(ctx context.Context, method, rawURL, form string) (*reply, error) {
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			// Not even a test transport that ignores the context sends anything now.
			return nil, c.urlError(method, rawURL, err)
		}
		rep, retry, err := c.attempt(ctx, method, rawURL, form, attempt)
		if err == nil {
			return rep, nil
		}
		if !retry.ok || attempt >= c.retry.MaxAttempts {
			return nil, err
		}
		if werr := sleep(ctx, c.retry.wait(attempt, retry.after)); werr != nil {
			// Wraps only the context's error, so that errors.As does not take
			// a cancellation for the attempt's *APIError.
			last := err
			var ue *url.Error
			if errors.As(err, &ue) {
				last = ue.Err // the URL is said once, outside
			}
			return nil, c.urlError(method, rawURL, fmt.Errorf("gave up waiting to retry after attempt %d (%s): %w", attempt, last, werr))
		}
	}
}

// retryAdvice says whether a failed attempt may be repeated, and how long the
// server asked us to wait (0: not said).
type retryAdvice struct {
	ok    bool
	after time.Duration
}

func (c *Client) attempt(ctx context.Context, method, rawURL, form string, n int) (*reply, retryAdvice, error) {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var trace connTrace
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(actx, trace.hooks()), method, rawURL, nil)
	if err != nil {
		return nil, retryAdvice{}, c.urlError(method, rawURL, err)
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
	req.Body, req.ContentLength = io.NopCloser(strings.NewReader(form)), int64(len(form))
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json")
	if form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req = c.startAttempt(req, n) // log ends it

	start := time.Now()
	resp, err := c.client().Do(req)
	if err != nil {
		err, unprocessed := explainNoReplay(err)
		err = c.urlError(req.Method, req.URL.String(), err)
		c.log(ctx, req, n, 0, start, err)
		return nil, retryAdvice{ok: (trace.neverConnected() || unprocessed) && ctx.Err() == nil}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxReplyBytes+1))
	if err != nil {
		err = c.urlError(req.Method, req.URL.String(), err)
		c.log(ctx, req, n, resp.StatusCode, start, err)
		return nil, retryAdvice{}, err
	}
	rep, err := c.decode(resp, raw)
	c.log(ctx, req, n, resp.StatusCode, start, err)
	if err != nil {
		advice := retryAdvice{}
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
			advice = retryAdvice{ok: true, after: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
		}
		return nil, advice, err
	}
	return rep, retryAdvice{}, nil
}

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
		req.Body, req.GetBody = io.NopCloser(strings.NewReader("")), nil
		if next != nil {
			return next(req, via)
		}
		return nil
	}
}

// decode turns a reply into a *reply, or an *APIError for a reply over the
// size limit, a non-2xx status, a body that is not the documented JSON, or
// "success": false.
func (c *Client) decode(resp *http.Response, raw []byte) (*reply, error) {
	status := resp.StatusCode
	if len(raw) > maxReplyBytes {
		return nil, unexpectedResponse(status, fmt.Sprintf("reply is larger than %d bytes", maxReplyBytes))
	}
	// net/http asks for gzip and decodes it itself (then resp.Uncompressed
	// is set); a reply encoded although nobody asked, as when the caller's
	// transport sets DisableCompression, is reported, not quoted as bad JSON.
	if coding := strings.TrimSpace(resp.Header.Get("Content-Encoding")); coding != "" && !resp.Uncompressed && !strings.EqualFold(coding, "identity") {
		msg := fmt.Sprintf("reply has Content-Encoding %q, which the client did not ask for and does not decode", coding)
		if status < 200 || status > 299 {
			return nil, newAPIError(status, msg) // a 401 still matches ErrInvalidCredentials
		}
		return nil, unexpectedResponse(status, msg)
	}
	rep := &reply{status: status}
	jsonErr := json.Unmarshal(raw, rep)
	switch {
	case status < 200 || status > 299:
		msg := rep.Message
		if jsonErr != nil || msg == "" {
			msg = c.excerpt(raw)
		}
		return nil, newAPIError(status, c.secrets().redactor().String(msg))
	case jsonErr != nil:
		return nil, unexpectedResponse(status, "reply is not the documented JSON: "+c.excerpt(raw))
	case rep.Success != nil && !*rep.Success:
		return nil, newAPIError(status, c.secrets().redactor().String(rep.Message))
	}
	return rep, nil
}

// excerptBytes is how much of an unexpected body an error quotes.
const excerptBytes = 200

// excerpt returns a short, printable, redacted quotation of a body. The
// password is masked before the body is made printable and again after, so
// that neither form survives; so is the query of every link, which in a room
// reply holds the room's access token (errors are logged, room links must
// never be). The whole body is redacted before it is cut, so no prefix of a
// secret survives.
func (c *Client) excerpt(raw []byte) string {
	if len(bytes.TrimSpace(raw)) == 0 {
		return "(empty body)"
	}
	red := c.secrets().redactor()
	s := redact.Queries(red.String(strings.TrimSpace(redact.Printable(red.String(string(raw))))))
	if len(s) > excerptBytes {
		s = strings.TrimSpace(strings.ToValidUTF8(s[:excerptBytes], "")) + "…" // the cut may split a character
	}
	return strconv.Quote(s)
}

// urlError returns err, from net/http or before it, as a *url.Error for
// the request, with its URL and message redacted: they carry the query
// string, and so the password.
func (c *Client) urlError(method, rawURL string, err error) error {
	red := c.secrets().redactor()
	op := opName(method)
	var ue *url.Error
	if errors.As(err, &ue) {
		op, err = ue.Op, ue.Err
	}
	u, perr := url.Parse(rawURL)
	if perr != nil {
		return &url.Error{Op: op, URL: red.String(rawURL), Err: red.Error(err)}
	}
	return &url.Error{Op: op, URL: red.URL(u, "password"), Err: red.Error(err)}
}

func opName(method string) string { return method[:1] + strings.ToLower(method[1:]) }

// log writes one debug record for an attempt, when a logger is configured,
// and reports its end to the observer, if any.
func (c *Client) log(ctx context.Context, req *http.Request, attempt, status int, start time.Time, err error) {
	c.endAttempt(req, status, start, err)
	if c.logger == nil || !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	red := c.secrets().redactor()
	attrs := []slog.Attr{
		slog.String("method", req.Method),
		slog.String("url", red.URL(req.URL, "password")),
		slog.Int("attempt", attempt),
		slog.Duration("latency", time.Since(start)),
	}
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", red.String(err.Error())))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "gurulize request", attrs...)
}

// noReplayRe matches the error net/http's HTTP/2 transport returns where
// it would have sent a request again had it been able to rewind its body
// (see attempt), and refusedRe, within it, what a server says when it did
// not process the stream: REFUSED_STREAM, or a GOAWAY that leaves the
// stream out. net/http exposes no type for either, only this text.
var (
	noReplayRe = regexp.MustCompile(`http2: Transport: cannot retry err \[(.*)\] after Request\.Body was written; define Request\.GetBody to avoid this error`)
	refusedRe  = regexp.MustCompile(`^(stream error: stream ID \d+; REFUSED_STREAM; received from peer|http2: Transport received Server's graceful shutdown GOAWAY)$`)
)

// explainNoReplay rewrites such an error, whose advice to define GetBody is
// the opposite of what the SDK must do, to say what happened, and reports
// whether the server did not process the request, which makes it safe to
// send again.
func explainNoReplay(err error) (error, bool) {
	m := noReplayRe.FindStringSubmatch(err.Error())
	switch {
	case m == nil:
		return err, false
	case refusedRe.MatchString(m[1]):
		return fmt.Errorf("%s: the server did not process the request", m[1]), true
	}
	return fmt.Errorf("%s: the request may have been processed, so it is not sent again", m[1]), false
}

// connTrace records whether the transport set out to get a connection for an
// attempt and whether it ever got one. An attempt that asked for a connection
// (GetConn) but never got one (GotConn) — refused, DNS failure, TLS handshake
// failure, timeout while connecting — cannot have sent a byte of the request,
// so it is safe to repeat. A transport that reports neither (a test double)
// proves nothing, and its errors are not retried. The hooks may run on other
// goroutines.
type connTrace struct {
	getConn atomic.Bool
	gotConn atomic.Bool
}

func (t *connTrace) hooks() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		GetConn: func(string) { t.getConn.Store(true) },
		GotConn: func(httptrace.GotConnInfo) { t.gotConn.Store(true) },
	}
}

func (t *connTrace) neverConnected() bool { return t.getConn.Load() && !t.gotConn.Load() }

// This file holds the Observer: a dependency-free hook that tells tracing,
// metrics or logging code when a call, an HTTP attempt or a callback starts
// and ends, with every secret already taken out.

package gurulize

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gurulize/gurulize-go/internal/redact"
)

// Observer is told when each call, each HTTP attempt of a call and each
// callback a handler serves starts and ends. It is how package otelgurulize
// (a module of its own) records OpenTelemetry spans and metrics; plug in
// another tracer (Datadog, a metrics library, your own logs) the same way.
// Pass it to a Client with WithObserver and to a handler with
// WithCallbackObserver.
//
// Every field is optional; a nil function is not called. A Start function
// returns the context the operation continues with: ctx, or a context
// derived from it (it carries the call's deadline and cancellation), which
// is where a span goes; that context is handed to the matching End
// function. The functions run on the caller's goroutine, synchronously,
// so they should be quick; they may be called concurrently for different
// calls and requests, and must not keep the *Info after they return (copy
// what they need).
//
// Nothing an Observer is given holds the password, the username, a
// callback token or a room's host or guest link: URLs have them replaced by
// "REDACTED" and errors are the redacted errors the caller gets.
//
// Order, for one call: CallStart; for each attempt AttemptStart then
// AttemptEnd; CallEnd. A call that fails validation has no attempt. For one
// callback request: CallbackStart, then CallbackEnd once the reply is
// written (or the function panicked).
type Observer struct {
	// CallStart is called when CreateVideoRoom or RegisterCall starts,
	// before the request is validated.
	CallStart func(ctx context.Context, call *CallInfo) context.Context
	// CallEnd is called when the call returns, with RoomUUID or CallID set
	// on success and Err on failure.
	CallEnd func(ctx context.Context, call *CallInfo)
	// AttemptStart is called before each HTTP request is sent, with the
	// context of the call (as CallStart returned it). It may add headers to
	// AttemptInfo.Header, such as W3C trace context.
	AttemptStart func(ctx context.Context, attempt *AttemptInfo) context.Context
	// AttemptEnd is called when the attempt's reply has been read and
	// decoded, or the attempt failed, with StatusCode and Err set.
	AttemptEnd func(ctx context.Context, attempt *AttemptInfo)
	// CallbackStart is called when a callback handler receives a request,
	// before anything is checked. The function the handler calls runs in
	// the context it returns.
	CallbackStart func(ctx context.Context, cb *CallbackInfo) context.Context
	// CallbackEnd is called once the handler has answered, with StatusCode
	// set and, when the payload was parsed, RoomUUID or CallID and
	// EventCode.
	CallbackEnd func(ctx context.Context, cb *CallbackInfo)
}

// The operations a CallInfo names.
const (
	OpCreateVideoRoom = "CreateVideoRoom"
	OpRegisterCall    = "RegisterCall"
)

// CallInfo describes one call of a Client.
type CallInfo struct {
	Op string // OpCreateVideoRoom or OpRegisterCall

	// Set for CallEnd.
	RoomUUID string // the room created; "" unless CreateVideoRoom succeeded
	CallID   int64  // the call registered; 0 unless RegisterCall succeeded
	Err      error  // what the call returned; nil on success
}

// AttemptInfo describes one HTTP attempt of a call. Attempt is 1 for the
// first request and counts the retries after it (see RetryPolicy).
type AttemptInfo struct {
	Method  string      // "GET" (CreateVideoRoom) or "POST" (RegisterCall)
	Scheme  string      // the endpoint's scheme: "https", or "http"
	Host    string      // the endpoint's host, with its port when the URL names one (as url.URL.Host)
	Attempt int         // 1-based
	Header  http.Header // the request's header, which AttemptStart may add to (it holds no credentials); nil for AttemptEnd

	// Set for AttemptEnd.
	StatusCode int           // the reply's HTTP status; 0 when no reply came
	Err        error         // the attempt's error, as the caller would get it; nil on success
	Duration   time.Duration // from sending the request to the end of reading the reply, or the failure

	req      *http.Request
	redactor func() *redact.Redactor
	redacted *url.URL
}

// URL returns the request's URL with the values of its username and
// password parameters replaced by "REDACTED" (and the password masked
// wherever else it appears). It is built on the first call, which costs a
// few microseconds: a hook that records it only when it will be kept (a
// sampled span) saves them. Do not modify what it returns.
func (a *AttemptInfo) URL() *url.URL {
	if a.redacted == nil {
		a.redacted, _ = url.Parse(a.redactor().URL(a.req.URL, "username", "password"))
		if a.redacted == nil { // the redaction of a valid URL parses; should it not, say nothing
			a.redacted = &url.URL{Scheme: a.Scheme, Host: a.Host}
		}
	}
	return a.redacted
}

// The kinds of callback a CallbackInfo names.
const (
	CallbackVideo = "video" // NewVideoEventHandler
	CallbackVoice = "voice" // NewVoiceStatusHandler
)

// CallbackInfo describes one request to a callback handler.
type CallbackInfo struct {
	Kind   string // CallbackVideo or CallbackVoice
	Method string // the request's method
	Scheme string // "https" when the request came over TLS to this server, else "http"
	// Path and Query are the request's path and raw query with the
	// callback token replaced by "REDACTED": every path segment and query
	// value equal to the token, and every value of a query parameter named
	// token whatever it holds. A query that does not parse is "REDACTED"
	// as a whole.
	Path, Query string

	// Set for CallbackEnd.
	Duration   time.Duration // from CallbackStart to the end of the reply
	StatusCode int           // the status the handler answered with
	EventCode  string        // the video event's code as on the wire, or VoiceStatusCode.String(); "" when the payload was not parsed
	RoomUUID   string        // a video event's room; "" otherwise
	CallID     int64         // a voice status's call; 0 otherwise
}

// WithObserver makes the Client report its calls and their HTTP attempts to
// o (see Observer). A later WithObserver replaces an earlier one. Without
// it nothing is reported, at no cost.
func WithObserver(o Observer) Option {
	return func(c *Client) error {
		c.observer = &o
		return nil
	}
}

// WithCallbackObserver makes the handler report each request it serves to
// o's CallbackStart and CallbackEnd (see Observer). A later
// WithCallbackObserver replaces an earlier one. Without it nothing is
// reported, at no cost.
func WithCallbackObserver(o Observer) HandlerOption {
	return func(h *handler) error {
		h.observer = &o
		return nil
	}
}

// callObservation is a call in progress, when an observer is set.
type callObservation struct {
	obs  *Observer
	ctx  context.Context
	info CallInfo
}

// startCall reports the start of a call; it returns the context the call
// continues with and what endCall needs (nil when nothing observes).
func (c *Client) startCall(ctx context.Context, op string) (context.Context, *callObservation) {
	if c == nil || c.observer == nil || ctx == nil {
		return ctx, nil
	}
	o := &callObservation{obs: c.observer, info: CallInfo{Op: op}}
	if c.observer.CallStart != nil {
		ctx = c.observer.CallStart(ctx, &o.info)
	}
	o.ctx = ctx
	return ctx, o
}

// end reports the end of a call; o may be nil.
func (o *callObservation) end(roomUUID string, callID int64, err error) {
	if o == nil || o.obs.CallEnd == nil {
		return
	}
	o.info.Err = err
	if err == nil {
		o.info.RoomUUID, o.info.CallID = roomUUID, callID
	}
	o.obs.CallEnd(o.ctx, &o.info)
}

// attemptKey carries an attempt's observation in its request's context,
// from startAttempt to endAttempt.
type attemptKey struct{}

type attemptObservation struct {
	ctx  context.Context // as AttemptStart returned it
	info AttemptInfo
}

// startAttempt reports an attempt about to be sent and returns the request
// to send: req itself when nothing observes, or else a copy whose context
// is the one AttemptStart returned.
func (c *Client) startAttempt(req *http.Request, n int) *http.Request {
	if c.observer == nil {
		return req
	}
	o := &attemptObservation{ctx: req.Context(), info: AttemptInfo{Method: req.Method, Scheme: req.URL.Scheme, Host: req.URL.Host,
		Attempt: n, Header: req.Header, req: req, redactor: c.secrets().redactor}}
	if c.observer.AttemptStart != nil {
		o.ctx = c.observer.AttemptStart(o.ctx, &o.info)
	}
	return req.WithContext(context.WithValue(o.ctx, attemptKey{}, o))
}

// endAttempt reports the end of the attempt req started by startAttempt.
func (c *Client) endAttempt(req *http.Request, status int, start time.Time, err error) {
	if c.observer == nil || c.observer.AttemptEnd == nil {
		return
	}
	o, ok := req.Context().Value(attemptKey{}).(*attemptObservation)
	if !ok {
		return
	}
	o.info.StatusCode, o.info.Err, o.info.Duration, o.info.Header = status, err, time.Since(start), nil
	c.observer.AttemptEnd(o.ctx, &o.info)
}

// callbackObservation is a callback request in progress, when an observer
// is set. It records the status the handler writes (the handler always
// calls WriteHeader, directly or through http.Error).
type callbackObservation struct {
	http.ResponseWriter
	obs   *Observer
	ctx   context.Context
	start time.Time
	info  CallbackInfo
}

func (o *callbackObservation) WriteHeader(status int) {
	if o.info.StatusCode == 0 {
		o.info.StatusCode = status
	}
	o.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the server's writer (see
// handler.stopped).
func (o *callbackObservation) Unwrap() http.ResponseWriter { return o.ResponseWriter }

// startCallback reports a callback request; it returns the writer and
// request to serve it with, and the observation (nil when nothing
// observes), whose parsed and end methods accept nil.
func (h *handler) startCallback(w http.ResponseWriter, r *http.Request) (http.ResponseWriter, *http.Request, *callbackObservation) {
	if h.observer == nil {
		return w, r, nil
	}
	kind := CallbackVideo
	if len(h.methods) > 1 {
		kind = CallbackVoice
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	o := &callbackObservation{ResponseWriter: w, obs: h.observer, ctx: r.Context(), start: time.Now(),
		info: CallbackInfo{Kind: kind, Method: r.Method, Scheme: scheme, Path: h.redactPath(r.URL.Path), Query: h.redactQuery(r.URL.RawQuery)}}
	if h.observer.CallbackStart != nil {
		o.ctx = h.observer.CallbackStart(o.ctx, &o.info)
		r = r.WithContext(o.ctx)
	}
	return o, r, o
}

// parsed records what the payload said.
func (o *callbackObservation) parsed(ev callbackEvent) {
	if o != nil {
		o.info.EventCode, o.info.RoomUUID, o.info.CallID = ev.code, ev.roomUUID, ev.callID
	}
}

// end reports the end of the request.
func (o *callbackObservation) end() {
	if o != nil && o.obs.CallbackEnd != nil {
		o.info.Duration = time.Since(o.start)
		o.obs.CallbackEnd(o.ctx, &o.info)
	}
}

// callbackEvent is what an observer is told about a parsed callback.
type callbackEvent struct {
	code     string
	roomUUID string
	callID   int64
}

// tokenMatches reports whether candidate is the handler's token, compared
// in constant time.
func (h *handler) tokenMatches(candidate string) bool {
	return h.token != nil && h.token.Matches(candidate)
}

// redactPath replaces every path segment equal to the token.
func (h *handler) redactPath(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if h.tokenMatches(s) {
			segs[i] = redact.Mask
		}
	}
	return strings.Join(segs, "/")
}

// redactQuery replaces every value equal to the token and every value of a
// parameter named token; a query that does not parse is masked whole.
func (h *handler) redactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return redact.Mask
	}
	for k, vs := range q {
		for i, v := range vs {
			if strings.EqualFold(k, "token") || h.tokenMatches(v) || h.tokenMatches(k) {
				vs[i] = redact.Mask
			}
		}
		if h.tokenMatches(k) {
			delete(q, k)
			q[redact.Mask] = vs
		}
	}
	return q.Encode()
}

// endRoom reports the end of CreateVideoRoom; o may be nil.
func (o *callObservation) endRoom(room *VideoRoom, err error) {
	if o != nil && room != nil {
		o.end(room.UUID, 0, err)
		return
	}
	o.end("", 0, err)
}

// endCall reports the end of RegisterCall; o may be nil.
func (o *callObservation) endCall(reg *CallRegistration, err error) {
	if o != nil && reg != nil {
		o.end("", reg.ID, err)
		return
	}
	o.end("", 0, err)
}

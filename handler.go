// This file holds the http.Handlers for the provider's callbacks and their
// options: method, token, size and payload checks, then the user's function.

package gurulize

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/gurulize/gurulize-go/internal/token"
)

// defaultBodyLimit is the largest request body a callback handler reads
// unless WithCallbackBodyLimit says otherwise: 64 KiB, far above any real
// callback.
const defaultBodyLimit = 64 << 10

// HandlerOption configures NewVideoEventHandler and NewVoiceStatusHandler.
// An invalid one makes the constructor panic with a *ValidationError
// matching ErrInvalidConfig, so a missing setting is found at start-up.
type HandlerOption func(*handler) error

// WithCallbackToken makes the handler accept only requests that carry token,
// either as the query parameter token (…/callback?token=T) or as the last
// segment of the path (…/callback/T, as in a ServeMux pattern
// "POST /gurulize/video/{token}"). Other requests get 401 and the function is
// not called. Tokens are compared in constant time and never logged.
//
// A token must be at least 16 characters long, each a letter A-Z or a-z, a
// digit 0-9, or one of - . _ ~, so that it appears verbatim in a URL: any
// other token makes the handler constructor panic. NewCallbackToken makes
// one. Give the provider the callback address with the token in it.
func WithCallbackToken(tok string) HandlerOption {
	m, err := token.NewMatcher(tok)
	return setting("WithCallbackToken", err != nil, fmt.Sprint(err), func(h *handler) { h.token = &m })
}

// WithoutCallbackToken makes the handler accept requests without a token:
// only for a handler that something in front of it (a proxy, a gateway,
// a private network) already authenticates. Every handler needs either
// this or WithCallbackToken; giving both makes the constructor panic.
func WithoutCallbackToken() HandlerOption {
	return func(h *handler) error {
		h.open = true
		return nil
	}
}

// NewCallbackToken returns a new random callback token: 32 bytes from
// crypto/rand, encoded as base64url without padding (43 characters), fit
// for WithCallbackToken. Make one once, keep it in your configuration and
// give the provider the callback addresses with it; a token made anew at
// each start breaks the addresses already given.
func NewCallbackToken() string {
	return token.New()
}

// WithCallbackBodyLimit sets the largest request body the handler reads, in
// bytes; a larger one gets 413. The default is 64 KiB; a limit below 1 is
// invalid.
func WithCallbackBodyLimit(n int64) HandlerOption {
	return setting("WithCallbackBodyLimit", n < 1, fmt.Sprintf("limit must be positive, got %d", n), func(h *handler) { h.limit = n })
}

// WithCallbackLogger logs each request the handler answers: a debug record
// for an accepted callback (with the parsed event), a warning for a refused
// one (status and reason) and an error when the function failed or
// panicked. Records carry the method, status and remote address, never the
// URL or the token. The default logs nothing but a panic of the function,
// which goes to slog.Default().
func WithCallbackLogger(l *slog.Logger) HandlerOption {
	return setting("WithCallbackLogger", l == nil, "logger is nil", func(h *handler) { h.logger = l })
}

// NewVideoEventHandler returns an http.Handler for the provider's video room
// callbacks: it parses each POSTed JSON body with ParseVideoEvent and calls
// fn with the request's context and the event.
//
// It checks, in this order, and replies:
//   - 405 (with an Allow header) to any method but POST;
//   - 401 when the request does not carry the token of WithCallbackToken;
//     fn is not called;
//   - 413 when the body is over the limit (see WithCallbackBodyLimit);
//   - 400 with a short plain-text reason when the payload is malformed;
//   - 503 when fn returns an error matching ErrRetryLater, 500 for any other
//     error or a panic of fn (the error text is not sent; the panic is
//     logged with its stack, see WithCallbackLogger), and 200 with an empty
//     body when fn returns nil.
//
// fn runs on the goroutine that called ServeHTTP. If it calls
// runtime.Goexit (as t.FailNow does), that goroutine ends: the handler
// first writes and flushes a 500 and logs it, then net/http closes the
// connection.
//
// The provider may deliver a callback more than once, and in any order;
// RoomTracker and RoomState fold events with that in mind. The handler works
// mounted under any path, including a ServeMux pattern with a {token}
// wildcard.
//
// It panics if fn is nil, if an option is invalid (such as a token that
// breaks WithCallbackToken's rule), or if opts hold neither
// WithCallbackToken nor WithoutCallbackToken, or both: a handler is closed
// unless it is opened on purpose.
//
// The handler sets no deadlines: serve it from an http.Server with
// ReadHeaderTimeout, ReadTimeout and WriteTimeout set (5s, 10s and 15s
// suit callbacks), or a client sending slowly holds a connection as long as
// it likes. See SECURITY.md.
func NewVideoEventHandler(fn func(context.Context, VideoEvent) error, opts ...HandlerOption) http.Handler {
	h := newHandler("NewVideoEventHandler", fn == nil, []string{http.MethodPost}, opts)
	h.parse = func(w http.ResponseWriter, r *http.Request, _ url.Values) (callback, int, error) {
		body, status, err := h.readBody(w, r)
		if err != nil {
			return callback{}, status, err
		}
		ev, err := ParseVideoEvent(body)
		attr := func() slog.Attr {
			return slog.Group("event", "code", ev.Code, "source", ev.Source, "received_at", ev.ReceivedAt, "room_uuid", ev.RoomUUID,
				"reason", ev.Reason, "meeting_total_duration", ev.MeetingTotalDuration)
		}
		return callback{attr: attr, call: func(ctx context.Context) error { return fn(ctx, ev) },
			event: callbackEvent{code: string(ev.Code), roomUUID: ev.RoomUUID}}, http.StatusBadRequest, err
	}
	return h
}

// NewVoiceStatusHandler returns an http.Handler for the provider's voice
// status callbacks: it parses the query of a GET, or the form of a POST
// (application/x-www-form-urlencoded body, then query), with
// ParseVoiceStatus and calls fn with the request's context and the status.
//
// It checks and replies as NewVideoEventHandler does, except that it accepts
// GET and POST (405 otherwise, with "Allow: GET, POST"), and the body limit
// applies to a POST's form; a POST body of another content type is not read.
// It panics as NewVideoEventHandler does: when fn is nil, an option is
// invalid, or opts hold neither WithCallbackToken nor WithoutCallbackToken,
// or both. Serve it with server timeouts, as NewVideoEventHandler says.
func NewVoiceStatusHandler(fn func(context.Context, VoiceStatus) error, opts ...HandlerOption) http.Handler {
	h := newHandler("NewVoiceStatusHandler", fn == nil, []string{http.MethodGet, http.MethodPost}, opts)
	h.parse = func(w http.ResponseWriter, r *http.Request, query url.Values) (callback, int, error) {
		values := query
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		switch {
		case r.Method == http.MethodPost && ct == "application/x-www-form-urlencoded":
			body, status, err := h.readBody(w, r)
			if err != nil {
				return callback{}, status, err
			}
			form, err := url.ParseQuery(string(body))
			if err != nil {
				return callback{}, http.StatusBadRequest, errors.New("gurulize: malformed callback: form is not valid")
			}
			for k, vs := range query { // as http.Request.Form: the body's values first, then the query's
				form[k] = append(form[k], vs...)
			}
			values = form
		case r.Method == http.MethodPost && r.ContentLength > h.limit:
			return callback{}, http.StatusRequestEntityTooLarge, errBodyTooLarge
		}
		st, err := ParseVoiceStatus(values)
		attr := func() slog.Attr {
			return slog.Group("status", "id", st.ID, "code", st.Code.String(), "desc", st.Desc, "cause", st.Cause, "time", st.Time)
		}
		return callback{attr: attr, call: func(ctx context.Context) error { return fn(ctx, st) },
			event: callbackEvent{code: st.Code.String(), callID: st.ID}}, http.StatusBadRequest, err
	}
	return h
}

// callback is a parsed callback: how it is logged, and the call of the
// user's function with it.
type callback struct {
	attr  func() slog.Attr // built only when a record is written
	call  func(context.Context) error
	event callbackEvent // what an observer is told
}

// handler is both callback handlers; they differ in the methods they allow
// and in parse.
type handler struct {
	methods  []string       // the methods allowed
	token    *token.Matcher // set by WithCallbackToken
	open     bool           // set by WithoutCallbackToken
	limit    int64
	logger   *slog.Logger // nil: nothing is logged but panics
	observer *Observer    // nil: nothing is reported (see WithCallbackObserver)

	// parse reads the request's payload. On failure it returns the status
	// to answer with and an error whose text is the reason.
	parse func(w http.ResponseWriter, r *http.Request, query url.Values) (callback, int, error)
}

func newHandler(constructor string, fnIsNil bool, methods []string, opts []HandlerOption) *handler {
	if fnIsNil {
		panic(configError(constructor, "fn is nil"))
	}
	h := &handler{methods: methods, limit: defaultBodyLimit}
	for i, opt := range opts {
		if opt == nil {
			panic(configError(fmt.Sprintf("%s option %d", constructor, i), "is nil"))
		}
		if err := opt(h); err != nil {
			panic(err)
		}
	}
	switch {
	case h.token == nil && !h.open:
		panic(configError(constructor, "needs WithCallbackToken(token), to accept only requests that carry the token, "+
			"or WithoutCallbackToken(), when something in front of the handler authenticates the provider "+
			"(NewCallbackToken makes a token)"))
	case h.token != nil && h.open:
		panic(configError(constructor, "WithCallbackToken and WithoutCallbackToken contradict each other: give one"))
	}
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body := w                          // the body is read through the server's own writer (see http.MaxBytesReader)
	w, r, obs := h.startCallback(w, r) // w records the status when something observes
	defer obs.end()
	if !slices.Contains(h.methods, r.Method) {
		w.Header().Set("Allow", strings.Join(h.methods, ", "))
		h.refuse(w, r, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	query := r.URL.Query()
	if !h.authorized(r, query) {
		h.refuse(w, r, http.StatusUnauthorized, "missing or invalid token")
		return
	}
	call, status, err := h.parse(body, r, query)
	if err != nil {
		h.refuse(w, r, status, err.Error())
		return
	}
	obs.parsed(call.event)
	h.run(w, r, call)
}

// authorized reports whether r carries the configured token, in its last
// path segment or its token parameter, or whether the handler was built
// WithoutCallbackToken.
func (h *handler) authorized(r *http.Request, query url.Values) bool {
	return h.open || h.token.InRequest(r.URL.Path, query.Get("token"))
}

var errBodyTooLarge = errors.New("request body too large")

// readBody reads the request body up to the limit. It returns the status to
// answer with when it cannot.
func (h *handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, int, error) {
	if r.ContentLength > h.limit {
		return nil, http.StatusRequestEntityTooLarge, errBodyTooLarge
	}
	if r.Body == nil { // only a request built by hand has none
		return nil, 0, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.limit))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, http.StatusRequestEntityTooLarge, errBodyTooLarge
	case err != nil:
		return nil, http.StatusBadRequest, errors.New("cannot read request body")
	}
	return body, 0, nil
}

// run calls the user's function and answers: 200 when it returned nil, 503
// for an error matching ErrRetryLater, 500 for any other error, a panic,
// or a function that ended its goroutine with runtime.Goexit (as t.FailNow
// does in a test). Those last two are logged with their stack (through
// slog.Default() when no logger is set, so they are never silent) rather
// than left to net/http, which would drop the connection without an
// answer; http.ErrAbortHandler, net/http's way to abort a reply on
// purpose, goes on.
//
// The function runs on the request's goroutine: a goroutine of its own for
// every callback cost a callback server about a seventh of its CPU (its
// stack grew anew each time). runtime.Goexit cannot be stopped, so that
// goroutine ends after the answer; see stopped.
func (h *handler) run(w http.ResponseWriter, r *http.Request, cb callback) {
	returned := false
	defer func() {
		if !returned {
			// Since Go 1.21 panic(nil) recovers as a *runtime.PanicNilError,
			// so nil here means runtime.Goexit.
			h.stopped(w, r, cb, recover(), debug.Stack())
		}
	}()
	err := cb.call(r.Context())
	returned = true
	status, level, msg := http.StatusOK, slog.LevelDebug, "gurulize: callback accepted"
	switch {
	case errors.Is(err, ErrRetryLater):
		status, level, msg = http.StatusServiceUnavailable, slog.LevelError, "gurulize: callback function failed"
	case err != nil:
		status, level, msg = http.StatusInternalServerError, slog.LevelError, "gurulize: callback function failed"
	}
	if err == nil {
		w.WriteHeader(status)
	} else {
		http.Error(w, "callback not processed", status)
	}
	if h.logger != nil && h.logger.Enabled(r.Context(), level) { // "accepted" is a debug record, usually off: build it only when it is written
		attrs := []slog.Attr{cb.attr()}
		if err != nil {
			attrs = append(attrs, slog.String("error", err.Error()))
		}
		h.log(r, level, msg, status, attrs...)
	}
}

// stopped answers 500 for a function that panicked with panicValue, or,
// when panicValue is nil, called runtime.Goexit, and logs it with its
// stack. After runtime.Goexit the request's goroutine ends and net/http
// closes the connection without finishing the reply, so the 500 is
// written whole and flushed first: the provider gets it whenever w can
// flush (net/http's own writer can, and so can a wrapper that implements
// Flush or Unwrap, see http.ResponseController); through one that cannot,
// the connection closes unanswered.
func (h *handler) stopped(w http.ResponseWriter, r *http.Request, cb callback, panicValue any, stack []byte) {
	if panicValue == http.ErrAbortHandler {
		panic(http.ErrAbortHandler)
	}
	logger := h.logger
	if logger == nil {
		logger = slog.Default()
	}
	msg, why := "gurulize: callback function panicked", slog.String("panic", fmt.Sprint(panicValue))
	if panicValue == nil {
		msg, why = "gurulize: callback function did not return", slog.String("goexit", "the function called runtime.Goexit (as t.FailNow does)")
	}
	logger.LogAttrs(r.Context(), slog.LevelError, msg,
		h.requestAttrs(r, http.StatusInternalServerError, cb.attr(), why, slog.String("stack", string(stack)))...)
	if panicValue != nil {
		http.Error(w, "callback not processed", http.StatusInternalServerError)
		return
	}
	// http.Error would drop Content-Length, and without it the reply could
	// not be complete before net/http closes the connection.
	const body = "callback not processed\n"
	hdr := w.Header()
	hdr.Set("Content-Type", "text/plain; charset=utf-8")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = io.WriteString(w, body)
	_ = http.NewResponseController(w).Flush()
}

// refuse answers a request the handler does not pass to the function, with
// a short plain-text reason, and logs it.
func (h *handler) refuse(w http.ResponseWriter, r *http.Request, status int, reason string) {
	http.Error(w, reason, status)
	h.log(r, slog.LevelWarn, "gurulize: callback refused", status, slog.String("reason", reason))
}

// log writes a record about a request, without its URL, when a logger is set.
func (h *handler) log(r *http.Request, level slog.Level, msg string, status int, attrs ...slog.Attr) {
	if h.logger != nil {
		h.logger.LogAttrs(r.Context(), level, msg, h.requestAttrs(r, status, attrs...)...)
	}
}

func (h *handler) requestAttrs(r *http.Request, status int, attrs ...slog.Attr) []slog.Attr {
	return append([]slog.Attr{
		slog.String("method", r.Method),
		slog.Int("status", status),
		slog.String("remote_addr", r.RemoteAddr),
	}, attrs...)
}

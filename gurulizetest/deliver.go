package gurulizetest

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gurulize/gurulize-go"
)

// CallbackKind says which API a callback belongs to.
type CallbackKind string

// The two kinds of callbacks.
const (
	VideoCallback CallbackKind = "video" // a room event: POST, JSON body
	VoiceCallback CallbackKind = "voice" // a call status: GET, query string
)

// Faults are delivery faults the fake injects on demand, so a test can prove
// that its callback handling is idempotent and does not depend on arrival
// order. They apply to the rooms and calls scheduled while they are set.
//
// An endpoint that fails and then recovers is the third classic fault: wrap
// the handler with Flaky; the fake retries failed deliveries with backoff
// (see WithCallbackRetry).
type Faults struct {
	// Duplicate delivers every callback twice in a row, as a provider does
	// when it misses the acknowledgement of the first delivery.
	Duplicate bool
	// Reorder holds back the callbacks of each room or call until the last
	// one is due, then delivers them all in a shuffled order that is never
	// the original one (for two or more callbacks).
	Reorder bool
	// Seed makes the shuffle of Reorder reproducible: the same seed gives
	// the same order for the n-th room or call scheduled by a server.
	Seed uint64
	// OmitOptional leaves out the fields the reference allows to be absent:
	// reason and meetingTotalDuration of room events that carry none, desc
	// and cause of call statuses.
	OmitOptional bool
}

// Delivery is one callback the fake delivered, or tried to.
type Delivery struct {
	Kind      CallbackKind
	RoomUUID  string    // for VideoCallback
	CallID    int64     // for VoiceCallback
	At        time.Time // the callback's own timestamp (receivedTime or time)
	Method    string    // POST for VideoCallback, GET for VoiceCallback
	URL       string    // the URL requested, with the query for VoiceCallback
	Body      string    // the JSON body of a VideoCallback
	Duplicate bool      // the second copy sent by Faults.Duplicate
	Attempts  int       // HTTP requests made (0 when no callback URL was set)
	Status    int       // HTTP status of the last attempt; 0 if it got none
	Err       string    // why the delivery failed; "" when it succeeded
}

// Delivered reports whether the endpoint acknowledged the callback with a
// 2xx status.
func (d Delivery) Delivered() bool { return d.Err == "" }

// callback is one scheduled callback, encoded.
type callback struct {
	kind  CallbackKind
	at    time.Time
	room  string
	call  int64
	body  []byte // video: the JSON payload
	query string // voice: the query string
}

type clockMode int

const (
	clockInstant clockMode = iota
	clockScaled
	clockManual
)

// stream is the callbacks of one room or call, played in order by one
// goroutine.
type stream struct {
	items  []callback
	faults Faults
	seq    uint64
	wall0  time.Time // when it was scheduled; with clockScaled, its virtual origin too

	// With clockManual, while waiting for the clock (guarded by engine.mu).
	until time.Time
	wake  chan struct{}
}

// engine plays streams against the fake clock and delivers their callbacks.
type engine struct {
	mode   clockMode
	scale  float64
	retry  gurulize.RetryPolicy
	hc     *http.Client
	target func(CallbackKind) string // the callback URL now configured

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu         sync.Mutex
	now        time.Time // the manual clock
	busy       int       // streams not finished and not waiting for the manual clock
	parked     map[*stream]struct{}
	changed    chan struct{} // closed and replaced on every change of busy
	seq        uint64
	closed     bool
	deliveries []Delivery
}

// callbackAttemptTimeout bounds each delivery attempt.
const callbackAttemptTimeout = 10 * time.Second

func newEngine(mode clockMode, scale float64, start time.Time, retry gurulize.RetryPolicy, target func(CallbackKind) string) *engine {
	ctx, cancel := context.WithCancel(context.Background())
	tr := &http.Transport{
		Proxy:               nil, // callbacks go straight to the endpoint, as the provider's would
		MaxIdleConnsPerHost: 8,
		IdleConnTimeout:     30 * time.Second,
	}
	return &engine{
		mode: mode, scale: scale, now: start, retry: retry, target: target,
		hc: &http.Client{
			Transport:     tr,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		ctx: ctx, cancel: cancel,
		parked:  map[*stream]struct{}{},
		changed: make(chan struct{}),
	}
}

// clock returns the fake's current time.
func (e *engine) clock() time.Time {
	if e.mode != clockManual {
		return time.Now().UTC()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

// notify wakes WaitIdle. e.mu must be held.
func (e *engine) notify() {
	close(e.changed)
	e.changed = make(chan struct{})
}

// schedule starts playing items, which must be sorted by time.
func (e *engine) schedule(items []callback, f Faults) {
	if len(items) == 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return
	}
	e.seq++
	st := &stream{items: items, faults: f, seq: e.seq, wall0: time.Now()}
	e.busy++
	e.notify()
	e.wg.Add(1)
	go e.run(st)
}

func (e *engine) run(st *stream) {
	defer e.wg.Done()
	defer e.finished(st)
	order := st.items
	if st.faults.Reorder && len(order) > 1 {
		if !e.waitUntil(st, order[len(order)-1].at) {
			return
		}
		order = shuffled(order, st.faults.Seed, st.seq)
	}
	for _, cb := range order {
		if !e.waitUntil(st, cb.at) {
			return
		}
		e.deliver(cb, false)
		if st.faults.Duplicate {
			e.deliver(cb, true)
		}
	}
}

// finished accounts for a stream that has ended.
func (e *engine) finished(st *stream) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.parked[st]; ok {
		delete(e.parked, st) // not counted in busy while parked
	} else {
		e.busy--
	}
	e.notify()
}

// shuffled returns a permutation of items (two or more) that differs from
// their order. The fake and Replay share it, so a seed gives both the same
// order.
func shuffled[T any](items []T, seed, seq uint64) []T {
	rng := rand.New(rand.NewPCG(seed, seq))
	perm := rng.Perm(len(items))
	identity := true
	for i, p := range perm {
		if i != p {
			identity = false
			break
		}
	}
	if identity {
		perm[0], perm[1] = perm[1], perm[0]
	}
	out := make([]T, len(items))
	for i, p := range perm {
		out[i] = items[p]
	}
	return out
}

// waitUntil waits until the fake clock reaches at. It returns false when
// the server is closing.
func (e *engine) waitUntil(st *stream, at time.Time) bool {
	switch e.mode {
	case clockScaled:
		virtual := float64(at.Sub(st.wall0)) / e.scale
		if virtual >= math.MaxInt64 {
			<-e.ctx.Done()
			return false
		}
		wait := time.Until(st.wall0.Add(time.Duration(virtual)))
		if wait <= 0 {
			return e.ctx.Err() == nil
		}
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
			return true
		case <-e.ctx.Done():
			return false
		}
	case clockManual:
		e.mu.Lock()
		if !e.now.Before(at) {
			e.mu.Unlock()
			return e.ctx.Err() == nil
		}
		st.until, st.wake = at, make(chan struct{})
		e.parked[st] = struct{}{}
		e.busy--
		e.notify()
		wake := st.wake
		e.mu.Unlock()
		select {
		case <-wake:
			return e.ctx.Err() == nil
		case <-e.ctx.Done():
			return false
		}
	default:
		return e.ctx.Err() == nil
	}
}

// advance moves the manual clock forward by d and wakes the streams that
// are now due.
func (e *engine) advance(d time.Duration) time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.mode != clockManual {
		return time.Now().UTC()
	}
	e.now = e.now.Add(d)
	for st := range e.parked {
		if !e.now.Before(st.until) {
			delete(e.parked, st)
			e.busy++
			close(st.wake)
		}
	}
	e.notify()
	return e.now
}

// waitIdle waits until no stream has a due callback left to deliver.
func (e *engine) waitIdle(ctx context.Context) error {
	for {
		e.mu.Lock()
		busy, changed := e.busy, e.changed
		e.mu.Unlock()
		if busy == 0 {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("gurulizetest: %d rooms or calls still have callbacks to deliver: %w", busy, ctx.Err())
		}
	}
}

// deliver sends cb to the configured endpoint, retrying failures with
// backoff, and records the outcome.
func (e *engine) deliver(cb callback, duplicate bool) {
	d := Delivery{Kind: cb.kind, RoomUUID: cb.room, CallID: cb.call, At: cb.at, Duplicate: duplicate}
	target := e.target(cb.kind)
	switch {
	case target == "":
		d.Err = "no " + string(cb.kind) + " callback URL configured"
	case cb.kind == VideoCallback:
		d.Method, d.URL, d.Body = http.MethodPost, target, string(cb.body)
	default:
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		d.Method, d.URL = http.MethodGet, target+sep+cb.query
	}
	if target != "" {
		backoff := e.retry.MinBackoff
		for attempt := 1; ; attempt++ {
			d.Attempts = attempt
			d.Status, d.Err = e.send(d.Method, d.URL, cb.body)
			if d.Err == "" || attempt >= e.retry.MaxAttempts || !e.sleep(backoff) {
				break
			}
			backoff = min(2*backoff, e.retry.MaxBackoff)
		}
	}
	e.mu.Lock()
	e.deliveries = append(e.deliveries, d)
	e.mu.Unlock()
}

// send makes one delivery attempt and describes its failure, if any.
func (e *engine) send(method, target string, body []byte) (int, string) {
	ctx, cancel := context.WithTimeout(e.ctx, callbackAttemptTimeout)
	defer cancel()
	var rd io.Reader
	if method == http.MethodPost {
		rd = strings.NewReader(string(body))
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return 0, err.Error()
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, "endpoint answered " + resp.Status
	}
	return resp.StatusCode, ""
}

// sleep waits d, or returns false when the server is closing.
func (e *engine) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-e.ctx.Done():
		return false
	}
}

// stop cancels every delivery and waits for the streams to end.
func (e *engine) stop() {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.cancel()
	e.wg.Wait()
	e.hc.CloseIdleConnections()
}

func (e *engine) recorded() []Delivery {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Delivery(nil), e.deliveries...)
}

// FlakyHandler is an endpoint that is down for a while, then recovers: see
// Flaky.
type FlakyHandler struct {
	next      http.Handler
	remaining atomic.Int64
	refused   atomic.Int64
}

// Flaky wraps h so that the first n requests are answered 503 Service
// Unavailable without reaching h, and every later one is passed to h. The
// fake retries failed deliveries, so every callback still reaches h once the
// endpoint has recovered, as long as the retry policy outlasts n failures.
func Flaky(h http.Handler, n int) *FlakyHandler {
	f := &FlakyHandler{next: h}
	f.remaining.Store(int64(n))
	return f
}

// ServeHTTP refuses the request while failures remain, then passes it to
// the wrapped handler.
func (f *FlakyHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.remaining.Add(-1) >= 0 {
		f.refused.Add(1)
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 64<<10))
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	f.next.ServeHTTP(w, r)
}

// Refused returns how many requests have been refused so far.
func (f *FlakyHandler) Refused() int { return int(f.refused.Load()) }

// engine.go: the engine that plays each room's and call's callbacks in
// order against the fake's clock (instant, scaled or manual), and WaitIdle.

package gurulizetest

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/gurulize/gurulize-go"
)

// deliveryConcurrency bounds the callback requests in flight at once, and
// so the connections the fake opens to an endpoint.
const deliveryConcurrency = 8

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
	target func(callbackKind) string // the callback URL now configured

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	sem    chan struct{} // one slot per delivery attempt in flight

	mu         sync.Mutex
	now        time.Time // the manual clock
	busy       int       // streams not finished and not waiting for the manual clock
	parked     map[*stream]struct{}
	changed    chan struct{} // closed and replaced on every change of busy
	seq        uint64
	closed     bool
	deliveries []Delivery
}

func newEngine(mode clockMode, scale float64, start time.Time, retry gurulize.RetryPolicy, target func(callbackKind) string) *engine {
	ctx, cancel := context.WithCancel(context.Background())
	tr := &http.Transport{
		Proxy: nil, // callbacks go straight to the endpoint, as the provider's would
		// At most deliveryConcurrency requests are in flight (sem), and as
		// many connections are kept idle, so deliveries reuse them instead
		// of opening one per callback (which ran out of ports under load).
		MaxIdleConnsPerHost: deliveryConcurrency,
		MaxConnsPerHost:     deliveryConcurrency,
		IdleConnTimeout:     30 * time.Second,
	}
	return &engine{
		mode: mode, scale: scale, now: start, retry: retry, target: target,
		hc: &http.Client{
			Transport:     tr,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		ctx: ctx, cancel: cancel,
		sem:     make(chan struct{}, deliveryConcurrency),
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
		return e.sleep(wait)
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

// stop cancels every delivery and waits for the streams to end.
func (e *engine) stop() {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.cancel()
	e.wg.Wait()
	e.hc.CloseIdleConnections()
}

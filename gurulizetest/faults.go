// faults.go: the delivery faults the fake injects (Faults: duplicates,
// reordering, optional fields left out) and Flaky, an endpoint that fails
// for a while.

package gurulizetest

import (
	"io"
	"math/rand/v2"
	"net/http"
	"sync/atomic"
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

// shuffled returns a permutation of items that differs from their order.
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

// flakyHandler is an endpoint that is down for a while, then recovers: see
// Flaky.
type flakyHandler struct {
	next      http.Handler
	remaining atomic.Int64
}

// Flaky wraps h so that the first n requests are answered 503 Service
// Unavailable without reaching h, and every later one is passed to h. The
// fake retries failed deliveries, so every callback still reaches h once the
// endpoint has recovered, as long as the retry policy outlasts n failures.
// Server.Deliveries counts the attempts each delivery took.
func Flaky(h http.Handler, n int) http.Handler {
	f := &flakyHandler{next: h}
	f.remaining.Store(int64(n))
	return f
}

// ServeHTTP refuses the request while failures remain, then passes it to
// the wrapped handler.
func (f *flakyHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.remaining.Add(-1) >= 0 {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 64<<10))
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	f.next.ServeHTTP(w, r)
}

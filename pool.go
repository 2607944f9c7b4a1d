// This file holds the connection pool that every Client built without
// WithHTTPClient shares, as every http.Client with a nil Transport shares
// http.DefaultTransport.

package gurulize

import (
	"net/http"
	"sync/atomic"
)

// idleConnsPerHost is the idle-connection pool per host of the shared
// transport. http.DefaultTransport keeps 2, so 64 concurrent callers open a
// new connection for most calls (about 9,000 for 20,000 calls, see
// BENCHMARKS.md); with 100 they keep theirs, and calls take half the time.
const idleConnsPerHost = 100

// tunedPool is a clone of base, http.DefaultTransport as it was on the
// first request, with a larger idle pool.
type tunedPool struct {
	base  *http.Transport
	tuned *http.Transport
}

// pool is the process's one tunedPool, made on the first request of any
// Client, so that settings a program makes on http.DefaultTransport before
// that (a proxy, TLS roots) apply to it.
var pool atomic.Pointer[tunedPool]

// sharedTransport sends through pool's clone while http.DefaultTransport is
// still the transport it cloned, and through http.DefaultTransport itself,
// looked up on every request, once that has been replaced: httpmock.Activate()
// and instrumentation then see every request with no further setup.
type sharedTransport struct{}

func (sharedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	cur := http.DefaultTransport
	p := pool.Load()
	if p == nil {
		base, ok := cur.(*http.Transport)
		if !ok {
			return cur.RoundTrip(req)
		}
		tuned := base.Clone()
		tuned.MaxIdleConnsPerHost = max(base.MaxIdleConnsPerHost, idleConnsPerHost)
		tuned.MaxIdleConns = max(base.MaxIdleConns, idleConnsPerHost)
		pool.CompareAndSwap(nil, &tunedPool{base: base, tuned: tuned})
		p = pool.Load()
	}
	if cur == http.RoundTripper(p.base) {
		return p.tuned.RoundTrip(req)
	}
	return cur.RoundTrip(req)
}

// sharedClient is the *http.Client of every Client built without
// WithHTTPClient.
var sharedClient = &http.Client{Transport: sharedTransport{}, CheckRedirect: sameHostRedirects(nil)}

// This file holds the retry policy: when a failed request may be sent
// again, and how long to wait before.

package gurulize

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy says how often and how patiently a request is repeated when
// repeating it is safe.
//
// Neither call is idempotent: a repeated RegisterCall rings a phone twice, a
// repeated CreateVideoRoom makes a second room. So a request is repeated only
// when it provably was not acted on: nothing of it was sent (the connection
// could not be made: refused, DNS failure, TLS handshake failure, a timeout
// while connecting; or the connection failed before the request's headers
// were written), an HTTP/2 server refused the stream (REFUSED_STREAM, or a
// GOAWAY that leaves it out), or the server asked for it to be sent later
// (HTTP 429, or 503 with a Retry-After header). A 503 without Retry-After
// may come from a proxy that already forwarded the request, so it is not
// retried, nor is any other 5xx, a timeout after the request was written, or
// a connection lost after it was written: the outcome is unknown, and the
// error is returned (MaybeSent reports true). Nor is net/http allowed to
// resend either request by itself, over HTTP/1.1 when a reused keep-alive
// connection breaks or over HTTP/2 after a stream reset.
type RetryPolicy struct {
	MaxAttempts int           // total attempts, including the first; 1 disables retries
	MinBackoff  time.Duration // first wait, doubled each retry, with jitter
	MaxBackoff  time.Duration // cap on any wait, Retry-After included
}

// defaultRetry is the policy of a Client built without WithRetry.
const (
	defaultAttempts   = 3
	defaultMinBackoff = 250 * time.Millisecond
	defaultMaxBackoff = 5 * time.Second
)

// DefaultRetryPolicy returns the policy of a Client built without
// WithRetry: 3 attempts, waiting about 250ms and then 500ms (with jitter),
// never more than 5s, Retry-After included. Each call returns a new copy, a
// value to start from; no package can change the default:
//
//	p := gurulize.DefaultRetryPolicy()
//	p.MaxAttempts = 5
//	client, err := gurulize.NewClient(username, password, gurulize.WithRetry(p))
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: defaultAttempts, MinBackoff: defaultMinBackoff, MaxBackoff: defaultMaxBackoff}
}

// WithRetry sets the retry policy. MaxAttempts must be at least 1; the
// backoffs must not be negative, and MaxBackoff not below MinBackoff. A zero
// MinBackoff or MaxBackoff takes DefaultRetryPolicy()'s value.
func WithRetry(p RetryPolicy) Option {
	return func(c *Client) error {
		bad := func(reason string) error { return configError("WithRetry", reason) }
		switch {
		case p.MaxAttempts < 1:
			return bad(fmt.Sprintf("MaxAttempts must be at least 1, got %d", p.MaxAttempts))
		case p.MinBackoff < 0:
			return bad(fmt.Sprintf("MinBackoff must not be negative, got %v", p.MinBackoff))
		case p.MaxBackoff < 0:
			return bad(fmt.Sprintf("MaxBackoff must not be negative, got %v", p.MaxBackoff))
		}
		if p.MinBackoff == 0 {
			p.MinBackoff = defaultMinBackoff
		}
		if p.MaxBackoff == 0 {
			p.MaxBackoff = max(defaultMaxBackoff, p.MinBackoff)
		}
		if p.MaxBackoff < p.MinBackoff {
			return bad(fmt.Sprintf("MaxBackoff (%v) is below MinBackoff (%v)", p.MaxBackoff, p.MinBackoff))
		}
		c.retry = p
		return nil
	}
}

// wait returns how long to wait after the given failed attempt (1-based):
// the server's Retry-After when it gave one, otherwise MinBackoff doubled per
// attempt with equal jitter; either way at most MaxBackoff.
func (p RetryPolicy) wait(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, p.MaxBackoff)
	}
	d := p.MinBackoff
	for i := 1; i < attempt && d < p.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, p.MaxBackoff)
	half := d / 2
	return half + rand.N(d-half+1)
}

// parseRetryAfter reads a Retry-After header in either form (delay-seconds or
// HTTP-date). ok is false when the header is absent or malformed; a date in
// the past gives 0 and ok.
func parseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, int64(24*time.Hour/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// attemptFacts are what one attempt established, each from something the
// server cannot forge: the connection trace, net/http's own errors, the
// reply's status and headers, the JSON body's success field.
type attemptFacts struct {
	attempt       int           // 1-based
	ctxDone       bool          // the call's context had ended when the attempt did
	unsent        bool          // the trace proves no request head was written whole
	refused       bool          // an HTTP/2 server said it did not process the stream
	status        int           // the reply's HTTP status; 0: no reply
	rejected      bool          // the reply's JSON said "success": false
	retryAfter    time.Duration // the reply's Retry-After
	hasRetryAfter bool          // the reply carried a valid Retry-After
}

// maybeSent reports whether the provider may have acted on the request:
// see MaybeSent.
func (f attemptFacts) maybeSent() bool {
	switch {
	case f.status == 0:
		return !f.unsent && !f.refused
	case f.rejected, f.status >= 400 && f.status <= 499:
		return false
	case f.status == http.StatusServiceUnavailable:
		return !f.hasRetryAfter
	}
	return true
}

// decide is the whole retry decision, from an attempt's facts alone: whether
// to send the request again, the wait the server asked for (0: back off by
// the policy), and why, in words for the debug log.
func (p RetryPolicy) decide(f attemptFacts) (retry bool, after time.Duration, why string) {
	switch {
	case f.status >= 200 && f.status <= 299 && !f.rejected:
		return false, 0, "a reply the SDK could not use; the request may have been acted on"
	case f.maybeSent():
		return false, 0, "the request may have been acted on, so it is not sent again"
	case f.ctxDone:
		return false, 0, "the context ended"
	case f.status == http.StatusTooManyRequests || f.status == http.StatusServiceUnavailable && f.hasRetryAfter:
		if f.attempt >= p.MaxAttempts {
			return false, 0, "the server asked to retry later, but no attempts are left"
		}
		return true, f.retryAfter, "the server asked to retry later"
	case f.status != 0:
		return false, 0, "the server refused the request"
	case f.attempt >= p.MaxAttempts:
		return false, 0, "the request was not processed, but no attempts are left"
	}
	return true, 0, "the request was not processed"
}

// sleep waits for d or until ctx is done, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

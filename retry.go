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
// when it provably never reached the server (the connection could not be made:
// refused, DNS failure, TLS handshake failure, or a timeout while connecting)
// or when the server said so (HTTP 429 or 503). A 500, a timeout after the
// request was written, or a connection reset after it was written are never
// retried: the outcome is unknown, and the error is returned. Nor is
// net/http allowed to resend either request by itself, over HTTP/1.1 when a
// reused keep-alive connection breaks or over HTTP/2 after a stream reset;
// an HTTP/2 server's REFUSED_STREAM, or a GOAWAY for a stream it did not
// process, is retried like a 503, within this policy.
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
// HTTP-date). It returns 0 when the header is absent, malformed or in the past.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(24*time.Hour/time.Second) {
			return 24 * time.Hour
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
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

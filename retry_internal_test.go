package gurulize

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-querystring/query"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool // a valid header
	}{
		{"", 0, false},
		{"  ", 0, false},
		{"5", 5 * time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"0", 0, true},
		{"-3", 0, false},
		{"99999999999", 24 * time.Hour, true},
		{"soon", 0, false},
		{"1.5", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{now.Add(30 * time.Second).Format(time.RFC850), 30 * time.Second, true},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		assert.Equal(t, tt.want, got, "%q", tt.in)
		assert.Equal(t, tt.ok, ok, "%q", tt.in)
	}
}

func TestRetryWait(t *testing.T) {
	t.Parallel()
	p := RetryPolicy{MaxAttempts: 10, MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second}
	for i := 0; i < 200; i++ {
		w1 := p.wait(1, 0)
		assert.GreaterOrEqual(t, w1, 50*time.Millisecond)
		assert.LessOrEqual(t, w1, 100*time.Millisecond)
		w3 := p.wait(3, 0)
		assert.GreaterOrEqual(t, w3, 200*time.Millisecond, "doubled each retry")
		assert.LessOrEqual(t, w3, 400*time.Millisecond)
		w9 := p.wait(9, 0)
		assert.GreaterOrEqual(t, w9, 500*time.Millisecond)
		assert.LessOrEqual(t, w9, time.Second, "capped at MaxBackoff")
	}
	assert.Equal(t, 300*time.Millisecond, p.wait(1, 300*time.Millisecond), "Retry-After replaces the backoff")
	assert.Equal(t, time.Second, p.wait(1, time.Hour), "Retry-After is capped")

	// Jitter: waits are not all the same.
	seen := map[time.Duration]bool{}
	for i := 0; i < 50; i++ {
		seen[p.wait(2, 0)] = true
	}
	assert.Greater(t, len(seen), 1)
}

func TestWithRetryDefaults(t *testing.T) {
	t.Parallel()
	c := &Client{}
	require.NoError(t, WithRetry(RetryPolicy{MaxAttempts: 4})(c))
	assert.Equal(t, RetryPolicy{MaxAttempts: 4, MinBackoff: DefaultRetryPolicy().MinBackoff, MaxBackoff: DefaultRetryPolicy().MaxBackoff}, c.retry)
	require.NoError(t, WithRetry(RetryPolicy{MaxAttempts: 2, MinBackoff: 10 * time.Second})(c))
	assert.Equal(t, 10*time.Second, c.retry.MaxBackoff, "a zero MaxBackoff never falls below MinBackoff")
}

// TestUnixMillisIsEncodedByQuerystring proves go-querystring calls
// unixMillis.EncodeValues for a field of that type (a pointer receiver would
// be skipped silently and the time encoded as a string).
func TestUnixMillisIsEncodedByQuerystring(t *testing.T) {
	t.Parallel()
	var _ query.Encoder = unixMillis{}
	start := time.Date(2020, 8, 11, 15, 28, 57, 999_999_999, time.FixedZone("TRT", 3*3600))
	v, err := query.Values(videoQuery{DurationInMinutes: 1, StartDate: unixMillis(start)})
	require.NoError(t, err)
	assert.Equal(t, "1597148937999", v.Get("startDate"))
}

func TestSleepHonoursContext(t *testing.T) {
	t.Parallel()
	assert.NoError(t, sleep(context.Background(), time.Millisecond))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	assert.ErrorIs(t, sleep(ctx, time.Hour), context.Canceled)
	assert.ErrorIs(t, sleep(ctx, 0), context.Canceled)
	assert.Less(t, time.Since(start), time.Second)
}

// TestDecide: the whole retry decision, fact by fact.
func TestDecide(t *testing.T) {
	t.Parallel()
	p := RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: time.Second}
	tests := []struct {
		name      string
		f         attemptFacts
		retry     bool
		after     time.Duration
		maybeSent bool
	}{
		{"never sent", attemptFacts{attempt: 1, unsent: true}, true, 0, false},
		{"never sent, last attempt", attemptFacts{attempt: 3, unsent: true}, false, 0, false},
		{"never sent, context ended", attemptFacts{attempt: 1, unsent: true, ctxDone: true}, false, 0, false},
		{"HTTP/2 stream refused", attemptFacts{attempt: 2, refused: true}, true, 0, false},
		{"transport error after writing", attemptFacts{attempt: 1}, false, 0, true},
		{"429", attemptFacts{attempt: 1, status: 429}, true, 0, false},
		{"429 with Retry-After", attemptFacts{attempt: 1, status: 429, retryAfter: 2 * time.Second, hasRetryAfter: true}, true, 2 * time.Second, false},
		{"429, last attempt", attemptFacts{attempt: 3, status: 429}, false, 0, false},
		{"503 with Retry-After", attemptFacts{attempt: 1, status: 503, retryAfter: time.Second, hasRetryAfter: true}, true, time.Second, false},
		{"503 with Retry-After 0", attemptFacts{attempt: 1, status: 503, hasRetryAfter: true}, true, 0, false},
		{"503 without Retry-After", attemptFacts{attempt: 1, status: 503}, false, 0, true},
		{"503 with success false", attemptFacts{attempt: 1, status: 503, rejected: true}, false, 0, false},
		{"500", attemptFacts{attempt: 1, status: 500}, false, 0, true},
		{"500 with success false", attemptFacts{attempt: 1, status: 500, rejected: true}, false, 0, false},
		{"502 with Retry-After", attemptFacts{attempt: 1, status: 502, hasRetryAfter: true}, false, 0, true},
		{"400", attemptFacts{attempt: 1, status: 400}, false, 0, false},
		{"200 with success false", attemptFacts{attempt: 1, status: 200, rejected: true}, false, 0, false},
		{"200 unusable", attemptFacts{attempt: 1, status: 200}, false, 0, true},
		{"302 returned", attemptFacts{attempt: 1, status: 302}, false, 0, true},
	}
	for _, tt := range tests {
		retry, after, why := p.decide(tt.f)
		assert.Equal(t, tt.retry, retry, tt.name)
		assert.Equal(t, tt.after, after, tt.name)
		assert.NotEmpty(t, why, tt.name)
		assert.Equal(t, tt.maybeSent, tt.f.maybeSent(), tt.name)
		assert.False(t, retry && tt.f.maybeSent(), "%s: what may have been acted on is never retried", tt.name)
	}
}

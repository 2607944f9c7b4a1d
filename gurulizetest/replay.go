// replay.go: playing recorded callbacks into an http.Handler (Replay) or an
// endpoint's URL (ReplayTo), with the timing, duplicates and reordering
// asked for, and what each delivery got.

package gurulizetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/gurulize/gurulize-go/internal/token"
)

// ReplayOptions says how Replay and ReplayTo play callbacks. The zero value
// sends each callback once, in order, as soon as the previous one has been
// answered.
type ReplayOptions struct {
	// Token replaces TokenPlaceholder in each callback's path, query and
	// body. Callbacks that hold the placeholder cannot be played without it.
	// It follows the rule of the SDK's WithCallbackToken: at least 16
	// characters, each a letter A-Z or a-z, a digit 0-9, or one of - . _ ~
	// (so it goes into a URL as it is); any other token is an error.
	Token string
	// Speed plays the callbacks Speed times faster than they were recorded:
	// a callback recorded a minute after the first is sent a minute/Speed
	// after the first was. 0, the default, waits for nothing. It must not be
	// negative, infinite or NaN.
	Speed float64
	// Duplicate sends every callback twice in a row, as Faults.Duplicate does.
	Duplicate bool
	// Reorder waits until the last callback is due, then sends them all in
	// a shuffled order that is never the original one (for two or more),
	// as Faults.Reorder does for a room or a call.
	Reorder bool
	// Seed makes the shuffle of Reorder reproducible: the same seed gives
	// the same order, and the order the fake gives its first room or call.
	Seed uint64
	// OnDelivery, when not nil, is called with the result of each delivery
	// as soon as it is made, before the next one, from the goroutine that
	// called Replay or ReplayTo: to report progress while a slow replay
	// runs.
	OnDelivery func(ReplayResult)
	// HTTPClient sends the requests of ReplayTo. nil uses a client of its
	// own that ignores proxy settings and does not follow redirects. Each
	// request has 10 seconds either way.
	HTTPClient *http.Client
}

// ReplayResult is what one delivery of a recorded callback got.
type ReplayResult struct {
	Index     int              // the callback's position in the slice played, from 0
	Callback  RecordedCallback // the callback as given, token placeholder included
	Duplicate bool             // the second copy sent by ReplayOptions.Duplicate
	Status    int              // HTTP status of the answer; 0 when none came
	Answer    string           // the start of the answer's body, at most 1 KiB
	Err       error            // why no answer came (it names neither the URL nor the token); nil when one did
}

// Delivered reports whether the endpoint acknowledged the callback with a
// 2xx status.
func (r ReplayResult) Delivered() bool { return r.Err == nil && r.Status >= 200 && r.Status <= 299 }

// answerLimit is how much of an answer a ReplayResult keeps.
const answerLimit = 1 << 10

// Replay plays recs into h, in-process, one after the other as opts says,
// and returns what each delivery got, in the order they were made. Each
// request is built as a server would receive it (the Host is example.com),
// with the recorded method, path, query, Content-Type and body.
//
// It returns an error, before sending anything, for invalid options (such
// as a token that breaks the rule ReplayOptions.Token gives), a callback
// that cannot be sent as an HTTP request, or a token placeholder without
// ReplayOptions.Token. When ctx ends it stops and returns the
// results so far with ctx's error. An endpoint that refuses a callback is
// not an error: see ReplayResult.Delivered.
func Replay(ctx context.Context, h http.Handler, recs []RecordedCallback, opts ReplayOptions) ([]ReplayResult, error) {
	if h == nil {
		return nil, errors.New("gurulizetest: Replay: nil handler")
	}
	send := func(ctx context.Context, method, target, contentType string, body []byte) (int, string, error) {
		req := httptest.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code, excerpt(w.Body.Bytes()), nil
	}
	return replay(ctx, "Replay", recs, opts, send)
}

// ReplayTo plays recs to the endpoint at baseURL over HTTP, as Replay does
// into a handler: each callback goes to baseURL followed by its recorded
// path and query. baseURL is an absolute http or https URL, such as
// "http://127.0.0.1:8080" or "https://staging.example.com/app" (then paths
// are added after "/app"), without a query.
func ReplayTo(ctx context.Context, baseURL string, recs []RecordedCallback, opts ReplayOptions) ([]ReplayResult, error) {
	base, err := url.Parse(baseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" || base.RawQuery != "" || base.Fragment != "" {
		return nil, fmt.Errorf("gurulizetest: ReplayTo: the base URL must be an absolute http(s) URL without a query, got %q", redactedURL(baseURL))
	}
	prefix := strings.TrimSuffix(baseURL, "/")
	hc := opts.HTTPClient
	if hc == nil {
		own := &http.Client{
			Transport:     &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 2, IdleConnTimeout: 30 * time.Second},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
		defer own.CloseIdleConnections()
		hc = own
	}
	send := func(ctx context.Context, method, target, contentType string, body []byte) (int, string, error) {
		ctx, cancel := context.WithTimeout(ctx, callbackAttemptTimeout)
		defer cancel()
		var rd io.Reader
		if len(body) > 0 {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, prefix+target, rd)
		if err != nil {
			return 0, "", errors.New("the request cannot be built")
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := hc.Do(req)
		if err != nil {
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err // without the URL, which holds the token
			}
			return 0, "", err
		}
		defer resp.Body.Close()
		answer, _ := io.ReadAll(io.LimitReader(resp.Body, answerLimit))
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return resp.StatusCode, excerpt(answer), nil
	}
	return replay(ctx, "ReplayTo", recs, opts, send)
}

// redactedURL returns u without its query and user information, for an
// error message.
func redactedURL(u string) string {
	u, _, _ = strings.Cut(u, "?")
	if scheme, rest, ok := strings.Cut(u, "://"); ok {
		if _, host, ok := strings.Cut(rest, "@"); ok {
			return scheme + "://" + host
		}
	}
	return u
}

func excerpt(b []byte) string { return string(b[:min(len(b), answerLimit)]) }

// sendFunc makes one request and returns the answer's status and excerpt.
type sendFunc func(ctx context.Context, method, target, contentType string, body []byte) (int, string, error)

// replay checks recs and opts, then sends each callback through send when
// it is due.
func replay(ctx context.Context, name string, recs []RecordedCallback, opts ReplayOptions, send sendFunc) ([]ReplayResult, error) {
	if opts.Speed < 0 || math.IsInf(opts.Speed, 0) || math.IsNaN(opts.Speed) {
		return nil, fmt.Errorf("gurulizetest: %s: Speed must be 0 or positive and finite, got %v", name, opts.Speed)
	}
	if opts.Token != "" {
		if err := token.Check(opts.Token); err != nil {
			return nil, fmt.Errorf("gurulizetest: %s: ReplayOptions.Token: %w", name, err)
		}
	}
	for i, rec := range recs {
		if !validMethod(rec.Method) {
			return nil, fmt.Errorf("gurulizetest: %s: callback %d: %q is not an HTTP method", name, i, rec.Method)
		}
		if err := checkRequestURI(rec.Path, rec.Query); err != nil {
			return nil, fmt.Errorf("gurulizetest: %s: callback %d: %v", name, i, err)
		}
		if opts.Token == "" && holdsPlaceholder(rec) {
			return nil, fmt.Errorf("gurulizetest: %s: callback %d holds the placeholder %s: set ReplayOptions.Token", name, i, TokenPlaceholder)
		}
	}
	start := time.Now()
	due := func(i int) time.Time {
		if opts.Speed == 0 {
			return start
		}
		d := float64(recs[i].Time.Sub(recs[0].Time)) / opts.Speed
		return start.Add(time.Duration(min(max(d, 0), math.MaxInt64/2)))
	}
	order := make([]int, len(recs))
	last := 0
	for i := range order {
		order[i] = i
		if recs[i].Time.After(recs[last].Time) {
			last = i
		}
	}
	if opts.Reorder && len(order) > 1 {
		if err := sleepUntil(ctx, due(last)); err != nil {
			return nil, err
		}
		order = shuffled(order, opts.Seed, 1)
	}
	deliver := func(i int, duplicate bool) ReplayResult {
		rec := recs[i]
		target := strings.ReplaceAll(rec.Path, TokenPlaceholder, url.PathEscape(opts.Token))
		if rec.Query != "" {
			target += "?" + strings.ReplaceAll(rec.Query, TokenPlaceholder, url.QueryEscape(opts.Token))
		}
		body := bytes.ReplaceAll(rec.Body, []byte(TokenPlaceholder), []byte(opts.Token))
		r := ReplayResult{Index: i, Callback: rec, Duplicate: duplicate}
		r.Status, r.Answer, r.Err = send(ctx, rec.Method, target, rec.ContentType, body)
		if opts.OnDelivery != nil {
			opts.OnDelivery(r)
		}
		return r
	}
	var results []ReplayResult
	for _, i := range order {
		if err := sleepUntil(ctx, due(i)); err != nil {
			return results, err
		}
		results = append(results, deliver(i, false))
		if opts.Duplicate {
			results = append(results, deliver(i, true))
		}
	}
	return results, ctx.Err()
}

func holdsPlaceholder(rec RecordedCallback) bool {
	return strings.Contains(rec.Path, TokenPlaceholder) || strings.Contains(rec.Query, TokenPlaceholder) ||
		bytes.Contains(rec.Body, []byte(TokenPlaceholder))
}

// sleepUntil waits until t, or returns ctx's error when ctx ends first.
func sleepUntil(ctx context.Context, t time.Time) error {
	wait := time.Until(t)
	if wait <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

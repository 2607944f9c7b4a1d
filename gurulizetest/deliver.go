// deliver.go: delivering one callback over HTTP, with retries and backoff,
// and the record of each delivery (Delivery).

package gurulizetest

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"
)

// callbackKind says which API a callback belongs to.
type callbackKind string

// The two kinds of callbacks.
const (
	videoCallback callbackKind = "video" // a room event: POST, JSON body
	voiceCallback callbackKind = "voice" // a call status: GET, query string
)

// callback is one scheduled callback, encoded.
type callback struct {
	kind  callbackKind
	at    time.Time
	room  string
	call  int64
	body  []byte // video: the JSON payload
	query string // voice: the query string
}

// Delivery is one callback the fake delivered, or tried to: a room event
// (RoomUUID set, a POST) or a call status (CallID set, a GET).
type Delivery struct {
	RoomUUID  string    // the room of a room event; "" for a call status
	CallID    int64     // the call of a call status; 0 for a room event
	At        time.Time // the callback's own timestamp (receivedTime or time)
	Method    string    // POST for a room event, GET for a call status
	URL       string    // the URL requested, with the query of a call status
	Body      string    // the JSON body of a room event
	Duplicate bool      // the second copy sent by Faults.Duplicate
	Attempts  int       // HTTP requests made (0 when no callback URL was set)
	Status    int       // HTTP status of the last attempt; 0 if it got none
	Err       string    // why the delivery failed; "" when the endpoint acknowledged it with a 2xx status
}

// callbackAttemptTimeout bounds each delivery attempt.
const callbackAttemptTimeout = 10 * time.Second

// deliver sends cb to the configured endpoint, retrying failures with
// backoff, and records the outcome.
func (e *engine) deliver(cb callback, duplicate bool) {
	d := Delivery{RoomUUID: cb.room, CallID: cb.call, At: cb.at, Duplicate: duplicate}
	target := e.target(cb.kind)
	switch {
	case target == "":
		d.Err = "no " + string(cb.kind) + " callback URL configured"
	case cb.kind == videoCallback:
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
	select {
	case e.sem <- struct{}{}:
		defer func() { <-e.sem }()
	case <-e.ctx.Done():
		return 0, e.ctx.Err().Error()
	}
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

func (e *engine) recorded() []Delivery {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Delivery(nil), e.deliveries...)
}

// callbacks.go: the callbacks a room or call script makes, as the requests
// the fake sends for them, for playing without a Server (Replay, ReplayTo)
// or writing as a recording.

package gurulizetest

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// RoomCallbacks returns the callbacks the fake sends to callbackURL when
// room plays script: one POST of the JSON payload per event, exactly as a
// Server sends them (Room events on the wire, in the package
// documentation), in order, each with Time set to its receivedTime. Only
// the room's UUID, StartAt, Duration, EndHow and EndWhen matter.
//
// callbackURL is an absolute URL or a path such as
// "/gurulize/video?token=T"; only its path and query are used. It is an
// error for it to be anything else. Play the result with Replay or
// ReplayTo, or write it with WriteRecording.
func RoomCallbacks(callbackURL string, room Room, script RoomScript) ([]RecordedCallback, error) {
	path, query, err := splitCallbackURL(callbackURL)
	if err != nil {
		return nil, fmt.Errorf("gurulizetest: RoomCallbacks: %w", err)
	}
	cbs := roomCallbacks(room, script, Faults{})
	out := make([]RecordedCallback, len(cbs))
	for i, cb := range cbs {
		out[i] = RecordedCallback{
			Method: http.MethodPost, Path: path, Query: query,
			ContentType: "application/json", Body: cb.body, Time: cb.at,
		}
	}
	return out, nil
}

// CallCallbacks returns the callbacks the fake sends to callbackURL when
// call plays script: one GET per status, with the status appended to
// callbackURL's query exactly as a Server does, in order, each with Time
// set to the status's time. Only the call's ID, RegisteredAt and
// MaxDuration matter. callbackURL is as for RoomCallbacks.
func CallCallbacks(callbackURL string, call Call, script CallScript) ([]RecordedCallback, error) {
	path, query, err := splitCallbackURL(callbackURL)
	if err != nil {
		return nil, fmt.Errorf("gurulizetest: CallCallbacks: %w", err)
	}
	cbs := callCallbacks(call, script, Faults{})
	out := make([]RecordedCallback, len(cbs))
	for i, cb := range cbs {
		q := cb.query
		if query != "" {
			q = query + "&" + q
		}
		out[i] = RecordedCallback{Method: http.MethodGet, Path: path, Query: q, Time: cb.at}
	}
	return out, nil
}

// splitCallbackURL returns the escaped path and raw query of u, an absolute
// http(s) URL or a path.
func splitCallbackURL(u string) (path, query string, err error) {
	p, err := url.Parse(u)
	switch {
	case err != nil:
		return "", "", fmt.Errorf("callback URL %q is not a URL", redactedURL(u))
	case p.Scheme != "" && p.Scheme != "http" && p.Scheme != "https",
		p.Scheme != "" && p.Host == "",
		p.Scheme == "" && (p.Host != "" || !strings.HasPrefix(p.Path, "/")):
		return "", "", fmt.Errorf("callback URL %q is neither an absolute http(s) URL nor a path starting with /", redactedURL(u))
	}
	path = p.EscapedPath()
	if path == "" {
		path = "/"
	}
	return path, p.RawQuery, nil
}

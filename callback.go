// This file holds the callbacks' payloads and their parsers: VideoEvent
// from a room callback's JSON body, VoiceStatus from a call callback's query.

package gurulize

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// VideoEvent is one video room callback. The provider POSTs it as JSON when
// something happens in a room; see ParseVideoEvent and NewVideoEventHandler.
type VideoEvent struct {
	Code                 VideoEventCode // what happened; may be a code the SDK does not know
	Source               EventSource    // who caused it; "" when absent
	ReceivedAt           time.Time      // when it happened: UTC, millisecond precision
	Reason               EndReason      // why the meeting ended, on MEETING_ENDED; "" when absent
	RoomUUID             string         // the room, as CreateVideoRoom returned it (VideoRoom.UUID)
	MeetingTotalDuration time.Duration  // billed time in the room so far (cumulative, not this meeting's); 0 when absent
}

// VoiceStatus is one voice status callback: a click-to-call changed state.
// The provider sends it as a query string (id, code, desc, cause, time); see
// ParseVoiceStatus and NewVoiceStatusHandler.
type VoiceStatus struct {
	ID    int64           // the call, as RegisterCall returned it (CallRegistration.ID)
	Code  VoiceStatusCode // the new state; may be a code the SDK does not know
	Desc  string          // the state as text, such as "CALLER_CONNECTED", verbatim; "" when absent
	Cause string          // the provider's detail about the event, verbatim; "" when absent
	Time  time.Time       // when it happened: UTC, second precision
}

// Limits of the values a callback may carry: instants from 1973 (for
// milliseconds, see ParseVideoEvent) or 1970 (for seconds) to the last
// moment of year 9999, which encoding/json can still write, and durations
// time.Duration can hold.
const (
	minUnixMillis  = 94694400000     // 1973-01-01T00:00:00Z
	maxUnixMillis  = 253402300799999 // 9999-12-31T23:59:59.999Z
	maxUnixSeconds = maxUnixMillis / 1000
	maxDurationMS  = math.MaxInt64 / int64(time.Millisecond)
)

// malformed reports a callback field that cannot be parsed.
func malformed(field, reason string) error {
	return &ValidationError{Field: field, Reason: reason, kind: ErrMalformedCallback}
}

// ParseVideoEvent parses the JSON body of a video room callback.
//
// Numbers may be JSON strings, as the provider sends them
// ("receivedTime": "1600938359259"), or JSON numbers. Unknown codes, sources
// and reasons are kept; unknown fields are ignored. code, roomUuid and
// receivedTime are required; reason, eventSource and meetingTotalDuration may
// be absent, null or "".
//
// The error, a *ValidationError matching ErrMalformedCallback, names the
// field for a missing required field or a value of the wrong shape: a number
// that is not a whole non-negative integer ("12s", "yesterday", -5, 2.5), a
// string field holding a number or an object, a duration too large to
// represent, or a receivedTime that is not Unix milliseconds from 1973 to
// 9999: a value that can only be seconds (ten digits, such as 1600938359)
// is refused rather than read as a time in 1970. A body that is empty,
// truncated, not JSON, or JSON but not an object (null, []) is an error
// naming "body".
func ParseVideoEvent(body []byte) (VideoEvent, error) {
	var fields map[string]json.RawMessage
	if body = bytes.TrimSpace(body); len(body) == 0 {
		return VideoEvent{}, malformed("body", "is empty")
	} else if body[0] != '{' {
		return VideoEvent{}, malformed("body", "is not a JSON object")
	} else if err := json.Unmarshal(body, &fields); err != nil {
		return VideoEvent{}, malformed("body", "is not valid JSON: "+err.Error())
	}
	var text [4]string // code, roomUuid, eventSource, reason
	for i, name := range [...]string{"code", "roomUuid", "eventSource", "reason"} {
		var err error
		if text[i], err = jsonString(fields, name); err != nil {
			return VideoEvent{}, err
		} else if text[i] == "" && i < 2 {
			return VideoEvent{}, malformed(name, "is required")
		}
	}
	ms, err := jsonInt(fields, "receivedTime", "Unix milliseconds")
	switch {
	case err != nil:
		return VideoEvent{}, err
	case !ms.set:
		return VideoEvent{}, malformed("receivedTime", "is required")
	case ms.v < minUnixMillis:
		return VideoEvent{}, malformed("receivedTime", fmt.Sprintf("must be Unix milliseconds, got %d: before 1973 as milliseconds, so Unix seconds or not a time", ms.v))
	case ms.v > maxUnixMillis:
		return VideoEvent{}, malformed("receivedTime", fmt.Sprintf("is out of range: %d is after the year 9999 as Unix milliseconds", ms.v))
	}
	total, err := jsonInt(fields, "meetingTotalDuration", "milliseconds")
	if err == nil && total.v > maxDurationMS {
		err = malformed("meetingTotalDuration", fmt.Sprintf("is out of range: %d milliseconds", total.v))
	}
	if err != nil {
		return VideoEvent{}, err
	}
	return VideoEvent{
		Code: VideoEventCode(text[0]), RoomUUID: text[1], Source: EventSource(text[2]), Reason: EndReason(text[3]),
		ReceivedAt: time.UnixMilli(ms.v).UTC(), MeetingTotalDuration: time.Duration(total.v) * time.Millisecond,
	}, nil
}

// jsonString decodes a JSON string field; absent and null are "".
func jsonString(fields map[string]json.RawMessage, name string) (string, error) {
	raw := fields[name]
	if raw == nil || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", malformed(name, "must be a string, got "+jsonKind(raw))
	}
	return s, nil
}

// jsonInt decodes a non-negative integer field written as a JSON number or a
// JSON string; absent, null and "" leave it unset. unit names what the
// number counts, for the error message.
func jsonInt(fields map[string]json.RawMessage, name, unit string) (flexInt, error) {
	var n flexInt
	if raw := fields[name]; raw != nil {
		if err := json.Unmarshal(raw, &n); err != nil {
			got := jsonKind(raw)
			if c := raw[0]; c == '"' || c == '-' || '0' <= c && c <= '9' {
				got = quoteExcerpt(strings.Trim(string(raw), `"`))
			}
			return flexInt{}, malformed(name, "must be an integer ("+unit+"), got "+got)
		}
	}
	if n.v < 0 {
		return flexInt{}, malformed(name, "must not be negative, got "+strconv.FormatInt(n.v, 10))
	}
	return n, nil
}

// flexInt is a base-10 integer written as a JSON number (7) or a JSON string
// ("7"), as the provider writes numbers either way; null and "" leave it
// unset. Fractions, exponents, a '+', spaces and out-of-range values are
// errors.
type flexInt struct {
	v   int64
	set bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (n *flexInt) UnmarshalJSON(b []byte) error {
	*n = flexInt{}
	s := string(b)
	if s == "null" {
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" {
			return nil
		}
	}
	v, err := parseInt(s)
	if err != nil {
		return err
	}
	*n = flexInt{v: v, set: true}
	return nil
}

// parseInt parses a base-10 integer with an optional leading '-'.
func parseInt(s string) (int64, error) {
	if strings.HasPrefix(s, "+") {
		return 0, fmt.Errorf("%q is not an integer", s)
	}
	return strconv.ParseInt(s, 10, 64)
}

// jsonKind names the kind of a JSON value, for error messages.
func jsonKind(raw []byte) string {
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	}
	return "a number"
}

// quoteExcerpt quotes at most the first 32 bytes of s, in ASCII, so an error
// message stays short and printable whatever the payload holds.
func quoteExcerpt(s string) string {
	if len(s) > 32 {
		return strconv.QuoteToASCII(s[:32]) + "..."
	}
	return strconv.QuoteToASCII(s)
}

// ParseVoiceStatus parses the parameters of a voice status callback: the
// query of a GET, or the form of a POST (see http.Request.Form).
//
// id, code and time (Unix seconds) are required, as non-negative base-10
// integers; desc and cause may be absent. Unknown codes are kept, and unknown
// parameters (such as a token) are ignored. A parameter given several times
// must carry the same value each time.
//
// The error, a *ValidationError matching ErrMalformedCallback, names the
// parameter: missing, not an integer ("12s", "yesterday"), negative, repeated
// with different values, or a time outside the years 1970 to 9999 (a time in
// milliseconds is out of range).
func ParseVoiceStatus(values url.Values) (VoiceStatus, error) {
	var n [3]int64 // id, code, time
	for i, p := range [...]struct {
		name, what string
		max        int64
	}{{"id", "a call ID", math.MaxInt64}, {"code", "a status code", math.MaxInt32}, {"time", "Unix seconds", maxUnixSeconds}} {
		var err error
		if n[i], err = formInt(values, p.name, p.what, p.max); err != nil {
			return VoiceStatus{}, err
		}
	}
	if n[2] == 0 {
		return VoiceStatus{}, malformed("time", "is out of range: 0 is not Unix seconds between 1970 and 9999")
	}
	desc, err := formValue(values, "desc")
	if err != nil {
		return VoiceStatus{}, err
	}
	cause, err := formValue(values, "cause")
	if err != nil {
		return VoiceStatus{}, err
	}
	return VoiceStatus{ID: n[0], Code: VoiceStatusCode(n[1]), Desc: desc, Cause: cause, Time: time.Unix(n[2], 0).UTC()}, nil
}

// formValue returns a parameter's value, "" when absent, and an error when it
// is repeated with different values.
func formValue(values url.Values, name string) (string, error) {
	for _, v := range values[name] {
		if v != values.Get(name) {
			return "", malformed(name, "is given more than once with different values")
		}
	}
	return values.Get(name), nil
}

// formInt returns a required parameter as an integer between 0 and max.
func formInt(values url.Values, name, what string, max int64) (int64, error) {
	s, err := formValue(values, name)
	if err != nil {
		return 0, err
	}
	if s == "" {
		return 0, malformed(name, "is required")
	}
	v, err := parseInt(s)
	switch {
	case err != nil:
		return 0, malformed(name, "must be an integer ("+what+"), got "+quoteExcerpt(s))
	case v < 0:
		return 0, malformed(name, "must not be negative, got "+s)
	case v > max:
		return 0, malformed(name, "is out of range: "+s+" is too large for "+what)
	}
	return v, nil
}

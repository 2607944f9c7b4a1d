// This file holds the callbacks' payloads and their parsers: VideoEvent
// from a room callback's JSON body, VoiceStatus from a call callback's query.

package gurulize

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"reflect"
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
// and reasons are kept; unknown fields are ignored. Keys match exactly as
// the wire spells them: "roomuuid" is not "roomUuid" but an unknown field,
// ignored, as is any key that differs from a known one only in case. code,
// roomUuid and receivedTime are required; reason, eventSource and
// meetingTotalDuration may be absent, null or "".
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
	var w videoWire
	if body = bytes.TrimSpace(body); len(body) == 0 {
		return VideoEvent{}, malformed("body", "is empty")
	} else if body[0] != '{' {
		return VideoEvent{}, malformed("body", "is not a JSON object")
	}
	if hasCaseVariant(body, videoKeys) {
		// encoding/json would take "roomuuid" for "roomUuid": keep only the
		// keys spelled exactly, and decode those.
		var all map[string]json.RawMessage
		if err := json.Unmarshal(body, &all); err != nil {
			return VideoEvent{}, malformed("body", "is not valid JSON: "+err.Error())
		}
		exact := make(map[string]json.RawMessage, len(videoKeys))
		for _, k := range videoKeys {
			if v, ok := all[k]; ok {
				exact[k] = v
			}
		}
		body, _ = json.Marshal(exact) // cannot fail: every value is valid JSON
	}
	var typeErr *json.UnmarshalTypeError
	if err := json.Unmarshal(body, &w); errors.As(err, &typeErr) && typeErr.Field != "" {
		if unit, ok := map[string]string{"receivedTime": "Unix milliseconds", "meetingTotalDuration": "milliseconds"}[typeErr.Field]; ok {
			return VideoEvent{}, malformed(typeErr.Field, "must be an integer ("+unit+"), got "+typeErr.Value)
		}
		return VideoEvent{}, malformed(typeErr.Field, "must be a string, got "+jsonKinds[typeErr.Value])
	} else if err != nil {
		return VideoEvent{}, malformed("body", "is not valid JSON: "+err.Error())
	}
	ms, total := w.ReceivedTime.v, w.MeetingTotalDuration.v
	switch {
	case w.Code == "":
		return VideoEvent{}, malformed("code", "is required")
	case w.RoomUUID == "":
		return VideoEvent{}, malformed("roomUuid", "is required")
	case !w.ReceivedTime.set:
		return VideoEvent{}, malformed("receivedTime", "is required")
	case ms < 0:
		return VideoEvent{}, malformed("receivedTime", fmt.Sprintf("must not be negative, got %d", ms))
	case ms < minUnixMillis:
		return VideoEvent{}, malformed("receivedTime", fmt.Sprintf("must be Unix milliseconds, got %d: before 1973 as milliseconds, so Unix seconds or not a time", ms))
	case ms > maxUnixMillis:
		return VideoEvent{}, malformed("receivedTime", fmt.Sprintf("is out of range: %d is after the year 9999 as Unix milliseconds", ms))
	case total < 0:
		return VideoEvent{}, malformed("meetingTotalDuration", fmt.Sprintf("must not be negative, got %d", total))
	case total > maxDurationMS:
		return VideoEvent{}, malformed("meetingTotalDuration", fmt.Sprintf("is out of range: %d milliseconds", total))
	}
	return VideoEvent{
		Code: VideoEventCode(w.Code), Source: EventSource(w.EventSource), ReceivedAt: time.UnixMilli(ms).UTC(),
		Reason: EndReason(w.Reason), RoomUUID: w.RoomUUID, MeetingTotalDuration: time.Duration(total) * time.Millisecond,
	}, nil
}

// videoWire is a video callback as the wire spells it.
type videoWire struct {
	Code                 string  `json:"code"`
	EventSource          string  `json:"eventSource"`
	ReceivedTime         flexInt `json:"receivedTime"`
	Reason               string  `json:"reason"`
	RoomUUID             string  `json:"roomUuid"`
	MeetingTotalDuration flexInt `json:"meetingTotalDuration"`
}

// videoKeys are videoWire's keys.
var videoKeys = func() []string {
	t := reflect.TypeFor[videoWire]()
	keys := make([]string, t.NumField())
	for i := range keys {
		keys[i] = t.Field(i).Tag.Get("json")
	}
	return keys
}()

// hasCaseVariant reports whether the JSON object body has a top-level key
// that is not one of keys but that encoding/json would take for one: equal
// under Unicode case folding (bytes.EqualFold, which encoding/json uses).
// It reads only the top level's keys; on a body that is not valid JSON its
// answer means nothing, and decoding reports the body.
func hasCaseVariant(body []byte, keys []string) bool {
	depth, wantKey := 0, false
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '{':
			depth++
			wantKey = depth == 1
		case '[':
			depth++
		case '}', ']':
			depth--
		case ',':
			wantKey = depth == 1
		case '"':
			end := i + 1
			for end < len(body) && body[end] != '"' {
				if body[end] == '\\' {
					end++
				}
				end++
			}
			if wantKey && end < len(body) {
				key := body[i+1 : end]
				if bytes.IndexByte(key, '\\') >= 0 { // escaped: rare, so decoded the slow way
					var s string
					_ = json.Unmarshal(body[i:end+1], &s)
					key = []byte(s)
				}
				for _, k := range keys {
					if string(key) != k && strings.EqualFold(string(key), k) {
						return true
					}
				}
			}
			i, wantKey = end, false
		}
	}
	return false
}

// jsonKinds names the kinds of JSON value, for error
// messages, by the name encoding/json gives them or by their first byte.
var jsonKinds = map[string]string{"number": "a number", "object": "an object", "array": "an array", "bool": "a boolean", "string": "a string",
	"{": "an object", "[": "an array", "t": "a boolean", "f": "a boolean"}

// flexInt is a base-10 integer written as a JSON number (7) or a JSON string
// ("7"), as the provider writes numbers either way; null and "" leave it
// unset. Anything else (a fraction, an exponent, a '+', spaces) is a
// *json.UnmarshalTypeError whose Value shows what was there, and to which
// encoding/json adds the field's name.
type flexInt struct {
	v   int64
	set bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (n *flexInt) UnmarshalJSON(b []byte) error {
	*n = flexInt{}
	if string(b) == "null" || string(b) == `""` {
		return nil
	}
	got := jsonKinds[string(b[:1])]
	if got == "" { // a number, or a string
		digits := b
		if b[0] == '"' {
			digits = b[1 : len(b)-1]
			if bytes.IndexByte(digits, '\\') >= 0 { // escaped: rare, so decoded the slow way
				var s string
				_ = json.Unmarshal(b, &s) // valid: encoding/json checked the whole document first
				digits = []byte(s)
			}
		}
		var err error
		if n.v, err = parseInt(string(digits)); err == nil {
			n.set = true
			return nil
		}
		got = quoteExcerpt(string(digits))
	}
	return &json.UnmarshalTypeError{Value: got, Type: reflect.TypeFor[int64]()}
}

// errNotInteger is parseInt's error; callers say what was wrong.
var errNotInteger = errors.New("not a base-10 integer")

// parseInt parses a base-10 integer with an optional leading '-'.
func parseInt(s string) (int64, error) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || strings.HasPrefix(s, "+") {
		return 0, errNotInteger
	}
	return v, nil
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

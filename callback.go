package gurulize

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gurulize/gurulize-go/internal/lenient"
)

// VideoEventCode says what happened in a video room: the code field of a
// video callback. Codes the SDK does not know are kept as they arrive, and
// Known reports false for them.
type VideoEventCode string

// The documented video event codes.
const (
	EventJoin           VideoEventCode = "JOIN"            // a person entered the conversation
	EventRoomActivated  VideoEventCode = "ROOM_ACTIVATED"  // two people met for the first time; sent once per room
	EventMeetingStarted VideoEventCode = "MEETING_STARTED" // a conversation started, including after a break
	EventLeft           VideoEventCode = "LEFT"            // a party left the room, including a dropped connection
	EventMeetingEnded   VideoEventCode = "MEETING_ENDED"   // a conversation ended, including for a break
)

// Known reports whether c is one of the documented codes.
func (c VideoEventCode) Known() bool {
	switch c {
	case EventJoin, EventRoomActivated, EventMeetingStarted, EventLeft, EventMeetingEnded:
		return true
	}
	return false
}

// MarshalText implements encoding.TextMarshaler: the code as sent on the wire.
func (c VideoEventCode) MarshalText() ([]byte, error) { return []byte(c), nil }

// UnmarshalText implements encoding.TextUnmarshaler. Any text is accepted
// and kept, known or not.
func (c *VideoEventCode) UnmarshalText(text []byte) error {
	*c = VideoEventCode(text)
	return nil
}

// EventSource says who caused a video event: the eventSource field of a
// video callback. Unknown sources are kept, and Known reports false for them.
type EventSource string

// The documented event sources.
const (
	SourceHost   EventSource = "HOST"   // the host (consultant), any event
	SourceGuest  EventSource = "GUEST"  // the guest (client), any event
	SourceServer EventSource = "SERVER" // the provider, on the MEETING_ENDED that ends an EndAutomatic room when time runs out
)

// Known reports whether s is one of the documented sources.
func (s EventSource) Known() bool {
	return s == SourceHost || s == SourceGuest || s == SourceServer
}

// MarshalText implements encoding.TextMarshaler: the source as sent on the wire.
func (s EventSource) MarshalText() ([]byte, error) { return []byte(s), nil }

// UnmarshalText implements encoding.TextUnmarshaler. Any text is accepted
// and kept, known or not.
func (s *EventSource) UnmarshalText(text []byte) error {
	*s = EventSource(text)
	return nil
}

// EndReason says why a video meeting ended: the reason field of a
// MEETING_ENDED callback. It is "" when the callback carries none; unknown
// reasons are kept, and Known reports false for them.
type EndReason string

// The documented end reasons.
const (
	ReasonHangup           EndReason = "HANGUP"             // a party pressed the end-call button
	ReasonEndMeeting       EndReason = "END_MEETING"        // the host ended the meeting, in an EndByHost room
	ReasonEndMeetingForced EndReason = "END_MEETING_FORCED" // time ran out, in an EndAutomatic room
)

// Known reports whether r is one of the documented reasons. The empty reason
// is not one.
func (r EndReason) Known() bool {
	return r == ReasonHangup || r == ReasonEndMeeting || r == ReasonEndMeetingForced
}

// MarshalText implements encoding.TextMarshaler: the reason as sent on the wire.
func (r EndReason) MarshalText() ([]byte, error) { return []byte(r), nil }

// UnmarshalText implements encoding.TextUnmarshaler. Any text is accepted
// and kept, known or not.
func (r *EndReason) UnmarshalText(text []byte) error {
	*r = EndReason(text)
	return nil
}

// VoiceStatusCode is the state a click-to-call reached: the code field of a
// voice status callback. Codes the SDK does not know are kept, and Known
// reports false for them. It encodes as text (and so in JSON and logs) by
// its name, see String.
type VoiceStatusCode int

// The documented voice status codes, with their wire names. The provider
// rings the caller first and then connects the callee, so the caller's
// codes come first in a call's life.
const (
	StatusCallsStarting      VoiceStatusCode = iota // 0 CALLS_STARTING (the provider's INIT)
	StatusCallerConnected                           // 1 CALLER_CONNECTED
	StatusCalleeConnected                           // 2 CALLEE_CONNECTED
	StatusCallerBusy                                // 3 CALLER_BUSY
	StatusCalleeBusy                                // 4 CALLEE_BUSY
	StatusCallerRejected                            // 5 CALLER_REJECT
	StatusCalleeRejected                            // 6 CALLEE_REJECT
	StatusCallerNotAnswered                         // 7 CALLER_NOT_ANSWERED
	StatusCalleeNotAnswered                         // 8 CALLEE_NOT_ANSWERED
	StatusCallerNotConnected                        // 9 CALLER_NOT_CONNECTED
	StatusCalleeNotConnected                        // 10 CALLEE_NOT_CONNECTED
	StatusCallerClosed                              // 11 CALLER_CLOSED
	StatusCalleeClosed                              // 12 CALLEE_CLOSED
	StatusOutOfCredits                              // 13 OUT_OF_CREDITS
)

// voiceStatusNames holds the wire name of every known VoiceStatusCode, by code.
var voiceStatusNames = [...]string{
	"CALLS_STARTING",
	"CALLER_CONNECTED",
	"CALLEE_CONNECTED",
	"CALLER_BUSY",
	"CALLEE_BUSY",
	"CALLER_REJECT",
	"CALLEE_REJECT",
	"CALLER_NOT_ANSWERED",
	"CALLEE_NOT_ANSWERED",
	"CALLER_NOT_CONNECTED",
	"CALLEE_NOT_CONNECTED",
	"CALLER_CLOSED",
	"CALLEE_CLOSED",
	"OUT_OF_CREDITS",
}

// numVoiceStatusCodes is the number of known voice status codes.
const numVoiceStatusCodes = len(voiceStatusNames)

// Known reports whether c is one of the documented codes, 0 to 13.
func (c VoiceStatusCode) Known() bool { return c >= 0 && int(c) < numVoiceStatusCodes }

// String returns the wire name of c, such as "CALLEE_BUSY", or
// "VoiceStatusCode(14)" for a code the SDK does not know.
func (c VoiceStatusCode) String() string {
	if c.Known() {
		return voiceStatusNames[c]
	}
	return "VoiceStatusCode(" + strconv.Itoa(int(c)) + ")"
}

// IsTerminal reports whether c ends the call: every code from CALLER_BUSY (3)
// to OUT_OF_CREDITS (13).
func (c VoiceStatusCode) IsTerminal() bool {
	return c >= StatusCallerBusy && c <= StatusOutOfCredits
}

// IsFailure reports whether c means the call failed: busy, rejected, not
// answered or not connected on either leg (3 to 10), or OUT_OF_CREDITS (13).
// CALLER_CLOSED and CALLEE_CLOSED are terminal but not failures: they are how
// a call normally ends.
func (c VoiceStatusCode) IsFailure() bool {
	return (c >= StatusCallerBusy && c <= StatusCalleeNotConnected) || c == StatusOutOfCredits
}

// Party returns the leg c is about: PartyCaller for the CALLER_ codes,
// PartyCallee for the CALLEE_ codes, and PartyNone for CALLS_STARTING,
// OUT_OF_CREDITS and unknown codes.
func (c VoiceStatusCode) Party() Party {
	if c < StatusCallerConnected || c > StatusCalleeClosed {
		return PartyNone
	}
	if c%2 == 1 {
		return PartyCaller
	}
	return PartyCallee
}

// MarshalText implements encoding.TextMarshaler: String's result.
func (c VoiceStatusCode) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler. It accepts a wire name
// ("CALLEE_BUSY", in any case; "INIT" is CALLS_STARTING), a decimal code
// ("4", or "14" for an unknown one) and String's form of an unknown code
// ("VoiceStatusCode(14)").
func (c *VoiceStatusCode) UnmarshalText(text []byte) error {
	s := string(text)
	for i, name := range voiceStatusNames {
		if strings.EqualFold(s, name) {
			*c = VoiceStatusCode(i)
			return nil
		}
	}
	if strings.EqualFold(s, "INIT") {
		*c = StatusCallsStarting
		return nil
	}
	digits := s
	if strings.HasPrefix(s, "VoiceStatusCode(") && strings.HasSuffix(s, ")") {
		digits = s[len("VoiceStatusCode(") : len(s)-1]
	}
	v, err := lenient.ParseInt([]byte(digits))
	if err != nil || v < math.MinInt32 || v > math.MaxInt32 {
		return fmt.Errorf("gurulize: invalid VoiceStatusCode %s", quoteExcerpt(s))
	}
	*c = VoiceStatusCode(v)
	return nil
}

// Party is a leg of a click-to-call: the caller, rung first, or the callee.
type Party string

// The parties of a call. PartyNone is the zero value.
const (
	PartyNone   Party = ""
	PartyCaller Party = "CALLER"
	PartyCallee Party = "CALLEE"
)

// Known reports whether p is PartyNone, PartyCaller or PartyCallee.
func (p Party) Known() bool { return p == PartyNone || p == PartyCaller || p == PartyCallee }

// MarshalText implements encoding.TextMarshaler.
func (p Party) MarshalText() ([]byte, error) { return []byte(p), nil }

// UnmarshalText implements encoding.TextUnmarshaler. Any text is kept.
func (p *Party) UnmarshalText(text []byte) error {
	*p = Party(text)
	return nil
}

// CallbackError reports a callback that cannot be parsed. It matches
// ErrMalformedCallback, and Field names the offending wire field.
type CallbackError struct {
	Field  string // the wire field, such as "receivedTime" or "id"; "body" for the payload as a whole
	Reason string // what is wrong with it, in plain words
}

// Error returns "gurulize: malformed callback: " followed by the field and
// the reason, such as "receivedTime is required".
func (e *CallbackError) Error() string {
	return "gurulize: malformed callback: " + e.Field + " " + e.Reason
}

// Is reports whether target is ErrMalformedCallback.
func (e *CallbackError) Is(target error) bool { return target == ErrMalformedCallback }

func malformed(field, reason string) *CallbackError {
	return &CallbackError{Field: field, Reason: reason}
}

// quoteExcerpt quotes at most the first 32 bytes of s, in ASCII, so an error
// message stays short and printable whatever the payload holds.
func quoteExcerpt(s string) string {
	const max = 32
	if len(s) > max {
		return strconv.QuoteToASCII(s[:max]) + "..."
	}
	return strconv.QuoteToASCII(s)
}

// Limits of the instants a callback may carry: after the Unix epoch and no
// later than the last second of year 9999, the range encoding/json and
// time.Time.MarshalJSON can write.
const (
	maxUnixSeconds = 253402300799    // 9999-12-31T23:59:59Z
	maxUnixMillis  = 253402300799999 // 9999-12-31T23:59:59.999Z
	maxDurationMS  = math.MaxInt64 / int64(time.Millisecond)
)

// VideoEvent is one video room callback. The provider POSTs it as JSON when
// something happens in a room; see ParseVideoEvent and NewVideoEventHandler.
//
// VideoEvent encodes to and decodes from JSON in the provider's own shape,
// numbers as strings, so an event can be stored or forwarded as received;
// decoding applies ParseVideoEvent's rules.
type VideoEvent struct {
	Code                 VideoEventCode // what happened; may be a code the SDK does not know
	Source               EventSource    // who caused it; "" when absent
	ReceivedAt           time.Time      // when it happened: UTC, millisecond precision
	Reason               EndReason      // why the meeting ended, on MEETING_ENDED; "" when absent
	RoomUUID             string         // the room, as CreateVideoRoom returned it (VideoRoom.UUID)
	MeetingTotalDuration time.Duration  // billed time in the room so far (cumulative, not this meeting's); 0 when absent
}

// videoEventWire is a video callback as received: every field raw, so each
// can be checked and named on its own.
type videoEventWire struct {
	Code                 rawRef `json:"code"`
	EventSource          rawRef `json:"eventSource"`
	ReceivedTime         rawRef `json:"receivedTime"`
	Reason               rawRef `json:"reason"`
	RoomUUID             rawRef `json:"roomUuid"`
	MeetingTotalDuration rawRef `json:"meetingTotalDuration"`
}

// rawRef is json.RawMessage without the copy: it refers to the bytes of the
// body being decoded. encoding/json hands UnmarshalJSON a slice of the input
// given to json.Unmarshal; ParseVideoEvent reads these references only while
// that input is alive and unchanged, and keeps none of them, which saves an
// allocation per field.
type rawRef []byte

// UnmarshalJSON implements json.Unmarshaler.
func (r *rawRef) UnmarshalJSON(data []byte) error {
	*r = data
	return nil
}

// ParseVideoEvent parses the JSON body of a video room callback.
//
// Numbers may be JSON strings, as the provider sends them
// ("receivedTime": "1600938359259"), or JSON numbers. Unknown codes, sources
// and reasons are kept; unknown fields are ignored. code, roomUuid and
// receivedTime are required; reason, eventSource and meetingTotalDuration may
// be absent, null or "".
//
// The error, a *CallbackError matching ErrMalformedCallback, names the field
// for a missing required field or a value of the wrong shape: a number that is
// not a whole non-negative integer ("12s", "yesterday", -5, 2.5), a string
// field holding a number or an object, or an instant outside the years 1970
// to 9999. A body that is empty, truncated, not JSON, or JSON but not an
// object (null, []) is an error naming "body".
func ParseVideoEvent(body []byte) (VideoEvent, error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return VideoEvent{}, malformed("body", "is empty")
	}
	if trimmed[0] != '{' {
		return VideoEvent{}, malformed("body", "is not a JSON object")
	}
	var w videoEventWire
	if err := json.Unmarshal(trimmed, &w); err != nil {
		return VideoEvent{}, malformed("body", "is not valid JSON: "+err.Error())
	}

	var ev VideoEvent
	code, err := jsonString("code", w.Code)
	if err != nil {
		return VideoEvent{}, err
	}
	if code == "" {
		return VideoEvent{}, malformed("code", "is required")
	}
	ev.Code = VideoEventCode(code)

	if ev.RoomUUID, err = jsonString("roomUuid", w.RoomUUID); err != nil {
		return VideoEvent{}, err
	}
	if ev.RoomUUID == "" {
		return VideoEvent{}, malformed("roomUuid", "is required")
	}

	ms, set, err := jsonInt("receivedTime", w.ReceivedTime, "Unix milliseconds")
	switch {
	case err != nil:
		return VideoEvent{}, err
	case !set:
		return VideoEvent{}, malformed("receivedTime", "is required")
	case ms == 0 || ms > maxUnixMillis:
		return VideoEvent{}, malformed("receivedTime", fmt.Sprintf("is out of range: %d is not Unix milliseconds between 1970 and 9999", ms))
	}
	ev.ReceivedAt = time.UnixMilli(ms).UTC()

	source, err := jsonString("eventSource", w.EventSource)
	if err != nil {
		return VideoEvent{}, err
	}
	ev.Source = EventSource(source)

	reason, err := jsonString("reason", w.Reason)
	if err != nil {
		return VideoEvent{}, err
	}
	ev.Reason = EndReason(reason)

	total, _, err := jsonInt("meetingTotalDuration", w.MeetingTotalDuration, "milliseconds")
	switch {
	case err != nil:
		return VideoEvent{}, err
	case total > maxDurationMS:
		return VideoEvent{}, malformed("meetingTotalDuration", fmt.Sprintf("is out of range: %d milliseconds", total))
	}
	ev.MeetingTotalDuration = time.Duration(total) * time.Millisecond
	return ev, nil
}

// jsonString decodes a JSON string field; absent and null are "".
func jsonString(field string, raw []byte) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] != '"' {
		return "", malformed(field, "must be a string, got "+jsonKind(raw))
	}
	// The whole body passed the JSON scanner, so raw is a well-formed string
	// token; without escapes and with valid UTF-8 its content is the value.
	if inner := raw[1 : len(raw)-1]; bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", malformed(field, "must be a string")
	}
	return s, nil
}

// jsonInt decodes a non-negative integer written as a JSON number or a JSON
// string; absent, null and "" are unset. unit names what the number counts,
// for the error message.
func jsonInt(field string, raw []byte, unit string) (v int64, set bool, err error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, false, nil
	}
	digits := raw
	switch c := raw[0]; {
	case c == '"' && bytes.IndexByte(raw[1:len(raw)-1], '\\') < 0:
		// No escapes: the digits are the string's bytes, no copy needed.
		digits = raw[1 : len(raw)-1]
		if len(digits) == 0 {
			return 0, false, nil
		}
	case c == '"':
		s, err := jsonString(field, raw)
		if err != nil {
			return 0, false, err
		}
		if s == "" {
			return 0, false, nil
		}
		digits = []byte(s)
	case c != '-' && (c < '0' || c > '9'):
		return 0, false, malformed(field, "must be an integer ("+unit+"), got "+jsonKind(raw))
	}
	v, err = lenient.ParseInt(digits)
	if err != nil {
		return 0, false, malformed(field, "must be an integer ("+unit+"), got "+quoteExcerpt(string(digits)))
	}
	if v < 0 {
		return 0, false, malformed(field, "must not be negative, got "+strconv.FormatInt(v, 10))
	}
	return v, true, nil
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
	default:
		return "a number"
	}
}

// MarshalJSON encodes e in the provider's payload shape, numbers as strings;
// reason, eventSource and meetingTotalDuration are left out when empty.
// Times and durations are written in whole milliseconds.
func (e VideoEvent) MarshalJSON() ([]byte, error) {
	w := struct {
		Code                 string `json:"code"`
		EventSource          string `json:"eventSource,omitempty"`
		ReceivedTime         string `json:"receivedTime"`
		Reason               string `json:"reason,omitempty"`
		RoomUUID             string `json:"roomUuid"`
		MeetingTotalDuration string `json:"meetingTotalDuration,omitempty"`
	}{
		Code:         string(e.Code),
		EventSource:  string(e.Source),
		ReceivedTime: strconv.FormatInt(e.ReceivedAt.UnixMilli(), 10),
		Reason:       string(e.Reason),
		RoomUUID:     e.RoomUUID,
	}
	if e.MeetingTotalDuration != 0 {
		w.MeetingTotalDuration = strconv.FormatInt(e.MeetingTotalDuration.Milliseconds(), 10)
	}
	return json.Marshal(w)
}

// UnmarshalJSON decodes a payload with ParseVideoEvent's rules. JSON null
// leaves e unchanged.
func (e *VideoEvent) UnmarshalJSON(data []byte) error {
	if string(bytes.TrimSpace(data)) == "null" {
		return nil
	}
	ev, err := ParseVideoEvent(data)
	if err != nil {
		return err
	}
	*e = ev
	return nil
}

// LogValue implements slog.LogValuer: the event's fields by their names,
// reason and meeting_total_duration only when set.
func (e VideoEvent) LogValue() slog.Value {
	attrs := make([]slog.Attr, 0, 6)
	attrs = append(attrs,
		slog.String("code", string(e.Code)),
		slog.String("source", string(e.Source)),
		slog.Time("received_at", e.ReceivedAt),
		slog.String("room_uuid", e.RoomUUID),
	)
	if e.Reason != "" {
		attrs = append(attrs, slog.String("reason", string(e.Reason)))
	}
	if e.MeetingTotalDuration != 0 {
		attrs = append(attrs, slog.Duration("meeting_total_duration", e.MeetingTotalDuration))
	}
	return slog.GroupValue(attrs...)
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

// ParseVoiceStatus parses the parameters of a voice status callback: the
// query of a GET, or the form of a POST (see http.Request.Form).
//
// id, code and time (Unix seconds) are required, as non-negative base-10
// integers; desc and cause may be absent. Unknown codes are kept, and unknown
// parameters (such as a token) are ignored. A parameter given several times
// must carry the same value each time.
//
// The error, a *CallbackError matching ErrMalformedCallback, names the
// parameter: missing, not an integer ("12s", "yesterday"), negative, repeated
// with different values, or a time outside the years 1970 to 9999 (a time in
// milliseconds is out of range).
func ParseVoiceStatus(values url.Values) (VoiceStatus, error) {
	var st VoiceStatus
	id, err := formInt(values, "id", "a call ID", math.MaxInt64)
	if err != nil {
		return VoiceStatus{}, err
	}
	st.ID = id
	code, err := formInt(values, "code", "a status code", math.MaxInt32)
	if err != nil {
		return VoiceStatus{}, err
	}
	st.Code = VoiceStatusCode(code)
	sec, err := formInt(values, "time", "Unix seconds", maxUnixSeconds)
	if err != nil {
		return VoiceStatus{}, err
	}
	if sec == 0 {
		return VoiceStatus{}, malformed("time", "is out of range: 0 is not Unix seconds between 1970 and 9999")
	}
	st.Time = time.Unix(sec, 0).UTC()
	if st.Desc, err = formValue(values, "desc"); err != nil {
		return VoiceStatus{}, err
	}
	if st.Cause, err = formValue(values, "cause"); err != nil {
		return VoiceStatus{}, err
	}
	return st, nil
}

// formValue returns a parameter's value, "" when absent, and an error when it
// is repeated with different values.
func formValue(values url.Values, name string) (string, error) {
	vs := values[name]
	if len(vs) == 0 {
		return "", nil
	}
	for _, v := range vs[1:] {
		if v != vs[0] {
			return "", malformed(name, "is given more than once with different values")
		}
	}
	return vs[0], nil
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
	v, err := lenient.ParseInt([]byte(s))
	if err != nil {
		return 0, malformed(name, "must be an integer ("+what+"), got "+quoteExcerpt(s))
	}
	if v < 0 {
		return 0, malformed(name, "must not be negative, got "+s)
	}
	if v > max {
		return 0, malformed(name, "is out of range: "+s+" is too large for "+what)
	}
	return v, nil
}

// Values encodes s as the provider sends it: id, code and time (Unix
// seconds) always, desc and cause when not empty.
func (s VoiceStatus) Values() url.Values {
	v := url.Values{
		"id":   {strconv.FormatInt(s.ID, 10)},
		"code": {strconv.Itoa(int(s.Code))},
		"time": {strconv.FormatInt(s.Time.Unix(), 10)},
	}
	if s.Desc != "" {
		v["desc"] = []string{s.Desc}
	}
	if s.Cause != "" {
		v["cause"] = []string{s.Cause}
	}
	return v
}

// LogValue implements slog.LogValuer: the status's fields, the code by name.
func (s VoiceStatus) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Int64("id", s.ID),
		slog.String("code", s.Code.String()),
		slog.String("desc", s.Desc),
		slog.String("cause", s.Cause),
		slog.Time("time", s.Time),
	)
}

// DefaultCallbackBodyLimit is the largest request body a callback handler
// reads unless WithCallbackBodyLimit says otherwise: 64 KiB, far above any
// real callback.
const DefaultCallbackBodyLimit = 64 << 10

// HandlerOption configures NewVideoEventHandler and NewVoiceStatusHandler.
type HandlerOption func(*handlerConfig) error

type handlerConfig struct {
	tokenHash [sha256.Size]byte
	hasToken  bool
	limit     int64
	logger    *slog.Logger // nil: nothing is logged
}

// WithCallbackToken makes the handler accept only requests that carry token,
// either as the query parameter token (…/callback?token=T) or as the last
// segment of the path (…/callback/T, as in a ServeMux pattern
// "POST /gurulize/video/{token}"). Other requests get 401 and the function is
// not called. Tokens are compared in constant time and never logged.
//
// Give the provider the callback address with the token in it, and pick a
// long random token of URL-safe characters (letters, digits, '-', '_'). An
// empty token makes the handler constructor panic, so a missing setting is
// found at start-up rather than leaving the endpoint open.
func WithCallbackToken(token string) HandlerOption {
	return func(c *handlerConfig) error {
		if token == "" {
			return errors.New("WithCallbackToken: token is empty")
		}
		c.tokenHash = sha256.Sum256([]byte(token))
		c.hasToken = true
		return nil
	}
}

// WithCallbackBodyLimit sets the largest request body the handler reads, in
// bytes; a larger one gets 413. The default is DefaultCallbackBodyLimit
// (64 KiB). A limit below 1 makes the handler constructor panic.
func WithCallbackBodyLimit(n int64) HandlerOption {
	return func(c *handlerConfig) error {
		if n < 1 {
			return fmt.Errorf("WithCallbackBodyLimit: limit must be positive, got %d", n)
		}
		c.limit = n
		return nil
	}
}

// WithCallbackLogger logs each request the handler answers: a debug record
// for an accepted callback (with the parsed event), a warning for a refused
// one (status and reason) and an error when the function failed. Records
// carry the method, status and remote address, never the URL or the token.
// The default logs nothing; a nil logger makes the handler constructor panic.
func WithCallbackLogger(l *slog.Logger) HandlerOption {
	return func(c *handlerConfig) error {
		if l == nil {
			return errors.New("WithCallbackLogger: logger is nil")
		}
		c.logger = l
		return nil
	}
}

func newHandlerConfig(constructor string, fnIsNil bool, opts []HandlerOption) handlerConfig {
	if fnIsNil {
		panic("gurulize: " + constructor + ": fn is nil")
	}
	c := handlerConfig{limit: DefaultCallbackBodyLimit}
	for i, opt := range opts {
		if opt == nil {
			panic(fmt.Sprintf("gurulize: %s: option %d is nil", constructor, i))
		}
		if err := opt(&c); err != nil {
			panic("gurulize: " + constructor + ": " + err.Error())
		}
	}
	return c
}

// NewVideoEventHandler returns an http.Handler for the provider's video room
// callbacks: it parses each POSTed JSON body with ParseVideoEvent and calls
// fn with the request's context and the event.
//
// It checks, in this order, and replies:
//   - 405 (with an Allow header) to any method but POST;
//   - 401 when WithCallbackToken is set and the request does not carry the
//     token; fn is not called;
//   - 413 when the body is over the limit (see WithCallbackBodyLimit);
//   - 400 with a short plain-text reason when the payload is malformed;
//   - 503 when fn returns an error matching ErrRetryLater, 500 for any
//     other error (the error text is not sent), and 200 with an empty body
//     when fn returns nil.
//
// The provider may deliver a callback more than once, and in any order;
// RoomTracker and RoomState fold events with that in mind. The handler works
// mounted under any path, including a ServeMux pattern with a {token}
// wildcard. It panics if fn is nil or an option is invalid.
//
// The handler sets no deadlines: serve it from an http.Server with
// ReadHeaderTimeout, ReadTimeout and WriteTimeout set (5s, 10s and 15s
// suit callbacks), or a client sending slowly holds a connection as long as
// it likes. See SECURITY.md.
func NewVideoEventHandler(fn func(context.Context, VideoEvent) error, opts ...HandlerOption) http.Handler {
	return &videoHandler{cfg: newHandlerConfig("NewVideoEventHandler", fn == nil, opts), fn: fn}
}

// NewVoiceStatusHandler returns an http.Handler for the provider's voice
// status callbacks: it parses the query of a GET, or the form of a POST
// (application/x-www-form-urlencoded body, then query), with
// ParseVoiceStatus and calls fn with the request's context and the status.
//
// It checks and replies as NewVideoEventHandler does, except that it accepts
// GET and POST (405 otherwise, with "Allow: GET, POST"), and the body limit
// applies to a POST's form; a POST body of another content type is not read.
// It panics if fn is nil or an option is invalid. Serve it with server
// timeouts, as NewVideoEventHandler says.
func NewVoiceStatusHandler(fn func(context.Context, VoiceStatus) error, opts ...HandlerOption) http.Handler {
	return &voiceHandler{cfg: newHandlerConfig("NewVoiceStatusHandler", fn == nil, opts), fn: fn}
}

type videoHandler struct {
	cfg handlerConfig
	fn  func(context.Context, VideoEvent) error
}

func (h *videoHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		h.cfg.refuse(w, r, http.StatusMethodNotAllowed, "method not allowed", http.MethodPost)
		return
	}
	if !h.cfg.authorized(r) {
		h.cfg.refuse(w, r, http.StatusUnauthorized, "missing or invalid token", "")
		return
	}
	body, status, err := h.cfg.readBody(w, r)
	if err != nil {
		h.cfg.refuse(w, r, status, err.Error(), "")
		return
	}
	ev, err := ParseVideoEvent(body)
	if err != nil {
		h.cfg.refuse(w, r, http.StatusBadRequest, err.Error(), "")
		return
	}
	h.cfg.finish(w, r, slog.Any("event", ev), h.fn(r.Context(), ev))
}

type voiceHandler struct {
	cfg handlerConfig
	fn  func(context.Context, VoiceStatus) error
}

func (h *voiceHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		h.cfg.refuse(w, r, http.StatusMethodNotAllowed, "method not allowed", "GET, POST")
		return
	}
	if !h.cfg.authorized(r) {
		h.cfg.refuse(w, r, http.StatusUnauthorized, "missing or invalid token", "")
		return
	}
	values := r.URL.Query()
	if r.Method == http.MethodPost {
		if r.ContentLength > h.cfg.limit {
			h.cfg.refuse(w, r, http.StatusRequestEntityTooLarge, "request body too large", "")
			return
		}
		if r.Body == nil { // only a request built by hand has none
			r.Body = http.NoBody
		}
		r.Body = http.MaxBytesReader(w, r.Body, h.cfg.limit)
		if err := r.ParseForm(); err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				h.cfg.refuse(w, r, http.StatusRequestEntityTooLarge, "request body too large", "")
				return
			}
			h.cfg.refuse(w, r, http.StatusBadRequest, "gurulize: malformed callback: form is not valid", "")
			return
		}
		values = r.Form
	}
	st, err := ParseVoiceStatus(values)
	if err != nil {
		h.cfg.refuse(w, r, http.StatusBadRequest, err.Error(), "")
		return
	}
	h.cfg.finish(w, r, slog.Any("status", st), h.fn(r.Context(), st))
}

// authorized reports whether r carries the configured token, or whether no
// token is configured. Both places a token may be are checked, each in
// constant time.
func (c *handlerConfig) authorized(r *http.Request) bool {
	if !c.hasToken {
		return true
	}
	path := strings.TrimRight(r.URL.Path, "/")
	segment := path[strings.LastIndexByte(path, '/')+1:]
	fromPath := c.tokenMatches(segment)
	fromQuery := c.tokenMatches(r.URL.Query().Get("token"))
	return fromPath || fromQuery
}

// tokenMatches compares candidate with the token through their SHA-256
// digests, so neither the content nor the length of the token shows in the
// time it takes.
func (c *handlerConfig) tokenMatches(candidate string) bool {
	if candidate == "" {
		return false
	}
	sum := sha256.Sum256([]byte(candidate))
	return subtle.ConstantTimeCompare(sum[:], c.tokenHash[:]) == 1
}

var errBodyTooLarge = errors.New("request body too large")

// readBody reads the request body up to the limit. It returns the status to
// answer with when it cannot.
func (c *handlerConfig) readBody(w http.ResponseWriter, r *http.Request) ([]byte, int, error) {
	if r.ContentLength > c.limit {
		return nil, http.StatusRequestEntityTooLarge, errBodyTooLarge
	}
	if r.Body == nil {
		return nil, 0, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, c.limit))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, http.StatusRequestEntityTooLarge, errBodyTooLarge
		}
		return nil, http.StatusBadRequest, errors.New("cannot read request body")
	}
	return body, 0, nil
}

// refuse answers a request the handler does not pass to fn, with a short
// plain-text reason, and logs it without the URL.
func (c *handlerConfig) refuse(w http.ResponseWriter, r *http.Request, status int, reason, allow string) {
	if allow != "" {
		w.Header().Set("Allow", allow)
	}
	http.Error(w, reason, status)
	if c.logger != nil {
		c.logger.LogAttrs(r.Context(), slog.LevelWarn, "gurulize: callback refused",
			slog.String("method", r.Method),
			slog.Int("status", status),
			slog.String("reason", reason),
			slog.String("remote_addr", r.RemoteAddr),
		)
	}
}

// finish answers a request whose callback was passed to fn: 200 when fn
// returned nil, 503 for an error matching ErrRetryLater, 500 otherwise.
func (c *handlerConfig) finish(w http.ResponseWriter, r *http.Request, callback slog.Attr, err error) {
	if err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, ErrRetryLater) {
			status = http.StatusServiceUnavailable
		}
		http.Error(w, "callback not processed", status)
		if c.logger != nil {
			c.logger.LogAttrs(r.Context(), slog.LevelError, "gurulize: callback function failed",
				slog.String("method", r.Method),
				slog.Int("status", status),
				slog.String("remote_addr", r.RemoteAddr),
				callback,
				slog.String("error", err.Error()),
			)
		}
		return
	}
	w.WriteHeader(http.StatusOK)
	if c.logger != nil {
		c.logger.LogAttrs(r.Context(), slog.LevelDebug, "gurulize: callback accepted",
			slog.String("method", r.Method),
			slog.Int("status", http.StatusOK),
			slog.String("remote_addr", r.RemoteAddr),
			callback,
		)
	}
}

package gurulize_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

const seedRoom = "444f4061-3494-4e60-a552-c4316ac6702d"

func TestStringEnumsKnown(t *testing.T) {
	t.Parallel()
	type knower interface{ Known() bool }
	tests := []struct {
		v    knower
		want bool
	}{
		{gurulize.EventJoin, true},
		{gurulize.EventRoomActivated, true},
		{gurulize.EventMeetingStarted, true},
		{gurulize.EventLeft, true},
		{gurulize.EventMeetingEnded, true},
		{gurulize.VideoEventCode("NEW"), false},
		{gurulize.VideoEventCode("join"), false},
		{gurulize.VideoEventCode(""), false},
		{gurulize.SourceHost, true},
		{gurulize.SourceGuest, true},
		{gurulize.SourceServer, true},
		{gurulize.EventSource("OBSERVER"), false},
		{gurulize.EventSource(""), false},
		{gurulize.ReasonHangup, true},
		{gurulize.ReasonEndMeeting, true},
		{gurulize.ReasonEndMeetingForced, true},
		{gurulize.EndReason("TIMEOUT"), false},
		{gurulize.EndReason(""), false},
		{gurulize.PartyNone, true},
		{gurulize.PartyCaller, true},
		{gurulize.PartyCallee, true},
		{gurulize.Party("BOTH"), false},
		{gurulize.OutcomePending, true},
		{gurulize.OutcomeInProgress, true},
		{gurulize.OutcomeCompleted, true},
		{gurulize.OutcomeBusy, true},
		{gurulize.OutcomeRejected, true},
		{gurulize.OutcomeNoAnswer, true},
		{gurulize.OutcomeNotConnected, true},
		{gurulize.OutcomeOutOfCredits, true},
		{gurulize.CallOutcome("FAILED"), false},
		{gurulize.CallOutcome(""), false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.v.Known(), "%T %v", tt.v, tt.v)
	}
}

var statusNames = []string{
	"CALLS_STARTING", "CALLER_CONNECTED", "CALLEE_CONNECTED", "CALLER_BUSY", "CALLEE_BUSY",
	"CALLER_REJECT", "CALLEE_REJECT", "CALLER_NOT_ANSWERED", "CALLEE_NOT_ANSWERED",
	"CALLER_NOT_CONNECTED", "CALLEE_NOT_CONNECTED", "CALLER_CLOSED", "CALLEE_CLOSED", "OUT_OF_CREDITS",
}

func TestVoiceStatusCodeConstants(t *testing.T) {
	t.Parallel()
	codes := []gurulize.VoiceStatusCode{
		gurulize.StatusCallsStarting, gurulize.StatusCallerConnected, gurulize.StatusCalleeConnected,
		gurulize.StatusCallerBusy, gurulize.StatusCalleeBusy, gurulize.StatusCallerRejected,
		gurulize.StatusCalleeRejected, gurulize.StatusCallerNotAnswered, gurulize.StatusCalleeNotAnswered,
		gurulize.StatusCallerNotConnected, gurulize.StatusCalleeNotConnected, gurulize.StatusCallerClosed,
		gurulize.StatusCalleeClosed, gurulize.StatusOutOfCredits,
	}
	for i, c := range codes {
		assert.Equal(t, gurulize.VoiceStatusCode(i), c)
		assert.Equal(t, statusNames[i], c.String())
		assert.True(t, c.Known(), c.String())
	}
}

func TestVoiceStatusCodeMethods(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code     gurulize.VoiceStatusCode
		str      string
		known    bool
		terminal bool
		party    gurulize.Party
	}{
		{0, "CALLS_STARTING", true, false, gurulize.PartyNone},
		{1, "CALLER_CONNECTED", true, false, gurulize.PartyCaller},
		{2, "CALLEE_CONNECTED", true, false, gurulize.PartyCallee},
		{3, "CALLER_BUSY", true, true, gurulize.PartyCaller},
		{4, "CALLEE_BUSY", true, true, gurulize.PartyCallee},
		{5, "CALLER_REJECT", true, true, gurulize.PartyCaller},
		{6, "CALLEE_REJECT", true, true, gurulize.PartyCallee},
		{7, "CALLER_NOT_ANSWERED", true, true, gurulize.PartyCaller},
		{8, "CALLEE_NOT_ANSWERED", true, true, gurulize.PartyCallee},
		{9, "CALLER_NOT_CONNECTED", true, true, gurulize.PartyCaller},
		{10, "CALLEE_NOT_CONNECTED", true, true, gurulize.PartyCallee},
		{11, "CALLER_CLOSED", true, true, gurulize.PartyCaller},
		{12, "CALLEE_CLOSED", true, true, gurulize.PartyCallee},
		{13, "OUT_OF_CREDITS", true, true, gurulize.PartyNone},
		{14, "VoiceStatusCode(14)", false, false, gurulize.PartyNone},
		{-1, "VoiceStatusCode(-1)", false, false, gurulize.PartyNone},
		{1000, "VoiceStatusCode(1000)", false, false, gurulize.PartyNone},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.str, tt.code.String(), "String(%d)", int(tt.code))
		assert.Equal(t, tt.known, tt.code.Known(), "Known(%d)", int(tt.code))
		assert.Equal(t, tt.terminal, tt.code.IsTerminal(), "IsTerminal(%d)", int(tt.code))
		assert.Equal(t, tt.party, tt.code.Party(), "Party(%d)", int(tt.code))
	}
}

// TestEnumsEncode: string enums are their wire text in JSON, a
// VoiceStatusCode its wire number; logs name a status code.
func TestEnumsEncode(t *testing.T) {
	t.Parallel()
	v := struct {
		Code    gurulize.VoiceStatusCode
		Unknown gurulize.VoiceStatusCode
		Event   gurulize.VideoEventCode
		Source  gurulize.EventSource
		Reason  gurulize.EndReason
		Outcome gurulize.CallOutcome
	}{gurulize.StatusCalleeBusy, 14, gurulize.EventJoin, gurulize.SourceGuest, gurulize.ReasonHangup, gurulize.OutcomeNoAnswer}
	b, err := json.Marshal(v)
	require.NoError(t, err)
	assert.JSONEq(t, `{"Code":4,"Unknown":14,"Event":"JOIN","Source":"GUEST","Reason":"HANGUP","Outcome":"NO_ANSWER"}`, string(b))

	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "code", gurulize.StatusCalleeBusy, "unknown", gurulize.VoiceStatusCode(14))
	assert.Contains(t, buf.String(), "code=CALLEE_BUSY")
	assert.Contains(t, buf.String(), "unknown=VoiceStatusCode(14)")
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "callbacks", name))
	require.NoError(t, err)
	return b
}

func TestParseVideoEventSeeds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want gurulize.VideoEvent
	}{
		{"video/seed-join.json", gurulize.VideoEvent{
			Code: gurulize.EventJoin, Source: gurulize.SourceGuest,
			ReceivedAt: time.Date(2020, 9, 24, 9, 5, 59, 259e6, time.UTC), RoomUUID: seedRoom,
		}},
		{"video/meeting-ended-forced.json", gurulize.VideoEvent{
			Code: gurulize.EventMeetingEnded, Source: gurulize.SourceServer,
			ReceivedAt: time.UnixMilli(1600941359259).UTC(), Reason: gurulize.ReasonEndMeetingForced,
			RoomUUID: seedRoom, MeetingTotalDuration: 2739505 * time.Millisecond,
		}},
		{"video/numbers-as-numbers.json", gurulize.VideoEvent{
			Code: gurulize.EventMeetingEnded, Source: gurulize.SourceHost,
			ReceivedAt: time.UnixMilli(1600938959259).UTC(), Reason: gurulize.ReasonHangup,
			RoomUUID: seedRoom, MeetingTotalDuration: 579895 * time.Millisecond,
		}},
		{"video/unknown-code-extra-fields.json", gurulize.VideoEvent{
			Code: "SCREEN_SHARE_STARTED", Source: "OBSERVER",
			ReceivedAt: time.UnixMilli(1600938360000).UTC(), RoomUUID: seedRoom,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			got, err := gurulize.ParseVideoEvent(readTestdata(t, tt.file))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, time.UTC, got.ReceivedAt.Location())
		})
	}
}

func TestParseVideoEventAccepts(t *testing.T) {
	t.Parallel()
	const base = `"code":"MEETING_ENDED","roomUuid":"r1","receivedTime":"1600938359259"`
	at := time.UnixMilli(1600938359259).UTC()
	tests := []struct {
		name string
		body string
		want gurulize.VideoEvent
	}{
		{"minimal", `{` + base + `}`, gurulize.VideoEvent{Code: "MEETING_ENDED", RoomUUID: "r1", ReceivedAt: at}},
		{"number time", `{"code":"JOIN","roomUuid":"r1","receivedTime":1600938359259}`, gurulize.VideoEvent{Code: "JOIN", RoomUUID: "r1", ReceivedAt: at}},
		{"null optional fields", `{` + base + `,"reason":null,"eventSource":null,"meetingTotalDuration":null}`, gurulize.VideoEvent{Code: "MEETING_ENDED", RoomUUID: "r1", ReceivedAt: at}},
		{"empty optional fields", `{` + base + `,"reason":"","eventSource":"","meetingTotalDuration":""}`, gurulize.VideoEvent{Code: "MEETING_ENDED", RoomUUID: "r1", ReceivedAt: at}},
		{"total as number", `{` + base + `,"meetingTotalDuration":1500}`, gurulize.VideoEvent{Code: "MEETING_ENDED", RoomUUID: "r1", ReceivedAt: at, MeetingTotalDuration: 1500 * time.Millisecond}},
		{"unknown reason kept", `{` + base + `,"reason":"NETWORK"}`, gurulize.VideoEvent{Code: "MEETING_ENDED", RoomUUID: "r1", ReceivedAt: at, Reason: "NETWORK"}},
		{"extra fields ignored", `{` + base + `,"extra":{"a":[1,2]},"n":null}`, gurulize.VideoEvent{Code: "MEETING_ENDED", RoomUUID: "r1", ReceivedAt: at}},
		{"surrounding whitespace", "\n\t {" + base + "} \r\n", gurulize.VideoEvent{Code: "MEETING_ENDED", RoomUUID: "r1", ReceivedAt: at}},
		{"escaped strings", `{"code":"JO\u0049N","roomUuid":"r\/1","receivedTime":"\u0031600938359259"}`, gurulize.VideoEvent{Code: "JOIN", RoomUUID: "r/1", ReceivedAt: at}},
		{"leading zeros", `{` + `"code":"JOIN","roomUuid":"r1","receivedTime":"01600938359259"}`, gurulize.VideoEvent{Code: "JOIN", RoomUUID: "r1", ReceivedAt: at}},
		{"first millisecond of 1973", `{"code":"JOIN","roomUuid":"r1","receivedTime":"94694400000"}`, gurulize.VideoEvent{Code: "JOIN", RoomUUID: "r1", ReceivedAt: time.Date(1973, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{"last year 9999 millisecond", `{"code":"JOIN","roomUuid":"r1","receivedTime":"253402300799999"}`, gurulize.VideoEvent{Code: "JOIN", RoomUUID: "r1", ReceivedAt: time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := gurulize.ParseVideoEvent([]byte(tt.body))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestParseVideoEventExactKeys: keys match as the wire spells them. A key
// that differs only in case (ASCII or Unicode folding, as encoding/json
// would match it: "ſ" for "s") is an unknown field, ignored, whatever it
// holds and wherever it stands; an escaped spelling of the exact key is the
// key.
func TestParseVideoEventExactKeys(t *testing.T) {
	t.Parallel()
	const base = `"code":"JOIN","roomUuid":"r1","receivedTime":"1600938359259"`
	want := gurulize.VideoEvent{Code: "JOIN", RoomUUID: "r1", ReceivedAt: time.UnixMilli(1600938359259).UTC()}
	accepts := map[string]string{
		"variant after":             `{` + base + `,"roomuuid":"forged","ROOMUUID":"forged2"}`,
		"variant before":            `{"RoomUuid":"forged",` + base + `}`,
		"variant of the wrong type": `{` + base + `,"receivedtime":{"a":1},"CODE":5}`,
		"Unicode folding":           `{` + base + `,"eventſource":"HOST","reaſon":"X"}`,
		"escaped variant":           `{` + base + `,"roomuui\u0064":"forged"}`,
		"escaped exact key":         `{"code":"JOIN","roomUui\u0064":"r1","receivedTime":"1600938359259"}`,
		"variant inside a value":    `{` + base + `,"extra":{"roomuuid":"nested","list":["roomuuid",{"ROOMUUID":1}]}}`,
		"key-like text in a value":  `{` + base + `,"note":"\"roomuuid\":\"x\", "}`,
	}
	for name, body := range accepts {
		got, err := gurulize.ParseVideoEvent([]byte(body))
		require.NoError(t, err, name)
		assert.Equal(t, want, got, name)
	}
	_, err := gurulize.ParseVideoEvent([]byte(`{"code":"JOIN","roomuuid":"r1","receivedTime":"1600938359259"}`))
	var ve *gurulize.ValidationError
	require.ErrorAs(t, err, &ve, "only a case variant of roomUuid")
	assert.Equal(t, "roomUuid", ve.Field)
	_, err = gurulize.ParseVideoEvent([]byte(`{"code":"JOIN","ReceivedTime":"1600938359259","roomUuid":"r1"}`))
	require.ErrorAs(t, err, &ve, "only a case variant of receivedTime")
	assert.Equal(t, "receivedTime", ve.Field)
}

func TestParseVideoEventRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		body  string
		field string
	}{
		{"nil body", "", "body"},
		{"spaces", "  \n", "body"},
		{"null", "null", "body"},
		{"array", "[]", "body"},
		{"string", `"JOIN"`, "body"},
		{"number", `12`, "body"},
		{"truncated", `{"code":"JOIN","roomUuid":"r1","receivedTime":"16009`, "body"},
		{"truncated after object start", `{`, "body"},
		{"trailing garbage", `{"code":"JOIN","roomUuid":"r1","receivedTime":"1"} x`, "body"},
		{"empty object", `{}`, "code"},
		{"missing code", `{"roomUuid":"r1","receivedTime":"1600938359259"}`, "code"},
		{"empty code", `{"code":"","roomUuid":"r1","receivedTime":"1600938359259"}`, "code"},
		{"null code", `{"code":null,"roomUuid":"r1","receivedTime":"1600938359259"}`, "code"},
		{"numeric code", `{"code":5,"roomUuid":"r1","receivedTime":"1600938359259"}`, "code"},
		{"missing room", `{"code":"JOIN","receivedTime":"1600938359259"}`, "roomUuid"},
		{"object room", `{"code":"JOIN","roomUuid":{},"receivedTime":"1600938359259"}`, "roomUuid"},
		{"missing time", `{"code":"JOIN","roomUuid":"r1"}`, "receivedTime"},
		{"empty time", `{"code":"JOIN","roomUuid":"r1","receivedTime":""}`, "receivedTime"},
		{"duration time", `{"code":"JOIN","roomUuid":"r1","receivedTime":"12s"}`, "receivedTime"},
		{"word time", `{"code":"JOIN","roomUuid":"r1","receivedTime":"yesterday"}`, "receivedTime"},
		{"RFC 3339 time", `{"code":"JOIN","roomUuid":"r1","receivedTime":"2020-09-24T09:05:59Z"}`, "receivedTime"},
		{"negative time", `{"code":"JOIN","roomUuid":"r1","receivedTime":-5}`, "receivedTime"},
		{"negative time string", `{"code":"JOIN","roomUuid":"r1","receivedTime":"-5"}`, "receivedTime"},
		{"zero time", `{"code":"JOIN","roomUuid":"r1","receivedTime":"0"}`, "receivedTime"},
		{"time in seconds", `{"code":"JOIN","roomUuid":"r1","receivedTime":"1600938359"}`, "receivedTime"},
		{"time in seconds, as a number", `{"code":"JOIN","roomUuid":"r1","receivedTime":1600938359}`, "receivedTime"},
		{"last millisecond of 1972", `{"code":"JOIN","roomUuid":"r1","receivedTime":"94694399999"}`, "receivedTime"},
		{"fraction time", `{"code":"JOIN","roomUuid":"r1","receivedTime":1600938359259.5}`, "receivedTime"},
		{"exponent time", `{"code":"JOIN","roomUuid":"r1","receivedTime":1.6e12}`, "receivedTime"},
		{"bool time", `{"code":"JOIN","roomUuid":"r1","receivedTime":true}`, "receivedTime"},
		{"array time", `{"code":"JOIN","roomUuid":"r1","receivedTime":[1]}`, "receivedTime"},
		{"time after 9999", `{"code":"JOIN","roomUuid":"r1","receivedTime":"253402300800000"}`, "receivedTime"},
		{"time over int64", `{"code":"JOIN","roomUuid":"r1","receivedTime":"99999999999999999999"}`, "receivedTime"},
		{"spaces in time", `{"code":"JOIN","roomUuid":"r1","receivedTime":" 1600938359259"}`, "receivedTime"},
		{"numeric source", `{"code":"JOIN","roomUuid":"r1","receivedTime":"1600938359259","eventSource":1}`, "eventSource"},
		{"array reason", `{"code":"JOIN","roomUuid":"r1","receivedTime":"1600938359259","reason":["HANGUP"]}`, "reason"},
		{"bool reason", `{"code":"JOIN","roomUuid":"r1","receivedTime":"1600938359259","reason":false}`, "reason"},
		{"duration total", `{"code":"MEETING_ENDED","roomUuid":"r1","receivedTime":"1600938359259","meetingTotalDuration":"12s"}`, "meetingTotalDuration"},
		{"negative total", `{"code":"MEETING_ENDED","roomUuid":"r1","receivedTime":"1600938359259","meetingTotalDuration":"-1"}`, "meetingTotalDuration"},
		{"huge total", `{"code":"MEETING_ENDED","roomUuid":"r1","receivedTime":"1600938359259","meetingTotalDuration":"9223372036854775"}`, "meetingTotalDuration"},
		{"object total", `{"code":"MEETING_ENDED","roomUuid":"r1","receivedTime":"1600938359259","meetingTotalDuration":{}}`, "meetingTotalDuration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ev, err := gurulize.ParseVideoEvent([]byte(tt.body))
			require.Error(t, err)
			assert.Equal(t, gurulize.VideoEvent{}, ev)
			assert.ErrorIs(t, err, gurulize.ErrMalformedCallback)
			var ce *gurulize.ValidationError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.field, ce.Field)
			assert.NotEmpty(t, ce.Reason)
			assert.Contains(t, err.Error(), tt.field)
			assert.Less(t, len(err.Error()), 200, "error text should stay short: %s", err)
		})
	}
}

func TestParseVideoEventErrorText(t *testing.T) {
	t.Parallel()
	tests := []struct{ body, want string }{
		{`{"code":"JOIN","roomUuid":"r1","receivedTime":"12s"}`, `gurulize: malformed callback: receivedTime must be an integer (Unix milliseconds), got "12s"`},
		{`{"code":"JOIN","roomUuid":"r1","receivedTime":-5}`, `gurulize: malformed callback: receivedTime must not be negative, got -5`},
		{`{"roomUuid":"r1","receivedTime":"1"}`, `gurulize: malformed callback: code is required`},
		{`{"code":7,"roomUuid":"r1","receivedTime":"1"}`, `gurulize: malformed callback: code must be a string, got a number`},
		{`{"code":"JOIN","roomUuid":"r1","receivedTime":"1600938359"}`, `gurulize: malformed callback: receivedTime must be Unix milliseconds, got 1600938359: before 1973 as milliseconds, so Unix seconds or not a time`},
		{`null`, `gurulize: malformed callback: body is not a JSON object`},
		{``, `gurulize: malformed callback: body is empty`},
		{`{"code":"JOIN","roomUuid":"r1","receivedTime":"` + strings.Repeat("9x", 100) + `"}`, `gurulize: malformed callback: receivedTime must be an integer (Unix milliseconds), got "9x9x9x9x9x9x9x9x9x9x9x9x9x9x9x9x"...`},
	}
	for _, tt := range tests {
		_, err := gurulize.ParseVideoEvent([]byte(tt.body))
		require.Error(t, err)
		assert.Equal(t, tt.want, err.Error())
	}
	_, err := gurulize.ParseVideoEvent([]byte(`{"code":"JOIN"`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "body is not valid JSON")
}

func TestParseVoiceStatusSeed(t *testing.T) {
	t.Parallel()
	values, err := url.ParseQuery(strings.TrimSpace(string(readTestdata(t, "voice/seed.txt"))))
	require.NoError(t, err)
	got, err := gurulize.ParseVoiceStatus(values)
	require.NoError(t, err)
	assert.Equal(t, gurulize.VoiceStatus{
		ID: 7, Code: gurulize.StatusCallerConnected, Desc: "CALLER_CONNECTED", Cause: "0",
		Time: time.Date(2015, 3, 23, 13, 19, 3, 0, time.UTC),
	}, got)
	assert.Equal(t, time.UTC, got.Time.Location())
}

func TestParseVoiceStatusAccepts(t *testing.T) {
	t.Parallel()
	at := time.Unix(1427116743, 0).UTC()
	tests := []struct {
		name  string
		query string
		want  gurulize.VoiceStatus
	}{
		{"required only", "id=7&code=2&time=1427116743", gurulize.VoiceStatus{ID: 7, Code: 2, Time: at}},
		{"unknown code kept", "id=7&code=14&desc=NEW_THING&time=1427116743", gurulize.VoiceStatus{ID: 7, Code: 14, Desc: "NEW_THING", Time: at}},
		{"extra parameters ignored", "id=7&code=1&time=1427116743&token=abc&x=y", gurulize.VoiceStatus{ID: 7, Code: 1, Time: at}},
		{"repeated with same value", "id=7&id=7&code=1&time=1427116743", gurulize.VoiceStatus{ID: 7, Code: 1, Time: at}},
		{"zero id", "id=0&code=0&time=1427116743", gurulize.VoiceStatus{ID: 0, Code: 0, Time: at}},
		{"leading zeros", "id=007&code=01&time=1427116743", gurulize.VoiceStatus{ID: 7, Code: 1, Time: at}},
		{"text kept verbatim", "id=7&code=11&desc=Caller+closed&cause=NORMAL%20CLEARING%20(16)&time=1427116743", gurulize.VoiceStatus{ID: 7, Code: 11, Desc: "Caller closed", Cause: "NORMAL CLEARING (16)", Time: at}},
		{"empty desc and cause", "id=7&code=1&desc=&cause=&time=1427116743", gurulize.VoiceStatus{ID: 7, Code: 1, Time: at}},
		{"largest id", "id=9223372036854775807&code=1&time=1427116743", gurulize.VoiceStatus{ID: 1<<63 - 1, Code: 1, Time: at}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			values, err := url.ParseQuery(tt.query)
			require.NoError(t, err)
			got, err := gurulize.ParseVoiceStatus(values)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseVoiceStatusRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		query string
		field string
	}{
		{"empty", "", "id"},
		{"missing id", "code=1&time=1427116743", "id"},
		{"empty id", "id=&code=1&time=1427116743", "id"},
		{"word id", "id=seven&code=1&time=1427116743", "id"},
		{"negative id", "id=-7&code=1&time=1427116743", "id"},
		{"id over int64", "id=9223372036854775808&code=1&time=1427116743", "id"},
		{"conflicting ids", "id=7&id=8&code=1&time=1427116743", "id"},
		{"plus sign id", "id=%2B7&code=1&time=1427116743", "id"},
		{"missing code", "id=7&time=1427116743", "code"},
		{"word code", "id=7&code=CALLER_CONNECTED&time=1427116743", "code"},
		{"negative code", "id=7&code=-1&time=1427116743", "code"},
		{"huge code", "id=7&code=4294967296&time=1427116743", "code"},
		{"fraction code", "id=7&code=1.0&time=1427116743", "code"},
		{"missing time", "id=7&code=1", "time"},
		{"duration time", "id=7&code=1&time=12s", "time"},
		{"word time", "id=7&code=1&time=yesterday", "time"},
		{"negative time", "id=7&code=1&time=-1427116743", "time"},
		{"zero time", "id=7&code=1&time=0", "time"},
		{"milliseconds time", "id=7&code=1&time=1427116743000000", "time"},
		{"spaces in time", "id=7&code=1&time=+1427116743", "time"},
		{"conflicting desc", "id=7&code=1&time=1427116743&desc=A&desc=B", "desc"},
		{"conflicting cause", "id=7&code=1&time=1427116743&cause=0&cause=1", "cause"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			values, err := url.ParseQuery(tt.query)
			require.NoError(t, err)
			st, err := gurulize.ParseVoiceStatus(values)
			require.Error(t, err)
			assert.Equal(t, gurulize.VoiceStatus{}, st)
			assert.ErrorIs(t, err, gurulize.ErrMalformedCallback)
			var ce *gurulize.ValidationError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.field, ce.Field)
			assert.True(t, strings.HasPrefix(err.Error(), "gurulize: malformed callback: "+tt.field+" "), err.Error())
		})
	}
	_, err := gurulize.ParseVoiceStatus(nil)
	assert.ErrorIs(t, err, gurulize.ErrMalformedCallback)
}

func TestParseVoiceStatusErrorText(t *testing.T) {
	t.Parallel()
	tests := []struct{ query, want string }{
		{"id=7&code=1&time=12s", `gurulize: malformed callback: time must be an integer (Unix seconds), got "12s"`},
		{"id=-7&code=1&time=1", `gurulize: malformed callback: id must not be negative, got -7`},
		{"code=1&time=1", `gurulize: malformed callback: id is required`},
		{"id=1&code=1&time=1427116743000000", `gurulize: malformed callback: time is out of range: 1427116743000000 is too large for Unix seconds`},
	}
	for _, tt := range tests {
		values, err := url.ParseQuery(tt.query)
		require.NoError(t, err)
		_, err = gurulize.ParseVoiceStatus(values)
		require.Error(t, err)
		assert.Equal(t, tt.want, err.Error())
	}
}

func TestCallbackErrorIs(t *testing.T) {
	t.Parallel()
	_, err := gurulize.ParseVoiceStatus(url.Values{"code": {"1"}, "time": {"1"}})
	assert.ErrorIs(t, err, gurulize.ErrMalformedCallback)
	assert.NotErrorIs(t, err, gurulize.ErrInvalidRequest, "a callback is not a request of ours")
	assert.NotErrorIs(t, err, gurulize.ErrInvalidConfig)
	assert.Equal(t, "gurulize: malformed callback: id is required", err.Error())
	wrapped := errors.Join(errors.New("context"), err)
	assert.ErrorIs(t, wrapped, gurulize.ErrMalformedCallback)
}

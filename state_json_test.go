package gurulize_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

// TestStateFromLaterVersion: state written by a later version (a higher
// version, unknown keys, unknown status names) decodes, keeps folding, and
// is written back without losing what this version did not understand.
func TestStateFromLaterVersion(t *testing.T) {
	t.Parallel()
	roomJSON := `{"v":3,"room":"r","firstAt":10,"lastAt":40,"billedMs":5,"expected":true,"scheduledEnd":50,
		"codes":{"ROOM_RECORDED":[10,20]},"zeta":"keep me","alpha":[1,{"x":null}],"Unicode\u00e9":"\u2028"}`
	var room gurulize.RoomState
	require.NoError(t, json.Unmarshal([]byte(roomJSON), &room))
	assert.Equal(t, 5*time.Millisecond, room.Summary().Billed)
	assert.JSONEq(t, roomJSON, stateJSON(t, room))
	require.True(t, room.Apply(gurulize.VideoEvent{Code: "ROOM_RECORDED", RoomUUID: "r", ReceivedAt: time.UnixMilli(60)}))
	assert.JSONEq(t, strings.Replace(roomJSON, `"lastAt":40`, `"lastAt":60`, 1), stateJSON(t, room))
	copied := room
	copied.Apply(gurulize.VideoEvent{Code: gurulize.EventJoin, Source: gurulize.SourceHost, RoomUUID: "r", ReceivedAt: time.UnixMilli(70)})
	assert.Contains(t, stateJSON(t, copied), `"zeta":"keep me"`, "copies keep the additions")
	assert.Contains(t, stateJSON(t, room), `"lastAt":60`, "and stay independent")

	callJSON := `{"v":2,"id":7,"firstAt":1,"lastAt":9,"statuses":{"CALLS_STARTING":[1,1],"CALLEE_ON_HOLD":[3,4]},"transcript":"abc"}`
	var call gurulize.CallState
	require.NoError(t, json.Unmarshal([]byte(callJSON), &call))
	assert.JSONEq(t, callJSON, stateJSON(t, call))
	assert.Equal(t, gurulize.OutcomePending, call.Summary().Outcome)
	require.True(t, call.Apply(gurulize.VoiceStatus{ID: 7, Code: gurulize.StatusCalleeBusy, Time: time.Unix(12, 0)}))
	assert.JSONEq(t, `{"v":2,"id":7,"firstAt":1,"lastAt":12,"transcript":"abc",
		"statuses":{"CALLS_STARTING":[1,1],"CALLEE_ON_HOLD":[3,4],"CALLEE_BUSY":[12,12]}}`, stateJSON(t, call))
	assert.Equal(t, gurulize.OutcomeBusy, call.Summary().Outcome)
}

// TestStateJSONStrict: contradictions are errors, never repaired silently.
func TestStateJSONStrict(t *testing.T) {
	t.Parallel()
	rooms := map[string]string{
		"duplicate key":             `{"v":1,"room":"r","room":"s","firstAt":10,"lastAt":40}`,
		"duplicate time":            `{"v":1,"room":"r","firstAt":10,"lastAt":40,"lastAt":30}`,
		"case-variant key":          `{"v":1,"Room":"r","firstAt":10,"lastAt":40}`,
		"case-variant time":         `{"v":1,"room":"r","firstAt":10,"LASTAT":40}`,
		"case-variant unknown keys": `{"v":1,"room":"r","firstAt":10,"lastAt":40,"x":1,"X":2}`,
		"null for a known key":      `{"v":1,"room":"r","firstAt":null,"lastAt":40}`,
		"no version":                `{"room":"r","firstAt":10,"lastAt":40}`,
		"version 0":                 `{"v":0,"room":"r","firstAt":10,"lastAt":40}`,
		"version as text":           `{"v":"2","room":"r","firstAt":10,"lastAt":40}`,
		"END_MEETING not closing":   `{"v":1,"room":"r","firstAt":10,"lastAt":40,"lastEndAt":20,"endReason":"END_MEETING"}`,
		"closed by a HANGUP":        `{"v":1,"room":"r","firstAt":10,"lastAt":40,"lastEndAt":20,"closedAt":20,"endReason":"HANGUP"}`,
		"scheduledEnd unexpected":   `{"v":1,"room":"r","firstAt":10,"lastAt":40,"scheduledEnd":50}`,
		"scheduledEnd past 9999":    `{"v":1,"room":"r","expected":true,"scheduledEnd":253402300800000}`,
		"a room and nothing else":   `{"v":1,"room":"r"}`,
		"expected without a room":   `{"v":1,"room":"","expected":true}`,
		"data after the object":     `{"v":1,"room":"r","firstAt":10,"lastAt":40} {}`,
		"not UTF-8":                 "{\"v\":1,\"room\":\"r\xff\",\"firstAt\":10,\"lastAt\":40}",
		"a fractional time":         `{"v":1,"room":"r","firstAt":10.5,"lastAt":40}`,
		"not an object":             `[{"v":1}]`,
	}
	for name, bad := range rooms {
		var st gurulize.RoomState
		assert.Error(t, json.Unmarshal([]byte(bad), &st), name)
	}
	calls := map[string]string{
		"duplicate key":            `{"v":1,"id":1,"id":2,"firstAt":1,"lastAt":9}`,
		"case-variant key":         `{"v":1,"ID":1,"firstAt":1,"lastAt":9}`,
		"duplicate status":         `{"v":1,"id":1,"firstAt":1,"lastAt":9,"statuses":{"CALLER_BUSY":[1,2],"CALLER_BUSY":[3,4]}}`,
		"case-variant status":      `{"v":1,"id":1,"firstAt":1,"lastAt":9,"statuses":{"CALLER_BUSY":[1,2],"Caller_Busy":[3,4]}}`,
		"three times":              `{"v":1,"id":1,"firstAt":1,"lastAt":9,"statuses":{"CALLER_BUSY":[1,2,3]}}`,
		"one time":                 `{"v":1,"id":1,"firstAt":1,"lastAt":9,"statuses":{"CALLER_BUSY":[1]}}`,
		"three times, unknown":     `{"v":1,"id":1,"firstAt":1,"lastAt":9,"statuses":{"CALLEE_ON_HOLD":[1,2,3]}}`,
		"unknown outside interval": `{"v":1,"id":1,"firstAt":2,"lastAt":9,"statuses":{"CALLEE_ON_HOLD":[1,2]}}`,
		"not a wire name":          `{"v":1,"id":1,"firstAt":1,"lastAt":9,"statuses":{"new":[1,2]}}`,
		"null statuses":            `{"v":1,"id":1,"firstAt":1,"lastAt":9,"statuses":null}`,
		"deadline unexpected":      `{"v":1,"id":1,"firstAt":1,"lastAt":9,"deadlineMs":5000}`,
		"deadline past 9999":       `{"v":1,"id":1,"expected":true,"deadlineMs":253402300800000}`,
		"negative id, expected":    `{"v":1,"id":-1,"expected":true}`,
		"version 0":                `{"v":0,"id":1,"firstAt":1,"lastAt":9}`,
	}
	for name, bad := range calls {
		var st gurulize.CallState
		assert.Error(t, json.Unmarshal([]byte(bad), &st), name)
	}

	// The error says why, and a state stays as it was.
	var st gurulize.RoomState
	st.Apply(vev(gurulize.EventJoin, gurulize.SourceHost, 0))
	err := json.Unmarshal([]byte(rooms["case-variant key"]), &st)
	assert.ErrorContains(t, err, `key "Room" is spelled room`)
	assert.True(t, st.Summary().HostPresent)
}

// TestApplyRefusesWhatCannotBeStored: events that would make a state that
// does not survive storage are ignored where they enter.
func TestApplyRefusesWhatCannotBeStored(t *testing.T) {
	t.Parallel()
	var room gurulize.RoomState
	farFuture := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	assert.False(t, room.Apply(gurulize.VideoEvent{Code: gurulize.EventJoin, RoomUUID: "r", ReceivedAt: farFuture}), "past 9999")
	assert.False(t, room.Apply(gurulize.VideoEvent{Code: gurulize.EventJoin, RoomUUID: "r\xffs", ReceivedAt: t0}), "not UTF-8")
	var call gurulize.CallState
	assert.False(t, call.Apply(gurulize.VoiceStatus{ID: -1, Time: t0}), "negative ID")
	assert.False(t, call.Apply(gurulize.VoiceStatus{ID: 1, Time: farFuture}), "past 9999")

	// What Apply accepts at the edges survives storage.
	last := time.Date(9999, 12, 31, 23, 59, 59, 999000000, time.UTC)
	require.True(t, room.Apply(gurulize.VideoEvent{Code: gurulize.EventJoin, RoomUUID: "r\u00e9", ReceivedAt: last}))
	var back gurulize.RoomState
	require.NoError(t, json.Unmarshal([]byte(stateJSON(t, room)), &back))
	assert.Equal(t, room.Summary(), back.Summary())
	require.True(t, call.Apply(gurulize.VoiceStatus{ID: 1<<63 - 1, Time: last}))
	var backCall gurulize.CallState
	require.NoError(t, json.Unmarshal([]byte(stateJSON(t, call)), &backCall))
	assert.Equal(t, call.Summary(), backCall.Summary())
}

// FuzzStateJSON: whatever decodes encodes to a fixed point: decoding the
// encoding gives the same summary and the same bytes again.
func FuzzStateJSON(f *testing.F) {
	for _, s := range []string{
		`{"v":1,"room":"r","firstAt":10,"lastAt":40,"starts":[10,20,30],"lastStartAt":30,"lastEndAt":25,"endReason":"HANGUP","billedMs":5}`,
		`{"v":3,"room":"r","firstAt":10,"lastAt":40,"x":{"y":[1,2]},"expected":true,"scheduledEnd":50}`,
		`{"v":2,"id":7,"firstAt":1,"lastAt":9,"statuses":{"CALLS_STARTING":[1,1],"CALLEE_ON_HOLD":[3,4]},"t":"abc"}`,
		`{"v":1,"id":9,"expected":true,"deadlineMs":1427116800000}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		var room gurulize.RoomState
		if json.Unmarshal([]byte(data), &room) == nil {
			checkFixedPoint(t, room, func(b []byte) (any, any, error) {
				var again gurulize.RoomState
				err := json.Unmarshal(b, &again)
				return again, again.Summary(), err
			}, room.Summary())
		}
		var call gurulize.CallState
		if json.Unmarshal([]byte(data), &call) == nil {
			checkFixedPoint(t, call, func(b []byte) (any, any, error) {
				var again gurulize.CallState
				err := json.Unmarshal(b, &again)
				return again, again.Summary(), err
			}, call.Summary())
		}
	})
}

func checkFixedPoint(t *testing.T, st any, decode func([]byte) (any, any, error), summary any) {
	t.Helper()
	b, err := json.Marshal(st)
	require.NoError(t, err)
	again, sum, err := decode(b)
	require.NoError(t, err, "%s", b)
	assert.Equal(t, summary, sum)
	b2, err := json.Marshal(again)
	require.NoError(t, err)
	assert.Equal(t, string(b), string(b2))
}

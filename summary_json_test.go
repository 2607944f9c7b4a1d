package gurulize_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

// TestSummaryJSONForm: lowerCamelCase keys named after the fields,
// durations in whole milliseconds under "…Ms", times in RFC 3339 UTC with
// milliseconds, a zero time omitted.
func TestSummaryJSONForm(t *testing.T) {
	t.Parallel()
	room := gurulize.RoomSummary{
		RoomUUID: "444f4061", Activated: true, Meetings: 2, Billed: 30 * time.Minute, Ended: true,
		EndReason: gurulize.ReasonHangup, GuestPresent: true, ActivatedAt: t0, LastEndedAt: t0.Add(time.Hour),
		FirstEventAt: t0, LastEventAt: t0.Add(time.Hour), Expected: true, ScheduledEnd: t0.Add(40 * time.Minute),
	}
	b, err := json.Marshal(room)
	require.NoError(t, err)
	assert.JSONEq(t, `{"roomUuid":"444f4061","activated":true,"meetings":2,"billedMs":1800000,"ended":true,
		"endReason":"HANGUP","hostPresent":false,"guestPresent":true,"activatedAt":"2020-09-24T09:05:59.259Z",
		"lastEndedAt":"2020-09-24T10:05:59.259Z","firstEventAt":"2020-09-24T09:05:59.259Z",
		"lastEventAt":"2020-09-24T10:05:59.259Z","expected":true,"scheduledEnd":"2020-09-24T09:45:59.259Z"}`, string(b))
	b, err = json.Marshal(gurulize.RoomSummary{RoomUUID: "r"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"roomUuid":"r","activated":false,"meetings":0,"billedMs":0,"ended":false,"endReason":"",
		"hostPresent":false,"guestPresent":false,"expected":false}`, string(b), "zero times omitted")

	deadline := time.Date(2015, 3, 23, 13, 29, 0, 0, time.FixedZone("TRT", 3*3600))
	call := gurulize.CallSummary{
		ID: 110, Outcome: gurulize.OutcomeBusy, Final: true, TalkTime: 90 * time.Second, FailedParty: gurulize.PartyCallee,
		StartedAt: time.Unix(1427116740, 0).UTC(), EndedAt: time.Unix(1427116752, 0).UTC(), LastStatusAt: time.Unix(1427116752, 0).UTC(),
		Expected: true, Deadline: deadline,
	}
	b, err = json.Marshal(call)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":110,"outcome":"BUSY","final":true,"talkTimeMs":90000,"failedParty":"CALLEE",
		"startedAt":"2015-03-23T13:19:00.000Z","endedAt":"2015-03-23T13:19:12.000Z","lastStatusAt":"2015-03-23T13:19:12.000Z",
		"expected":true,"deadline":"2015-03-23T10:29:00.000Z"}`, string(b), "times in UTC")

	var back gurulize.CallSummary
	require.NoError(t, json.Unmarshal(b, &back))
	call.Deadline = call.Deadline.UTC()
	assert.Equal(t, call, back)
	var backRoom gurulize.RoomSummary
	b, err = json.Marshal(room)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &backRoom))
	assert.Equal(t, room, backRoom)

	for _, bad := range []string{`{"activatedAt":"yesterday"}`, `{"billedMs":9223372036854775807}`, `{"meetings":"2"}`} {
		var s gurulize.RoomSummary
		assert.Error(t, json.Unmarshal([]byte(bad), &s), bad)
	}
	assert.Error(t, json.Unmarshal([]byte(`{"deadline":"2015-03-23"}`), &back))
	_, err = json.Marshal(gurulize.RoomSummary{ScheduledEnd: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)})
	assert.Error(t, err, "RFC 3339 has four-digit years")
	_, err = json.Marshal(gurulize.CallSummary{Deadline: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)})
	assert.Error(t, err)
}

// TestSummaryJSONRoundTrip: every summary the trackers produce unmarshals
// back to an equal value, expectations included.
func TestSummaryJSONRoundTrip(t *testing.T) {
	t.Parallel()
	rooms, calls := gurulize.NewRoomTracker(), gurulize.NewCallTracker()
	for _, name := range roomLifecycles {
		evs := loadRoom(t, name)
		rooms.Expect(&gurulize.VideoRoom{UUID: evs[0].RoomUUID}, gurulize.VideoRoomRequest{Duration: time.Hour, StartAt: evs[0].ReceivedAt.Add(time.Nanosecond)})
		for _, ev := range evs {
			sum := rooms.Apply(ev)
			b, err := json.Marshal(sum)
			require.NoError(t, err)
			var back gurulize.RoomSummary
			require.NoError(t, json.Unmarshal(b, &back))
			require.Equal(t, sum, back, "%s", b)
		}
	}
	for _, name := range callLifecycles {
		statuses := loadCall(t, name)
		calls.Expect(&gurulize.CallRegistration{ID: statuses[0].ID}, gurulize.CallRequest{MaxDuration: time.Minute})
		for _, st := range statuses {
			sum := calls.Apply(st)
			b, err := json.Marshal(sum)
			require.NoError(t, err)
			var back gurulize.CallSummary
			require.NoError(t, json.Unmarshal(b, &back))
			require.Equal(t, sum, back, "%s", b)
		}
	}
}

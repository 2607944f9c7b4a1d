package gurulize_test

import (
	"encoding/json"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

// roomReq is a 40-minute room starting at t0, as CreateVideoRoom took it.
var roomReq = gurulize.VideoRoomRequest{Duration: 40 * time.Minute, StartAt: t0}

// TestRoomExpectCommutesWithApply: Expect at any point of a room's events,
// repeated or not, gives the same summary and the same stored state.
func TestRoomExpectCommutesWithApply(t *testing.T) {
	t.Parallel()
	evs := loadRoom(t, "room-two-breaks-forced")
	room := &gurulize.VideoRoom{UUID: evs[0].RoomUUID}
	var want gurulize.RoomState
	require.True(t, want.Expect(room, roomReq))
	assert.False(t, want.Expect(room, roomReq), "repeating Expect changes nothing")
	for _, ev := range evs {
		want.Apply(ev)
	}
	sum := want.Summary()
	assert.True(t, sum.Expected)
	assert.Equal(t, t0.Add(40*time.Minute), sum.ScheduledEnd)
	assert.True(t, sum.Ended)
	wantJSON := stateJSON(t, want)
	for at := 0; at <= len(evs); at++ {
		var st gurulize.RoomState
		for i, ev := range evs {
			if i == at {
				st.Expect(room, roomReq)
			}
			st.Apply(ev)
			st.Apply(ev)
		}
		if at == len(evs) {
			st.Expect(room, roomReq)
		}
		st.Expect(room, roomReq)
		assert.Equal(t, sum, st.Summary(), "Expect before event %d", at)
		assert.JSONEq(t, wantJSON, stateJSON(t, st), "Expect before event %d", at)
	}

	// Several requests for one room: the latest end, in any order.
	later := roomReq
	later.Duration = time.Hour
	var a, b gurulize.RoomState
	a.Expect(room, roomReq)
	a.Expect(room, later)
	b.Expect(room, later)
	assert.False(t, b.Expect(room, roomReq))
	assert.Equal(t, a.Summary(), b.Summary())
	assert.Equal(t, t0.Add(time.Hour), a.Summary().ScheduledEnd)

	// What Expect ignores.
	var other gurulize.RoomState
	other.Apply(vev(gurulize.EventJoin, gurulize.SourceHost, 0))
	assert.False(t, other.Expect(&gurulize.VideoRoom{UUID: "not-r"}, roomReq), "another room")
	assert.False(t, other.Expect(nil, roomReq))
	var empty gurulize.RoomState
	assert.False(t, empty.Expect(&gurulize.VideoRoom{}, roomReq), "no UUID")
	assert.False(t, empty.Expect(&gurulize.VideoRoom{UUID: "r\xff"}, roomReq), "not UTF-8")
	assert.True(t, empty.Expect(&gurulize.VideoRoom{UUID: "r"}, gurulize.VideoRoomRequest{Duration: time.Minute}))
	assert.True(t, empty.Summary().Expected)
	assert.True(t, empty.Summary().ScheduledEnd.IsZero(), "no StartAt: no scheduled end")
}

// TestCallExpectCommutesWithApply: the same for a call, whose deadline
// counts from the first Expect.
func TestCallExpectCommutesWithApply(t *testing.T) {
	t.Parallel()
	statuses := loadCall(t, "call-completed")
	reg := &gurulize.CallRegistration{ID: statuses[0].ID}
	req := gurulize.CallRequest{MaxDuration: 10 * time.Minute}
	registered := time.Date(2015, 3, 23, 13, 18, 59, 123456789, time.UTC)
	var want gurulize.CallState
	require.True(t, want.Expect(reg, req, registered))
	assert.False(t, want.Expect(reg, req, registered.Add(time.Minute)), "a later Expect keeps the first deadline")
	for _, st := range statuses {
		want.Apply(st)
	}
	sum := want.Summary()
	assert.True(t, sum.Expected)
	assert.Equal(t, time.Date(2015, 3, 23, 13, 28, 59, 123000000, time.UTC), sum.Deadline, "whole milliseconds, UTC")
	wantJSON := stateJSON(t, want)
	for at := 0; at <= len(statuses); at++ {
		var st gurulize.CallState
		for i, s := range statuses {
			if i == at {
				st.Expect(reg, req, registered)
			}
			st.Apply(s)
			st.Apply(s)
		}
		if at == len(statuses) {
			st.Expect(reg, req, registered)
		}
		assert.Equal(t, sum, st.Summary(), "Expect before status %d", at)
		assert.JSONEq(t, wantJSON, stateJSON(t, st), "Expect before status %d", at)
	}

	var other gurulize.CallState
	other.Expect(reg, req, registered)
	assert.False(t, other.Expect(&gurulize.CallRegistration{ID: reg.ID + 1}, req, registered), "another call")
	assert.False(t, other.Apply(gurulize.VoiceStatus{ID: reg.ID + 1, Code: 0, Time: registered}), "bound by Expect")
	assert.False(t, other.Expect(nil, req, registered))
	var neg gurulize.CallState
	assert.False(t, neg.Expect(&gurulize.CallRegistration{ID: -1}, req, registered))
}

// TestRoomTrackerOverdue lists, at a fixed now, the expected rooms whose end
// never came, earliest first, and leaves the rest out.
func TestRoomTrackerOverdue(t *testing.T) {
	t.Parallel()
	tr := gurulize.NewRoomTracker()
	expect := func(uuid string, start time.Time) {
		tr.Expect(&gurulize.VideoRoom{UUID: uuid}, gurulize.VideoRoomRequest{Duration: 30 * time.Minute, StartAt: start})
	}
	at := func(uuid string, code gurulize.VideoEventCode, start time.Time, after time.Duration) {
		tr.Apply(gurulize.VideoEvent{Code: code, Source: gurulize.SourceGuest, RoomUUID: uuid, ReceivedAt: start.Add(after)})
	}
	day := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	expect("no-show", day.Add(2*time.Hour)) // nobody came
	expect("end-lost", day.Add(time.Hour))  // met, MEETING_ENDED never came
	at("end-lost", gurulize.EventMeetingStarted, day.Add(time.Hour), time.Minute)
	expect("ended", day) // billed normally
	at("ended", gurulize.EventMeetingStarted, day, time.Minute)
	at("ended", gurulize.EventMeetingEnded, day, 20*time.Minute)
	expect("later", day.Add(20*time.Hour)) // still within its time
	at("stranger", gurulize.EventMeetingStarted, day, 0)
	expect("restarted", day) // ended, then a new meeting started
	at("restarted", gurulize.EventMeetingEnded, day, 20*time.Minute)
	at("restarted", gurulize.EventMeetingStarted, day, 25*time.Minute)

	now := day.Add(12 * time.Hour)
	var names []string
	for _, s := range tr.Overdue(now, time.Hour) {
		names = append(names, s.RoomUUID)
		assert.True(t, s.Expected)
		assert.True(t, s.Overdue(now, time.Hour))
	}
	assert.Equal(t, []string{"restarted", "end-lost", "no-show"}, names, "earliest ScheduledEnd first")
	noShow, _ := tr.Room("no-show")
	assert.False(t, noShow.Activated)
	assert.Equal(t, day.Add(150*time.Minute), noShow.ScheduledEnd)
	stranger, _ := tr.Room("stranger")
	assert.False(t, stranger.Expected, "a callback for a room never created")

	// grace: the scheduled end plus grace must have passed.
	assert.Empty(t, tr.Overdue(day.Add(30*time.Minute+time.Hour), time.Hour))
	assert.Len(t, tr.Overdue(day.Add(30*time.Minute+time.Hour+time.Millisecond), time.Hour), 1)

	// A late MEETING_ENDED settles a room; its Expect a moment later too.
	at("end-lost", gurulize.EventMeetingEnded, day.Add(time.Hour), 29*time.Minute)
	at("late-expect", gurulize.EventMeetingStarted, day, 0)
	expect("late-expect", day)
	names = nil
	for _, s := range tr.Overdue(now, time.Hour) {
		names = append(names, s.RoomUUID)
	}
	assert.Equal(t, []string{"late-expect", "restarted", "no-show"}, names, "same end: by UUID")
}

// TestCallTrackerOverdue: the deadline counts from Expect by the tracker's
// clock; calls without a final status past it are listed, earliest first.
func TestCallTrackerOverdue(t *testing.T) {
	t.Parallel()
	tr := gurulize.NewCallTracker()
	req := gurulize.CallRequest{MaxDuration: time.Minute}
	before := time.Now()
	tr.Expect(&gurulize.CallRegistration{ID: 1}, req) // its final status never comes
	tr.Expect(&gurulize.CallRegistration{ID: 2}, req) // ends busy
	time.Sleep(2 * time.Millisecond)
	tr.Expect(&gurulize.CallRegistration{ID: 3}, req) // no callback at all
	after := time.Now()
	tr.Expect(&gurulize.CallRegistration{ID: 4}, gurulize.CallRequest{MaxDuration: time.Hour})
	tr.Expect(nil, req)
	status := func(id int64, code gurulize.VoiceStatusCode) {
		tr.Apply(gurulize.VoiceStatus{ID: id, Code: code, Time: before.Truncate(time.Second)})
	}
	status(1, gurulize.StatusCallsStarting)
	status(1, gurulize.StatusCalleeConnected)
	status(2, gurulize.StatusCalleeBusy)
	status(5, gurulize.StatusCallsStarting) // never registered here

	one, _ := tr.Call(1)
	assert.True(t, one.Expected)
	assert.False(t, one.Deadline.Before(before.Add(time.Minute).Truncate(time.Millisecond)))
	assert.False(t, one.Deadline.After(after.Add(time.Minute)))
	assert.Equal(t, time.UTC, one.Deadline.Location())
	stranger, _ := tr.Call(5)
	assert.False(t, stranger.Expected)

	now := after.Add(2 * time.Minute)
	got := tr.Overdue(now, 30*time.Second)
	require.Len(t, got, 2)
	assert.Equal(t, []int64{1, 3}, []int64{got[0].ID, got[1].ID})
	assert.Equal(t, gurulize.OutcomeInProgress, got[0].Outcome)
	assert.True(t, got[0].Deadline.Before(got[1].Deadline))
	assert.Empty(t, tr.Overdue(before, 0))

	tr.Expect(&gurulize.CallRegistration{ID: 3}, req) // repeating it moves nothing
	again := tr.Overdue(now, 30*time.Second)
	assert.Equal(t, got, again)
	status(3, gurulize.StatusCallerNotConnected)
	assert.Len(t, tr.Overdue(now, 30*time.Second), 1)
}

// TestForgetBeforeByArrival: ForgetBefore goes by when the tracker last
// changed an entry (Apply or Expect), not by the times its events carry.
func TestForgetBeforeByArrival(t *testing.T) {
	t.Parallel()
	rooms, calls := gurulize.NewRoomTracker(), gurulize.NewCallTracker()
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	join := func(uuid string, at time.Time) {
		rooms.Apply(gurulize.VideoEvent{Code: gurulize.EventJoin, Source: gurulize.SourceHost, RoomUUID: uuid, ReceivedAt: at})
	}
	join("quiet", old)
	join("late", old)
	join("expected", old)
	calls.Apply(gurulize.VoiceStatus{ID: 1, Time: old})
	calls.Apply(gurulize.VoiceStatus{ID: 2, Time: old})
	time.Sleep(2 * time.Millisecond)
	cutoff := time.Now()
	time.Sleep(2 * time.Millisecond)
	join("late", old.Add(time.Second)) // a late callback, from long ago, arriving now
	join("quiet", old)                 // a duplicate changes nothing
	rooms.Expect(&gurulize.VideoRoom{UUID: "expected"}, roomReq)
	calls.Expect(&gurulize.CallRegistration{ID: 2}, gurulize.CallRequest{MaxDuration: time.Minute})

	assert.Equal(t, 1, rooms.ForgetBefore(cutoff))
	_, ok := rooms.Room("quiet")
	assert.False(t, ok)
	for _, uuid := range []string{"late", "expected"} {
		_, ok := rooms.Room(uuid)
		assert.True(t, ok, uuid)
	}
	assert.Equal(t, 1, calls.ForgetBefore(cutoff))
	_, ok = calls.Call(2)
	assert.True(t, ok)
}

// TestForgetBeforeShrinksMemory: after forgetting nearly every entry, the
// memory the tracker's maps held is given back (Go maps never shrink).
func TestForgetBeforeShrinksMemory(t *testing.T) {
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	const n = 200_000
	base := heap()
	tr := gurulize.NewCallTracker()
	at := time.Unix(1427116740, 0)
	for i := range n {
		tr.Apply(gurulize.VoiceStatus{ID: int64(i), Time: at})
	}
	full := heap()
	cutoff := time.Now().Add(time.Second)
	keep := gurulize.VoiceStatus{ID: n, Time: at}
	require.Equal(t, n, tr.ForgetBefore(cutoff))
	tr.Apply(keep)
	after := heap()
	runtime.KeepAlive(tr)
	require.Greater(t, full, base)
	t.Logf("heap: %d before, %d at %d calls, %d after forgetting them", base, full, n, after)
	assert.Less(t, int64(after)-int64(base), int64(full-base)/40, "under 2.5%% of the memory stays")
	assert.Equal(t, 1, tr.Len())
}

// TestExpectedStateSurvivesStorage: the expectation is part of the stored
// state, and a state with only an expectation round-trips.
func TestExpectedStateSurvivesStorage(t *testing.T) {
	t.Parallel()
	var room gurulize.RoomState
	room.Expect(&gurulize.VideoRoom{UUID: "r"}, roomReq)
	b, err := json.Marshal(room)
	require.NoError(t, err)
	assert.JSONEq(t, fmt.Sprintf(`{"v":1,"room":"r","expected":true,"scheduledEnd":%d}`, t0.Add(40*time.Minute).UnixMilli()), string(b))
	var back gurulize.RoomState
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, room.Summary(), back.Summary())
	back.Apply(vev(gurulize.EventJoin, gurulize.SourceHost, 0))
	assert.True(t, back.Summary().Expected)

	var call gurulize.CallState
	call.Expect(&gurulize.CallRegistration{ID: 9}, gurulize.CallRequest{MaxDuration: time.Minute}, time.UnixMilli(1427116740000))
	b, err = json.Marshal(call)
	require.NoError(t, err)
	assert.JSONEq(t, `{"v":1,"id":9,"expected":true,"deadlineMs":1427116800000}`, string(b))
	var backCall gurulize.CallState
	require.NoError(t, json.Unmarshal(b, &backCall))
	assert.Equal(t, call.Summary(), backCall.Summary())
	assert.False(t, backCall.Apply(gurulize.VoiceStatus{ID: 10, Time: time.Unix(1427116741, 0)}), "bound to call 9")
}

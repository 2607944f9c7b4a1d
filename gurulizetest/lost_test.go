package gurulizetest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
)

// TestLostCallbacks: the magic room duration and callee number lose a
// room's MEETING_ENDED and a call's final statuses, and the application's
// trackers list them as overdue, beside a room and a call that ended.
func TestLostCallbacks(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, 0)
	srv := gurulizetest.NewTestServer(t, gurulizetest.WithVideoCallbackURL(rcv.videoURL), gurulizetest.WithVoiceCallbackURL(rcv.voiceURL))
	client, ctx := srv.Client(), context.Background()
	start := time.Now().Truncate(time.Millisecond)

	createRoom := func(d time.Duration) *gurulize.VideoRoom {
		req := gurulize.VideoRoomRequest{Duration: d, StartAt: start}
		room, err := client.CreateVideoRoom(ctx, req)
		require.NoError(t, err)
		rcv.rooms.Expect(room, req)
		return room
	}
	lostRoom, okRoom := createRoom(gurulizetest.DurationMeetingEndedLost), createRoom(time.Hour)
	registerCall := func(callee string) *gurulize.CallRegistration {
		req := gurulize.CallRequest{Caller: "5321234567", Callee: callee, MaxDuration: 5 * time.Minute}
		reg, err := client.RegisterCall(ctx, req)
		require.NoError(t, err)
		rcv.calls.Expect(reg, req)
		return reg
	}
	lostCall, okCall := registerCall(gurulizetest.NumberFinalStatusLost), registerCall(gurulizetest.NumberAnsweredFor(time.Minute))
	waitIdle(t, srv)

	lost, ok := rcv.rooms.Room(lostRoom.UUID)
	require.True(t, ok)
	assert.Equal(t, 1, lost.Meetings, "the meeting was played")
	assert.False(t, lost.Ended, "its MEETING_ENDED was lost")
	ended, _ := rcv.rooms.Room(okRoom.UUID)
	assert.True(t, ended.Ended)
	call, ok := srv.Call(lostCall.ID)
	require.True(t, ok)
	assert.Equal(t, "final status lost", call.Script)
	sum, _ := rcv.calls.Call(lostCall.ID)
	assert.Equal(t, gurulize.OutcomeInProgress, sum.Outcome)
	assert.False(t, sum.Final)
	done, _ := rcv.calls.Call(okCall.ID)
	assert.True(t, done.Final)

	later := start.Add(gurulizetest.DurationMeetingEndedLost + time.Hour)
	overdueRooms := rcv.rooms.Overdue(later, time.Minute)
	require.Len(t, overdueRooms, 1)
	assert.Equal(t, lostRoom.UUID, overdueRooms[0].RoomUUID)
	overdueCalls := rcv.calls.Overdue(time.Now().Add(time.Hour), time.Minute)
	require.Len(t, overdueCalls, 1)
	assert.Equal(t, lostCall.ID, overdueCalls[0].ID)

	// Without a server, the same choice: RoomCallbacks of the magic duration
	// hold no MEETING_ENDED, and the magic number's script no final status.
	room := gurulizetest.Room{UUID: "r", Duration: gurulizetest.DurationMeetingEndedLost, StartAt: start}
	cbs, err := gurulizetest.RoomCallbacks("http://127.0.0.1/video", room, gurulizetest.Meet(time.Minute))
	require.NoError(t, err)
	require.NotEmpty(t, cbs)
	room.Duration = time.Hour
	all, err := gurulizetest.RoomCallbacks("http://127.0.0.1/video", room, gurulizetest.Meet(time.Minute))
	require.NoError(t, err)
	assert.Len(t, cbs, len(all)-1, "one MEETING_ENDED fewer")
	for _, cb := range cbs {
		assert.NotContains(t, string(cb.Body), "MEETING_ENDED")
	}
	script, ok := gurulizetest.ScriptForCallee(gurulizetest.NumberFinalStatusLost)
	require.True(t, ok)
	for _, st := range script.Steps {
		assert.False(t, st.Code.IsTerminal(), st.Code.String())
	}
}

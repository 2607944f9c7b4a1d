package gurulizetest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
)

const ms = time.Millisecond

func ev(code, source string, offset time.Duration) roomEvent {
	return roomEvent{Code: code, Source: source, Offset: offset}
}

func ended(source, reason string, offset, total time.Duration) roomEvent {
	return roomEvent{Code: "MEETING_ENDED", Source: source, Reason: reason, Offset: offset, Total: total}
}

// meetingBegins is what a guest joining a waiting host at offset sends.
func meetingBegins(at time.Duration) []roomEvent {
	return []roomEvent{ev("JOIN", "GUEST", at), ev("ROOM_ACTIVATED", "GUEST", at+ms), ev("MEETING_STARTED", "GUEST", at+2*ms)}
}

func concat(parts ...[]roomEvent) []roomEvent {
	var out []roomEvent
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestRoomScripts(t *testing.T) {
	t.Parallel()
	const m = time.Minute
	hostIn := []roomEvent{ev("JOIN", "HOST", 0)}
	cases := []struct {
		name   string
		script gurulizetest.RoomScript
		req    gurulize.VideoRoomRequest
		want   []roomEvent
	}{
		{
			name:   "meet 40 min",
			script: gurulizetest.Meet(40 * m),
			req:    gurulize.VideoRoomRequest{Duration: 45 * m, EndHow: gurulize.EndAutomatic},
			want: concat(hostIn, meetingBegins(30*time.Second), []roomEvent{
				ended("GUEST", "HANGUP", 40*m+30*time.Second, 40*m),
				ev("LEFT", "GUEST", 40*m+30*time.Second+ms),
				ev("LEFT", "HOST", 40*m+35*time.Second),
			}),
		},
		{
			name:   "two breaks",
			script: gurulizetest.TwoBreaks(),
			req:    gurulize.VideoRoomRequest{Duration: 60 * m, EndHow: gurulize.EndAutomatic},
			want: concat(hostIn, meetingBegins(m), []roomEvent{
				ev("LEFT", "GUEST", 11*m),
				ended("GUEST", "", 11*m+ms, 10*m),
				ev("JOIN", "GUEST", 13*m),
				ev("MEETING_STARTED", "GUEST", 13*m+ms),
				ended("HOST", "HANGUP", 28*m, 25*m),
				ev("LEFT", "HOST", 28*m+ms),
				ev("JOIN", "HOST", 29*m),
				ev("MEETING_STARTED", "HOST", 29*m+ms),
				ended("GUEST", "HANGUP", 34*m, 30*m),
				ev("LEFT", "GUEST", 34*m+ms),
				ev("LEFT", "HOST", 34*m+10*time.Second),
			}),
		},
		{
			name:   "host ends a BY_HOST room",
			script: gurulizetest.HostEnds(20 * m),
			req:    gurulize.VideoRoomRequest{Duration: 30 * m, EndHow: gurulize.EndByHost},
			want: concat(hostIn, meetingBegins(30*time.Second), []roomEvent{
				ended("HOST", "END_MEETING", 20*m+30*time.Second, 20*m),
				ev("LEFT", "GUEST", 20*m+30*time.Second+ms),
				ev("LEFT", "HOST", 20*m+30*time.Second+2*ms),
			}),
		},
		{
			name:   "host ends an AUTOMATIC room: a hang-up, and the server closes the room for the guest",
			script: gurulizetest.HostEnds(20 * m),
			req:    gurulize.VideoRoomRequest{Duration: 30 * m, EndHow: gurulize.EndAutomatic},
			want: concat(hostIn, meetingBegins(30*time.Second), []roomEvent{
				ended("HOST", "HANGUP", 20*m+30*time.Second, 20*m),
				ev("LEFT", "HOST", 20*m+30*time.Second+ms),
				ev("LEFT", "GUEST", 30*m),
			}),
		},
		{
			name:   "time runs out at the end time",
			script: gurulizetest.TimeRunsOut(),
			req:    gurulize.VideoRoomRequest{Duration: 30 * m, EndHow: gurulize.EndAutomatic, EndWhen: gurulize.EndAtEndTime},
			want: concat(hostIn, meetingBegins(30*time.Second), []roomEvent{
				ended("SERVER", "END_MEETING_FORCED", 30*m, 29*m+30*time.Second),
				ev("LEFT", "GUEST", 30*m+ms),
				ev("LEFT", "HOST", 30*m+2*ms),
			}),
		},
		{
			name:   "time runs out after the duration of meeting",
			script: gurulizetest.TimeRunsOut(),
			req:    gurulize.VideoRoomRequest{Duration: 30 * m, EndHow: gurulize.EndAutomatic, EndWhen: gurulize.EndAfterDuration},
			want: concat(hostIn, meetingBegins(30*time.Second), []roomEvent{
				ended("SERVER", "END_MEETING_FORCED", 30*m+30*time.Second, 30*m),
				ev("LEFT", "GUEST", 30*m+30*time.Second+ms),
				ev("LEFT", "HOST", 30*m+30*time.Second+2*ms),
			}),
		},
		{
			name:   "time does not run out in a BY_HOST room",
			script: gurulizetest.TimeRunsOut(),
			req:    gurulize.VideoRoomRequest{Duration: 30 * m, EndHow: gurulize.EndByHost},
			want:   concat(hostIn, meetingBegins(30*time.Second)),
		},
		{
			name:   "time does not run out without endHow",
			script: gurulizetest.TimeRunsOut(),
			req:    gurulize.VideoRoomRequest{Duration: 30 * m},
			want:   concat(hostIn, meetingBegins(30*time.Second)),
		},
		{
			name:   "a meeting longer than an AUTOMATIC room is cut and later steps are not played",
			script: gurulizetest.Meet(40 * m),
			req:    gurulize.VideoRoomRequest{Duration: 30 * m, EndHow: gurulize.EndAutomatic},
			want: concat(hostIn, meetingBegins(30*time.Second), []roomEvent{
				ended("SERVER", "END_MEETING_FORCED", 30*m, 29*m+30*time.Second),
				ev("LEFT", "GUEST", 30*m+ms),
				ev("LEFT", "HOST", 30*m+2*ms),
			}),
		},
		{
			name:   "END_OF_DURATION counts only meeting time, across breaks",
			script: gurulizetest.TwoBreaks(),
			req:    gurulize.VideoRoomRequest{Duration: 20 * m, EndHow: gurulize.EndAutomatic, EndWhen: gurulize.EndAfterDuration},
			want: concat(hostIn, meetingBegins(m), []roomEvent{
				ev("LEFT", "GUEST", 11*m),
				ended("GUEST", "", 11*m+ms, 10*m),
				ev("JOIN", "GUEST", 13*m),
				ev("MEETING_STARTED", "GUEST", 13*m+ms),
				ended("SERVER", "END_MEETING_FORCED", 23*m, 20*m),
				ev("LEFT", "GUEST", 23*m+ms),
				ev("LEFT", "HOST", 23*m+2*ms),
			}),
		},
		{
			name:   "no show",
			script: gurulizetest.NoShow(),
			req:    gurulize.VideoRoomRequest{Duration: 30 * m, EndHow: gurulize.EndAutomatic},
			want:   []roomEvent{ev("JOIN", "HOST", 0), ev("LEFT", "HOST", 10*m)},
		},
		{
			name:   "silent",
			script: gurulizetest.Silent(),
			req:    gurulize.VideoRoomRequest{Duration: 30 * m, EndHow: gurulize.EndAutomatic},
			want:   nil,
		},
		{
			name: "a script of one's own: steps in any order, impossible actions ignored, raw events sent as they are",
			script: gurulizetest.RoomScript{Name: "custom", Steps: []gurulizetest.RoomStep{
				gurulizetest.HangUp(5*m, gurulize.SourceGuest), // the guest is not in yet: nothing
				gurulizetest.Join(2*m, gurulize.SourceHost),
				gurulizetest.Join(3*m, gurulize.SourceHost), // already in: nothing
				gurulizetest.EndMeeting(m),                  // the host is not in yet: nothing
				gurulizetest.Join(6*m, gurulize.SourceGuest),
				gurulizetest.Send(7*m, gurulizetest.RawEvent{Code: "RECORDING_STARTED", Source: gurulize.SourceHost}),
				gurulizetest.EndMeeting(8 * m),
				gurulizetest.Join(9*m, gurulize.SourceGuest), // the room is over: nothing
				gurulizetest.Send(10*m, gurulizetest.RawEvent{Code: gurulize.EventMeetingEnded, Source: gurulize.SourceGuest, Reason: gurulize.ReasonHangup, MeetingTotalDuration: 99 * m}),
			}},
			req: gurulize.VideoRoomRequest{Duration: 30 * m, EndHow: gurulize.EndByHost},
			want: concat([]roomEvent{ev("JOIN", "HOST", 2*m)}, meetingBegins(6*m), []roomEvent{
				ev("RECORDING_STARTED", "HOST", 7*m),
				ended("HOST", "END_MEETING", 8*m, 2*m),
				ev("LEFT", "GUEST", 8*m+ms),
				ev("LEFT", "HOST", 8*m+2*ms),
				ended("GUEST", "HANGUP", 10*m, 99*m),
			}),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sk := newSink(t)
			srv := gurulizetest.NewTestServer(t, append(sk.options(), gurulizetest.WithRoomScript(tc.script))...)
			req := tc.req
			req.StartAt = fixedStart
			room, err := srv.Client().CreateVideoRoom(context.Background(), req)
			require.NoError(t, err)
			waitIdle(t, srv)
			assert.Equal(t, tc.want, decodeRoomEvents(t, sk.Video(), room.UUID, fixedStart))
			rec, _ := srv.Room(room.UUID)
			assert.Equal(t, tc.script.Name, rec.Script)
			assert.Len(t, srv.Deliveries(), len(tc.want))
		})
	}
}

func TestRoomEventWireFormat(t *testing.T) {
	t.Parallel()
	sk := newSink(t)
	srv := gurulizetest.NewTestServer(t, sk.options()...)
	room, err := srv.Client().CreateVideoRoom(context.Background(), roomAt(fixedStart, time.Hour, gurulize.EndAutomatic))
	require.NoError(t, err)
	waitIdle(t, srv)

	recs := sk.Video()
	require.NotEmpty(t, recs)
	for _, rec := range recs {
		assert.Equal(t, http.MethodPost, rec.Method)
		assert.Equal(t, "/video", rec.Path)
		assert.Equal(t, "application/json", rec.ContentType)
		assert.Empty(t, rec.RawQuery)
	}
	// The first event, byte for byte in the reference's shape.
	assert.Equal(t,
		`{"code":"JOIN","eventSource":"HOST","receivedTime":"1600938000000","reason":"","roomUuid":"`+room.UUID+`","meetingTotalDuration":"0"}`,
		recs[0].Body)
	ended := regexp.MustCompile(`^\{"code":"MEETING_ENDED","eventSource":"GUEST","receivedTime":"1600940430000","reason":"HANGUP","roomUuid":"[0-9a-f-]{36}","meetingTotalDuration":"2400000"\}$`)
	found := false
	for _, rec := range recs {
		found = found || ended.MatchString(rec.Body)
	}
	assert.True(t, found, "MEETING_ENDED with receivedTime and meetingTotalDuration as strings of milliseconds")

	ds := srv.Deliveries()
	require.Len(t, ds, len(recs))
	assert.NotEmpty(t, ds[0].RoomUUID)
	assert.Equal(t, room.UUID, ds[0].RoomUUID)
	assert.Equal(t, fixedStart, ds[0].At)
	assert.Equal(t, http.MethodPost, ds[0].Method)
	assert.Equal(t, sk.VideoURL(), ds[0].URL)
	assert.Equal(t, recs[0].Body, ds[0].Body)
	assert.Equal(t, 1, ds[0].Attempts)
	assert.Equal(t, http.StatusOK, ds[0].Status)
	assert.Empty(t, ds[0].Err)
}

func TestOmitOptionalFields(t *testing.T) {
	t.Parallel()
	sk := newSink(t)
	srv := gurulizetest.NewTestServer(t, append(sk.options(), gurulizetest.WithFaults(gurulizetest.Faults{OmitOptional: true}))...)
	room, err := srv.Client().CreateVideoRoom(context.Background(), roomAt(fixedStart, time.Hour, gurulize.EndAutomatic))
	require.NoError(t, err)
	_, err = srv.Client().RegisterCall(context.Background(), gurulize.CallRequest{Caller: "5321234567", Callee: "5427654321", MaxDuration: time.Hour})
	require.NoError(t, err)
	waitIdle(t, srv)

	recs := sk.Video()
	require.Len(t, recs, 7)
	assert.Equal(t, `{"code":"JOIN","eventSource":"HOST","receivedTime":"1600938000000","roomUuid":"`+room.UUID+`"}`, recs[0].Body)
	assert.Contains(t, recs[4].Body, `"reason":"HANGUP"`)
	assert.Contains(t, recs[4].Body, `"meetingTotalDuration":"2400000"`)
	for _, rec := range sk.Voice() {
		assert.Regexp(t, `^id=1&code=\d+&time=\d+$`, rec.RawQuery)
	}
}

func TestRoomScriptSelection(t *testing.T) {
	t.Parallel()
	sk := newSink(t)
	srv := gurulizetest.NewTestServer(t, append(sk.options(), gurulizetest.WithRoomScript(gurulizetest.Silent()))...)
	ctx := context.Background()
	create := func() *gurulize.VideoRoom {
		room, err := srv.Client().CreateVideoRoom(ctx, roomAt(fixedStart, time.Hour, gurulize.EndAutomatic))
		require.NoError(t, err)
		return room
	}
	srv.NextRoomScript(gurulizetest.NoShow(), gurulizetest.Meet(time.Minute))
	first, second, third := create(), create(), create()
	waitIdle(t, srv)
	scripts := []string{}
	for _, r := range srv.Rooms() {
		scripts = append(scripts, r.Script)
	}
	assert.Equal(t, []string{"no show", "meet 1m", "silent"}, scripts)
	assert.Len(t, decodeRoomEvents(t, sk.Video(), first.UUID, fixedStart), 2)
	assert.Len(t, decodeRoomEvents(t, sk.Video(), second.UUID, fixedStart), 7)
	assert.Empty(t, decodeRoomEvents(t, sk.Video(), third.UUID, fixedStart))
}

func TestScriptNames(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "meet 40m", gurulizetest.Meet(40*time.Minute).Name)
	assert.Equal(t, "meet 1h30m", gurulizetest.Meet(90*time.Minute).Name)
	assert.Equal(t, "meet 45s", gurulizetest.Meet(45*time.Second).Name)
	assert.Equal(t, "host ends after 2h", gurulizetest.HostEnds(2*time.Hour).Name)
	assert.Equal(t, "two breaks", gurulizetest.TwoBreaks().Name)
	assert.Equal(t, "out of credits", gurulizetest.OutOfCredits().Name)
}

// TestSendAnyTextAsValidJSON: a raw event's text, control characters and
// quotes included, arrives as valid JSON that decodes to that text.
func TestSendAnyTextAsValidJSON(t *testing.T) {
	t.Parallel()
	sk := newSink(t)
	odd := gurulize.VideoEventCode("A\x1b[2J\"\\\u2028")
	srv := gurulizetest.NewTestServer(t, append(sk.options(), gurulizetest.WithRoomScript(gurulizetest.RoomScript{
		Name: "odd", Steps: []gurulizetest.RoomStep{gurulizetest.Send(0, gurulizetest.RawEvent{Code: odd, Source: "\x00"})},
	}))...)
	_, err := srv.Client().CreateVideoRoom(context.Background(), roomAt(fixedStart, time.Hour, gurulize.EndAutomatic))
	require.NoError(t, err)
	waitIdle(t, srv)
	recs := sk.Video()
	require.Len(t, recs, 1)
	var got struct{ Code, EventSource string }
	require.NoError(t, json.Unmarshal([]byte(recs[0].Body), &got), recs[0].Body)
	assert.Equal(t, string(odd), got.Code)
	assert.Equal(t, "\x00", got.EventSource)
}

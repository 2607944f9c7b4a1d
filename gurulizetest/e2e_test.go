package gurulizetest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
)

// receiver is the application side of an end-to-end test: the SDK's two
// callback handlers, behind a token in the path, folding into trackers.
type receiver struct {
	rooms    *gurulize.RoomTracker
	calls    *gurulize.CallTracker
	events   atomic.Int64 // callbacks the functions were called with
	flaky    http.Handler
	videoURL string
	voiceURL string
}

const callbackToken = "e2e-7f3a9c-0123456789"

func newReceiver(t *testing.T, failFirst int) *receiver {
	t.Helper()
	r := &receiver{rooms: gurulize.NewRoomTracker(), calls: gurulize.NewCallTracker()}
	mux := http.NewServeMux()
	mux.Handle("POST /gurulize/video/{token}", gurulize.NewVideoEventHandler(func(_ context.Context, ev gurulize.VideoEvent) error {
		r.events.Add(1)
		r.rooms.Apply(ev)
		return nil
	}, gurulize.WithCallbackToken(callbackToken)))
	mux.Handle("GET /gurulize/voice/{token}", gurulize.NewVoiceStatusHandler(func(_ context.Context, st gurulize.VoiceStatus) error {
		r.events.Add(1)
		r.calls.Apply(st)
		return nil
	}, gurulize.WithCallbackToken(callbackToken)))
	var h http.Handler = mux
	if failFirst > 0 {
		r.flaky = gurulizetest.Flaky(mux, failFirst)
		h = r.flaky
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	r.videoURL = srv.URL + "/gurulize/video/" + callbackToken
	r.voiceURL = srv.URL + "/gurulize/voice/" + callbackToken
	return r
}

// roomOutcome is the part of a RoomSummary a scenario decides.
type roomOutcome struct {
	Activated    bool
	Meetings     int
	Billed       time.Duration
	Ended        bool
	EndReason    gurulize.EndReason
	HostPresent  bool
	GuestPresent bool
}

func outcomeOf(s gurulize.RoomSummary) roomOutcome {
	return roomOutcome{s.Activated, s.Meetings, s.Billed, s.Ended, s.EndReason, s.HostPresent, s.GuestPresent}
}

// roomScenarios are the room scripts of the package documentation, each
// in the kind of room it is meant for, with the summary they must add up to.
var roomScenarios = []struct {
	name   string
	script gurulizetest.RoomScript
	req    gurulize.VideoRoomRequest
	want   *roomOutcome // nil: the tracker never hears of the room
}{
	{"meet 40 min", gurulizetest.Meet(40 * time.Minute),
		gurulize.VideoRoomRequest{Duration: 45 * time.Minute, EndHow: gurulize.EndAutomatic, EndWhen: gurulize.EndAtEndTime},
		&roomOutcome{Activated: true, Meetings: 1, Billed: 40 * time.Minute, Ended: true, EndReason: gurulize.ReasonHangup}},
	{"two breaks", gurulizetest.TwoBreaks(),
		gurulize.VideoRoomRequest{Duration: time.Hour, EndHow: gurulize.EndAutomatic},
		&roomOutcome{Activated: true, Meetings: 3, Billed: 30 * time.Minute, Ended: true, EndReason: gurulize.ReasonHangup}},
	{"host ends", gurulizetest.HostEnds(20 * time.Minute),
		gurulize.VideoRoomRequest{Duration: 30 * time.Minute, EndHow: gurulize.EndByHost},
		&roomOutcome{Activated: true, Meetings: 1, Billed: 20 * time.Minute, Ended: true, EndReason: gurulize.ReasonEndMeeting}},
	{"time runs out at the end time", gurulizetest.TimeRunsOut(),
		gurulize.VideoRoomRequest{Duration: 30 * time.Minute, EndHow: gurulize.EndAutomatic, EndWhen: gurulize.EndAtEndTime},
		&roomOutcome{Activated: true, Meetings: 1, Billed: 29*time.Minute + 30*time.Second, Ended: true, EndReason: gurulize.ReasonEndMeetingForced}},
	{"time runs out after the duration", gurulizetest.TimeRunsOut(),
		gurulize.VideoRoomRequest{Duration: 30 * time.Minute, EndHow: gurulize.EndAutomatic, EndWhen: gurulize.EndAfterDuration},
		&roomOutcome{Activated: true, Meetings: 1, Billed: 30 * time.Minute, Ended: true, EndReason: gurulize.ReasonEndMeetingForced}},
	{"no show", gurulizetest.NoShow(),
		gurulize.VideoRoomRequest{Duration: 30 * time.Minute, EndHow: gurulize.EndAutomatic},
		&roomOutcome{}},
	{"silent", gurulizetest.Silent(),
		gurulize.VideoRoomRequest{Duration: 30 * time.Minute, EndHow: gurulize.EndAutomatic},
		nil},
}

// callScenarios are the magic numbers of the package documentation, and
// the cut at the registered duration, with the summary they add up to.
var callScenarios = []struct {
	callee   string
	max      time.Duration
	outcome  gurulize.CallOutcome
	failed   gurulize.Party
	talkTime time.Duration
}{
	{gurulizetest.NumberAnsweredFor(95 * time.Second), time.Hour, gurulize.OutcomeCompleted, gurulize.PartyNone, 95 * time.Second},
	{gurulizetest.NumberCallerHangsUpAfter(42 * time.Second), time.Hour, gurulize.OutcomeCompleted, gurulize.PartyNone, 42 * time.Second},
	{gurulizetest.NumberAnsweredFor(300 * time.Second), 2 * time.Minute, gurulize.OutcomeCompleted, gurulize.PartyNone, 2 * time.Minute},
	{gurulizetest.NumberCallerBusy, time.Hour, gurulize.OutcomeBusy, gurulize.PartyCaller, 0},
	{gurulizetest.NumberCalleeBusy, time.Hour, gurulize.OutcomeBusy, gurulize.PartyCallee, 0},
	{gurulizetest.NumberCallerRejects, time.Hour, gurulize.OutcomeRejected, gurulize.PartyCaller, 0},
	{gurulizetest.NumberCalleeRejects, time.Hour, gurulize.OutcomeRejected, gurulize.PartyCallee, 0},
	{gurulizetest.NumberCallerNoAnswer, time.Hour, gurulize.OutcomeNoAnswer, gurulize.PartyCaller, 0},
	{gurulizetest.NumberCalleeNoAnswer, time.Hour, gurulize.OutcomeNoAnswer, gurulize.PartyCallee, 0},
	{gurulizetest.NumberCallerNotConnected, time.Hour, gurulize.OutcomeNotConnected, gurulize.PartyCaller, 0},
	{gurulizetest.NumberCalleeNotConnected, time.Hour, gurulize.OutcomeNotConnected, gurulize.PartyCallee, 0},
	{gurulizetest.NumberOutOfCredits, time.Hour, gurulize.OutcomeOutOfCredits, gurulize.PartyNone, 0},
	{"5427654321", time.Hour, gurulize.OutcomeCompleted, gurulize.PartyNone, time.Minute},
}

// deliveryModes are the ways the fake delivers callbacks in the end-to-end
// test: every scenario must add up to the same summary in each.
var deliveryModes = []struct {
	name      string
	opts      []gurulizetest.Option
	failFirst int
}{
	{"in order", nil, 0},
	{"duplicated", []gurulizetest.Option{gurulizetest.WithFaults(gurulizetest.Faults{Duplicate: true})}, 0},
	{"reordered", []gurulizetest.Option{gurulizetest.WithFaults(gurulizetest.Faults{Reorder: true, Seed: 42})}, 0},
	{"endpoint fails then recovers", nil, 5},
	{"duplicated, reordered, sparse, endpoint failing", []gurulizetest.Option{gurulizetest.WithFaults(gurulizetest.Faults{Duplicate: true, Reorder: true, Seed: 3, OmitOptional: true})}, 4},
	{"scaled time", []gurulizetest.Option{gurulizetest.WithTimeScale(5000)}, 0},
}

// TestEndToEnd drives every scenario through the whole SDK: the client over
// real HTTP to the fake, the fake's callbacks over real HTTP to the SDK's
// handlers, and the handlers into the trackers.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	for _, mode := range deliveryModes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			rcv := newReceiver(t, mode.failFirst)
			opts := append([]gurulizetest.Option{
				gurulizetest.WithVideoCallbackURL(rcv.videoURL),
				gurulizetest.WithVoiceCallbackURL(rcv.voiceURL),
				gurulizetest.WithCallbackRetry(gurulize.RetryPolicy{MaxAttempts: 10, MinBackoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond}),
			}, mode.opts...)
			srv := gurulizetest.NewTestServer(t, opts...)
			client := srv.Client()
			ctx := context.Background()

			rooms := make([]string, len(roomScenarios))
			for i, sc := range roomScenarios {
				srv.NextRoomScript(sc.script)
				req := sc.req
				req.StartAt = time.Now()
				room, err := client.CreateVideoRoom(ctx, req)
				require.NoError(t, err, sc.name)
				rooms[i] = room.UUID
			}
			calls := make([]int64, len(callScenarios))
			for i, sc := range callScenarios {
				reg, err := client.RegisterCall(ctx, gurulize.CallRequest{Caller: "5321234567", Callee: sc.callee, MaxDuration: sc.max})
				require.NoError(t, err, sc.callee)
				calls[i] = reg.ID
			}
			waitIdle(t, srv)

			for i, sc := range roomScenarios {
				got, ok := rcv.rooms.Room(rooms[i])
				if sc.want == nil {
					assert.False(t, ok, sc.name)
					continue
				}
				require.True(t, ok, sc.name)
				assert.Equal(t, *sc.want, outcomeOf(got), sc.name)
			}
			for i, sc := range callScenarios {
				got, ok := rcv.calls.Call(calls[i])
				require.True(t, ok, sc.callee)
				assert.Equal(t, sc.outcome, got.Outcome, sc.callee)
				assert.True(t, got.Final, sc.callee)
				assert.Equal(t, sc.failed, got.FailedParty, sc.callee)
				assert.Equal(t, sc.talkTime, got.TalkTime, sc.callee)
			}

			accepted, retried := 0, 0
			for _, d := range srv.Deliveries() {
				require.Empty(t, d.Err, "%+v", d)
				accepted++
				retried += d.Attempts - 1
			}
			assert.Equal(t, int64(accepted), rcv.events.Load(), "each delivery reached a handler function once")
			if rcv.flaky != nil {
				assert.Equal(t, mode.failFirst, retried, "the refused attempts were retried")
			}
		})
	}
}

// The handlers refuse callbacks without the token; the fake records the
// refusals as failed deliveries and the trackers stay empty.
func TestEndToEndWrongToken(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, 0)
	srv := gurulizetest.NewTestServer(t,
		gurulizetest.WithVideoCallbackURL(rcv.videoURL+"-wrong"),
		gurulizetest.WithCallbackRetry(gurulize.RetryPolicy{MaxAttempts: 1}),
		gurulizetest.WithRoomScript(gurulizetest.NoShow()))
	room, err := srv.Client().CreateVideoRoom(context.Background(), roomAt(time.Now(), time.Hour, gurulize.EndAutomatic))
	require.NoError(t, err)
	waitIdle(t, srv)
	for _, d := range srv.Deliveries() {
		assert.Equal(t, http.StatusUnauthorized, d.Status)
		assert.NotEmpty(t, d.Err)
	}
	_, ok := rcv.rooms.Room(room.UUID)
	assert.False(t, ok)
	assert.Zero(t, rcv.events.Load())
}

package gurulize_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

var updateCallbackGolden = flag.Bool("update-callback-golden", false, "rewrite testdata/callbacks/*.golden.json")

// roomLifecycles and callLifecycles name the lifecycle files in
// testdata/callbacks, without their extension.
var (
	roomLifecycles = []string{"room-two-breaks-forced", "room-ended-by-host"}
	callLifecycles = []string{
		"call-completed", "call-in-progress", "call-pending", "call-busy", "call-rejected",
		"call-no-answer", "call-not-connected", "call-caller-hung-up", "call-out-of-credits",
		"call-cut-by-credits",
	}
)

// lines returns the non-empty lines of a testdata file.
func lines(t testing.TB, name string) []string {
	t.Helper()
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(readTestdata(t, name)))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			out = append(out, line)
		}
	}
	require.NoError(t, sc.Err())
	return out
}

// loadRoom parses a room lifecycle: one provider payload per line.
func loadRoom(t testing.TB, name string) []gurulize.VideoEvent {
	t.Helper()
	var evs []gurulize.VideoEvent
	for _, line := range lines(t, name+".jsonl") {
		ev, err := gurulize.ParseVideoEvent([]byte(line))
		require.NoError(t, err, line)
		evs = append(evs, ev)
	}
	return evs
}

// loadCall parses a call lifecycle: one provider query string per line.
func loadCall(t testing.TB, name string) []gurulize.VoiceStatus {
	t.Helper()
	var sts []gurulize.VoiceStatus
	for _, line := range lines(t, name+".txt") {
		values, err := url.ParseQuery(line)
		require.NoError(t, err, line)
		st, err := gurulize.ParseVoiceStatus(values)
		require.NoError(t, err, line)
		sts = append(sts, st)
	}
	return sts
}

// readable turns a summary into a map for a golden file: durations as
// strings, times in RFC 3339 ("" when zero).
func readable(v any) map[string]any {
	out := map[string]any{}
	rv := reflect.ValueOf(v)
	for i := range rv.NumField() {
		f := rv.Field(i)
		switch x := f.Interface().(type) {
		case time.Duration:
			out[rv.Type().Field(i).Name] = x.String()
		case time.Time:
			if x.IsZero() {
				out[rv.Type().Field(i).Name] = ""
			} else {
				out[rv.Type().Field(i).Name] = x.Format(time.RFC3339Nano)
			}
		default:
			out[rv.Type().Field(i).Name] = x
		}
	}
	return out
}

func checkGolden(t *testing.T, name string, summary any) {
	t.Helper()
	got, err := json.MarshalIndent(readable(summary), "", "  ")
	require.NoError(t, err)
	got = append(got, '\n')
	path := filepath.Join("testdata", "callbacks", name+".golden.json")
	if *updateCallbackGolden {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -run %s -update-callback-golden to create it", t.Name())
	assert.JSONEq(t, string(want), string(got))
}

func TestRoomLifecyclesGolden(t *testing.T) {
	for _, name := range roomLifecycles {
		t.Run(name, func(t *testing.T) {
			evs := loadRoom(t, name)
			tr := gurulize.NewRoomTracker()
			var last gurulize.RoomSummary
			for _, ev := range evs {
				last = tr.Apply(ev)
			}
			got, ok := tr.Room(evs[0].RoomUUID)
			require.True(t, ok)
			assert.Equal(t, last, got)
			checkGolden(t, name, got)
		})
	}
}

func TestCallLifecyclesGolden(t *testing.T) {
	for _, name := range callLifecycles {
		t.Run(name, func(t *testing.T) {
			sts := loadCall(t, name)
			tr := gurulize.NewCallTracker()
			var last gurulize.CallSummary
			for _, st := range sts {
				last = tr.Apply(st)
			}
			got, ok := tr.Call(sts[0].ID)
			require.True(t, ok)
			assert.Equal(t, last, got)
			checkGolden(t, name, got)
		})
	}
}

// The golden files are checked by hand once; these spell out the facts they
// must hold, so a wrong golden file cannot pass unnoticed.
func TestLifecycleFacts(t *testing.T) {
	t.Parallel()
	room := func(name string) gurulize.RoomSummary {
		var st gurulize.RoomState
		for _, ev := range loadRoom(t, name) {
			st.Apply(ev)
		}
		return st.Summary()
	}
	forced := room("room-two-breaks-forced")
	assert.True(t, forced.Activated)
	assert.Equal(t, 3, forced.Meetings, "two breaks make three meetings")
	assert.Equal(t, 2739505*time.Millisecond, forced.Billed, "the last running total, not the sum of the totals")
	assert.True(t, forced.Ended)
	assert.Equal(t, gurulize.ReasonEndMeetingForced, forced.EndReason)
	assert.False(t, forced.HostPresent, "a forced end closes the room for the host too")
	assert.False(t, forced.GuestPresent)

	byHost := room("room-ended-by-host")
	assert.Equal(t, 1, byHost.Meetings)
	assert.True(t, byHost.Ended)
	assert.Equal(t, gurulize.ReasonEndMeeting, byHost.EndReason)

	call := func(name string) gurulize.CallSummary {
		var st gurulize.CallState
		for _, s := range loadCall(t, name) {
			st.Apply(s)
		}
		return st.Summary()
	}
	tests := []struct {
		name     string
		outcome  gurulize.CallOutcome
		final    bool
		talk     time.Duration
		party    gurulize.Party
		hasEnded bool
	}{
		{"call-completed", gurulize.OutcomeCompleted, true, 312 * time.Second, gurulize.PartyNone, true},
		{"call-in-progress", gurulize.OutcomeInProgress, false, 0, gurulize.PartyNone, false},
		{"call-pending", gurulize.OutcomePending, false, 0, gurulize.PartyNone, false},
		{"call-busy", gurulize.OutcomeBusy, true, 0, gurulize.PartyCallee, true},
		{"call-rejected", gurulize.OutcomeRejected, true, 0, gurulize.PartyCaller, true},
		{"call-no-answer", gurulize.OutcomeNoAnswer, true, 0, gurulize.PartyCallee, true},
		{"call-not-connected", gurulize.OutcomeNotConnected, true, 0, gurulize.PartyCaller, true},
		{"call-caller-hung-up", gurulize.OutcomeNotConnected, true, 0, gurulize.PartyCaller, true},
		{"call-out-of-credits", gurulize.OutcomeOutOfCredits, true, 0, gurulize.PartyNone, true},
		{"call-cut-by-credits", gurulize.OutcomeOutOfCredits, true, 600 * time.Second, gurulize.PartyNone, true},
	}
	for _, tt := range tests {
		got := call(tt.name)
		assert.Equal(t, tt.outcome, got.Outcome, tt.name)
		assert.Equal(t, tt.final, got.Final, tt.name)
		assert.Equal(t, tt.talk, got.TalkTime, tt.name)
		assert.Equal(t, tt.party, got.FailedParty, tt.name)
		assert.Equal(t, tt.hasEnded, !got.EndedAt.IsZero(), tt.name)
	}
}

// roomAt builds a video event in room "r" at t0 plus ms milliseconds.
var t0 = time.UnixMilli(1600938359259).UTC()

func vev(code gurulize.VideoEventCode, src gurulize.EventSource, ms int64) gurulize.VideoEvent {
	return gurulize.VideoEvent{Code: code, Source: src, RoomUUID: "r", ReceivedAt: t0.Add(time.Duration(ms) * time.Millisecond)}
}

func ended(src gurulize.EventSource, ms int64, reason gurulize.EndReason, total time.Duration) gurulize.VideoEvent {
	ev := vev(gurulize.EventMeetingEnded, src, ms)
	ev.Reason, ev.MeetingTotalDuration = reason, total
	return ev
}

func foldRoom(evs ...gurulize.VideoEvent) gurulize.RoomSummary {
	var st gurulize.RoomState
	for _, ev := range evs {
		st.Apply(ev)
	}
	return st.Summary()
}

func TestRoomStateRules(t *testing.T) {
	t.Parallel()
	const (
		host   = gurulize.SourceHost
		guest  = gurulize.SourceGuest
		server = gurulize.SourceServer
	)
	start := func(ms int64) gurulize.VideoEvent { return vev(gurulize.EventMeetingStarted, guest, ms) }
	join := func(src gurulize.EventSource, ms int64) gurulize.VideoEvent { return vev(gurulize.EventJoin, src, ms) }
	left := func(src gurulize.EventSource, ms int64) gurulize.VideoEvent { return vev(gurulize.EventLeft, src, ms) }
	at := func(ms int64) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

	t.Run("empty", func(t *testing.T) {
		t.Parallel()
		assert.Equal(t, gurulize.RoomSummary{}, foldRoom())
	})
	t.Run("activated", func(t *testing.T) {
		t.Parallel()
		got := foldRoom(vev(gurulize.EventRoomActivated, guest, 50), vev(gurulize.EventRoomActivated, host, 40))
		assert.True(t, got.Activated)
		assert.Equal(t, at(40), got.ActivatedAt)
		assert.False(t, foldRoom(join(host, 1)).Activated)
	})
	t.Run("meetings are distinct starts", func(t *testing.T) {
		t.Parallel()
		assert.Equal(t, 0, foldRoom(join(host, 1)).Meetings)
		assert.Equal(t, 1, foldRoom(start(10), start(10)).Meetings, "a redelivered start")
		assert.Equal(t, 1, foldRoom(start(10), vev(gurulize.EventMeetingStarted, host, 10)).Meetings, "the same millisecond is one meeting")
		assert.Equal(t, 3, foldRoom(start(30), start(10), start(20), start(10)).Meetings)
	})
	t.Run("billed is the largest total, never a sum", func(t *testing.T) {
		t.Parallel()
		got := foldRoom(
			ended(guest, 100, gurulize.ReasonHangup, 60*time.Second),
			ended(host, 300, gurulize.ReasonHangup, 150*time.Second),
			ended(host, 200, gurulize.ReasonHangup, 90*time.Second),
		)
		assert.Equal(t, 150*time.Second, got.Billed)
		assert.Equal(t, time.Duration(0), foldRoom(start(1)).Billed)
	})
	t.Run("ended and its reason", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			name   string
			evs    []gurulize.VideoEvent
			ended  bool
			reason gurulize.EndReason
		}{
			{"no end", []gurulize.VideoEvent{start(10)}, false, ""},
			{"end after start", []gurulize.VideoEvent{start(10), ended(host, 20, gurulize.ReasonHangup, 0)}, true, gurulize.ReasonHangup},
			{"end without start", []gurulize.VideoEvent{ended(host, 20, gurulize.ReasonHangup, 0)}, true, gurulize.ReasonHangup},
			{"start after the latest end", []gurulize.VideoEvent{start(10), ended(host, 20, gurulize.ReasonHangup, 0), start(30)}, false, gurulize.ReasonHangup},
			{"start in the same millisecond as the end", []gurulize.VideoEvent{ended(host, 20, gurulize.ReasonHangup, 0), start(20)}, true, gurulize.ReasonHangup},
			{"reason of the latest end", []gurulize.VideoEvent{ended(server, 90, gurulize.ReasonEndMeetingForced, 0), ended(host, 20, gurulize.ReasonHangup, 0)}, true, gurulize.ReasonEndMeetingForced},
			{"latest end without a reason", []gurulize.VideoEvent{ended(host, 20, gurulize.ReasonHangup, 0), ended(host, 30, "", 0)}, true, ""},
			{"same millisecond: forced over hangup", []gurulize.VideoEvent{ended(server, 20, gurulize.ReasonEndMeetingForced, 0), ended(host, 20, gurulize.ReasonHangup, 0)}, true, gurulize.ReasonEndMeetingForced},
			{"same millisecond: end meeting over hangup", []gurulize.VideoEvent{ended(guest, 20, gurulize.ReasonHangup, 0), ended(host, 20, gurulize.ReasonEndMeeting, 0)}, true, gurulize.ReasonEndMeeting},
			{"same millisecond: forced over end meeting", []gurulize.VideoEvent{ended(host, 20, gurulize.ReasonEndMeeting, 0), ended(server, 20, gurulize.ReasonEndMeetingForced, 0)}, true, gurulize.ReasonEndMeetingForced},
			{"same millisecond: hangup over unknown", []gurulize.VideoEvent{ended(host, 20, "NETWORK", 0), ended(host, 20, gurulize.ReasonHangup, 0)}, true, gurulize.ReasonHangup},
			{"same millisecond: unknown over none", []gurulize.VideoEvent{ended(host, 20, "", 0), ended(host, 20, "NETWORK", 0)}, true, "NETWORK"},
			{"same millisecond: greater unknown", []gurulize.VideoEvent{ended(host, 20, "B_REASON", 0), ended(host, 20, "A_REASON", 0)}, true, "B_REASON"},
		}
		for _, tt := range tests {
			got := foldRoom(tt.evs...)
			assert.Equal(t, tt.ended, got.Ended, tt.name)
			assert.Equal(t, tt.reason, got.EndReason, tt.name)
			// The reverse order gives the same answer.
			rev := foldRoom(reversed(tt.evs)...)
			assert.Equal(t, got, rev, tt.name)
		}
	})
	t.Run("presence", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			name         string
			evs          []gurulize.VideoEvent
			host, guest  bool
			lastEndedAt  time.Time
			firstEventAt time.Time
		}{
			{"joined", []gurulize.VideoEvent{join(host, 10), join(guest, 20)}, true, true, time.Time{}, at(10)},
			{"left", []gurulize.VideoEvent{join(host, 10), left(host, 20), join(guest, 15)}, false, true, time.Time{}, at(10)},
			{"rejoined", []gurulize.VideoEvent{join(host, 10), left(host, 20), join(host, 30)}, true, false, time.Time{}, at(10)},
			{"join and left in the same millisecond", []gurulize.VideoEvent{join(guest, 20), left(guest, 20)}, false, false, time.Time{}, at(20)},
			{"left only", []gurulize.VideoEvent{left(guest, 20)}, false, false, time.Time{}, at(20)},
			{"hangup keeps presence", []gurulize.VideoEvent{join(host, 10), join(guest, 10), ended(host, 20, gurulize.ReasonHangup, 0)}, true, true, at(20), at(10)},
			{"forced end clears presence", []gurulize.VideoEvent{join(host, 10), join(guest, 10), ended(server, 20, gurulize.ReasonEndMeetingForced, 0)}, false, false, at(20), at(10)},
			{"host's end clears presence", []gurulize.VideoEvent{join(host, 10), join(guest, 10), ended(host, 20, gurulize.ReasonEndMeeting, 0)}, false, false, at(20), at(10)},
			{"join after a forced end", []gurulize.VideoEvent{join(host, 10), ended(server, 20, gurulize.ReasonEndMeetingForced, 0), join(host, 30)}, true, false, at(20), at(10)},
			{"other sources do not count", []gurulize.VideoEvent{join(server, 10), join("OBSERVER", 10), left(server, 5)}, false, false, time.Time{}, at(5)},
		}
		for _, tt := range tests {
			got := foldRoom(tt.evs...)
			assert.Equal(t, tt.host, got.HostPresent, tt.name)
			assert.Equal(t, tt.guest, got.GuestPresent, tt.name)
			assert.Equal(t, tt.lastEndedAt, got.LastEndedAt, tt.name)
			assert.Equal(t, tt.firstEventAt, got.FirstEventAt, tt.name)
			assert.Equal(t, got, foldRoom(reversed(tt.evs)...), tt.name)
		}
	})
	t.Run("unknown codes only move the event times", func(t *testing.T) {
		t.Parallel()
		odd := vev("SCREEN_SHARE", host, 500)
		odd.MeetingTotalDuration = 0
		got := foldRoom(join(host, 100), odd, vev("RECORDING", "", 50))
		assert.Equal(t, gurulize.RoomSummary{
			RoomUUID: "r", HostPresent: true, FirstEventAt: at(50), LastEventAt: at(500),
		}, got)
	})
}

func reversed[T any](s []T) []T {
	out := make([]T, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

func TestRoomStateApplyReportsChange(t *testing.T) {
	t.Parallel()
	var st gurulize.RoomState
	assert.Equal(t, "", st.Summary().RoomUUID)
	first := vev(gurulize.EventJoin, gurulize.SourceHost, 10)
	assert.True(t, st.Apply(first))
	assert.Equal(t, "r", st.Summary().RoomUUID)
	assert.False(t, st.Apply(first), "a duplicate changes nothing")
	assert.True(t, st.Apply(vev(gurulize.EventLeft, gurulize.SourceServer, 1)), "moves the first event time")
	assert.False(t, st.Apply(vev(gurulize.EventJoin, gurulize.SourceHost, 5)), "an earlier join, within the known times, adds nothing")
	assert.False(t, st.Apply(vev(gurulize.EventLeft, gurulize.SourceServer, 7)), "a source presence ignores, within the known times")
	assert.True(t, st.Apply(vev(gurulize.EventLeft, gurulize.SourceGuest, 7)), "the guest's first LEFT")

	before := st.Summary()
	ignored := []gurulize.VideoEvent{
		{Code: gurulize.EventJoin, Source: gurulize.SourceGuest, ReceivedAt: t0},                                   // no room
		{Code: gurulize.EventJoin, Source: gurulize.SourceGuest, RoomUUID: "r"},                                    // no time
		{Code: gurulize.EventJoin, Source: gurulize.SourceGuest, RoomUUID: "r", ReceivedAt: time.UnixMilli(-5)},    // before the epoch
		{Code: gurulize.EventJoin, Source: gurulize.SourceGuest, RoomUUID: "other", ReceivedAt: t0.Add(time.Hour)}, // another room
	}
	for _, ev := range ignored {
		assert.False(t, st.Apply(ev), "%+v", ev)
	}
	assert.Equal(t, before, st.Summary())
}

func TestRoomStateCopiesAreIndependent(t *testing.T) {
	t.Parallel()
	start := func(ms int64) gurulize.VideoEvent { return vev(gurulize.EventMeetingStarted, gurulize.SourceHost, ms) }
	starts := func(ms ...int64) string {
		var parts []string
		for _, m := range ms {
			parts = append(parts, fmt.Sprint(t0.UnixMilli()+m))
		}
		return `"starts":[` + strings.Join(parts, ",") + `]`
	}
	var a gurulize.RoomState
	for _, ms := range []int64{10, 20, 30} {
		a.Apply(start(ms))
	}
	b := a
	a.Apply(start(40)) // appended to a
	b.Apply(start(35)) // appended to b
	b.Apply(start(15)) // inserted in b's middle
	a.Apply(start(25)) // inserted in a's middle
	assert.Contains(t, stateJSON(t, a), starts(10, 20, 25, 30, 40))
	assert.Contains(t, stateJSON(t, b), starts(10, 15, 20, 30, 35))

	// Copies on different goroutines, each adding the same next start:
	// one may write in place, the others must not see it (run with -race).
	var wg sync.WaitGroup
	results := make([]string, 4)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := a
			c.Apply(start(int64(100 + i)))
			results[i] = stateJSON(t, c)
		}()
	}
	wg.Wait()
	for i, got := range results {
		assert.Contains(t, got, starts(10, 20, 25, 30, 40, int64(100+i)))
	}
	assert.Contains(t, stateJSON(t, a), starts(10, 20, 25, 30, 40), "the original is untouched")
}

func TestRoomStateMeetingBound(t *testing.T) {
	t.Parallel()
	n := 1000 + 50
	evs := make([]gurulize.VideoEvent, 0, n+1)
	for i := range n {
		evs = append(evs, vev(gurulize.EventMeetingStarted, gurulize.SourceHost, int64(i)*1000))
	}
	evs = append(evs, ended(gurulize.SourceHost, int64(n-1)*1000-1, gurulize.ReasonHangup, 0))

	forward := foldRoom(evs...)
	backward := foldRoom(reversed(evs)...)
	assert.Equal(t, 1000, forward.Meetings)
	assert.Equal(t, forward, backward)
	assert.False(t, forward.Ended, "the latest start is remembered past the bound")
}

func TestRoomStateJSON(t *testing.T) {
	t.Parallel()
	evs := loadRoom(t, "room-two-breaks-forced")
	var whole gurulize.RoomState
	for _, ev := range evs {
		whole.Apply(ev)
	}
	// Store after every event, as a database would, and continue from the copy.
	var stored []byte
	for _, ev := range evs {
		var st gurulize.RoomState
		if stored != nil {
			require.NoError(t, json.Unmarshal(stored, &st))
		}
		st.Apply(ev)
		var err error
		stored, err = json.Marshal(st)
		require.NoError(t, err)
	}
	var final gurulize.RoomState
	require.NoError(t, json.Unmarshal(stored, &final))
	assert.Equal(t, whole.Summary(), final.Summary())
	want, err := json.Marshal(whole)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(stored))
	assert.Contains(t, string(stored), `"v":1`)

	// Pointer and value encode alike; the zero state round-trips.
	ptr, err := json.Marshal(&whole)
	require.NoError(t, err)
	assert.Equal(t, want, ptr)
	zero, err := json.Marshal(gurulize.RoomState{})
	require.NoError(t, err)
	assert.JSONEq(t, `{"v":1,"room":""}`, string(zero))
	var z gurulize.RoomState
	require.NoError(t, json.Unmarshal(zero, &z))
	assert.Equal(t, gurulize.RoomSummary{}, z.Summary())

	// null leaves a state alone.
	require.NoError(t, json.Unmarshal([]byte(`null`), &final))
	assert.Equal(t, whole.Summary(), final.Summary())

	// A state Apply could not have produced is refused, so that decoding
	// the same bytes always gives the same, consistent state.
	ok := `{"v":1,"room":"r","firstAt":10,"lastAt":40,"starts":[10,20,30],"lastStartAt":30,"lastEndAt":25,"endReason":"HANGUP","billedMs":5}`
	var good gurulize.RoomState
	require.NoError(t, json.Unmarshal([]byte(ok), &good))
	assert.Equal(t, 3, good.Summary().Meetings)
	many := make([]int64, 1001)
	for i := range many {
		many[i] = int64(i + 1)
	}
	manyJSON, err := json.Marshal(map[string]any{"v": 1, "room": "r", "firstAt": 1, "lastAt": 1001, "starts": many, "lastStartAt": 1001})
	require.NoError(t, err)
	inconsistent := map[string]string{
		"starts out of order":        `{"v":1,"room":"r","firstAt":10,"lastAt":40,"starts":[30,10,20],"lastStartAt":30}`,
		"repeated start":             `{"v":1,"room":"r","firstAt":10,"lastAt":40,"starts":[10,10],"lastStartAt":10}`,
		"zero start":                 `{"v":1,"room":"r","firstAt":10,"lastAt":40,"starts":[0,10],"lastStartAt":10}`,
		"more than 1,000 starts":     string(manyJSON),
		"start before firstAt":       `{"v":1,"room":"r","firstAt":10,"lastAt":40,"starts":[5],"lastStartAt":5}`,
		"lastStartAt not the latest": `{"v":1,"room":"r","firstAt":10,"lastAt":40,"starts":[10,20],"lastStartAt":15}`,
		"lastStartAt without starts": `{"v":1,"room":"r","firstAt":10,"lastAt":40,"lastStartAt":15}`,
		"time after lastAt":          `{"v":1,"room":"r","firstAt":10,"lastAt":40,"hostJoinAt":41}`,
		"lastAt before firstAt":      `{"v":1,"room":"r","firstAt":10,"lastAt":5}`,
		"no firstAt":                 `{"v":1,"room":"r","lastEndAt":25}`,
		"after the year 9999":        `{"v":1,"room":"r","firstAt":10,"lastAt":253402300800000}`,
		"billed near MaxInt64":       `{"v":1,"room":"r","firstAt":10,"lastAt":40,"billedMs":9223372036854775000}`,
		"negative billed":            `{"v":1,"room":"r","firstAt":10,"lastAt":40,"billedMs":-1}`,
		"reason without an end":      `{"v":1,"room":"r","firstAt":10,"lastAt":40,"endReason":"HANGUP"}`,
		"closed after the last end":  `{"v":1,"room":"r","firstAt":10,"lastAt":40,"lastEndAt":20,"closedAt":30}`,
		"data without a room":        `{"v":1,"room":"","firstAt":10,"lastAt":40}`,
		"reason without a room":      `{"v":1,"room":"","endReason":"HANGUP"}`,
	}
	for name, bad := range inconsistent {
		var st gurulize.RoomState
		assert.Error(t, json.Unmarshal([]byte(bad), &st), name)
	}

	for _, bad := range []string{`{"room":"r"}`, `{"v":2,"room":"r"}`, `{"v":1,"room":"r","firstAt":-1}`, `{"v":1,"starts":[-5]}`, `[]`, `{"v":"1"}`} {
		var st gurulize.RoomState
		assert.Error(t, json.Unmarshal([]byte(bad), &st), bad)
	}
}

// call statuses for call 7, at t0 plus whole seconds.
func sts(pairs ...int64) []gurulize.VoiceStatus {
	var out []gurulize.VoiceStatus
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, gurulize.VoiceStatus{ID: 7, Code: gurulize.VoiceStatusCode(pairs[i]), Time: time.Unix(1427116740+pairs[i+1], 0).UTC()})
	}
	return out
}

func foldCall(statuses []gurulize.VoiceStatus) gurulize.CallSummary {
	var st gurulize.CallState
	for _, s := range statuses {
		st.Apply(s)
	}
	return st.Summary()
}

func TestCallStateRules(t *testing.T) {
	t.Parallel()
	sec := func(s int64) time.Time { return time.Unix(1427116740+s, 0).UTC() }
	tests := []struct {
		name     string
		statuses []gurulize.VoiceStatus
		outcome  gurulize.CallOutcome
		final    bool
		talk     time.Duration
		party    gurulize.Party
		endedAt  time.Time
	}{
		{"starting", sts(0, 0), gurulize.OutcomePending, false, 0, "", time.Time{}},
		{"caller connected", sts(0, 0, 1, 3), gurulize.OutcomePending, false, 0, "", time.Time{}},
		{"both connected", sts(0, 0, 1, 3, 2, 9), gurulize.OutcomeInProgress, false, 0, "", time.Time{}},
		{"callee connected, caller's status lost", sts(2, 9), gurulize.OutcomeInProgress, false, 0, "", time.Time{}},
		{"closed after connecting", sts(1, 3, 2, 10, 12, 70, 11, 71), gurulize.OutcomeCompleted, true, 60 * time.Second, "", sec(70)},
		{"closed in the second it connected", sts(1, 3, 2, 10, 11, 10), gurulize.OutcomeCompleted, true, 0, "", sec(10)},
		{"failure before the connection is an earlier attempt", sts(4, 5, 1, 6, 2, 10), gurulize.OutcomeInProgress, true, 0, "", time.Time{}},
		{"failure after the connection ends it", sts(1, 3, 2, 10, 10, 40), gurulize.OutcomeCompleted, true, 0, "", sec(40)},
		{"close before the connection, then another after", sts(2, 10, 11, 5, 11, 50), gurulize.OutcomeCompleted, true, 40 * time.Second, "", sec(50)},
		{"close timed only before the connection", sts(2, 10, 11, 5), gurulize.OutcomeInProgress, true, 0, "", time.Time{}},
		{"out of credits alone", sts(0, 0, 13, 0), gurulize.OutcomeOutOfCredits, true, 0, "", sec(0)},
		{"out of credits wins over a completed call", sts(1, 3, 2, 10, 13, 610, 11, 610, 12, 611), gurulize.OutcomeOutOfCredits, true, 600 * time.Second, "", sec(610)},
		{"out of credits wins over a failure", sts(3, 2, 13, 5), gurulize.OutcomeOutOfCredits, true, 0, "", sec(2)},
		{"busy caller", sts(0, 0, 3, 4), gurulize.OutcomeBusy, true, 0, gurulize.PartyCaller, sec(4)},
		{"busy callee", sts(1, 2, 4, 9), gurulize.OutcomeBusy, true, 0, gurulize.PartyCallee, sec(9)},
		{"rejected callee", sts(1, 2, 6, 9), gurulize.OutcomeRejected, true, 0, gurulize.PartyCallee, sec(9)},
		{"no answer caller", sts(7, 30), gurulize.OutcomeNoAnswer, true, 0, gurulize.PartyCaller, sec(30)},
		{"not connected callee", sts(1, 2, 10, 9), gurulize.OutcomeNotConnected, true, 0, gurulize.PartyCallee, sec(9)},
		{"earliest failure decides", sts(8, 5, 3, 6), gurulize.OutcomeNoAnswer, true, 0, gurulize.PartyCallee, sec(5)},
		{"same second: the lower code decides", sts(8, 5, 3, 5), gurulize.OutcomeBusy, true, 0, gurulize.PartyCaller, sec(5)},
		{"failure wins over an unconnected close", sts(11, 4, 4, 5), gurulize.OutcomeBusy, true, 0, gurulize.PartyCallee, sec(4)},
		{"caller hung up while the callee rang", sts(1, 2, 11, 9), gurulize.OutcomeNotConnected, true, 0, gurulize.PartyCaller, sec(9)},
		{"callee closed first without connecting", sts(12, 8, 11, 9), gurulize.OutcomeNotConnected, true, 0, gurulize.PartyCallee, sec(8)},
		{"both closed in one second without connecting", sts(12, 8, 11, 8), gurulize.OutcomeNotConnected, true, 0, gurulize.PartyCaller, sec(8)},
		{"unknown code only", sts(14, 3), gurulize.OutcomePending, false, 0, "", time.Time{}},
		{"unknown code with a call", sts(1, 2, 2, 5, 99, 6, 12, 20), gurulize.OutcomeCompleted, true, 15 * time.Second, "", sec(20)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := foldCall(tt.statuses)
			assert.Equal(t, tt.outcome, got.Outcome)
			assert.Equal(t, tt.final, got.Final)
			assert.Equal(t, tt.talk, got.TalkTime)
			assert.Equal(t, tt.party, got.FailedParty)
			assert.Equal(t, tt.endedAt, got.EndedAt)
			assert.Equal(t, int64(7), got.ID)
			assert.Equal(t, got, foldCall(reversed(tt.statuses)), "order does not matter")
		})
	}
}

func TestCallStateTimes(t *testing.T) {
	t.Parallel()
	got := foldCall(sts(99, 1, 0, 2, 1, 4, 1, 3, 2, 10, 2, 12, 12, 70))
	assert.Equal(t, gurulize.CallSummary{
		ID:                7,
		Outcome:           gurulize.OutcomeCompleted,
		Final:             true,
		TalkTime:          60 * time.Second,
		StartedAt:         time.Unix(1427116741, 0).UTC(),
		CallerConnectedAt: time.Unix(1427116743, 0).UTC(),
		CalleeConnectedAt: time.Unix(1427116750, 0).UTC(),
		EndedAt:           time.Unix(1427116810, 0).UTC(),
		LastStatusAt:      time.Unix(1427116810, 0).UTC(),
	}, got)
	assert.Equal(t, gurulize.CallSummary{Outcome: gurulize.OutcomePending}, foldCall(nil))
}

func TestCallStateApplyReportsChange(t *testing.T) {
	t.Parallel()
	var st gurulize.CallState
	assert.True(t, st.Summary().StartedAt.IsZero(), "not bound to a call yet")
	first := sts(1, 5)[0]
	assert.True(t, st.Apply(first))
	assert.Equal(t, int64(7), st.Summary().ID)
	assert.False(t, st.Apply(first), "a duplicate changes nothing")
	assert.True(t, st.Apply(sts(1, 9)[0]), "a later instance of a code moves its latest time")
	assert.False(t, st.Apply(sts(1, 7)[0]), "an instance between the known ones adds nothing")

	before := st.Summary()
	for _, s := range []gurulize.VoiceStatus{
		{ID: 7, Code: 2}, // no time
		{ID: 7, Code: 2, Time: time.Unix(-10, 0)},        // before the epoch
		{ID: 8, Code: 2, Time: time.Unix(1427116800, 0)}, // another call
	} {
		assert.False(t, st.Apply(s), "%+v", s)
	}
	assert.Equal(t, before, st.Summary())

	var zeroID gurulize.CallState
	assert.True(t, zeroID.Apply(gurulize.VoiceStatus{ID: 0, Code: 1, Time: time.Unix(5, 0)}))
	assert.False(t, zeroID.Apply(gurulize.VoiceStatus{ID: 3, Code: 2, Time: time.Unix(6, 0)}), "bound to call 0")
}

func TestCallStateJSON(t *testing.T) {
	t.Parallel()
	statuses := loadCall(t, "call-cut-by-credits")
	var whole gurulize.CallState
	for _, s := range statuses {
		whole.Apply(s)
	}
	var stored []byte
	for _, s := range statuses {
		var st gurulize.CallState
		if stored != nil {
			require.NoError(t, json.Unmarshal(stored, &st))
		}
		st.Apply(s)
		var err error
		stored, err = json.Marshal(st)
		require.NoError(t, err)
	}
	var final gurulize.CallState
	require.NoError(t, json.Unmarshal(stored, &final))
	assert.Equal(t, whole.Summary(), final.Summary())
	assert.JSONEq(t, `{"v":1,"id":110,"firstAt":1427116740,"lastAt":1427117350,"statuses":{
		"CALLS_STARTING":[1427116740,1427116740],"CALLER_CONNECTED":[1427116743,1427116743],
		"CALLEE_CONNECTED":[1427116750,1427116750],"OUT_OF_CREDITS":[1427117350,1427117350],
		"CALLER_CLOSED":[1427117350,1427117350],"CALLEE_CLOSED":[1427117350,1427117350]}}`, string(stored))

	zero, err := json.Marshal(gurulize.CallState{})
	require.NoError(t, err)
	assert.JSONEq(t, `{"v":1,"id":0}`, string(zero))
	require.NoError(t, json.Unmarshal([]byte(`null`), &final))
	assert.Equal(t, whole.Summary(), final.Summary())

	for _, bad := range []string{
		`{"id":1}`, `{"v":9,"id":1}`, `{"v":1,"id":1,"firstAt":-1}`, `{"v":1,"id":1,"firstAt":5,"lastAt":4}`,
		`{"v":1,"id":1,"firstAt":1,"lastAt":9,"statuses":{"NEW":[0,2]}}`,
		`{"v":1,"id":1,"firstAt":1,"lastAt":9,"statuses":{"CALLER_BUSY":[0,2]}}`,
		`{"v":1,"id":1,"firstAt":1,"lastAt":9,"statuses":{"CALLER_BUSY":[3,2]}}`,
		`{"v":1,"id":"1"}`, `[]`,
		// A code under another name than its wire name: decoding could
		// depend on which alias the map gives first.
		`{"v":1,"id":1,"firstAt":1,"lastAt":9,"statuses":{"callee_busy":[3,4]}}`,
		`{"v":1,"id":1,"firstAt":1,"lastAt":9,"statuses":{"4":[3,4]}}`,
		`{"v":1,"id":1,"firstAt":1,"lastAt":9,"statuses":{"INIT":[3,4]}}`,
		`{"v":1,"id":1,"firstAt":1,"lastAt":9,"statuses":{"VoiceStatusCode(4)":[3,4]}}`,
		// Statuses without firstAt would bind to whatever call comes next.
		`{"v":1,"id":0,"statuses":{"CALLEE_BUSY":[3,4]}}`,
		`{"v":1,"id":7}`,
		// Statuses outside the call's first and last times.
		`{"v":1,"id":1,"firstAt":5,"lastAt":9,"statuses":{"CALLEE_BUSY":[3,4]}}`,
		`{"v":1,"id":1,"firstAt":5,"lastAt":9,"statuses":{"CALLEE_BUSY":[6,10]}}`,
		`{"v":1,"id":1,"firstAt":5,"lastAt":253402300800}`,
		`{"v":1,"id":-1,"firstAt":5,"lastAt":9}`,
	} {
		var st gurulize.CallState
		assert.Error(t, json.Unmarshal([]byte(bad), &st), bad)
	}
}

// permutations calls fn with every ordering of s (Heap's algorithm).
func permutations[T any](s []T, fn func([]T)) {
	s = append([]T(nil), s...)
	c := make([]int, len(s))
	fn(s)
	for i := 0; i < len(s); {
		if c[i] < i {
			if i%2 == 0 {
				s[0], s[i] = s[i], s[0]
			} else {
				s[c[i]], s[i] = s[i], s[c[i]]
			}
			fn(s)
			c[i]++
			i = 0
		} else {
			c[i] = 0
			i++
		}
	}
}

// withDuplicates returns s shuffled, with about a third of its elements
// delivered again at random places.
func withDuplicates[T any](rng *rand.Rand, s []T) []T {
	out := append([]T(nil), s...)
	for _, v := range s {
		if rng.IntN(3) == 0 {
			out = append(out, v)
		}
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func stateJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// TestRoomOrderAndDuplicatesDoNotMatter applies realistic lifecycles in many
// orders, with redeliveries, and checks that state and summary are the same.
func TestRoomOrderAndDuplicatesDoNotMatter(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, name := range roomLifecycles {
		evs := loadRoom(t, name)
		var ref gurulize.RoomState
		for _, ev := range evs {
			ref.Apply(ev)
		}
		want, wantJSON := ref.Summary(), stateJSON(t, ref)
		for i := range 2000 {
			order := withDuplicates(rng, evs)
			var st gurulize.RoomState
			for _, ev := range order {
				st.Apply(ev)
			}
			require.Equal(t, want, st.Summary(), "%s, shuffle %d", name, i)
			require.Equal(t, wantJSON, stateJSON(t, st), "%s, shuffle %d", name, i)
			for _, ev := range order {
				require.False(t, st.Apply(ev), "%s: applying %v again changed the state", name, ev)
			}
		}
	}
	// Every ordering of a short sequence with ties and redeliveries.
	tricky := []gurulize.VideoEvent{
		vev(gurulize.EventJoin, gurulize.SourceHost, 0),
		vev(gurulize.EventMeetingStarted, gurulize.SourceHost, 10),
		ended(gurulize.SourceHost, 20, gurulize.ReasonHangup, 5*time.Second),
		ended(gurulize.SourceServer, 20, gurulize.ReasonEndMeetingForced, 6*time.Second),
		vev(gurulize.EventMeetingStarted, gurulize.SourceGuest, 20),
		vev(gurulize.EventLeft, gurulize.SourceHost, 20),
		vev(gurulize.EventJoin, gurulize.SourceHost, 20),
		vev(gurulize.EventMeetingStarted, gurulize.SourceHost, 10),
	}
	want := foldRoom(tricky...)
	n := 0
	permutations(tricky, func(order []gurulize.VideoEvent) {
		n++
		if got := foldRoom(order...); got != want {
			t.Fatalf("order %v: got %+v, want %+v", order, got, want)
		}
	})
	assert.Equal(t, 40320, n)
	assert.Equal(t, 2, want.Meetings)
	assert.True(t, want.Ended)
	assert.Equal(t, gurulize.ReasonEndMeetingForced, want.EndReason)
}

func TestCallOrderAndDuplicatesDoNotMatter(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, name := range callLifecycles {
		statuses := loadCall(t, name)
		want := foldCall(statuses)
		var ref gurulize.CallState
		for _, s := range statuses {
			ref.Apply(s)
		}
		wantJSON := stateJSON(t, ref)
		permutations(statuses, func(order []gurulize.VoiceStatus) {
			var st gurulize.CallState
			for _, s := range order {
				st.Apply(s)
			}
			require.Equal(t, want, st.Summary(), name)
			require.Equal(t, wantJSON, stateJSON(t, st), name)
		})
		for range 200 {
			order := withDuplicates(rng, statuses)
			var st gurulize.CallState
			for _, s := range order {
				st.Apply(s)
			}
			require.Equal(t, want, st.Summary(), name)
			for _, s := range order {
				require.False(t, st.Apply(s), "%s: applying %v again changed the state", name, s)
			}
		}
	}
	// A call with repeated codes and odd combinations, in every order.
	odd := sts(0, 0, 1, 2, 4, 3, 1, 5, 2, 8, 11, 6, 2, 9, 10, 30, 12, 40)
	want := foldCall(odd)
	permutations(odd, func(order []gurulize.VoiceStatus) {
		if got := foldCall(order); got != want {
			t.Fatalf("order %v: got %+v, want %+v", order, got, want)
		}
	})
	assert.Equal(t, gurulize.OutcomeCompleted, want.Outcome)
	assert.Equal(t, 32*time.Second, want.TalkTime, "from the first callee connection to the first close after it")
}

func TestRoomTracker(t *testing.T) {
	t.Parallel()
	tr := gurulize.NewRoomTracker()
	_, ok := tr.Room("r")
	assert.False(t, ok)
	assert.Equal(t, gurulize.RoomSummary{}, tr.Apply(gurulize.VideoEvent{Code: gurulize.EventJoin, ReceivedAt: t0}), "no room")
	assert.Equal(t, gurulize.RoomSummary{}, tr.Apply(gurulize.VideoEvent{Code: gurulize.EventJoin, RoomUUID: "r"}), "no time")
	assert.Equal(t, 0, tr.Len(), "ignored events create no room")

	sum := tr.Apply(vev(gurulize.EventJoin, gurulize.SourceHost, 0))
	assert.True(t, sum.HostPresent)
	assert.Equal(t, sum, tr.Apply(gurulize.VideoEvent{Code: gurulize.EventJoin, RoomUUID: "r"}), "an ignored event for a known room returns its summary")

	other := vev(gurulize.EventMeetingStarted, gurulize.SourceGuest, 3_600_000)
	other.RoomUUID = "other"
	tr.Apply(other)
	assert.Equal(t, 2, tr.Len())
	got, ok := tr.Room("other")
	require.True(t, ok)
	assert.Equal(t, 1, got.Meetings)

	got, ok = tr.Room("r")
	require.True(t, ok)
	assert.Equal(t, sum, got)
	_, ok = tr.Room("missing")
	assert.False(t, ok)

	assert.Zero(t, tr.ForgetBefore(t0.Add(time.Minute)), "changed a moment ago: kept, whatever its events' times")
	assert.Equal(t, 2, tr.ForgetBefore(time.Now().Add(time.Second)))
	_, ok = tr.Room("r")
	assert.False(t, ok)
	tr.Apply(other)
	assert.True(t, tr.Forget("other"))
	assert.False(t, tr.Forget("other"))
	assert.Equal(t, 0, tr.Len())

	var zero gurulize.RoomTracker // the zero value works too
	assert.Equal(t, 1, zero.Apply(other).Meetings)
}

func TestCallTracker(t *testing.T) {
	t.Parallel()
	tr := gurulize.NewCallTracker()
	_, ok := tr.Call(7)
	assert.False(t, ok)
	assert.Equal(t, gurulize.CallSummary{}, tr.Apply(gurulize.VoiceStatus{ID: 7, Code: 1}), "no time")
	assert.Equal(t, 0, tr.Len())

	for _, s := range sts(0, 0, 1, 2, 2, 5) {
		tr.Apply(s)
	}
	sum, ok := tr.Call(7)
	require.True(t, ok)
	assert.Equal(t, gurulize.OutcomeInProgress, sum.Outcome)
	assert.Equal(t, sum, tr.Apply(gurulize.VoiceStatus{ID: 7, Code: 12}), "an ignored status for a known call returns its summary")

	later := gurulize.VoiceStatus{ID: 8, Code: 0, Time: time.Unix(1427120000, 0).UTC()}
	tr.Apply(later)
	assert.Equal(t, 2, tr.Len())
	got, ok := tr.Call(7)
	require.True(t, ok)
	assert.Equal(t, sum, got)
	_, ok = tr.Call(99)
	assert.False(t, ok)

	assert.Zero(t, tr.ForgetBefore(time.Unix(1427116800, 0)), "changed a moment ago: kept, whatever its statuses' times")
	assert.Equal(t, 2, tr.ForgetBefore(time.Now().Add(time.Second)))
	_, ok = tr.Call(7)
	assert.False(t, ok)
	tr.Apply(later)
	assert.True(t, tr.Forget(8))
	assert.False(t, tr.Forget(8))
	assert.Equal(t, 0, tr.Len())

	var zero gurulize.CallTracker
	assert.Equal(t, gurulize.OutcomePending, zero.Apply(later).Outcome)
}

// TestTrackersConcurrentUse feeds shuffled, redelivered lifecycles of many
// rooms and calls from several goroutines; run it with -race.
func TestTrackersConcurrentUse(t *testing.T) {
	t.Parallel()
	rooms, calls := gurulize.NewRoomTracker(), gurulize.NewCallTracker()
	roomEvs := loadRoom(t, "room-two-breaks-forced")
	callSts := loadCall(t, "call-completed")
	const copies = 40
	var roomWork []gurulize.VideoEvent
	var callWork []gurulize.VoiceStatus
	for i := range copies {
		for _, ev := range roomEvs {
			ev.RoomUUID = fmt.Sprintf("room-%d", i)
			roomWork = append(roomWork, ev, ev)
		}
		for _, s := range callSts {
			s.ID = int64(i)
			callWork = append(callWork, s, s)
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	rng.Shuffle(len(roomWork), func(i, j int) { roomWork[i], roomWork[j] = roomWork[j], roomWork[i] })
	rng.Shuffle(len(callWork), func(i, j int) { callWork[i], callWork[j] = callWork[j], callWork[i] })

	const workers = 8
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(roomWork); i += workers {
				rooms.Apply(roomWork[i])
				rooms.Room(roomWork[i].RoomUUID)
			}
			for i := w; i < len(callWork); i += workers {
				calls.Apply(callWork[i])
				calls.Call(callWork[i].ID)
			}
			rooms.Len()
			calls.Len()
		}()
	}
	wg.Wait()

	wantRoom := foldRoom(roomEvs...)
	wantCall := foldCall(callSts)
	require.Equal(t, copies, rooms.Len())
	require.Equal(t, copies, calls.Len())
	for i := range copies {
		got, ok := rooms.Room(fmt.Sprintf("room-%d", i))
		require.True(t, ok)
		wantRoom.RoomUUID = fmt.Sprintf("room-%d", i)
		assert.Equal(t, wantRoom, got)
		gotCall, ok := calls.Call(int64(i))
		require.True(t, ok)
		wantCall.ID = int64(i)
		assert.Equal(t, wantCall, gotCall)
	}
}

func BenchmarkRoomTrackerApplyDuplicates(b *testing.B) {
	evs := loadRoom(b, "room-two-breaks-forced")
	tr := gurulize.NewRoomTracker()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tr.Apply(evs[i%len(evs)])
	}
}

func BenchmarkRoomTrackerApplyParallel(b *testing.B) {
	evs := loadRoom(b, "room-two-breaks-forced")
	tr := gurulize.NewRoomTracker()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			tr.Apply(evs[i%len(evs)])
			i++
		}
	})
}

// TestForgetBeforeBoundsMemoryWhenTimestampsLie: entries whose events carry
// far-future timestamps are dropped once the tracker has not changed them
// since the cutoff, so memory stays bounded whatever the callbacks claim.
func TestForgetBeforeBoundsMemoryWhenTimestampsLie(t *testing.T) {
	t.Parallel()
	rooms, calls := gurulize.NewRoomTracker(), gurulize.NewCallTracker()
	future := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	for i := range 1000 {
		rooms.Apply(gurulize.VideoEvent{Code: gurulize.EventJoin, Source: gurulize.SourceHost, RoomUUID: fmt.Sprint("r", i), ReceivedAt: future})
		calls.Apply(gurulize.VoiceStatus{ID: int64(i), Code: gurulize.StatusCallsStarting, Time: future})
	}
	require.Equal(t, 1000, rooms.Len())
	assert.Zero(t, rooms.ForgetBefore(time.Now().Add(-time.Hour)), "changed within the hour: kept")
	assert.Zero(t, calls.ForgetBefore(time.Now().Add(-time.Hour)))
	assert.Equal(t, 1000, rooms.ForgetBefore(time.Now().Add(time.Hour)), "not changed since the cutoff: dropped, whatever the events claim")
	assert.Equal(t, 1000, calls.ForgetBefore(time.Now().Add(time.Hour)))
	assert.Zero(t, rooms.Len())
	assert.Zero(t, calls.Len())
}

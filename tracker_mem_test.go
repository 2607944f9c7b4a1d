// This file holds the benchmarks of what a tracked room and a tracked call
// cost in memory (BenchmarkRoomTrackerMemory, BenchmarkCallTrackerMemory),
// beside a plain map holding the same summary fields (the baseline).

package gurulize_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gurulize/gurulize-go"
)

// memSizes are the entry counts measured: the heap of 1M entries is
// reported in MiB as well. Under -short (CI runs every benchmark once that
// way) only 10,000 are built, so that the benchmark only proves it runs.
func memSizes() []int {
	if testing.Short() {
		return []int{10_000}
	}
	return []int{100_000, 1_000_000}
}

// built is the last build a memory benchmark measured. testing calls a
// benchmark's function once with b.N = 1 and again with a larger b.N on the
// same *testing.B (once more under -benchtime=100x), and each run of -count
// gets a new *testing.B; keeping the build for its *testing.B makes every
// run build and measure once, whatever b.N. Only one build is kept, so the
// previous one is garbage before the next is measured.
var built struct {
	b      *testing.B
	heap   float64        // bytes of live heap the entries added
	lookup func(int) bool // looks up entry i, reporting whether it is there
}

// liveHeap collects garbage and returns the bytes of live heap.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// benchMemory builds n entries with build, once per run (see built), and
// reports the live heap they added per entry, as bytes/<unit>, and, for 1M
// entries, in all, as MiB/1M-<unit>s. Each of the b.N operations is one
// lookup of an entry, so that ns/op compares the lookups of the two.
func benchMemory(b *testing.B, n int, unit string, build func() (lookup func(int) bool)) {
	if built.b != b {
		b.StopTimer()
		built.b, built.lookup = nil, nil
		before := liveHeap()
		lookup := build()
		after := liveHeap()
		built.b, built.heap, built.lookup = b, float64(after)-float64(before), lookup
		b.StartTimer()
	}
	for i := range b.N {
		if !built.lookup(i % n) {
			b.Fatalf("%s %d is not held", unit, i%n)
		}
	}
	b.ReportMetric(built.heap/float64(n), "bytes/"+unit)
	if n == 1_000_000 {
		b.ReportMetric(built.heap/(1<<20), "MiB/1M-"+unit+"s")
	}
}

// roomUUID returns the i-th room's UUID, 36 characters as the provider's.
func roomUUID(i int) string { return fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i) }

// roomEvents returns a room's callbacks, in order: both parties join, the
// room is activated, a meeting starts and ends after 30 minutes. Each event
// has its own copy of the UUID, as each parsed callback has.
func roomEvents(uuid string, at time.Time) []gurulize.VideoEvent {
	ev := func(code gurulize.VideoEventCode, src gurulize.EventSource, at time.Time) gurulize.VideoEvent {
		return gurulize.VideoEvent{Code: code, Source: src, ReceivedAt: at, RoomUUID: strings.Clone(uuid)}
	}
	end := ev(gurulize.EventMeetingEnded, gurulize.SourceHost, at.Add(30*time.Minute))
	end.Reason, end.MeetingTotalDuration = gurulize.ReasonHangup, 30*time.Minute
	return []gurulize.VideoEvent{
		ev(gurulize.EventJoin, gurulize.SourceHost, at),
		ev(gurulize.EventJoin, gurulize.SourceGuest, at.Add(time.Second)),
		ev(gurulize.EventRoomActivated, gurulize.SourceGuest, at.Add(time.Second)),
		ev(gurulize.EventMeetingStarted, gurulize.SourceGuest, at.Add(time.Second)),
		end,
	}
}

// plainRoom is what the baseline keeps of a room: RoomSummary's fields, the
// UUID being the map's key.
type plainRoom struct {
	Activated, Ended, HostPresent, GuestPresent, Expected bool
	Meetings                                              int
	Billed                                                time.Duration
	EndReason                                             gurulize.EndReason
	ActivatedAt, LastEndedAt, FirstEventAt, LastEventAt   time.Time
	ScheduledEnd                                          time.Time
}

// applyPlainRoom folds ev into rooms as hand-written code that trusts its
// events' order would.
func applyPlainRoom(rooms map[string]plainRoom, ev gurulize.VideoEvent) {
	r := rooms[ev.RoomUUID]
	if r.FirstEventAt.IsZero() {
		r.FirstEventAt = ev.ReceivedAt
	}
	r.LastEventAt = ev.ReceivedAt
	switch ev.Code {
	case gurulize.EventJoin:
		r.HostPresent = r.HostPresent || ev.Source == gurulize.SourceHost
		r.GuestPresent = r.GuestPresent || ev.Source == gurulize.SourceGuest
	case gurulize.EventRoomActivated:
		r.Activated, r.ActivatedAt = true, ev.ReceivedAt
	case gurulize.EventMeetingStarted:
		r.Meetings, r.Ended = r.Meetings+1, false
	case gurulize.EventMeetingEnded:
		r.Ended, r.EndReason, r.LastEndedAt, r.Billed = true, ev.Reason, ev.ReceivedAt, ev.MeetingTotalDuration
	}
	rooms[ev.RoomUUID] = r
}

// BenchmarkRoomTrackerMemory measures the live heap of 100k and 1M rooms,
// each built from its callbacks (see roomEvents), in a RoomTracker (sdk)
// and in a map of plainRoom (baseline). The figures include each room's
// UUID strings; they do not depend on b.N.
func BenchmarkRoomTrackerMemory(b *testing.B) {
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	for _, n := range memSizes() {
		uuids := make([]string, n) // the lookups' keys, made before measuring
		for i := range uuids {
			uuids[i] = roomUUID(i)
		}
		b.Run(fmt.Sprintf("rooms=%d", n), func(b *testing.B) {
			b.Run("impl=baseline", func(b *testing.B) {
				benchMemory(b, n, "room", func() func(int) bool {
					rooms := make(map[string]plainRoom)
					for i, uuid := range uuids {
						for _, ev := range roomEvents(uuid, t0.Add(time.Duration(i)*time.Millisecond)) {
							applyPlainRoom(rooms, ev)
						}
					}
					if r := rooms[uuids[0]]; len(rooms) != n || !r.Ended || r.Meetings != 1 || !r.Activated {
						b.Fatalf("%d rooms, the first %+v", len(rooms), r)
					}
					return func(i int) bool { _, ok := rooms[uuids[i]]; return ok }
				})
			})
			b.Run("impl=sdk", func(b *testing.B) {
				benchMemory(b, n, "room", func() func(int) bool {
					tr := gurulize.NewRoomTracker()
					for i, uuid := range uuids {
						for _, ev := range roomEvents(uuid, t0.Add(time.Duration(i)*time.Millisecond)) {
							tr.Apply(ev)
						}
					}
					if r, _ := tr.Room(uuids[0]); tr.Len() != n || !r.Ended || r.Meetings != 1 || !r.Activated {
						b.Fatalf("%d rooms, the first %+v", tr.Len(), r)
					}
					return func(i int) bool { _, ok := tr.Room(uuids[i]); return ok }
				})
			})
		})
	}
}

// callStatuses returns a call's statuses, in order: the call starts, the
// caller and then the callee connect, and the callee hangs up after 5
// minutes.
func callStatuses(id int64, at time.Time) []gurulize.VoiceStatus {
	return []gurulize.VoiceStatus{
		{ID: id, Code: gurulize.StatusCallsStarting, Time: at},
		{ID: id, Code: gurulize.StatusCallerConnected, Time: at.Add(5 * time.Second)},
		{ID: id, Code: gurulize.StatusCalleeConnected, Time: at.Add(15 * time.Second)},
		{ID: id, Code: gurulize.StatusCalleeClosed, Time: at.Add(315 * time.Second)},
	}
}

// plainCall is what the baseline keeps of a call: CallSummary's fields, the
// ID being the map's key.
type plainCall struct {
	Outcome                                                  gurulize.CallOutcome
	Final, Expected                                          bool
	TalkTime                                                 time.Duration
	FailedParty                                              gurulize.Party
	StartedAt, CallerConnectedAt, CalleeConnectedAt, EndedAt time.Time
	LastStatusAt, Deadline                                   time.Time
}

// applyPlainCall folds st into calls as hand-written code that trusts its
// statuses' order would.
func applyPlainCall(calls map[int64]plainCall, st gurulize.VoiceStatus) {
	c := calls[st.ID]
	if c.StartedAt.IsZero() {
		c.StartedAt, c.Outcome = st.Time, gurulize.OutcomePending
	}
	c.LastStatusAt = st.Time
	switch st.Code {
	case gurulize.StatusCallerConnected:
		c.CallerConnectedAt = st.Time
	case gurulize.StatusCalleeConnected:
		c.CalleeConnectedAt, c.Outcome = st.Time, gurulize.OutcomeInProgress
	case gurulize.StatusCallerClosed, gurulize.StatusCalleeClosed:
		c.Final, c.EndedAt, c.Outcome = true, st.Time, gurulize.OutcomeCompleted
		c.TalkTime = st.Time.Sub(c.CalleeConnectedAt)
	}
	calls[st.ID] = c
}

// BenchmarkCallTrackerMemory measures the live heap of 100k and 1M calls,
// each built from its statuses (see callStatuses), in a CallTracker (sdk)
// and in a map of plainCall (baseline). The figures do not depend on b.N.
func BenchmarkCallTrackerMemory(b *testing.B) {
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	for _, n := range memSizes() {
		b.Run(fmt.Sprintf("calls=%d", n), func(b *testing.B) {
			b.Run("impl=baseline", func(b *testing.B) {
				benchMemory(b, n, "call", func() func(int) bool {
					calls := make(map[int64]plainCall)
					for i := range n {
						for _, st := range callStatuses(int64(i), t0.Add(time.Duration(i)*time.Second)) {
							applyPlainCall(calls, st)
						}
					}
					if c := calls[0]; len(calls) != n || !c.Final || c.TalkTime != 5*time.Minute {
						b.Fatalf("%d calls, the first %+v", len(calls), c)
					}
					return func(i int) bool { _, ok := calls[int64(i)]; return ok }
				})
			})
			b.Run("impl=sdk", func(b *testing.B) {
				benchMemory(b, n, "call", func() func(int) bool {
					tr := gurulize.NewCallTracker()
					for i := range n {
						for _, st := range callStatuses(int64(i), t0.Add(time.Duration(i)*time.Second)) {
							tr.Apply(st)
						}
					}
					if c, _ := tr.Call(0); tr.Len() != n || !c.Final || c.TalkTime != 5*time.Minute {
						b.Fatalf("%d calls, the first %+v", tr.Len(), c)
					}
					return func(i int) bool { _, ok := tr.Call(int64(i)); return ok }
				})
			})
		})
	}
}

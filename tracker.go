// This file holds RoomTracker and CallTracker: a RoomState per room and a
// CallState per call, in memory, safe for concurrent use.

package gurulize

import (
	"cmp"
	"encoding/binary"
	"hash/maphash"
	"slices"
	"sync"
	"time"
)

// numShards is the number of independently locked parts of a tracker. A
// scan (ForgetBefore, Overdue) locks one part at a time, so an Apply waits
// at most for one part's share of the entries: at 1M entries, about 4,000,
// well under a millisecond, where one lock over all of them stalled Apply
// for 190-380 ms (BenchmarkTrackerApplyWaitDuringScan).
const numShards = 256

// shardSeed spreads keys over the shards; random per process, so that
// chosen room UUIDs or call IDs cannot pile into one shard.
var shardSeed = maphash.MakeSeed()

// states holds a fold state per key (a room's UUID, a call's ID), spread
// over shards by the key's hash, with when the tracker last changed each,
// by its clock.
type states[K comparable, S any] struct {
	shards [numShards]shard[K, S]
}

// shard is one part of a tracker's states under its own lock.
type shard[K comparable, S any] struct {
	mu   sync.Mutex
	m    map[K]*entry[S]
	peak int // the most entries m has held: Go maps never shrink, so shrink rebuilds m
}

type entry[S any] struct {
	state   S
	changed int64 // Unix nanoseconds, by the tracker's clock (time.Now)
}

func (s *states[K, S]) at(hash uint64) *shard[K, S] { return &s.shards[hash%numShards] }

// apply runs fn, which reports whether it changed the state, on k's state
// (a new one if k has none, kept only if fn changed it), and returns a copy
// of the state and whether the tracker holds one.
func (sh *shard[K, S]) apply(k K, fn func(*S) bool) (S, bool) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e, ok := sh.m[k]
	if !ok {
		e = new(entry[S])
	}
	if !fn(&e.state) {
		return e.state, ok
	}
	if sh.m == nil {
		sh.m = make(map[K]*entry[S])
	}
	sh.m[k], e.changed = e, time.Now().UnixNano()
	sh.peak = max(sh.peak, len(sh.m))
	return e.state, true
}

func (sh *shard[K, S]) get(k K) (S, bool) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e, ok := sh.m[k]
	if !ok {
		e = new(entry[S])
	}
	return e.state, ok
}

func (sh *shard[K, S]) forget(k K) bool {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	_, ok := sh.m[k]
	delete(sh.m, k)
	sh.shrink()
	return ok
}

// shrink rebuilds the map once it holds under a quarter of its peak, so
// that memory follows the entries down after mass forgetting; the rebuild
// costs O(entries), paid for by the deletions since the last one.
func (sh *shard[K, S]) shrink() {
	if sh.peak < 64 || len(sh.m) > sh.peak/4 {
		return
	}
	m := make(map[K]*entry[S], len(sh.m))
	for k, e := range sh.m {
		m[k] = e
	}
	sh.m, sh.peak = m, len(m)
}

func (s *states[K, S]) len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}

// forgetBefore drops the states not changed since cutoff, by the tracker's
// clock, one shard at a time, and returns how many it dropped.
func (s *states[K, S]) forgetBefore(cutoff time.Time) int {
	c, n := cutoff.UnixNano(), 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		for k, e := range sh.m {
			if e.changed < c {
				delete(sh.m, k)
				n++
			}
		}
		sh.shrink()
		sh.mu.Unlock()
	}
	return n
}

// collect returns copies of the states match accepts, one shard at a time;
// the result grows outside the locks.
func (s *states[K, S]) collect(match func(*S) bool) []S {
	var out, part []S
	for i := range s.shards {
		sh := &s.shards[i]
		part = part[:0]
		sh.mu.Lock()
		for _, e := range sh.m {
			if match(&e.state) {
				part = append(part, e.state)
			}
		}
		sh.mu.Unlock()
		out = append(out, part...)
	}
	return out
}

func roomShard(uuid string) uint64 { return maphash.String(shardSeed, uuid) }

func callShard(id int64) uint64 {
	return maphash.Bytes(shardSeed, binary.LittleEndian.AppendUint64(make([]byte, 0, 8), uint64(id)))
}

// RoomTracker folds video events into a RoomState per room, in memory. It is
// safe for concurrent use; applying an event twice changes nothing, and the
// order in which a room's events arrive does not matter (see RoomState).
// Expect records the rooms the application created, so that Overdue can
// list those whose MEETING_ENDED never came, and a summary with Expected
// false shows a room the application never created.
//
// It keeps every room it has seen until told to forget it: call Forget once
// a room's summary is final and stored, or ForgetBefore now and then, so a
// long-running server's memory stays bounded. An event for a forgotten room
// starts it afresh. The zero value is an empty tracker.
type RoomTracker struct{ rooms states[string, RoomState] }

// NewRoomTracker returns an empty RoomTracker.
func NewRoomTracker() *RoomTracker { return &RoomTracker{} }

// Apply folds ev into its room's state and returns the room's summary. An
// event RoomState.Apply ignores (no RoomUUID, no time) creates no room; the
// summary returned is then the room's current one, or the zero summary.
func (t *RoomTracker) Apply(ev VideoEvent) RoomSummary {
	st, ok := t.rooms.at(roomShard(ev.RoomUUID)).apply(ev.RoomUUID, func(s *RoomState) bool { return s.Apply(ev) })
	if !ok {
		return RoomSummary{}
	}
	return st.Summary()
}

// Expect records that the application created room with req (what
// CreateVideoRoom returned and was given): the room's summary gets Expected
// true and ScheduledEnd req.StartAt + req.Duration (see RoomState.Expect).
// Events applied before or after it fold the same way, and repeating it
// changes nothing. A nil room, or one with an empty UUID, is ignored.
func (t *RoomTracker) Expect(room *VideoRoom, req VideoRoomRequest) {
	if room == nil {
		return
	}
	t.rooms.at(roomShard(room.UUID)).apply(room.UUID, func(s *RoomState) bool { return s.Expect(room, req) })
}

// Overdue returns the expected rooms whose ScheduledEnd + grace is before
// now and that have not Ended (their MEETING_ENDED never came, or nobody
// entered: Activated false), earliest ScheduledEnd first, then by UUID. It
// locks one part of the tracker at a time, so Apply is never held up for
// long; a room changed during the scan may or may not be listed.
func (t *RoomTracker) Overdue(now time.Time, grace time.Duration) []RoomSummary {
	states := t.rooms.collect(func(s *RoomState) bool { return s.overdue(now, grace) })
	out := make([]RoomSummary, len(states))
	for i := range states {
		out[i] = states[i].Summary()
	}
	slices.SortFunc(out, func(a, b RoomSummary) int {
		return cmp.Or(a.ScheduledEnd.Compare(b.ScheduledEnd), cmp.Compare(a.RoomUUID, b.RoomUUID))
	})
	return out
}

// Room returns the summary of the room uuid, and whether the tracker knows it.
func (t *RoomTracker) Room(uuid string) (RoomSummary, bool) {
	st, ok := t.rooms.at(roomShard(uuid)).get(uuid)
	if !ok {
		return RoomSummary{}, false
	}
	return st.Summary(), true
}

// Forget drops the room uuid and reports whether the tracker knew it.
func (t *RoomTracker) Forget(uuid string) bool { return t.rooms.at(roomShard(uuid)).forget(uuid) }

// ForgetBefore drops every room that neither Apply nor Expect has changed
// since cutoff, such as time.Now().Add(-24*time.Hour), by the tracker's
// clock (time.Now when the change happened), whatever times its events
// carry: a late callback keeps its room, and events with far-future times
// cannot keep one forever. It returns how many rooms it dropped. It locks
// one part of the tracker at a time (at 1M rooms, Apply waits well under
// 10 ms), and rebuilds a part that lost most of its rooms, so that memory
// shrinks too.
func (t *RoomTracker) ForgetBefore(cutoff time.Time) int { return t.rooms.forgetBefore(cutoff) }

// Len returns the number of rooms the tracker holds.
func (t *RoomTracker) Len() int { return t.rooms.len() }

// CallTracker folds voice statuses into a CallState per call, in memory, as
// RoomTracker does for rooms: safe for concurrent use, indifferent to
// duplicates and order (see CallState), holding each call until Forget or
// ForgetBefore drops it. Expect records the calls the application
// registered, for Overdue and Expected. The zero value is an empty tracker.
type CallTracker struct{ calls states[int64, CallState] }

// NewCallTracker returns an empty CallTracker.
func NewCallTracker() *CallTracker { return &CallTracker{} }

// Apply folds st into its call's state and returns the call's summary. A
// status CallState.Apply ignores (no time) creates no call; the summary
// returned is then the call's current one, or the zero summary.
func (t *CallTracker) Apply(st VoiceStatus) CallSummary {
	cs, ok := t.calls.at(callShard(st.ID)).apply(st.ID, func(s *CallState) bool { return s.Apply(st) })
	if !ok {
		return CallSummary{}
	}
	return cs.Summary()
}

// Expect records that the application registered the call reg with req
// (what RegisterCall returned and was given): the call's summary gets
// Expected true and Deadline, the time of the first Expect by the
// tracker's clock (time.Now) + req.MaxDuration, in whole milliseconds (see
// CallState.Expect). Statuses applied before or after it fold the same way,
// and repeating it changes nothing. A nil reg, or a negative ID, is ignored.
func (t *CallTracker) Expect(reg *CallRegistration, req CallRequest) {
	if reg == nil {
		return
	}
	t.calls.at(callShard(reg.ID)).apply(reg.ID, func(s *CallState) bool { return s.Expect(reg, req, time.Now()) })
}

// Overdue returns the expected calls whose Deadline + grace is before now
// and that are not Final (no terminal status came), earliest Deadline
// first, then by ID. Like RoomTracker.Overdue, it never holds up Apply for
// long.
func (t *CallTracker) Overdue(now time.Time, grace time.Duration) []CallSummary {
	states := t.calls.collect(func(s *CallState) bool { return s.overdue(now, grace) })
	out := make([]CallSummary, len(states))
	for i := range states {
		out[i] = states[i].Summary()
	}
	slices.SortFunc(out, func(a, b CallSummary) int {
		return cmp.Or(a.Deadline.Compare(b.Deadline), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// Call returns the summary of the call id, and whether the tracker knows it.
func (t *CallTracker) Call(id int64) (CallSummary, bool) {
	cs, ok := t.calls.at(callShard(id)).get(id)
	if !ok {
		return CallSummary{}, false
	}
	return cs.Summary(), true
}

// Forget drops the call id and reports whether the tracker knew it.
func (t *CallTracker) Forget(id int64) bool { return t.calls.at(callShard(id)).forget(id) }

// ForgetBefore drops every call that neither Apply nor Expect has changed
// since cutoff, by the tracker's clock, as RoomTracker.ForgetBefore does for
// rooms, and returns how many it dropped.
func (t *CallTracker) ForgetBefore(cutoff time.Time) int { return t.calls.forgetBefore(cutoff) }

// Len returns the number of calls the tracker holds.
func (t *CallTracker) Len() int { return t.calls.len() }

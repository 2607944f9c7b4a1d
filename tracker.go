// This file holds RoomTracker and CallTracker: a RoomState per room and a
// CallState per call, in memory, safe for concurrent use.

package gurulize

import (
	"sync"
	"time"
)

// states holds a fold state per key (a room's UUID, a call's ID) under one
// lock, with when the tracker last changed each, by the wall clock.
// Callbacks arrive at human speed: the load test passes 50,000 a second
// through one lock (BENCHMARKS.md).
type states[K comparable, S any] struct {
	mu sync.Mutex
	m  map[K]*entry[S]
}

type entry[S any] struct {
	state   S
	changed time.Time
}

// apply runs fn, which reports whether it changed the state, on k's state
// (a new one if k has none, kept only if fn changed it), and returns a copy
// of the state and whether the tracker holds one.
func (s *states[K, S]) apply(k K, fn func(*S) bool) (S, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[k]
	if !ok {
		e = new(entry[S])
	}
	if !fn(&e.state) {
		return e.state, ok
	}
	if s.m == nil {
		s.m = make(map[K]*entry[S])
	}
	s.m[k], e.changed = e, time.Now()
	return e.state, true
}

func (s *states[K, S]) get(k K) (S, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[k]
	if !ok {
		e = new(entry[S])
	}
	return e.state, ok
}

func (s *states[K, S]) forget(k K) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.m[k]
	delete(s.m, k)
	return ok
}

func (s *states[K, S]) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

// forgetBefore drops the states not changed since cutoff, or whose latest
// event is before it, and returns how many it dropped.
func (s *states[K, S]) forgetBefore(cutoff time.Time, lastEvent func(*S) time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.m)
	for k, e := range s.m {
		if e.changed.Before(cutoff) || lastEvent(&e.state).Before(cutoff) {
			delete(s.m, k)
		}
	}
	return n - len(s.m)
}

// RoomTracker folds video events into a RoomState per room, in memory. It is
// safe for concurrent use; applying an event twice changes nothing, and the
// order in which a room's events arrive does not matter (see RoomState).
//
// It keeps every room it has seen until told to forget it: call Forget once
// a room's summary is final and stored, or ForgetBefore now and then, so a
// long-running server's memory stays bounded. An event for a forgotten room
// starts it afresh.
type RoomTracker struct{ rooms states[string, RoomState] }

// NewRoomTracker returns an empty RoomTracker.
func NewRoomTracker() *RoomTracker { return &RoomTracker{} }

// Apply folds ev into its room's state and returns the room's summary. An
// event RoomState.Apply ignores (no RoomUUID, no time) creates no room; the
// summary returned is then the room's current one, or the zero summary.
func (t *RoomTracker) Apply(ev VideoEvent) RoomSummary {
	st, ok := t.rooms.apply(ev.RoomUUID, func(s *RoomState) bool { return s.Apply(ev) })
	if !ok {
		return RoomSummary{}
	}
	return st.Summary()
}

// Room returns the summary of the room uuid, and whether the tracker knows it.
func (t *RoomTracker) Room(uuid string) (RoomSummary, bool) {
	st, ok := t.rooms.get(uuid)
	if !ok {
		return RoomSummary{}, false
	}
	return st.Summary(), true
}

// Forget drops the room uuid and reports whether the tracker knew it.
func (t *RoomTracker) Forget(uuid string) bool { return t.rooms.forget(uuid) }

// ForgetBefore drops every room quiet since cutoff, such as
// time.Now().Add(-24*time.Hour): its latest event is before cutoff, or the
// tracker has not changed it since then (by the wall clock, so that events
// with far-future timestamps cannot keep a room forever). It returns how
// many rooms it dropped.
func (t *RoomTracker) ForgetBefore(cutoff time.Time) int {
	return t.rooms.forgetBefore(cutoff, func(s *RoomState) time.Time { return fromMillis(s.d.LastAt) })
}

// Len returns the number of rooms the tracker holds.
func (t *RoomTracker) Len() int { return t.rooms.len() }

// CallTracker folds voice statuses into a CallState per call, in memory, as
// RoomTracker does for rooms: safe for concurrent use, indifferent to
// duplicates and order (see CallState), holding each call until Forget or
// ForgetBefore drops it.
type CallTracker struct{ calls states[int64, CallState] }

// NewCallTracker returns an empty CallTracker.
func NewCallTracker() *CallTracker { return &CallTracker{} }

// Apply folds st into its call's state and returns the call's summary. A
// status CallState.Apply ignores (no time) creates no call; the summary
// returned is then the call's current one, or the zero summary.
func (t *CallTracker) Apply(st VoiceStatus) CallSummary {
	cs, ok := t.calls.apply(st.ID, func(s *CallState) bool { return s.Apply(st) })
	if !ok {
		return CallSummary{}
	}
	return cs.Summary()
}

// Call returns the summary of the call id, and whether the tracker knows it.
func (t *CallTracker) Call(id int64) (CallSummary, bool) {
	cs, ok := t.calls.get(id)
	if !ok {
		return CallSummary{}, false
	}
	return cs.Summary(), true
}

// Forget drops the call id and reports whether the tracker knew it.
func (t *CallTracker) Forget(id int64) bool { return t.calls.forget(id) }

// ForgetBefore drops every call quiet since cutoff, as
// RoomTracker.ForgetBefore does for rooms, and returns how many it dropped.
func (t *CallTracker) ForgetBefore(cutoff time.Time) int {
	return t.calls.forgetBefore(cutoff, func(s *CallState) time.Time { return fromSeconds(s.lastAt) })
}

// Len returns the number of calls the tracker holds.
func (t *CallTracker) Len() int { return t.calls.len() }

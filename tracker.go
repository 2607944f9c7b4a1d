// This file holds RoomTracker and CallTracker: a RoomState per room and a
// CallState per call, in memory, safe for concurrent use.

package gurulize

import (
	"sync"
	"time"
)

// states holds one fold state per key (a room's UUID, a call's ID) under
// one lock, with the wall-clock time the tracker last changed each: the
// part RoomTracker and CallTracker share. Callbacks arrive at human speed;
// the load test shows one lock is far from a bottleneck (BENCHMARKS.md).
type states[K comparable, S any] struct {
	mu sync.Mutex
	m  map[K]*entry[S]
}

type entry[S any] struct {
	state   S
	changed time.Time
}

// apply runs fn on k's state, created if missing, under the lock, and
// returns a copy of the state and whether the tracker holds one. fn reports
// whether it changed the state; a new state it did not change (an event
// the state ignores) is not kept.
func (s *states[K, S]) apply(k K, fn func(*S) bool) (S, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.m[k]
	switch {
	case e == nil:
		e = new(entry[S])
		if !fn(&e.state) {
			return e.state, false
		}
		if s.m == nil {
			s.m = make(map[K]*entry[S])
		}
		s.m[k] = e
	case !fn(&e.state):
		return e.state, true
	}
	e.changed = time.Now()
	return e.state, true
}

// get returns a copy of k's state and whether there is one.
func (s *states[K, S]) get(k K) (S, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.m[k]; e != nil {
		return e.state, true
	}
	var zero S
	return zero, false
}

// forget drops k's state and reports whether there was one.
func (s *states[K, S]) forget(k K) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.m[k]
	delete(s.m, k)
	return ok
}

// len returns the number of states held.
func (s *states[K, S]) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

// forgetBefore drops every state the tracker has not changed since cutoff,
// or whose latest event, by its own timestamp, is before cutoff, and
// returns how many it dropped.
func (s *states[K, S]) forgetBefore(cutoff time.Time, lastEvent func(*S) time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, e := range s.m {
		if e.changed.Before(cutoff) || lastEvent(&e.state).Before(cutoff) {
			delete(s.m, k)
			n++
		}
	}
	return n
}

// RoomTracker folds video events into a RoomState per room, in memory. It is
// safe for concurrent use; applying an event twice changes nothing, and the
// order in which a room's events arrive does not matter (see RoomState).
//
// A tracker keeps every room it has seen until told to forget it: call
// Forget once a room's summary is final and stored, or ForgetBefore now and
// then, so a long-running server's memory stays bounded. An event for a
// forgotten room starts it afresh.
type RoomTracker struct {
	rooms states[string, RoomState]
}

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

// ForgetBefore drops every room that has been quiet since cutoff, such as
// time.Now().Add(-24*time.Hour): its latest event is before cutoff, or the
// tracker has not changed it since cutoff (by the wall clock, so that rooms
// whose events carry far-future timestamps are dropped too). It returns how
// many rooms it dropped.
func (t *RoomTracker) ForgetBefore(cutoff time.Time) int {
	return t.rooms.forgetBefore(cutoff, func(s *RoomState) time.Time { return fromMillis(s.lastAt) })
}

// Len returns the number of rooms the tracker holds.
func (t *RoomTracker) Len() int { return t.rooms.len() }

// CallTracker folds voice statuses into a CallState per call, in memory. It
// is safe for concurrent use; applying a status twice changes nothing, and
// the order in which a call's statuses arrive does not matter (see
// CallState).
//
// A tracker keeps every call it has seen until told to forget it: call
// Forget once a call's summary is final and stored, or ForgetBefore now and
// then, so a long-running server's memory stays bounded. A status for a
// forgotten call starts it afresh.
type CallTracker struct {
	calls states[int64, CallState]
}

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

// ForgetBefore drops every call that has been quiet since cutoff, such as
// time.Now().Add(-24*time.Hour): its latest status is before cutoff, or the
// tracker has not changed it since cutoff (by the wall clock, so that calls
// whose statuses carry far-future timestamps are dropped too). It returns
// how many calls it dropped.
func (t *CallTracker) ForgetBefore(cutoff time.Time) int {
	return t.calls.forgetBefore(cutoff, func(s *CallState) time.Time { return fromSeconds(s.lastAt) })
}

// Len returns the number of calls the tracker holds.
func (t *CallTracker) Len() int { return t.calls.len() }

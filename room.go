// This file holds RoomState, the fold of one room's video events, and
// RoomSummary, what they add up to.

package gurulize

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"
)

// RoomSummary is what a room's video events add up to. See RoomState for
// the rules.
type RoomSummary struct {
	RoomUUID     string
	Activated    bool          // ROOM_ACTIVATED seen
	Meetings     int           // distinct MEETING_STARTED events (by time), at most 1,000
	Billed       time.Duration // the largest meetingTotalDuration seen: the provider's running total, never a sum
	Ended        bool          // a MEETING_ENDED was seen and no MEETING_STARTED is later than the latest one
	EndReason    EndReason     // reason of the latest MEETING_ENDED; "" if none or it had none
	HostPresent  bool          // the host's latest JOIN is later than their latest LEFT and any END_MEETING / END_MEETING_FORCED
	GuestPresent bool          // the same for the guest
	ActivatedAt  time.Time     // the ROOM_ACTIVATED event; zero if none
	LastEndedAt  time.Time     // the latest MEETING_ENDED; zero if none
	FirstEventAt time.Time     // the earliest event of any code
	LastEventAt  time.Time     // the latest event of any code
}

// maxMeetings bounds the distinct MEETING_STARTED events a RoomState
// remembers, and so its size (see RoomState).
const maxMeetings = 1000

// RoomState is the fold of one room's video events: a value that can be
// copied (a copy evolves independently of the original), compared through
// its Summary, and stored as JSON. The zero value is an empty state; the
// first event applied binds it to that event's room. RoomTracker keeps one
// per room in memory; to share state between several servers, keep it in
// your own database instead (see examples/postgres).
//
// The rules, all on event times (ReceivedAt) and never on arrival order:
//   - Activated: a ROOM_ACTIVATED was seen; ActivatedAt is the earliest.
//   - Meetings: the number of distinct MEETING_STARTED times. Two starts in
//     the same millisecond are one meeting, so a redelivered start is not
//     counted twice. At most 1,000 are remembered, which bounds the size of
//     the state; real rooms have a handful, and past the bound Meetings
//     stays at 1,000.
//   - Billed: the largest meetingTotalDuration of any event, since the
//     provider sends a running total.
//   - Ended: a MEETING_ENDED was seen and no MEETING_STARTED is later than
//     the latest one (a start in the same millisecond is not later).
//   - EndReason: the reason of the latest MEETING_ENDED. When several end in
//     the same millisecond, END_MEETING_FORCED wins over END_MEETING, over
//     HANGUP, over an unknown reason (the greatest string of those), over none.
//   - HostPresent, GuestPresent: the party's latest JOIN is later than both
//     its latest LEFT and the latest MEETING_ENDED with reason END_MEETING or
//     END_MEETING_FORCED (which end the meeting for everyone). A JOIN and a
//     LEFT in the same millisecond leave the party absent. Events from other
//     sources do not change presence.
//   - FirstEventAt, LastEventAt: the earliest and latest event of any code,
//     unknown codes included.
//
// Times are kept in whole milliseconds, as on the wire. Apply ignores an
// event without a RoomUUID, with a ReceivedAt not after the Unix epoch, or
// for another room than the state's.
type RoomState struct {
	room        string
	firstAt     int64 // Unix milliseconds, as every time below; 0 means none
	lastAt      int64
	activatedAt int64 // earliest ROOM_ACTIVATED
	starts      meetingStarts
	lastStart   int64 // latest MEETING_STARTED, remembered even past maxMeetings
	lastEnd     int64 // latest MEETING_ENDED
	endReason   EndReason
	closedAt    int64 // latest MEETING_ENDED with END_MEETING or END_MEETING_FORCED
	billed      int64 // largest meetingTotalDuration, milliseconds
	hostJoin    int64
	hostLeft    int64
	guestJoin   int64
	guestLeft   int64
}

// meetingStarts is the sorted list of a room's distinct MEETING_STARTED
// times, which copies of a RoomState share: each copy keeps its own slice of
// the array, whose elements never change once written. A new latest time is
// written in place, past the end of every copy's slice, by the one copy that
// claims that place first; any other change builds a new array. So adding
// the latest start costs amortised O(1) instead of a copy of every earlier
// one, and a copy stays independent of the original, on any goroutine.
type meetingStarts struct {
	times []int64
	used  *atomic.Int64 // how much of times' array some copy has claimed
}

// add records a start time and reports whether it is new.
func (m *meetingStarts) add(at int64) bool {
	i, found := slices.BinarySearch(m.times, at)
	n := len(m.times)
	if found || n >= maxMeetings {
		return false
	}
	if i == n && n < cap(m.times) && m.used != nil && m.used.CompareAndSwap(int64(n), int64(n+1)) {
		m.times = append(m.times, at)
		return true
	}
	times := make([]int64, n+1, 2*n+2)
	copy(times, m.times[:i])
	times[i] = at
	copy(times[i+1:], m.times[i:])
	m.times, m.used = times, new(atomic.Int64)
	m.used.Store(int64(n + 1))
	return true
}

// Apply folds ev into the state and reports whether the state changed; it is
// false for a duplicate, for an event that adds nothing, and for an event
// Apply ignores (see RoomState).
func (s *RoomState) Apply(ev VideoEvent) bool {
	at := ev.ReceivedAt.UnixMilli()
	if ev.RoomUUID == "" || at <= 0 || (s.room != "" && s.room != ev.RoomUUID) {
		return false
	}
	changed := s.room == ""
	s.room = ev.RoomUUID
	changed = lower(&s.firstAt, at) || changed
	changed = raise(&s.lastAt, at) || changed
	changed = raise(&s.billed, ev.MeetingTotalDuration.Milliseconds()) || changed
	switch ev.Code {
	case EventRoomActivated:
		changed = lower(&s.activatedAt, at) || changed
	case EventMeetingStarted:
		changed = s.starts.add(at) || changed
		changed = raise(&s.lastStart, at) || changed
	case EventMeetingEnded:
		if at > s.lastEnd || (at == s.lastEnd && reasonAfter(ev.Reason, s.endReason)) {
			s.lastEnd, s.endReason, changed = at, ev.Reason, true
		}
		if ev.Reason == ReasonEndMeeting || ev.Reason == ReasonEndMeetingForced {
			changed = raise(&s.closedAt, at) || changed
		}
	case EventJoin, EventLeft:
		if p := s.presence(ev.Code, ev.Source); p != nil {
			changed = raise(p, at) || changed
		}
	}
	return changed
}

// presence returns the time a JOIN or LEFT of a party is kept in, or nil
// for a source whose presence is not tracked.
func (s *RoomState) presence(code VideoEventCode, source EventSource) *int64 {
	switch {
	case source == SourceHost && code == EventJoin:
		return &s.hostJoin
	case source == SourceHost:
		return &s.hostLeft
	case source == SourceGuest && code == EventJoin:
		return &s.guestJoin
	case source == SourceGuest:
		return &s.guestLeft
	}
	return nil
}

// reasonAfter reports whether a MEETING_ENDED with reason a supersedes one
// with reason b in the same millisecond (see RoomState).
func reasonAfter(a, b EndReason) bool {
	if ra, rb := reasonRank(a), reasonRank(b); ra != rb {
		return ra > rb
	}
	return a > b
}

func reasonRank(r EndReason) int {
	switch r {
	case "":
		return 0
	case ReasonHangup:
		return 2
	case ReasonEndMeeting:
		return 3
	case ReasonEndMeetingForced:
		return 4
	}
	return 1
}

// Summary returns what the events applied so far add up to.
func (s RoomState) Summary() RoomSummary {
	return RoomSummary{
		RoomUUID:     s.room,
		Activated:    s.activatedAt != 0,
		Meetings:     len(s.starts.times),
		Billed:       time.Duration(s.billed) * time.Millisecond,
		Ended:        s.lastEnd != 0 && s.lastStart <= s.lastEnd,
		EndReason:    s.endReason,
		HostPresent:  s.hostJoin > max(s.hostLeft, s.closedAt),
		GuestPresent: s.guestJoin > max(s.guestLeft, s.closedAt),
		ActivatedAt:  fromMillis(s.activatedAt),
		LastEndedAt:  fromMillis(s.lastEnd),
		FirstEventAt: fromMillis(s.firstAt),
		LastEventAt:  fromMillis(s.lastAt),
	}
}

// stateVersion is the version of the JSON encoding of RoomState and
// CallState, written as "v". Decoding refuses other versions.
const stateVersion = 1

// roomStateJSON is the stored form of a RoomState. Times are Unix
// milliseconds; absent means none.
type roomStateJSON struct {
	V           int       `json:"v"`
	Room        string    `json:"room"`
	FirstAt     int64     `json:"firstAt,omitempty"`
	LastAt      int64     `json:"lastAt,omitempty"`
	ActivatedAt int64     `json:"activatedAt,omitempty"`
	Starts      []int64   `json:"starts,omitempty"`
	LastStartAt int64     `json:"lastStartAt,omitempty"`
	LastEndAt   int64     `json:"lastEndAt,omitempty"`
	EndReason   EndReason `json:"endReason,omitempty"`
	ClosedAt    int64     `json:"closedAt,omitempty"`
	BilledMS    int64     `json:"billedMs,omitempty"`
	HostJoinAt  int64     `json:"hostJoinAt,omitempty"`
	HostLeftAt  int64     `json:"hostLeftAt,omitempty"`
	GuestJoinAt int64     `json:"guestJoinAt,omitempty"`
	GuestLeftAt int64     `json:"guestLeftAt,omitempty"`
}

// MarshalJSON encodes the state as a versioned JSON object, times in Unix
// milliseconds, for storage.
func (s RoomState) MarshalJSON() ([]byte, error) {
	return json.Marshal(roomStateJSON{
		V: stateVersion, Room: s.room, FirstAt: s.firstAt, LastAt: s.lastAt,
		ActivatedAt: s.activatedAt, Starts: s.starts.times, LastStartAt: s.lastStart,
		LastEndAt: s.lastEnd, EndReason: s.endReason, ClosedAt: s.closedAt,
		BilledMS: s.billed, HostJoinAt: s.hostJoin, HostLeftAt: s.hostLeft,
		GuestJoinAt: s.guestJoin, GuestLeftAt: s.guestLeft,
	})
}

// UnmarshalJSON decodes what MarshalJSON wrote, replacing the whole state.
// JSON null leaves the state unchanged. It refuses, with an error saying
// why, another version and any state Apply cannot produce: times out of
// range or outside [firstAt, lastAt], start times out of order, repeated or
// more than 1,000, a billed time time.Duration cannot hold, an
// end reason without an end, or data without a room.
func (s *RoomState) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	var w roomStateJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("gurulize: decoding RoomState: %w", err)
	}
	if err := w.check(); err != nil {
		return fmt.Errorf("gurulize: decoding RoomState: %w", err)
	}
	*s = RoomState{
		room: w.Room, firstAt: w.FirstAt, lastAt: w.LastAt, activatedAt: w.ActivatedAt,
		starts: meetingStarts{times: slices.Clip(w.Starts)}, lastStart: w.LastStartAt, lastEnd: w.LastEndAt,
		endReason: w.EndReason, closedAt: w.ClosedAt, billed: w.BilledMS,
		hostJoin: w.HostJoinAt, hostLeft: w.HostLeftAt, guestJoin: w.GuestJoinAt, guestLeft: w.GuestLeftAt,
	}
	return nil
}

// check reports why w is not a state Apply can produce, or nil.
func (w *roomStateJSON) check() error {
	times := append([]int64{w.ActivatedAt, w.LastStartAt, w.LastEndAt, w.ClosedAt,
		w.HostJoinAt, w.HostLeftAt, w.GuestJoinAt, w.GuestLeftAt}, w.Starts...)
	switch {
	case w.V != stateVersion:
		return fmt.Errorf("unsupported version %d", w.V)
	case w.Room == "":
		if w.FirstAt != 0 || w.LastAt != 0 || w.BilledMS != 0 || w.EndReason != "" || slices.ContainsFunc(times, func(t int64) bool { return t != 0 }) {
			return errors.New("data without a room")
		}
		return nil
	case w.FirstAt <= 0 || w.LastAt < w.FirstAt || w.LastAt > maxUnixMillis:
		return fmt.Errorf("firstAt %d and lastAt %d are not an interval of Unix milliseconds", w.FirstAt, w.LastAt)
	case w.BilledMS < 0 || w.BilledMS > maxDurationMS:
		return fmt.Errorf("billedMs %d is out of range", w.BilledMS)
	case len(w.Starts) > maxMeetings:
		return fmt.Errorf("%d start times, more than %d", len(w.Starts), maxMeetings)
	case len(w.Starts) < maxMeetings && w.LastStartAt != lastOf(w.Starts),
		len(w.Starts) == maxMeetings && w.LastStartAt < lastOf(w.Starts):
		return errors.New("lastStartAt is not the latest start time")
	case w.EndReason != "" && w.LastEndAt == 0:
		return errors.New("an end reason without an end")
	case w.ClosedAt > w.LastEndAt:
		return errors.New("closedAt is after lastEndAt")
	}
	for i, t := range w.Starts {
		if t <= 0 || i > 0 && t <= w.Starts[i-1] {
			return errors.New("start times are not in increasing order")
		}
	}
	for _, t := range times {
		if t != 0 && (t < w.FirstAt || t > w.LastAt) {
			return fmt.Errorf("time %d is outside firstAt %d and lastAt %d", t, w.FirstAt, w.LastAt)
		}
	}
	return nil
}

// lastOf returns the last element of s, or 0.
func lastOf(s []int64) int64 {
	if len(s) == 0 {
		return 0
	}
	return s[len(s)-1]
}

// lower sets *p to v if *p is unset (0) or later than v.
func lower(p *int64, v int64) bool {
	if *p == 0 || v < *p {
		*p = v
		return true
	}
	return false
}

// raise sets *p to v if v is later.
func raise(p *int64, v int64) bool {
	if v > *p {
		*p = v
		return true
	}
	return false
}

func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

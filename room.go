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

// maxMeetings bounds the MEETING_STARTED times a RoomState remembers.
const maxMeetings = 1000

// RoomState is the fold of one room's video events: a value that can be
// copied (a copy evolves independently of the original) and stored as JSON.
// The zero value is an empty state; the first event applied binds it to
// that event's room. RoomTracker keeps one per room in memory; to share
// state between servers, keep it in your database (see examples/postgres).
//
// The rules, on event times (ReceivedAt, kept in whole milliseconds as on
// the wire), never on arrival order:
//   - Activated: a ROOM_ACTIVATED was seen; ActivatedAt is the earliest.
//   - Meetings: the number of distinct MEETING_STARTED times, so a
//     redelivered start counts once. At most 1,000 are remembered, which
//     bounds the state's size; past that, Meetings stays at 1,000.
//   - Billed: the largest meetingTotalDuration, a running total.
//   - Ended: a MEETING_ENDED was seen and no MEETING_STARTED is later than
//     the latest one (one in the same millisecond is not later).
//   - EndReason: the reason of the latest MEETING_ENDED; in the same
//     millisecond END_MEETING_FORCED wins over END_MEETING, over HANGUP, over
//     an unknown reason (the greatest string of those), over none.
//   - HostPresent, GuestPresent: the party's latest JOIN is later than its
//     latest LEFT and the latest MEETING_ENDED with reason END_MEETING or
//     END_MEETING_FORCED, which end the meeting for everyone. A JOIN and a
//     LEFT in the same millisecond leave the party absent.
//   - FirstEventAt, LastEventAt: the earliest and latest event, unknown
//     codes included.
//
// Apply ignores an event without a RoomUUID, with a ReceivedAt not after
// the Unix epoch, or for another room than the state's.
type RoomState struct {
	d    roomData
	used *atomic.Int64 // see addStart
}

// roomData is a room's state as stored: times in Unix milliseconds, 0 for
// none.
type roomData struct {
	V           int       `json:"v"`
	Room        string    `json:"room"`
	FirstAt     int64     `json:"firstAt,omitempty"`
	LastAt      int64     `json:"lastAt,omitempty"`
	ActivatedAt int64     `json:"activatedAt,omitempty"` // the earliest ROOM_ACTIVATED
	Starts      []int64   `json:"starts,omitempty"`      // the distinct MEETING_STARTED times, sorted
	LastStartAt int64     `json:"lastStartAt,omitempty"` // the latest MEETING_STARTED, also past 1,000
	LastEndAt   int64     `json:"lastEndAt,omitempty"`
	EndReason   EndReason `json:"endReason,omitempty"`
	ClosedAt    int64     `json:"closedAt,omitempty"` // the latest END_MEETING or END_MEETING_FORCED
	BilledMS    int64     `json:"billedMs,omitempty"`
	HostJoinAt  int64     `json:"hostJoinAt,omitempty"`
	HostLeftAt  int64     `json:"hostLeftAt,omitempty"`
	GuestJoinAt int64     `json:"guestJoinAt,omitempty"`
	GuestLeftAt int64     `json:"guestLeftAt,omitempty"`
}

// addStart records a MEETING_STARTED time and reports whether it is new.
// Copies of a state share the array of Starts, whose elements never change
// once written: a new latest time is written in place, past the end of
// every copy's slice, only by the one copy that claims that place first
// (used counts the array's claimed elements); any other change builds a new
// array. So a new start costs amortised O(1), not a copy of every earlier
// one, and copies stay independent, even on different goroutines.
func (s *RoomState) addStart(at int64) bool {
	starts := s.d.Starts
	i, found := slices.BinarySearch(starts, at)
	n := len(starts)
	if found || n >= maxMeetings {
		return false
	}
	if i == n && n < cap(starts) && s.used != nil && s.used.CompareAndSwap(int64(n), int64(n+1)) {
		s.d.Starts = append(starts, at)
		return true
	}
	s.d.Starts = slices.Insert(append(make([]int64, 0, 2*n+2), starts...), i, at)
	s.used = new(atomic.Int64)
	s.used.Store(int64(n + 1))
	return true
}

// Apply folds ev into the state and reports whether the state changed; it is
// false for a duplicate, for an event that adds nothing, and for an event
// Apply ignores (see RoomState).
func (s *RoomState) Apply(ev VideoEvent) bool {
	d, at := &s.d, ev.ReceivedAt.UnixMilli()
	if ev.RoomUUID == "" || at <= 0 || (d.Room != "" && d.Room != ev.RoomUUID) {
		return false
	}
	changed := d.Room == ""
	d.Room = ev.RoomUUID
	changed = lower(&d.FirstAt, at) || changed
	changed = raise(&d.LastAt, at) || changed
	changed = raise(&d.BilledMS, ev.MeetingTotalDuration.Milliseconds()) || changed
	switch {
	case ev.Code == EventRoomActivated:
		changed = lower(&d.ActivatedAt, at) || changed
	case ev.Code == EventMeetingStarted:
		changed = s.addStart(at) || changed
		changed = raise(&d.LastStartAt, at) || changed
	case ev.Code == EventMeetingEnded:
		if at > d.LastEndAt || (at == d.LastEndAt && reasonAfter(ev.Reason, d.EndReason)) {
			d.LastEndAt, d.EndReason, changed = at, ev.Reason, true
		}
		if ev.Reason == ReasonEndMeeting || ev.Reason == ReasonEndMeetingForced {
			changed = raise(&d.ClosedAt, at) || changed
		}
	case ev.Code == EventJoin && ev.Source == SourceHost:
		changed = raise(&d.HostJoinAt, at) || changed
	case ev.Code == EventLeft && ev.Source == SourceHost:
		changed = raise(&d.HostLeftAt, at) || changed
	case ev.Code == EventJoin && ev.Source == SourceGuest:
		changed = raise(&d.GuestJoinAt, at) || changed
	case ev.Code == EventLeft && ev.Source == SourceGuest:
		changed = raise(&d.GuestLeftAt, at) || changed
	}
	return changed
}

// reasonRanks orders the reasons of MEETING_ENDED events in the same
// millisecond (see RoomState); an unknown reason ranks 1.
var reasonRanks = map[EndReason]int{"": 0, ReasonHangup: 2, ReasonEndMeeting: 3, ReasonEndMeetingForced: 4}

// reasonAfter reports whether a MEETING_ENDED with reason a supersedes one
// with reason b in the same millisecond.
func reasonAfter(a, b EndReason) bool {
	rank := func(r EndReason) int {
		if v, ok := reasonRanks[r]; ok {
			return v
		}
		return 1
	}
	return rank(a) > rank(b) || rank(a) == rank(b) && a > b
}

// Summary returns what the events applied so far add up to.
func (s RoomState) Summary() RoomSummary {
	d := s.d
	return RoomSummary{
		RoomUUID:     d.Room,
		Activated:    d.ActivatedAt != 0,
		Meetings:     len(d.Starts),
		Billed:       time.Duration(d.BilledMS) * time.Millisecond,
		Ended:        d.LastEndAt != 0 && d.LastStartAt <= d.LastEndAt,
		EndReason:    d.EndReason,
		HostPresent:  d.HostJoinAt > max(d.HostLeftAt, d.ClosedAt),
		GuestPresent: d.GuestJoinAt > max(d.GuestLeftAt, d.ClosedAt),
		ActivatedAt:  fromMillis(d.ActivatedAt),
		LastEndedAt:  fromMillis(d.LastEndAt),
		FirstEventAt: fromMillis(d.FirstAt),
		LastEventAt:  fromMillis(d.LastAt),
	}
}

// stateVersion is the version of the JSON encoding of RoomState and
// CallState, written as "v". Decoding refuses other versions.
const stateVersion = 1

// MarshalJSON encodes the state as a versioned JSON object, times in Unix
// milliseconds, for storage.
func (s RoomState) MarshalJSON() ([]byte, error) {
	d := s.d
	d.V = stateVersion
	return json.Marshal(d)
}

// UnmarshalJSON decodes what MarshalJSON wrote, replacing the whole state;
// JSON null leaves it unchanged. It refuses, saying why, another version
// and any state Apply cannot produce: times out of range or outside
// [firstAt, lastAt], start times out of order, repeated or more than 1,000,
// a billed time time.Duration cannot hold, an end reason without an end,
// data without a room.
func (s *RoomState) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	var d roomData
	err := json.Unmarshal(data, &d)
	if err == nil {
		err = d.check()
	}
	if err != nil {
		return fmt.Errorf("gurulize: decoding RoomState: %w", err)
	}
	d.Starts = slices.Clip(d.Starts)
	*s = RoomState{d: d}
	return nil
}

// check reports why d is not a state Apply can produce, or nil.
func (d *roomData) check() error {
	times := append([]int64{d.ActivatedAt, d.LastStartAt, d.LastEndAt, d.ClosedAt,
		d.HostJoinAt, d.HostLeftAt, d.GuestJoinAt, d.GuestLeftAt}, d.Starts...)
	var last int64 // the latest start time
	if n := len(d.Starts); n > 0 {
		last = d.Starts[n-1]
	}
	switch {
	case d.V != stateVersion:
		return fmt.Errorf("unsupported version %d", d.V)
	case d.Room == "" && (d.FirstAt != 0 || d.LastAt != 0 || d.BilledMS != 0 || d.EndReason != "" || len(d.Starts) > 0 ||
		slices.ContainsFunc(times, func(t int64) bool { return t != 0 })):
		return errors.New("data without a room")
	case d.Room == "":
		return nil
	case d.FirstAt <= 0 || d.LastAt < d.FirstAt || d.LastAt > maxUnixMillis:
		return fmt.Errorf("firstAt %d and lastAt %d are not an interval of Unix milliseconds", d.FirstAt, d.LastAt)
	case d.BilledMS < 0 || d.BilledMS > maxDurationMS:
		return fmt.Errorf("billedMs %d is out of range", d.BilledMS)
	case len(d.Starts) > maxMeetings:
		return fmt.Errorf("%d start times, more than %d", len(d.Starts), maxMeetings)
	case d.LastStartAt < last || len(d.Starts) < maxMeetings && d.LastStartAt != last:
		return errors.New("lastStartAt is not the latest start time")
	case d.EndReason != "" && d.LastEndAt == 0 || d.ClosedAt > d.LastEndAt:
		return errors.New("an end reason or closedAt without the end it belongs to")
	}
	for i, t := range d.Starts {
		if t <= 0 || i > 0 && t <= d.Starts[i-1] {
			return errors.New("start times are not in increasing order")
		}
	}
	for _, t := range times {
		if t != 0 && (t < d.FirstAt || t > d.LastAt) {
			return fmt.Errorf("time %d is outside firstAt %d and lastAt %d", t, d.FirstAt, d.LastAt)
		}
	}
	return nil
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

// This file holds RoomState, the fold of one room's video events, and
// RoomSummary, what they add up to.

package gurulize

import (
	"slices"
	"sync/atomic"
	"time"
	"unicode/utf8"
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
	FirstEventAt time.Time     // the earliest event of any code; zero if none
	LastEventAt  time.Time     // the latest event of any code; zero if none
	Expected     bool          // Expect recorded the room: the application created it; false for a room known only from callbacks
	ScheduledEnd time.Time     // the expected request's StartAt + Duration, UTC, whole milliseconds; zero if not expected
}

// Overdue reports whether s is an expected room whose ScheduledEnd + grace
// is before now and that has not Ended: its MEETING_ENDED never came, or
// nobody entered it (then Activated is false). A room without a
// ScheduledEnd is never overdue.
func (s RoomSummary) Overdue(now time.Time, grace time.Duration) bool {
	return s.Expected && !s.ScheduledEnd.IsZero() && !s.Ended && now.After(s.ScheduledEnd.Add(grace))
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
// Expect records that the application created the room (see Expect);
// events and the expectation fold the same whichever comes first.
//
// Apply ignores an event without a RoomUUID or with one that is not valid
// UTF-8, with a ReceivedAt not after the Unix epoch or past the year 9999,
// or for another room than the state's: none could be stored.
type RoomState struct {
	d     roomData
	used  *atomic.Int64 // see addStart
	later *later        // what a later version stored that this one does not understand
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
	Expected    bool      `json:"expected,omitempty"`     // Expect was called
	ScheduledAt int64     `json:"scheduledEnd,omitempty"` // the latest StartAt + Duration given to Expect
}

// roomKeys are the keys of roomData's JSON form.
var roomKeys = []string{"v", "room", "firstAt", "lastAt", "activatedAt", "starts", "lastStartAt", "lastEndAt",
	"endReason", "closedAt", "billedMs", "hostJoinAt", "hostLeftAt", "guestJoinAt", "guestLeftAt", "expected", "scheduledEnd"}

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
	if !validID(ev.RoomUUID) || at <= 0 || at > maxUnixMillis || (d.Room != "" && d.Room != ev.RoomUUID) {
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

// Expect records that the application created room with req, as
// CreateVideoRoom returned and took them: the state binds to room.UUID,
// Expected becomes true and ScheduledEnd req.StartAt + req.Duration (in whole
// milliseconds; the latest, if several requests are given for one room). A
// StartAt that is zero, or an end outside the years 1970 to 9999, leaves
// ScheduledEnd zero. Expect reports whether the state changed; it is false
// when repeated, and for a nil room, a UUID that is empty or not valid
// UTF-8, or another room than the state's.
func (s *RoomState) Expect(room *VideoRoom, req VideoRoomRequest) bool {
	d := &s.d
	if room == nil || !validID(room.UUID) || (d.Room != "" && d.Room != room.UUID) {
		return false
	}
	changed := d.Room == "" || !d.Expected
	d.Room, d.Expected = room.UUID, true
	if end := req.StartAt.Add(req.Duration).UnixMilli(); !req.StartAt.IsZero() && end > 0 && end <= maxUnixMillis {
		changed = raise(&d.ScheduledAt, end) || changed
	}
	return changed
}

// validID reports whether id can name a room in a stored state: not empty,
// and valid UTF-8, which JSON would otherwise alter.
func validID(id string) bool { return id != "" && utf8.ValidString(id) }

// ended reports whether the room's meeting has ended (see RoomSummary.Ended).
func (d *roomData) ended() bool { return d.LastEndAt != 0 && d.LastStartAt <= d.LastEndAt }

// overdue is RoomSummary.Overdue without building the summary.
func (s *RoomState) overdue(now time.Time, grace time.Duration) bool {
	d := &s.d
	return d.Expected && d.ScheduledAt != 0 && !d.ended() && now.After(fromMillis(d.ScheduledAt).Add(grace))
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
		Ended:        d.ended(),
		EndReason:    d.EndReason,
		HostPresent:  d.HostJoinAt > max(d.HostLeftAt, d.ClosedAt),
		GuestPresent: d.GuestJoinAt > max(d.GuestLeftAt, d.ClosedAt),
		ActivatedAt:  fromMillis(d.ActivatedAt),
		LastEndedAt:  fromMillis(d.LastEndAt),
		FirstEventAt: fromMillis(d.FirstAt),
		LastEventAt:  fromMillis(d.LastAt),
		Expected:     d.Expected,
		ScheduledEnd: fromMillis(d.ScheduledAt),
	}
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

package gurulize

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// Folding callbacks into state.
//
// The provider may deliver a callback more than once and in any order, so
// RoomState and CallState keep only aggregates that do not care: earliest
// and latest times, flags, maxima, and (for rooms) the set of meeting start
// times. Applying an event is a join: applying it again changes nothing, and
// applying a set of events in any order gives the same state. Summaries are
// computed from that state, never from arrival order.

// RoomSummary is what a room's video events add up to. See RoomState for
// the rules.
type RoomSummary struct {
	RoomUUID     string
	Activated    bool          // ROOM_ACTIVATED seen
	Meetings     int           // distinct MEETING_STARTED events (by time), at most MaxTrackedMeetings
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

// LogValue implements slog.LogValuer.
func (s RoomSummary) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("room_uuid", s.RoomUUID),
		slog.Bool("activated", s.Activated),
		slog.Int("meetings", s.Meetings),
		slog.Duration("billed", s.Billed),
		slog.Bool("ended", s.Ended),
		slog.String("end_reason", string(s.EndReason)),
		slog.Bool("host_present", s.HostPresent),
		slog.Bool("guest_present", s.GuestPresent),
		slog.Time("last_event_at", s.LastEventAt),
	)
}

// MaxTrackedMeetings bounds the distinct MEETING_STARTED events a RoomState
// remembers, and so its size. Real rooms have a handful; past the bound,
// RoomSummary.Meetings stays at MaxTrackedMeetings.
const MaxTrackedMeetings = 1000

// RoomState is the fold of one room's video events: a value that can be
// copied, compared through its Summary, and stored as JSON. The zero value
// is an empty state; the first event applied binds it to that event's room.
// RoomTracker keeps one per room in memory; to share state between several
// servers, keep it in your own database instead and, in one transaction,
// load it, Apply the event and store it.
//
// The rules, all on event times (ReceivedAt) and never on arrival order:
//   - Activated: a ROOM_ACTIVATED was seen; ActivatedAt is the earliest.
//   - Meetings: the number of distinct MEETING_STARTED times. Two starts in
//     the same millisecond are one meeting, so a redelivered start is not
//     counted twice. At most MaxTrackedMeetings are remembered.
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
	firstAt     int64   // Unix milliseconds, as every time below; 0 means none
	lastAt      int64   //
	activatedAt int64   // earliest ROOM_ACTIVATED
	starts      []int64 // distinct MEETING_STARTED times, sorted; replaced, never written in place, so copies stay independent
	lastStart   int64   // latest MEETING_STARTED, remembered even past MaxTrackedMeetings
	lastEnd     int64   // latest MEETING_ENDED
	endReason   EndReason
	closedAt    int64 // latest MEETING_ENDED with END_MEETING or END_MEETING_FORCED
	billed      int64 // largest meetingTotalDuration, milliseconds
	hostJoin    int64
	hostLeft    int64
	guestJoin   int64
	guestLeft   int64
}

// RoomUUID returns the room the state is bound to, "" before the first event.
func (s RoomState) RoomUUID() string { return s.room }

// Apply folds ev into the state and reports whether the state changed; it is
// false for a duplicate, for an event that adds nothing, and for an event
// Apply ignores (see RoomState). Apply costs O(1), but for a new meeting
// start, which copies the list of start times.
func (s *RoomState) Apply(ev VideoEvent) bool {
	at := ev.ReceivedAt.UnixMilli()
	if ev.RoomUUID == "" || at <= 0 || (s.room != "" && s.room != ev.RoomUUID) {
		return false
	}
	changed := false
	if s.room == "" {
		s.room, changed = ev.RoomUUID, true
	}
	changed = lower(&s.firstAt, at) || changed
	changed = raise(&s.lastAt, at) || changed
	if billed := ev.MeetingTotalDuration.Milliseconds(); billed > s.billed {
		s.billed, changed = billed, true
	}
	switch ev.Code {
	case EventRoomActivated:
		changed = lower(&s.activatedAt, at) || changed
	case EventMeetingStarted:
		changed = s.addStart(at) || changed
		changed = raise(&s.lastStart, at) || changed
	case EventMeetingEnded:
		if at > s.lastEnd || (at == s.lastEnd && reasonAfter(ev.Reason, s.endReason)) {
			s.lastEnd, s.endReason, changed = at, ev.Reason, true
		}
		if ev.Reason == ReasonEndMeeting || ev.Reason == ReasonEndMeetingForced {
			changed = raise(&s.closedAt, at) || changed
		}
	case EventJoin:
		switch ev.Source {
		case SourceHost:
			changed = raise(&s.hostJoin, at) || changed
		case SourceGuest:
			changed = raise(&s.guestJoin, at) || changed
		}
	case EventLeft:
		switch ev.Source {
		case SourceHost:
			changed = raise(&s.hostLeft, at) || changed
		case SourceGuest:
			changed = raise(&s.guestLeft, at) || changed
		}
	}
	return changed
}

// addStart records a meeting start time, keeping starts sorted. It builds a
// new slice rather than writing into the old one, which copies of the state
// may share.
func (s *RoomState) addStart(at int64) bool {
	i, found := slices.BinarySearch(s.starts, at)
	if found || len(s.starts) >= MaxTrackedMeetings {
		return false
	}
	starts := make([]int64, len(s.starts)+1)
	copy(starts, s.starts[:i])
	starts[i] = at
	copy(starts[i+1:], s.starts[i:])
	s.starts = starts
	return true
}

// reasonAfter reports whether a MEETING_ENDED with reason a supersedes one
// with reason b at the same millisecond.
func reasonAfter(a, b EndReason) bool {
	ra, rb := reasonRank(a), reasonRank(b)
	if ra != rb {
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
		Meetings:     len(s.starts),
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
		ActivatedAt: s.activatedAt, Starts: s.starts, LastStartAt: s.lastStart,
		LastEndAt: s.lastEnd, EndReason: s.endReason, ClosedAt: s.closedAt,
		BilledMS: s.billed, HostJoinAt: s.hostJoin, HostLeftAt: s.hostLeft,
		GuestJoinAt: s.guestJoin, GuestLeftAt: s.guestLeft,
	})
}

// UnmarshalJSON decodes what MarshalJSON wrote, replacing the whole state.
// It fails on another version or a negative time, and restores the order of
// the start times. JSON null leaves the state unchanged.
func (s *RoomState) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	var w roomStateJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("gurulize: decoding RoomState: %w", err)
	}
	if w.V != stateVersion {
		return fmt.Errorf("gurulize: decoding RoomState: unsupported version %d", w.V)
	}
	for _, v := range append([]int64{w.FirstAt, w.LastAt, w.ActivatedAt, w.LastStartAt, w.LastEndAt,
		w.ClosedAt, w.BilledMS, w.HostJoinAt, w.HostLeftAt, w.GuestJoinAt, w.GuestLeftAt}, w.Starts...) {
		if v < 0 {
			return fmt.Errorf("gurulize: decoding RoomState: negative value %d", v)
		}
	}
	starts := slices.Compact(slices.Sorted(slices.Values(w.Starts)))
	starts = slices.DeleteFunc(starts, func(v int64) bool { return v == 0 })
	if len(starts) > MaxTrackedMeetings {
		starts = starts[:MaxTrackedMeetings]
	}
	if len(starts) == 0 {
		starts = nil
	} else {
		w.LastStartAt = max(w.LastStartAt, starts[len(starts)-1])
	}
	*s = RoomState{
		room: w.Room, firstAt: w.FirstAt, lastAt: w.LastAt, activatedAt: w.ActivatedAt,
		starts: slices.Clip(starts), lastStart: w.LastStartAt, lastEnd: w.LastEndAt,
		endReason: w.EndReason, closedAt: w.ClosedAt, billed: w.BilledMS,
		hostJoin: w.HostJoinAt, hostLeft: w.HostLeftAt, guestJoin: w.GuestJoinAt, guestLeft: w.GuestLeftAt,
	}
	return nil
}

// CallOutcome is how a click-to-call turned out, as far as its statuses tell.
type CallOutcome string

// The outcomes of a call. See CallState for how they are decided.
const (
	OutcomePending      CallOutcome = "PENDING"        // not both legs connected yet
	OutcomeInProgress   CallOutcome = "IN_PROGRESS"    // both legs connected, not closed
	OutcomeCompleted    CallOutcome = "COMPLETED"      // closed after both legs connected
	OutcomeBusy         CallOutcome = "BUSY"           // CALLER_BUSY or CALLEE_BUSY
	OutcomeRejected     CallOutcome = "REJECTED"       // CALLER_REJECT or CALLEE_REJECT
	OutcomeNoAnswer     CallOutcome = "NO_ANSWER"      // CALLER_NOT_ANSWERED or CALLEE_NOT_ANSWERED
	OutcomeNotConnected CallOutcome = "NOT_CONNECTED"  // CALLER_NOT_CONNECTED, CALLEE_NOT_CONNECTED, or closed before the callee connected
	OutcomeOutOfCredits CallOutcome = "OUT_OF_CREDITS" // OUT_OF_CREDITS, whatever else happened
)

// Known reports whether o is one of the outcomes above.
func (o CallOutcome) Known() bool {
	switch o {
	case OutcomePending, OutcomeInProgress, OutcomeCompleted, OutcomeBusy, OutcomeRejected,
		OutcomeNoAnswer, OutcomeNotConnected, OutcomeOutOfCredits:
		return true
	}
	return false
}

// MarshalText implements encoding.TextMarshaler.
func (o CallOutcome) MarshalText() ([]byte, error) { return []byte(o), nil }

// UnmarshalText implements encoding.TextUnmarshaler. Any text is kept.
func (o *CallOutcome) UnmarshalText(text []byte) error {
	*o = CallOutcome(text)
	return nil
}

// failureOutcome maps a failure status, 3 to 10, to its outcome.
func failureOutcome(c VoiceStatusCode) CallOutcome {
	switch c {
	case StatusCallerBusy, StatusCalleeBusy:
		return OutcomeBusy
	case StatusCallerRejected, StatusCalleeRejected:
		return OutcomeRejected
	case StatusCallerNotAnswered, StatusCalleeNotAnswered:
		return OutcomeNoAnswer
	}
	return OutcomeNotConnected // CALLER_NOT_CONNECTED, CALLEE_NOT_CONNECTED
}

// CallSummary is what a call's status callbacks add up to. See CallState for
// the rules.
type CallSummary struct {
	ID                int64
	Outcome           CallOutcome
	Final             bool          // a terminal status (3 to 13) has been seen
	TalkTime          time.Duration // from CALLEE_CONNECTED to the first CLOSED at or after it; 0 if never both
	FailedParty       Party         // the leg whose status decided a BUSY, REJECTED, NO_ANSWER or NOT_CONNECTED outcome
	StartedAt         time.Time     // the earliest status of any code
	CallerConnectedAt time.Time     // the earliest CALLER_CONNECTED; zero if none
	CalleeConnectedAt time.Time     // the earliest CALLEE_CONNECTED; zero if none
	EndedAt           time.Time     // the status that ended the call (see CallState); zero if none
	LastStatusAt      time.Time     // the latest status of any code
}

// LogValue implements slog.LogValuer.
func (s CallSummary) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Int64("id", s.ID),
		slog.String("outcome", string(s.Outcome)),
		slog.Bool("final", s.Final),
		slog.Duration("talk_time", s.TalkTime),
		slog.String("failed_party", string(s.FailedParty)),
		slog.Time("last_status_at", s.LastStatusAt),
	)
}

// CallState is the fold of one call's status callbacks: a value that can be
// copied and stored as JSON. The zero value is an empty state; the first
// status applied binds it to that status's call ID. CallTracker keeps one per
// call in memory; to share state between several servers, keep it in your own
// database instead and, in one transaction, load it, Apply the status and
// store it.
//
// The state is, for each known code, the earliest and latest time it was
// seen; statuses arrive with one-second times, so several share a second and
// the rules below go by code as well as time. The outcome, in order of
// precedence:
//  1. OUT_OF_CREDITS seen: OutcomeOutOfCredits, whatever else was seen (the
//     account needs credit, and a conversation cut short for it should not
//     read as completed).
//  2. CALLEE_CONNECTED seen: both legs are up (the provider dials the callee
//     only once the caller answered, so a lost CALLER_CONNECTED does not
//     matter). OutcomeCompleted once any other terminal status timed at or
//     after that connection is seen (a CLOSED, or a failure arriving late),
//     OutcomeInProgress until then. Failures timed before the connection were
//     earlier attempts and are ignored.
//  3. A failure (3 to 10) seen: the outcome of the earliest one, and of the
//     lower code when several share a second; FailedParty is its leg.
//  4. A CLOSED seen, without the callee having connected: the caller or the
//     callee hung up before the conversation began: OutcomeNotConnected, with
//     FailedParty the leg of the earliest CLOSED.
//  5. Otherwise OutcomePending.
//
// Final is true once any terminal status has been seen, even while a late
// CALLEE_CONNECTED can still turn NOT_CONNECTED into COMPLETED. TalkTime runs
// from the earliest CALLEE_CONNECTED to the first CLOSED at or after it.
// EndedAt is the first terminal status at or after the callee connected, or,
// when it never did, the first terminal status.
//
// Apply ignores a status with a Time not after the Unix epoch, or for another
// call than the state's. Statuses with unknown codes only move StartedAt and
// LastStatusAt.
type CallState struct {
	id      int64
	firstAt int64 // Unix seconds, as every time below; 0 means none (and an unbound state)
	lastAt  int64
	first   [numVoiceStatusCodes]int64 // earliest time of each known code
	last    [numVoiceStatusCodes]int64 // latest time of each known code
}

// ID returns the call the state is bound to, and whether it is bound yet.
func (s CallState) ID() (int64, bool) { return s.id, s.firstAt != 0 }

// Apply folds st into the state and reports whether the state changed; it is
// false for a duplicate, for a status that adds nothing, and for a status
// Apply ignores (see CallState). Apply costs O(1).
func (s *CallState) Apply(st VoiceStatus) bool {
	at := st.Time.Unix()
	if at <= 0 || (s.firstAt != 0 && s.id != st.ID) {
		return false
	}
	changed := false
	if s.firstAt == 0 {
		s.id, changed = st.ID, true
	}
	changed = lower(&s.firstAt, at) || changed
	changed = raise(&s.lastAt, at) || changed
	if st.Code.Known() {
		changed = lower(&s.first[st.Code], at) || changed
		changed = raise(&s.last[st.Code], at) || changed
	}
	return changed
}

// seenFrom returns the earliest time code was seen at or after t as far as
// the state can tell (its earliest time if that qualifies, else its latest),
// or 0.
func (s *CallState) seenFrom(code VoiceStatusCode, t int64) int64 {
	switch {
	case s.first[code] != 0 && s.first[code] >= t:
		return s.first[code]
	case s.last[code] != 0 && s.last[code] >= t:
		return s.last[code]
	}
	return 0
}

// earliest returns the earliest time, at or after t, among codes from..to,
// and the code seen then (the lowest on a tie); 0 and -1 when none.
func (s *CallState) earliest(from, to VoiceStatusCode, t int64) (int64, VoiceStatusCode) {
	best, code := int64(0), VoiceStatusCode(-1)
	for c := from; c <= to; c++ {
		if v := s.seenFrom(c, t); v != 0 && (best == 0 || v < best) {
			best, code = v, c
		}
	}
	return best, code
}

// Summary returns what the statuses applied so far add up to.
func (s CallState) Summary() CallSummary {
	sum := CallSummary{
		ID:                s.id,
		Outcome:           OutcomePending,
		StartedAt:         fromSeconds(s.firstAt),
		CallerConnectedAt: fromSeconds(s.first[StatusCallerConnected]),
		CalleeConnectedAt: fromSeconds(s.first[StatusCalleeConnected]),
		LastStatusAt:      fromSeconds(s.lastAt),
	}
	firstTerminal, _ := s.earliest(StatusCallerBusy, StatusOutOfCredits, 0)
	sum.Final = firstTerminal != 0

	connected := s.first[StatusCalleeConnected]
	if connected != 0 {
		end, _ := s.earliest(StatusCallerBusy, StatusOutOfCredits, connected)
		sum.EndedAt = fromSeconds(end)
		if closed, _ := s.earliest(StatusCallerClosed, StatusCalleeClosed, connected); closed != 0 {
			sum.TalkTime = time.Duration(closed-connected) * time.Second
		}
		if end != 0 {
			sum.Outcome = OutcomeCompleted
		} else {
			sum.Outcome = OutcomeInProgress
		}
	} else {
		sum.EndedAt = fromSeconds(firstTerminal)
		if failed, code := s.earliest(StatusCallerBusy, StatusCalleeNotConnected, 0); failed != 0 {
			sum.Outcome, sum.FailedParty = failureOutcome(code), code.Party()
		} else if closed, code := s.earliest(StatusCallerClosed, StatusCalleeClosed, 0); closed != 0 {
			sum.Outcome, sum.FailedParty = OutcomeNotConnected, code.Party()
		}
	}
	if s.first[StatusOutOfCredits] != 0 {
		sum.Outcome, sum.FailedParty = OutcomeOutOfCredits, PartyNone
	}
	return sum
}

// callStateJSON is the stored form of a CallState. Times are Unix seconds;
// Statuses maps a code's wire name to its earliest and latest time.
type callStateJSON struct {
	V        int                 `json:"v"`
	ID       int64               `json:"id"`
	FirstAt  int64               `json:"firstAt,omitempty"`
	LastAt   int64               `json:"lastAt,omitempty"`
	Statuses map[string][2]int64 `json:"statuses,omitempty"`
}

// MarshalJSON encodes the state as a versioned JSON object, times in Unix
// seconds and statuses by name, for storage.
func (s CallState) MarshalJSON() ([]byte, error) {
	w := callStateJSON{V: stateVersion, ID: s.id, FirstAt: s.firstAt, LastAt: s.lastAt}
	for c := range numVoiceStatusCodes {
		if s.first[c] != 0 {
			if w.Statuses == nil {
				w.Statuses = make(map[string][2]int64)
			}
			w.Statuses[voiceStatusNames[c]] = [2]int64{s.first[c], s.last[c]}
		}
	}
	return json.Marshal(w)
}

// UnmarshalJSON decodes what MarshalJSON wrote, replacing the whole state.
// It fails on another version, an unknown status name, or times that are
// negative or out of order. JSON null leaves the state unchanged.
func (s *CallState) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	var w callStateJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("gurulize: decoding CallState: %w", err)
	}
	if w.V != stateVersion {
		return fmt.Errorf("gurulize: decoding CallState: unsupported version %d", w.V)
	}
	if w.FirstAt < 0 || w.LastAt < w.FirstAt {
		return fmt.Errorf("gurulize: decoding CallState: invalid times %d, %d", w.FirstAt, w.LastAt)
	}
	n := CallState{id: w.ID, firstAt: w.FirstAt, lastAt: w.LastAt}
	for name, times := range w.Statuses {
		var code VoiceStatusCode
		if err := code.UnmarshalText([]byte(name)); err != nil || !code.Known() {
			return fmt.Errorf("gurulize: decoding CallState: unknown status %s", quoteExcerpt(name))
		}
		if times[0] <= 0 || times[1] < times[0] {
			return fmt.Errorf("gurulize: decoding CallState: invalid times %d, %d for %s", times[0], times[1], name)
		}
		n.first[code], n.last[code] = times[0], times[1]
	}
	*s = n
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

func fromSeconds(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}

// trackerShards is the number of independently locked parts of a tracker,
// so concurrent callbacks for different rooms or calls rarely wait on each
// other.
const trackerShards = 16

// states holds one fold state per key (a room's UUID, a call's ID) in
// sharded maps, each under its own lock: the in-memory part of RoomTracker
// and CallTracker. The zero value is empty and ready.
type states[K string | int64, S any] struct {
	shards [trackerShards]struct {
		mu sync.Mutex
		m  map[K]*S
	}
}

// shard picks the part that holds k: FNV-1a over a string's bytes, a
// multiplicative mix of an integer. The map hashes the key again; this only
// spreads the keys.
func (s *states[K, S]) shard(k K) int {
	switch v := any(k).(type) {
	case string:
		h := uint32(2166136261)
		for i := 0; i < len(v); i++ {
			h = (h ^ uint32(v[i])) * 16777619
		}
		return int(h % trackerShards)
	case int64:
		return int((uint64(v) * 0x9E3779B97F4A7C15) >> 60 % trackerShards)
	}
	return 0
}

// lock locks the part that holds k and returns its lock, to be unlocked by
// the caller, and k's state: created when missing if create is true, nil
// when missing otherwise.
func (s *states[K, S]) lock(k K, create bool) (*sync.Mutex, *S) {
	sh := &s.shards[s.shard(k)]
	sh.mu.Lock()
	st := sh.m[k]
	if st == nil && create {
		if sh.m == nil {
			sh.m = make(map[K]*S)
		}
		st = new(S)
		sh.m[k] = st
	}
	return &sh.mu, st
}

// get returns a copy of k's state and whether there is one.
func (s *states[K, S]) get(k K) (S, bool) {
	mu, st := s.lock(k, false)
	defer mu.Unlock()
	if st == nil {
		var zero S
		return zero, false
	}
	return *st, true
}

// forget drops k's state and reports whether there was one.
func (s *states[K, S]) forget(k K) bool {
	sh := &s.shards[s.shard(k)]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	_, ok := sh.m[k]
	delete(sh.m, k)
	return ok
}

// forgetIf drops every state for which stale is true and returns how many.
func (s *states[K, S]) forgetIf(stale func(*S) bool) int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		for k, st := range sh.m {
			if stale(st) {
				delete(sh.m, k)
				n++
			}
		}
		sh.mu.Unlock()
	}
	return n
}

// len returns the number of states held.
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
	mu, st := t.rooms.lock(ev.RoomUUID, ev.RoomUUID != "" && ev.ReceivedAt.UnixMilli() > 0)
	defer mu.Unlock()
	if st == nil {
		return RoomSummary{}
	}
	st.Apply(ev)
	return st.Summary()
}

// Room returns the summary of the room uuid, and whether the tracker knows it.
func (t *RoomTracker) Room(uuid string) (RoomSummary, bool) {
	mu, st := t.rooms.lock(uuid, false)
	defer mu.Unlock()
	if st == nil {
		return RoomSummary{}, false
	}
	return st.Summary(), true
}

// State returns a copy of the room's state, to store it elsewhere, and
// whether the tracker knows the room.
func (t *RoomTracker) State(uuid string) (RoomState, bool) { return t.rooms.get(uuid) }

// Forget drops the room uuid and reports whether the tracker knew it.
func (t *RoomTracker) Forget(uuid string) bool { return t.rooms.forget(uuid) }

// ForgetBefore drops every room whose latest event is before cutoff, such as
// time.Now().Add(-24*time.Hour), and returns how many it dropped.
func (t *RoomTracker) ForgetBefore(cutoff time.Time) int {
	limit := cutoff.UnixMilli()
	return t.rooms.forgetIf(func(st *RoomState) bool { return st.lastAt < limit })
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
	mu, cs := t.calls.lock(st.ID, st.Time.Unix() > 0)
	defer mu.Unlock()
	if cs == nil {
		return CallSummary{}
	}
	cs.Apply(st)
	return cs.Summary()
}

// Call returns the summary of the call id, and whether the tracker knows it.
func (t *CallTracker) Call(id int64) (CallSummary, bool) {
	mu, cs := t.calls.lock(id, false)
	defer mu.Unlock()
	if cs == nil {
		return CallSummary{}, false
	}
	return cs.Summary(), true
}

// State returns a copy of the call's state, to store it elsewhere, and
// whether the tracker knows the call.
func (t *CallTracker) State(id int64) (CallState, bool) { return t.calls.get(id) }

// Forget drops the call id and reports whether the tracker knew it.
func (t *CallTracker) Forget(id int64) bool { return t.calls.forget(id) }

// ForgetBefore drops every call whose latest status is before cutoff, such
// as time.Now().Add(-24*time.Hour), and returns how many it dropped.
func (t *CallTracker) ForgetBefore(cutoff time.Time) int {
	limit := cutoff.Unix()
	return t.calls.forgetIf(func(cs *CallState) bool { return cs.lastAt < limit })
}

// Len returns the number of calls the tracker holds.
func (t *CallTracker) Len() int { return t.calls.len() }

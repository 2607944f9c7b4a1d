// This file holds CallState, the fold of one call's status callbacks, and
// CallSummary and CallOutcome, what they add up to.

package gurulize

import (
	"time"
)

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
	Expected          bool          // Expect recorded the call: the application registered it; false for a call known only from callbacks
	Deadline          time.Time     // when Expect was first called, by the tracker's clock, + the request's MaxDuration; UTC, whole milliseconds; zero if not expected
}

// Overdue reports whether s is an expected call whose Deadline + grace is
// before now and that is not Final: its final status never came.
func (s CallSummary) Overdue(now time.Time, grace time.Duration) bool {
	return s.Expected && !s.Deadline.IsZero() && !s.Final && now.After(s.Deadline.Add(grace))
}

// CallState is the fold of one call's status callbacks: a value that can be
// copied and stored as JSON. The zero value is an empty state; the first
// status applied binds it to that status's call ID. CallTracker keeps one per
// call in memory; to share state between several servers, keep it in your own
// database instead (see examples/postgres).
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
// Expect records that the application registered the call (see Expect);
// statuses and the expectation fold the same whichever comes first.
//
// Apply ignores a status with a negative ID, with a Time not after the Unix
// epoch or past the year 9999, or for another call than the state's:
// none could be stored. Statuses with unknown codes only move StartedAt and
// LastStatusAt.
type CallState struct {
	id       int64
	firstAt  int64 // Unix seconds, as every time below; 0 means none
	lastAt   int64
	first    [numVoiceStatusCodes]int64 // earliest time of each known code
	last     [numVoiceStatusCodes]int64 // latest time of each known code
	expected bool                       // Expect was called; the state is bound to id if this or firstAt is set
	deadline int64                      // Unix milliseconds: the earliest deadline Expect was given
	later    *later                     // what a later version stored that this one does not understand
}

// bound reports whether the state belongs to a call, its id.
func (s *CallState) bound() bool { return s.firstAt != 0 || s.expected }

// Apply folds st into the state and reports whether the state changed; it is
// false for a duplicate, for a status that adds nothing, and for a status
// Apply ignores (see CallState). Apply costs O(1).
func (s *CallState) Apply(st VoiceStatus) bool {
	at := st.Time.Unix()
	if st.ID < 0 || at <= 0 || at > maxUnixSeconds || (s.bound() && s.id != st.ID) {
		return false
	}
	changed := s.firstAt == 0
	s.id = st.ID
	changed = lower(&s.firstAt, at) || changed
	changed = raise(&s.lastAt, at) || changed
	if st.Code.Known() {
		changed = lower(&s.first[st.Code], at) || changed
		changed = raise(&s.last[st.Code], at) || changed
	}
	return changed
}

// Expect records that the application registered the call reg with req, at
// registered (the moment RegisterCall returned, by the caller's clock): the
// state binds to reg.ID, Expected becomes true and Deadline registered +
// req.MaxDuration, in whole milliseconds (a negative MaxDuration counts as
// 0; the earliest deadline, if Expect is called several times, so that
// repeating it changes nothing). A deadline outside the years 1970 to 9999
// is left zero. Expect reports whether the state changed; it is false when
// repeated, and for a nil reg, a negative ID, or another call than the
// state's.
func (s *CallState) Expect(reg *CallRegistration, req CallRequest, registered time.Time) bool {
	if reg == nil || reg.ID < 0 || (s.bound() && s.id != reg.ID) {
		return false
	}
	changed := !s.expected
	s.id, s.expected = reg.ID, true
	if end := registered.Add(max(req.MaxDuration, 0)).UnixMilli(); end > 0 && end <= maxUnixMillis {
		changed = lower(&s.deadline, end) || changed
	}
	return changed
}

// overdue is CallSummary.Overdue without building the whole summary.
func (s *CallState) overdue(now time.Time, grace time.Duration) bool {
	if !s.expected || s.deadline == 0 || !now.After(fromMillis(s.deadline).Add(grace)) {
		return false
	}
	final, _ := s.earliest(StatusCallerBusy, StatusOutOfCredits, 0)
	return final == 0
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
		Expected:          s.expected,
		Deadline:          fromMillis(s.deadline),
	}
	firstTerminal, _ := s.earliest(StatusCallerBusy, StatusOutOfCredits, 0)
	sum.Final = firstTerminal != 0

	if connected := s.first[StatusCalleeConnected]; connected != 0 {
		end, _ := s.earliest(StatusCallerBusy, StatusOutOfCredits, connected)
		sum.EndedAt = fromSeconds(end)
		if closed, _ := s.earliest(StatusCallerClosed, StatusCalleeClosed, connected); closed != 0 {
			sum.TalkTime = time.Duration(closed-connected) * time.Second
		}
		sum.Outcome = OutcomeInProgress
		if end != 0 {
			sum.Outcome = OutcomeCompleted
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

func fromSeconds(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}

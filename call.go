// This file holds CallState, the fold of one call's status callbacks, and
// CallSummary and CallOutcome, what they add up to.

package gurulize

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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

// Apply folds st into the state and reports whether the state changed; it is
// false for a duplicate, for a status that adds nothing, and for a status
// Apply ignores (see CallState). Apply costs O(1).
func (s *CallState) Apply(st VoiceStatus) bool {
	at := st.Time.Unix()
	if at <= 0 || (s.firstAt != 0 && s.id != st.ID) {
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
// seconds and statuses by their wire names, for storage.
func (s CallState) MarshalJSON() ([]byte, error) {
	w := callStateJSON{V: stateVersion, ID: s.id, FirstAt: s.firstAt, LastAt: s.lastAt}
	for c, name := range voiceStatusNames {
		if s.first[c] != 0 {
			if w.Statuses == nil {
				w.Statuses = make(map[string][2]int64)
			}
			w.Statuses[name] = [2]int64{s.first[c], s.last[c]}
		}
	}
	return json.Marshal(w)
}

// UnmarshalJSON decodes what MarshalJSON wrote, replacing the whole state.
// JSON null leaves the state unchanged. It refuses, with an error saying
// why, another version and any state Apply cannot produce: a status name
// other than the wire names MarshalJSON writes, times out of range or
// outside [firstAt, lastAt], a status's earliest time after its latest, or
// statuses or an id without firstAt.
func (s *CallState) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	var w callStateJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("gurulize: decoding CallState: %w", err)
	}
	n, err := w.state()
	if err != nil {
		return fmt.Errorf("gurulize: decoding CallState: %w", err)
	}
	*s = n
	return nil
}

// state returns the CallState w encodes, or why it cannot be one.
func (w *callStateJSON) state() (CallState, error) {
	n := CallState{id: w.ID, firstAt: w.FirstAt, lastAt: w.LastAt}
	switch {
	case w.V != stateVersion:
		return CallState{}, fmt.Errorf("unsupported version %d", w.V)
	case w.FirstAt == 0 && (w.ID != 0 || w.LastAt != 0 || len(w.Statuses) > 0):
		return CallState{}, errors.New("data without firstAt")
	case w.FirstAt == 0:
		return n, nil
	case w.ID < 0:
		return CallState{}, fmt.Errorf("negative id %d", w.ID)
	case w.FirstAt < 0 || w.LastAt < w.FirstAt || w.LastAt > maxUnixSeconds:
		return CallState{}, fmt.Errorf("firstAt %d and lastAt %d are not an interval of Unix seconds", w.FirstAt, w.LastAt)
	}
	for name, times := range w.Statuses {
		c := slices.Index(voiceStatusNames[:], name)
		switch {
		case c < 0:
			return CallState{}, fmt.Errorf("unknown status %s", quoteExcerpt(name))
		case times[0] < w.FirstAt || times[1] < times[0] || times[1] > w.LastAt:
			return CallState{}, fmt.Errorf("times %d, %d of %s are not within firstAt %d and lastAt %d", times[0], times[1], name, w.FirstAt, w.LastAt)
		}
		n.first[c], n.last[c] = times[0], times[1]
	}
	return n, nil
}

func fromSeconds(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}

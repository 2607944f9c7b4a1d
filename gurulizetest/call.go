// call.go: call scripts (CallScript, its steps, the ready-made scripts),
// the magic callee numbers, and how the fake turns a script into the
// statuses the provider sends.

package gurulizetest

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gurulize/gurulize-go"
)

// The causes the fake sends. The provider documents only "0"; the others
// are Q.850 cause values, a plausible stand-in that handlers should treat
// as opaque text.
const (
	causeNone          = "0"
	causeNormal        = "16"
	causeBusy          = "17"
	causeNoAnswer      = "19"
	causeRejected      = "21"
	causeNotReachable  = "27"
	causeOutOfCredits  = "0"
	callerAnswersAfter = 8 * time.Second  // CALLER_CONNECTED
	calleeAnswersAfter = 10 * time.Second // CALLEE_CONNECTED, after CALLER_CONNECTED
)

// legName names a leg in script names.
func legName(leg gurulize.Party) string {
	if leg == gurulize.PartyCallee {
		return "callee"
	}
	return "caller"
}

// CallStep is one status callback of a call, After its registration.
type CallStep struct {
	After time.Duration            // after registration; sent in whole Unix seconds
	Code  gurulize.VoiceStatusCode // any code; 0–13 are the documented ones
	Desc  string                   // "" sends the wire name of a documented Code, such as "CALLER_CONNECTED"
	Cause string                   // "" sends "0"
}

// Status returns a step sending code with cause after the call's registration.
func Status(after time.Duration, code gurulize.VoiceStatusCode, cause string) CallStep {
	return CallStep{After: after, Code: code, Cause: cause}
}

// CallScript is the status callbacks of one call. The fake applies the
// provider's rule that a call is cut when it reaches the registered
// duration: if CALLEE_CONNECTED is at c, steps after c + duration are
// dropped and replaced by CALLER_CLOSED and CALLEE_CLOSED at c + duration.
type CallScript struct {
	Name  string
	Steps []CallStep // in any order; played sorted by After
}

// String describes the script by its name and number of steps.
func (s CallScript) String() string { return fmt.Sprintf("%s (%d steps)", s.Name, len(s.Steps)) }

// Answered is the script of a call both people answer: CALLS_STARTING, the
// caller answers after 8s (CALLER_CONNECTED), the callee 10s later
// (CALLEE_CONNECTED); after talking for talk the callee hangs up
// (CALLEE_CLOSED, then CALLER_CLOSED in the same second). TalkTime is talk,
// or the registered duration if that is shorter.
func Answered(talk time.Duration) CallScript {
	return answered("answered "+shortDuration(talk)+", callee hangs up", talk, gurulize.StatusCalleeClosed, gurulize.StatusCallerClosed)
}

// CallerHangsUp is Answered, but the caller hangs up first.
func CallerHangsUp(talk time.Duration) CallScript {
	return answered("answered "+shortDuration(talk)+", caller hangs up", talk, gurulize.StatusCallerClosed, gurulize.StatusCalleeClosed)
}

func answered(name string, talk time.Duration, first, second gurulize.VoiceStatusCode) CallScript {
	talk = talk.Truncate(time.Second)
	connected := callerAnswersAfter + calleeAnswersAfter
	return CallScript{Name: name, Steps: []CallStep{
		Status(0, gurulize.StatusCallsStarting, causeNone),
		Status(callerAnswersAfter, gurulize.StatusCallerConnected, causeNone),
		Status(connected, gurulize.StatusCalleeConnected, causeNone),
		Status(connected+talk, first, causeNormal),
		Status(connected+talk, second, causeNormal),
	}}
}

// legFailure is the script of a call that fails on one leg with the status
// callerCode (caller leg) or callerCode+1 (callee leg), after, counted from
// the moment that leg starts ringing. Any leg but gurulize.PartyCallee is
// the caller's.
func legFailure(what string, leg gurulize.Party, callerCode gurulize.VoiceStatusCode, after time.Duration, cause string) CallScript {
	steps := []CallStep{Status(0, gurulize.StatusCallsStarting, causeNone)}
	code, start := callerCode, time.Duration(0)
	if leg == gurulize.PartyCallee {
		steps = append(steps, Status(callerAnswersAfter, gurulize.StatusCallerConnected, causeNone))
		code, start = callerCode+1, callerAnswersAfter
	}
	steps = append(steps, Status(start+after, code, cause))
	return CallScript{Name: legName(leg) + " " + what, Steps: steps}
}

// Busy is the script of a call whose leg is busy: CALLER_BUSY 4s after
// CALLS_STARTING, or, after the caller answers, CALLEE_BUSY.
func Busy(leg gurulize.Party) CallScript {
	return legFailure("busy", leg, gurulize.StatusCallerBusy, 4*time.Second, causeBusy)
}

// Rejected is the script of a call whose leg rejects it after ringing 6s
// (CALLER_REJECT or CALLEE_REJECT).
func Rejected(leg gurulize.Party) CallScript {
	return legFailure("rejects", leg, gurulize.StatusCallerRejected, 6*time.Second, causeRejected)
}

// NoAnswer is the script of a call whose leg rings for 30s unanswered
// (CALLER_NOT_ANSWERED or CALLEE_NOT_ANSWERED).
func NoAnswer(leg gurulize.Party) CallScript {
	return legFailure("does not answer", leg, gurulize.StatusCallerNotAnswered, 30*time.Second, causeNoAnswer)
}

// NotConnected is the script of a call whose leg cannot be reached at all
// (CALLER_NOT_CONNECTED or CALLEE_NOT_CONNECTED, 1s after it is dialled).
func NotConnected(leg gurulize.Party) CallScript {
	return legFailure("not connected", leg, gurulize.StatusCallerNotConnected, time.Second, causeNotReachable)
}

// OutOfCredits is the script of a call the account cannot pay for:
// CALLS_STARTING, then OUT_OF_CREDITS a second later.
func OutOfCredits() CallScript {
	return CallScript{Name: "out of credits", Steps: []CallStep{
		Status(0, gurulize.StatusCallsStarting, causeNone),
		Status(time.Second, gurulize.StatusOutOfCredits, causeOutOfCredits),
	}}
}

// Magic callee numbers: registering a call to one of these plays the
// matching script, the way telephony providers publish test numbers. Any
// other callee plays the server's default call script (Answered(time.Minute)
// unless WithCallScript says otherwise). The last two digits are the
// status code the call ends with.
const (
	NumberCallerBusy         = "5005550003" // Busy(gurulize.PartyCaller): CALLER_BUSY
	NumberCalleeBusy         = "5005550004" // Busy(gurulize.PartyCallee): CALLEE_BUSY
	NumberCallerRejects      = "5005550005" // Rejected(gurulize.PartyCaller): CALLER_REJECT
	NumberCalleeRejects      = "5005550006" // Rejected(gurulize.PartyCallee): CALLEE_REJECT
	NumberCallerNoAnswer     = "5005550007" // NoAnswer(gurulize.PartyCaller): CALLER_NOT_ANSWERED
	NumberCalleeNoAnswer     = "5005550008" // NoAnswer(gurulize.PartyCallee): CALLEE_NOT_ANSWERED
	NumberCallerNotConnected = "5005550009" // NotConnected(gurulize.PartyCaller): CALLER_NOT_CONNECTED
	NumberCalleeNotConnected = "5005550010" // NotConnected(gurulize.PartyCallee): CALLEE_NOT_CONNECTED
	NumberOutOfCredits       = "5005550013" // OutOfCredits(): OUT_OF_CREDITS

	// NumberFinalStatusLost plays Answered(time.Minute) but loses its
	// CLOSED statuses on purpose: the call never gets a final status, so
	// a test can check its own reconciliation (CallTracker.Overdue). The
	// fake's choice, not the provider's behaviour.
	NumberFinalStatusLost = "5005550099"
)

// The prefixes of the answered magic numbers; three digits of seconds follow.
const (
	answeredPrefix      = "5005551"
	callerHangsUpPrefix = "5005552"
)

// NumberAnsweredFor returns the magic callee number "5005551SSS": the call
// is answered and lasts talk (SSS whole seconds, 000–999; talk is clamped to
// that range), then the callee hangs up: Answered(talk).
func NumberAnsweredFor(talk time.Duration) string { return answeredPrefix + threeDigits(talk) }

// NumberCallerHangsUpAfter returns the magic callee number "5005552SSS": as
// NumberAnsweredFor, but the caller hangs up: CallerHangsUp(talk).
func NumberCallerHangsUpAfter(talk time.Duration) string {
	return callerHangsUpPrefix + threeDigits(talk)
}

func threeDigits(d time.Duration) string {
	s := min(max(int64(d/time.Second), 0), 999)
	return fmt.Sprintf("%03d", s)
}

// ScriptForCallee returns the script a magic callee number selects, and
// false for any other number.
func ScriptForCallee(callee string) (CallScript, bool) {
	switch callee {
	case NumberCallerBusy:
		return Busy(gurulize.PartyCaller), true
	case NumberCalleeBusy:
		return Busy(gurulize.PartyCallee), true
	case NumberCallerRejects:
		return Rejected(gurulize.PartyCaller), true
	case NumberCalleeRejects:
		return Rejected(gurulize.PartyCallee), true
	case NumberCallerNoAnswer:
		return NoAnswer(gurulize.PartyCaller), true
	case NumberCalleeNoAnswer:
		return NoAnswer(gurulize.PartyCallee), true
	case NumberCallerNotConnected:
		return NotConnected(gurulize.PartyCaller), true
	case NumberCalleeNotConnected:
		return NotConnected(gurulize.PartyCallee), true
	case NumberOutOfCredits:
		return OutOfCredits(), true
	case NumberFinalStatusLost:
		steps := Answered(time.Minute).Steps
		return CallScript{Name: "final status lost", Steps: slices.DeleteFunc(steps, func(st CallStep) bool { return st.Code.IsTerminal() })}, true
	}
	if len(callee) == 10 && allDigits(callee) {
		secs, _ := strconv.Atoi(callee[7:])
		talk := time.Duration(secs) * time.Second
		switch {
		case strings.HasPrefix(callee, answeredPrefix):
			return Answered(talk), true
		case strings.HasPrefix(callee, callerHangsUpPrefix):
			return CallerHangsUp(talk), true
		}
	}
	return CallScript{}, false
}

// voiceStatuses returns the callbacks of call when it follows s, with the
// cut at the registered duration applied.
func (s CallScript) voiceStatuses(call Call) []voiceStatus {
	steps := append([]CallStep(nil), s.Steps...)
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].After < steps[j].After })
	cut := time.Duration(-1)
	for _, st := range steps {
		if st.Code == gurulize.StatusCalleeConnected {
			cut = st.After + call.MaxDuration
			break
		}
	}
	var out []voiceStatus
	add := func(st CallStep) {
		desc, cause := st.Desc, st.Cause
		if desc == "" && st.Code.Known() {
			desc = st.Code.String()
		}
		if cause == "" {
			cause = causeNone
		}
		at := call.RegisteredAt.Add(st.After)
		out = append(out, voiceStatus{at: at, code: st.Code, desc: desc, cause: cause})
	}
	cutShort := false
	for _, st := range steps {
		if cut >= 0 && st.After > cut {
			cutShort = true
			continue
		}
		add(st)
	}
	if cutShort {
		add(Status(cut, gurulize.StatusCallerClosed, causeNormal))
		add(Status(cut, gurulize.StatusCalleeClosed, causeNormal))
	}
	return out
}

// scenarios.go: the scenarios "gurulize trigger" plays, by short name: the
// gurulizetest room scripts and call scripts, the room or call settings they
// need, and the summary a tracker ends with once it has seen them.

package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
)

// The settings of the rooms and calls the scenarios play in.
const (
	scenarioRoomDuration = 45 * time.Minute // durationInMinutes of every room
	scenarioCallDuration = 10 * time.Minute // the registered duration of every call
)

// roomScenario is a room script with the room it plays in.
type roomScenario struct {
	name   string
	what   string
	script gurulizetest.RoomScript
	endHow gurulize.EndHow
	// want holds what a RoomTracker makes of the events: Activated,
	// Meetings, Billed, Ended and EndReason.
	want gurulize.RoomSummary
}

// callScenario is a call script.
type callScenario struct {
	name   string
	what   string
	script gurulizetest.CallScript
	// want holds what a CallTracker makes of the statuses: Outcome, Final,
	// TalkTime and FailedParty.
	want gurulize.CallSummary
}

var roomScenarios = []roomScenario{
	{"meet", "host in, guest 30s later, they meet 40m, the guest hangs up", gurulizetest.Meet(40 * time.Minute), "",
		gurulize.RoomSummary{Activated: true, Meetings: 1, Billed: 40 * time.Minute, Ended: true, EndReason: gurulize.ReasonHangup}},
	{"two-breaks", "meetings of 10, 15 and 5m: the guest drops and returns, the host hangs up and returns", gurulizetest.TwoBreaks(), "",
		gurulize.RoomSummary{Activated: true, Meetings: 3, Billed: 30 * time.Minute, Ended: true, EndReason: gurulize.ReasonHangup}},
	{"host-ends", "they meet 20m, then the host ends the meeting (a BY_HOST room)", gurulizetest.HostEnds(20 * time.Minute), gurulize.EndByHost,
		gurulize.RoomSummary{Activated: true, Meetings: 1, Billed: 20 * time.Minute, Ended: true, EndReason: gurulize.ReasonEndMeeting}},
	{"time-runs-out", "both stay until the server ends the meeting (an AUTOMATIC room)", gurulizetest.TimeRunsOut(), gurulize.EndAutomatic,
		gurulize.RoomSummary{Activated: true, Meetings: 1, Billed: scenarioRoomDuration - 30*time.Second, Ended: true, EndReason: gurulize.ReasonEndMeetingForced}},
	{"no-show", "the host waits 10m alone, then leaves", gurulizetest.NoShow(), "",
		gurulize.RoomSummary{}},
}

var callScenarios = []callScenario{
	{"answered", "both answer, they talk 1m, the callee hangs up", gurulizetest.Answered(time.Minute),
		gurulize.CallSummary{Outcome: gurulize.OutcomeCompleted, Final: true, TalkTime: time.Minute}},
	{"caller-hangs-up", "both answer, they talk 1m, the caller hangs up", gurulizetest.CallerHangsUp(time.Minute),
		gurulize.CallSummary{Outcome: gurulize.OutcomeCompleted, Final: true, TalkTime: time.Minute}},
	{"busy", "the caller's line is busy", gurulizetest.Busy(gurulize.PartyCaller),
		gurulize.CallSummary{Outcome: gurulize.OutcomeBusy, Final: true, FailedParty: gurulize.PartyCaller}},
	{"callee-busy", "the caller answers, the callee's line is busy", gurulizetest.Busy(gurulize.PartyCallee),
		gurulize.CallSummary{Outcome: gurulize.OutcomeBusy, Final: true, FailedParty: gurulize.PartyCallee}},
	{"rejected", "the caller rejects the call", gurulizetest.Rejected(gurulize.PartyCaller),
		gurulize.CallSummary{Outcome: gurulize.OutcomeRejected, Final: true, FailedParty: gurulize.PartyCaller}},
	{"callee-rejected", "the caller answers, the callee rejects the call", gurulizetest.Rejected(gurulize.PartyCallee),
		gurulize.CallSummary{Outcome: gurulize.OutcomeRejected, Final: true, FailedParty: gurulize.PartyCallee}},
	{"no-answer", "the caller does not answer", gurulizetest.NoAnswer(gurulize.PartyCaller),
		gurulize.CallSummary{Outcome: gurulize.OutcomeNoAnswer, Final: true, FailedParty: gurulize.PartyCaller}},
	{"callee-no-answer", "the caller answers, the callee does not", gurulizetest.NoAnswer(gurulize.PartyCallee),
		gurulize.CallSummary{Outcome: gurulize.OutcomeNoAnswer, Final: true, FailedParty: gurulize.PartyCallee}},
	{"not-connected", "the caller cannot be reached", gurulizetest.NotConnected(gurulize.PartyCaller),
		gurulize.CallSummary{Outcome: gurulize.OutcomeNotConnected, Final: true, FailedParty: gurulize.PartyCaller}},
	{"callee-not-connected", "the caller answers, the callee cannot be reached", gurulizetest.NotConnected(gurulize.PartyCallee),
		gurulize.CallSummary{Outcome: gurulize.OutcomeNotConnected, Final: true, FailedParty: gurulize.PartyCallee}},
	{"out-of-credits", "the account cannot pay for the call", gurulizetest.OutOfCredits(),
		gurulize.CallSummary{Outcome: gurulize.OutcomeOutOfCredits, Final: true}},
}

// roomOutcome describes what a room summary says, without the room.
func roomOutcome(s gurulize.RoomSummary) string {
	text := fmt.Sprintf("%d meeting(s), billed %s", s.Meetings, s.Billed)
	switch {
	case !s.Activated:
		text += ", never activated"
	case s.Ended && s.EndReason != "":
		text += ", ended (" + escape(string(s.EndReason)) + ")"
	case s.Ended:
		text += ", ended"
	}
	return text
}

// callOutcome describes what a call summary says, without the call.
func callOutcome(s gurulize.CallSummary) string {
	text := escape(string(s.Outcome))
	if s.FailedParty != gurulize.PartyNone {
		text += " (" + strings.ToLower(escape(string(s.FailedParty))) + ")"
	}
	if s.TalkTime > 0 {
		text += ", talk time " + s.TalkTime.String()
	}
	if s.Final {
		text += ", final"
	}
	return text
}

// scenarioTable lists the scenarios of kind ("room" or "call") for the help.
func scenarioTable(kind string) string {
	var b strings.Builder
	if kind == "room" {
		fmt.Fprintf(&b, "Room scenarios (in a %s room; what your tracker should end with):\n", shortDuration(scenarioRoomDuration))
		for _, sc := range roomScenarios {
			fmt.Fprintf(&b, "  %-15s %s\n  %-15s -> %s\n", sc.name, sc.what, "", roomOutcome(sc.want))
		}
		return b.String()
	}
	fmt.Fprintf(&b, "Call scenarios (of a call registered for %s; what your tracker should end with):\n", shortDuration(scenarioCallDuration))
	for _, sc := range callScenarios {
		fmt.Fprintf(&b, "  %-21s %s\n  %-21s -> %s\n", sc.name, sc.what, "", callOutcome(sc.want))
	}
	return b.String()
}

// shortDuration prints d without zero units: "45m", "10m".
func shortDuration(d time.Duration) string {
	return strings.TrimSuffix(d.String(), "0s")
}

func scenarioNames(kind string) string {
	var names []string
	if kind == "room" {
		for _, sc := range roomScenarios {
			names = append(names, sc.name)
		}
	} else {
		for _, sc := range callScenarios {
			names = append(names, sc.name)
		}
	}
	return strings.Join(names, ", ")
}

// This file holds the enums of the provider's callbacks: what happened in a
// video room, who caused it and why a meeting ended, and the states of a
// click-to-call. Values the SDK does not know are kept as they arrive, and
// Known reports false for them.

package gurulize

import "strconv"

// VideoEventCode says what happened in a video room: the code field of a
// video callback.
type VideoEventCode string

// The documented video event codes.
const (
	EventJoin           VideoEventCode = "JOIN"            // a person entered the conversation
	EventRoomActivated  VideoEventCode = "ROOM_ACTIVATED"  // two people met for the first time; sent once per room
	EventMeetingStarted VideoEventCode = "MEETING_STARTED" // a conversation started, including after a break
	EventLeft           VideoEventCode = "LEFT"            // a party left the room, including a dropped connection
	EventMeetingEnded   VideoEventCode = "MEETING_ENDED"   // a conversation ended, including for a break
)

// Known reports whether c is one of the documented codes.
func (c VideoEventCode) Known() bool {
	switch c {
	case EventJoin, EventRoomActivated, EventMeetingStarted, EventLeft, EventMeetingEnded:
		return true
	}
	return false
}

// EventSource says who caused a video event: the eventSource field of a
// video callback.
type EventSource string

// The documented event sources.
const (
	SourceHost   EventSource = "HOST"   // the host (consultant), any event
	SourceGuest  EventSource = "GUEST"  // the guest (client), any event
	SourceServer EventSource = "SERVER" // the provider, on the MEETING_ENDED that ends an EndAutomatic room when time runs out
)

// Known reports whether s is one of the documented sources.
func (s EventSource) Known() bool { return s == SourceHost || s == SourceGuest || s == SourceServer }

// EndReason says why a video meeting ended: the reason field of a
// MEETING_ENDED callback; "" when the callback carries none.
type EndReason string

// The documented end reasons.
const (
	ReasonHangup           EndReason = "HANGUP"             // a party pressed the end-call button
	ReasonEndMeeting       EndReason = "END_MEETING"        // the host ended the meeting, in an EndByHost room
	ReasonEndMeetingForced EndReason = "END_MEETING_FORCED" // time ran out, in an EndAutomatic room
)

// Known reports whether r is one of the documented reasons. The empty reason
// is not one.
func (r EndReason) Known() bool {
	return r == ReasonHangup || r == ReasonEndMeeting || r == ReasonEndMeetingForced
}

// VoiceStatusCode is the state a click-to-call reached: the code field of a
// voice status callback, a number on the wire (and in JSON).
type VoiceStatusCode int

// The documented voice status codes, with their wire names. The provider
// rings the caller first and then connects the callee, so the caller's
// codes come first in a call's life.
const (
	StatusCallsStarting      VoiceStatusCode = iota // 0 CALLS_STARTING (the provider's INIT)
	StatusCallerConnected                           // 1 CALLER_CONNECTED
	StatusCalleeConnected                           // 2 CALLEE_CONNECTED
	StatusCallerBusy                                // 3 CALLER_BUSY
	StatusCalleeBusy                                // 4 CALLEE_BUSY
	StatusCallerRejected                            // 5 CALLER_REJECT
	StatusCalleeRejected                            // 6 CALLEE_REJECT
	StatusCallerNotAnswered                         // 7 CALLER_NOT_ANSWERED
	StatusCalleeNotAnswered                         // 8 CALLEE_NOT_ANSWERED
	StatusCallerNotConnected                        // 9 CALLER_NOT_CONNECTED
	StatusCalleeNotConnected                        // 10 CALLEE_NOT_CONNECTED
	StatusCallerClosed                              // 11 CALLER_CLOSED
	StatusCalleeClosed                              // 12 CALLEE_CLOSED
	StatusOutOfCredits                              // 13 OUT_OF_CREDITS
)

// voiceStatusNames holds the wire name of every known VoiceStatusCode, by code.
var voiceStatusNames = [...]string{
	"CALLS_STARTING", "CALLER_CONNECTED", "CALLEE_CONNECTED", "CALLER_BUSY", "CALLEE_BUSY",
	"CALLER_REJECT", "CALLEE_REJECT", "CALLER_NOT_ANSWERED", "CALLEE_NOT_ANSWERED",
	"CALLER_NOT_CONNECTED", "CALLEE_NOT_CONNECTED", "CALLER_CLOSED", "CALLEE_CLOSED", "OUT_OF_CREDITS",
}

// numVoiceStatusCodes is the number of known voice status codes.
const numVoiceStatusCodes = len(voiceStatusNames)

// Known reports whether c is one of the documented codes, 0 to 13.
func (c VoiceStatusCode) Known() bool { return c >= 0 && int(c) < numVoiceStatusCodes }

// String returns the wire name of c, such as "CALLEE_BUSY", or
// "VoiceStatusCode(14)" for a code the SDK does not know.
func (c VoiceStatusCode) String() string {
	if c.Known() {
		return voiceStatusNames[c]
	}
	return "VoiceStatusCode(" + strconv.Itoa(int(c)) + ")"
}

// IsTerminal reports whether c ends the call: every code from CALLER_BUSY (3)
// to OUT_OF_CREDITS (13).
func (c VoiceStatusCode) IsTerminal() bool { return c >= StatusCallerBusy && c <= StatusOutOfCredits }

// Party returns the leg c is about: PartyCaller for the CALLER_ codes,
// PartyCallee for the CALLEE_ codes, and PartyNone for CALLS_STARTING,
// OUT_OF_CREDITS and unknown codes.
func (c VoiceStatusCode) Party() Party {
	switch {
	case c < StatusCallerConnected || c > StatusCalleeClosed:
		return PartyNone
	case c%2 == 1:
		return PartyCaller
	}
	return PartyCallee
}

// Party is a leg of a click-to-call: the caller, rung first, or the callee.
type Party string

// The parties of a call. PartyNone is the zero value.
const (
	PartyNone   Party = ""
	PartyCaller Party = "CALLER"
	PartyCallee Party = "CALLEE"
)

// Known reports whether p is PartyNone, PartyCaller or PartyCallee.
func (p Party) Known() bool { return p == PartyNone || p == PartyCaller || p == PartyCallee }

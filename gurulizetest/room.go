// room.go: room scripts (RoomScript, its steps, the ready-made scripts) and
// how the fake turns one into the events the provider sends.

package gurulizetest

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gurulize/gurulize-go"
)

// RoomAction is what happens in a RoomStep.
type RoomAction string

// The actions a RoomStep can take.
const (
	// ActionJoin: Source (gurulize.SourceHost or gurulize.SourceGuest)
	// enters the room (JOIN). When both people are in,
	// a meeting starts (MEETING_STARTED), preceded the first time by
	// ROOM_ACTIVATED.
	ActionJoin RoomAction = "join"
	// ActionHangUp: Source presses the end-call button. A meeting in
	// progress ends (MEETING_ENDED, reason HANGUP); Source leaves (LEFT).
	ActionHangUp RoomAction = "hang-up"
	// ActionDrop: Source's connection drops. Source leaves (LEFT); a
	// meeting in progress ends (MEETING_ENDED without a reason).
	ActionDrop RoomAction = "drop"
	// ActionEndMeeting: the host ends the meeting for everyone. In a room
	// created with endHow=BY_HOST: MEETING_ENDED from HOST with reason
	// END_MEETING, everyone leaves, and the room is over. In any other
	// room the button does not exist, and the host just hangs up.
	ActionEndMeeting RoomAction = "end-meeting"
	// ActionSend sends RoomStep.Event as it is, outside every rule: for
	// sequences the provider's rules would never produce.
	ActionSend RoomAction = "send"
)

// RoomStep is one thing that happens in a room, At a time after the room's
// startDate.
type RoomStep struct {
	At     time.Duration // after the room's startDate
	Action RoomAction
	// Source is who acts, for ActionJoin, ActionHangUp and ActionDrop:
	// gurulize.SourceHost or gurulize.SourceGuest, the eventSource of the
	// events that person causes. Steps by anyone else are not played.
	Source gurulize.EventSource
	Event  RawEvent // what ActionSend sends
}

// RawEvent is a video callback sent as it is by ActionSend. Its
// receivedTime is the room's startDate plus the step's At.
type RawEvent struct {
	Code                 gurulize.VideoEventCode // any text, documented or not
	Source               gurulize.EventSource    // any text
	Reason               gurulize.EndReason      // "" for none
	MeetingTotalDuration time.Duration           // sent in milliseconds
}

// Join returns a step in which who (gurulize.SourceHost or
// gurulize.SourceGuest) enters the room at offset at.
func Join(at time.Duration, who gurulize.EventSource) RoomStep {
	return RoomStep{At: at, Action: ActionJoin, Source: who}
}

// HangUp returns a step in which who presses the end-call button at
// offset at.
func HangUp(at time.Duration, who gurulize.EventSource) RoomStep {
	return RoomStep{At: at, Action: ActionHangUp, Source: who}
}

// Drop returns a step in which who's connection drops at offset at.
func Drop(at time.Duration, who gurulize.EventSource) RoomStep {
	return RoomStep{At: at, Action: ActionDrop, Source: who}
}

// EndMeeting returns a step in which the host ends the meeting for
// everyone at offset at (see ActionEndMeeting).
func EndMeeting(at time.Duration) RoomStep {
	return RoomStep{At: at, Action: ActionEndMeeting, Source: gurulize.SourceHost}
}

// Send returns a step that sends ev as it is at offset at.
func Send(at time.Duration, ev RawEvent) RoomStep {
	return RoomStep{At: at, Action: ActionSend, Event: ev}
}

// RoomScript is what the people in a room do. The fake turns it into the
// callbacks the provider would send, applying the provider's rules: a
// meeting runs while both people are in; ROOM_ACTIVATED comes once;
// meetingTotalDuration is cumulative over the room's meetings; and in a room
// created with endHow=AUTOMATIC the server ends the meeting when time runs
// out (MEETING_ENDED from SERVER, reason END_MEETING_FORCED), at startDate +
// durationInMinutes, or with endWhen=END_OF_DURATION once the meetings have
// lasted durationInMinutes in total. After that the room is over: later
// steps are not played (but ActionSend steps always are).
type RoomScript struct {
	Name  string
	Steps []RoomStep // in any order; played sorted by At
}

// Meet is the script "meet d": the host comes in at the start, the guest 30
// seconds later, they meet for d, then the guest hangs up and the host leaves
// 5 seconds after. The room is billed d, over one meeting, ended by HANGUP.
func Meet(d time.Duration) RoomScript {
	return RoomScript{Name: "meet " + shortDuration(d), Steps: []RoomStep{
		Join(0, gurulize.SourceHost),
		Join(30*time.Second, gurulize.SourceGuest),
		HangUp(30*time.Second+d, gurulize.SourceGuest),
		HangUp(30*time.Second+d+5*time.Second, gurulize.SourceHost),
	}}
}

// TwoBreaks is the script "two breaks": three meetings of 10, 15 and 5
// minutes. The guest's connection drops after the first and the guest comes
// back 2 minutes later; the host hangs up after the second and rejoins a
// minute later; the guest hangs up at the end. The room is billed 30
// minutes over 3 meetings, ended by HANGUP.
func TwoBreaks() RoomScript {
	return RoomScript{Name: "two breaks", Steps: []RoomStep{
		Join(0, gurulize.SourceHost),
		Join(time.Minute, gurulize.SourceGuest),
		Drop(11*time.Minute, gurulize.SourceGuest),
		Join(13*time.Minute, gurulize.SourceGuest),
		HangUp(28*time.Minute, gurulize.SourceHost),
		Join(29*time.Minute, gurulize.SourceHost),
		HangUp(34*time.Minute, gurulize.SourceGuest),
		HangUp(34*time.Minute+10*time.Second, gurulize.SourceHost),
	}}
}

// HostEnds is the script "host ends": the host comes in at the start, the
// guest 30 seconds later, and after meeting for d the host ends the meeting
// for everyone. In a room created with endHow=BY_HOST that is MEETING_ENDED
// from HOST with reason END_MEETING; in other rooms the host hangs up.
func HostEnds(d time.Duration) RoomScript {
	return RoomScript{Name: "host ends after " + shortDuration(d), Steps: []RoomStep{
		Join(0, gurulize.SourceHost),
		Join(30*time.Second, gurulize.SourceGuest),
		EndMeeting(30*time.Second + d),
	}}
}

// TimeRunsOut is the script "time runs out": the host comes in at the start,
// the guest 30 seconds later, and neither leaves. In a room created with
// endHow=AUTOMATIC the server ends the meeting when the room's time runs out
// (MEETING_ENDED from SERVER, reason END_MEETING_FORCED): with the default
// endWhen=END_TIME at startDate + durationInMinutes, so the room is billed
// its duration minus 30 seconds; with END_OF_DURATION after the full
// duration of meeting. In other rooms the meeting never ends.
func TimeRunsOut() RoomScript {
	return RoomScript{Name: "time runs out", Steps: []RoomStep{
		Join(0, gurulize.SourceHost),
		Join(30*time.Second, gurulize.SourceGuest),
	}}
}

// NoShow is the script "no show": the host waits 10 minutes alone, then
// leaves. The room is never activated and bills nothing.
func NoShow() RoomScript {
	return RoomScript{Name: "no show", Steps: []RoomStep{
		Join(0, gurulize.SourceHost),
		HangUp(10*time.Minute, gurulize.SourceHost),
	}}
}

// Silent is the script in which nothing happens: no callback is sent. Use it
// as the default script to play scripts only with Server.PlayRoom.
func Silent() RoomScript { return RoomScript{Name: "silent"} }

// DurationMeetingEndedLost is the magic room duration (durationInMinutes
// 999): a room created with it plays its script but loses every
// MEETING_ENDED on purpose, so that it never reads as ended and a test can
// check its own reconciliation (RoomTracker.Overdue). The fake's choice,
// not the provider's behaviour.
const DurationMeetingEndedLost = 999 * time.Minute

// roomPlay turns a script into the events of one room.
type roomPlay struct {
	room      Room
	present   map[gurulize.EventSource]bool
	inMeeting bool
	began     time.Duration // offset at which the meeting in progress began
	total     time.Duration // meeting time before the meeting in progress
	activated bool
	over      bool
	events    []videoEvent
	at        time.Duration // offset of the step being played
	n         int           // events emitted in this step: each is 1ms after the previous
}

// videoEvents returns the callbacks room sends when its people follow s.
func (s RoomScript) videoEvents(room Room) []videoEvent {
	steps := append([]RoomStep(nil), s.Steps...)
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].At < steps[j].At })
	p := &roomPlay{room: room, present: map[gurulize.EventSource]bool{}}
	for _, st := range steps {
		if d, ok := p.deadline(); ok && !p.over && d <= st.At {
			p.forceEnd(d)
		}
		p.at, p.n = st.At, 0
		switch {
		case st.Action == ActionSend:
			p.emit(st.Event.Code, st.Event.Source, st.Event.Reason, st.Event.MeetingTotalDuration)
		case p.over:
		default:
			p.apply(st)
		}
	}
	if d, ok := p.deadline(); ok && !p.over && (p.inMeeting || p.present[gurulize.SourceHost] || p.present[gurulize.SourceGuest]) {
		p.forceEnd(d)
	}
	if room.Duration == DurationMeetingEndedLost {
		return slices.DeleteFunc(p.events, func(ev videoEvent) bool { return ev.code == gurulize.EventMeetingEnded })
	}
	return p.events
}

// deadline is when the server ends the meeting, for AUTOMATIC rooms.
func (p *roomPlay) deadline() (time.Duration, bool) {
	if p.room.EndHow != gurulize.EndAutomatic {
		return 0, false
	}
	if p.room.EndWhen == gurulize.EndAfterDuration {
		if !p.inMeeting {
			return 0, false
		}
		return p.began + p.room.Duration - p.total, true
	}
	return p.room.Duration, true
}

func (p *roomPlay) emit(code gurulize.VideoEventCode, source gurulize.EventSource, reason gurulize.EndReason, total time.Duration) {
	at := p.room.StartAt.Add(p.at + time.Duration(p.n)*time.Millisecond)
	p.n++
	p.events = append(p.events, videoEvent{at: at, code: code, source: source, reason: reason, total: total})
}

// endMeeting ends the meeting in progress, if any, with a MEETING_ENDED.
func (p *roomPlay) endMeeting(source gurulize.EventSource, reason gurulize.EndReason) {
	if !p.inMeeting {
		return
	}
	p.inMeeting = false
	p.total += p.at - p.began
	p.emit(gurulize.EventMeetingEnded, source, reason, p.total)
}

func (p *roomPlay) leave(who gurulize.EventSource) {
	if p.present[who] {
		p.present[who] = false
		p.emit(gurulize.EventLeft, who, "", 0)
	}
}

func (p *roomPlay) forceEnd(at time.Duration) {
	p.at, p.n = at, 0
	p.endMeeting(gurulize.SourceServer, gurulize.ReasonEndMeetingForced)
	p.leave(gurulize.SourceGuest)
	p.leave(gurulize.SourceHost)
	p.over = true
}

func (p *roomPlay) apply(st RoomStep) {
	who := st.Source
	switch st.Action {
	case ActionJoin:
		if p.present[who] || (who != gurulize.SourceHost && who != gurulize.SourceGuest) {
			return
		}
		p.present[who] = true
		p.emit(gurulize.EventJoin, who, "", 0)
		if p.present[gurulize.SourceHost] && p.present[gurulize.SourceGuest] && !p.inMeeting {
			if !p.activated {
				p.activated = true
				p.emit(gurulize.EventRoomActivated, who, "", 0)
			}
			p.inMeeting, p.began = true, p.at
			p.emit(gurulize.EventMeetingStarted, who, "", 0)
		}
	case ActionHangUp:
		if p.present[who] {
			p.endMeeting(who, gurulize.ReasonHangup)
			p.leave(who)
		}
	case ActionDrop:
		if p.present[who] {
			p.leave(who)
			p.endMeeting(who, "")
		}
	case ActionEndMeeting:
		if !p.present[gurulize.SourceHost] {
			return
		}
		if p.room.EndHow != gurulize.EndByHost {
			p.endMeeting(gurulize.SourceHost, gurulize.ReasonHangup)
			p.leave(gurulize.SourceHost)
			return
		}
		p.endMeeting(gurulize.SourceHost, gurulize.ReasonEndMeeting)
		p.leave(gurulize.SourceGuest)
		p.leave(gurulize.SourceHost)
		p.over = true
	}
}

// shortDuration prints d without zero units: "40m", "1h30m", "45s".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// String describes the script by its name and number of steps.
func (s RoomScript) String() string { return fmt.Sprintf("%s (%d steps)", s.Name, len(s.Steps)) }

// This file holds the JSON form of RoomSummary and CallSummary: keys in
// lowerCamelCase named after the fields, durations in whole milliseconds
// under keys ending in "Ms", times in RFC 3339 UTC with milliseconds,
// omitted when zero.

package gurulize

import (
	"encoding/json"
	"fmt"
	"time"
)

// summaryTimeLayout is RFC 3339 with exactly three fractional digits.
const summaryTimeLayout = "2006-01-02T15:04:05.000Z07:00"

// roomSummaryJSON is the JSON form of a RoomSummary.
type roomSummaryJSON struct {
	RoomUUID     string    `json:"roomUuid"`
	Activated    bool      `json:"activated"`
	Meetings     int       `json:"meetings"`
	BilledMs     int64     `json:"billedMs"`
	Ended        bool      `json:"ended"`
	EndReason    EndReason `json:"endReason"`
	HostPresent  bool      `json:"hostPresent"`
	GuestPresent bool      `json:"guestPresent"`
	ActivatedAt  string    `json:"activatedAt,omitempty"`
	LastEndedAt  string    `json:"lastEndedAt,omitempty"`
	FirstEventAt string    `json:"firstEventAt,omitempty"`
	LastEventAt  string    `json:"lastEventAt,omitempty"`
	Expected     bool      `json:"expected"`
	ScheduledEnd string    `json:"scheduledEnd,omitempty"`
}

// MarshalJSON encodes s with lowerCamelCase keys named after its fields
// ("roomUuid", "activated", "meetings", "billedMs", "ended", "endReason",
// "hostPresent", "guestPresent", "activatedAt", "lastEndedAt",
// "firstEventAt", "lastEventAt", "expected", "scheduledEnd"): Billed in
// whole milliseconds, times in RFC 3339 UTC with milliseconds
// ("2020-09-24T09:05:59.259Z"), a zero time omitted. Sub-millisecond parts,
// which the SDK never produces, are dropped.
func (s RoomSummary) MarshalJSON() ([]byte, error) {
	if err := checkYears(s.ActivatedAt, s.LastEndedAt, s.FirstEventAt, s.LastEventAt, s.ScheduledEnd); err != nil {
		return nil, fmt.Errorf("gurulize: encoding RoomSummary: %w", err)
	}
	return json.Marshal(roomSummaryJSON{
		RoomUUID: s.RoomUUID, Activated: s.Activated, Meetings: s.Meetings, BilledMs: s.Billed.Milliseconds(),
		Ended: s.Ended, EndReason: s.EndReason, HostPresent: s.HostPresent, GuestPresent: s.GuestPresent,
		ActivatedAt: formatTime(s.ActivatedAt), LastEndedAt: formatTime(s.LastEndedAt),
		FirstEventAt: formatTime(s.FirstEventAt), LastEventAt: formatTime(s.LastEventAt),
		Expected: s.Expected, ScheduledEnd: formatTime(s.ScheduledEnd),
	})
}

// UnmarshalJSON decodes what MarshalJSON wrote into an equal RoomSummary
// (times in UTC). Unknown keys are ignored, a missing key leaves its field
// zero; a time that is not RFC 3339, or milliseconds a time.Duration cannot
// hold, is an error.
func (s *RoomSummary) UnmarshalJSON(data []byte) error {
	var w roomSummaryJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("gurulize: decoding RoomSummary: %w", err)
	}
	p := summaryParser{}
	n := RoomSummary{
		RoomUUID: w.RoomUUID, Activated: w.Activated, Meetings: w.Meetings, Billed: p.duration("billedMs", w.BilledMs),
		Ended: w.Ended, EndReason: w.EndReason, HostPresent: w.HostPresent, GuestPresent: w.GuestPresent,
		ActivatedAt: p.time("activatedAt", w.ActivatedAt), LastEndedAt: p.time("lastEndedAt", w.LastEndedAt),
		FirstEventAt: p.time("firstEventAt", w.FirstEventAt), LastEventAt: p.time("lastEventAt", w.LastEventAt),
		Expected: w.Expected, ScheduledEnd: p.time("scheduledEnd", w.ScheduledEnd),
	}
	if p.err != nil {
		return fmt.Errorf("gurulize: decoding RoomSummary: %w", p.err)
	}
	*s = n
	return nil
}

// callSummaryJSON is the JSON form of a CallSummary.
type callSummaryJSON struct {
	ID                int64       `json:"id"`
	Outcome           CallOutcome `json:"outcome"`
	Final             bool        `json:"final"`
	TalkTimeMs        int64       `json:"talkTimeMs"`
	FailedParty       Party       `json:"failedParty"`
	StartedAt         string      `json:"startedAt,omitempty"`
	CallerConnectedAt string      `json:"callerConnectedAt,omitempty"`
	CalleeConnectedAt string      `json:"calleeConnectedAt,omitempty"`
	EndedAt           string      `json:"endedAt,omitempty"`
	LastStatusAt      string      `json:"lastStatusAt,omitempty"`
	Expected          bool        `json:"expected"`
	Deadline          string      `json:"deadline,omitempty"`
}

// MarshalJSON encodes s with lowerCamelCase keys named after its fields
// ("id", "outcome", "final", "talkTimeMs", "failedParty", "startedAt",
// "callerConnectedAt", "calleeConnectedAt", "endedAt", "lastStatusAt",
// "expected", "deadline"): TalkTime in whole milliseconds, times in RFC 3339
// UTC with milliseconds, a zero time omitted.
func (s CallSummary) MarshalJSON() ([]byte, error) {
	if err := checkYears(s.StartedAt, s.CallerConnectedAt, s.CalleeConnectedAt, s.EndedAt, s.LastStatusAt, s.Deadline); err != nil {
		return nil, fmt.Errorf("gurulize: encoding CallSummary: %w", err)
	}
	return json.Marshal(callSummaryJSON{
		ID: s.ID, Outcome: s.Outcome, Final: s.Final, TalkTimeMs: s.TalkTime.Milliseconds(), FailedParty: s.FailedParty,
		StartedAt: formatTime(s.StartedAt), CallerConnectedAt: formatTime(s.CallerConnectedAt),
		CalleeConnectedAt: formatTime(s.CalleeConnectedAt), EndedAt: formatTime(s.EndedAt),
		LastStatusAt: formatTime(s.LastStatusAt), Expected: s.Expected, Deadline: formatTime(s.Deadline),
	})
}

// UnmarshalJSON decodes what MarshalJSON wrote into an equal CallSummary,
// with the same rules as RoomSummary.UnmarshalJSON.
func (s *CallSummary) UnmarshalJSON(data []byte) error {
	var w callSummaryJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("gurulize: decoding CallSummary: %w", err)
	}
	p := summaryParser{}
	n := CallSummary{
		ID: w.ID, Outcome: w.Outcome, Final: w.Final, TalkTime: p.duration("talkTimeMs", w.TalkTimeMs), FailedParty: w.FailedParty,
		StartedAt: p.time("startedAt", w.StartedAt), CallerConnectedAt: p.time("callerConnectedAt", w.CallerConnectedAt),
		CalleeConnectedAt: p.time("calleeConnectedAt", w.CalleeConnectedAt), EndedAt: p.time("endedAt", w.EndedAt),
		LastStatusAt: p.time("lastStatusAt", w.LastStatusAt), Expected: w.Expected, Deadline: p.time("deadline", w.Deadline),
	}
	if p.err != nil {
		return fmt.Errorf("gurulize: decoding CallSummary: %w", p.err)
	}
	*s = n
	return nil
}

// formatTime writes t in RFC 3339 UTC with milliseconds, or "" for the
// zero time.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(summaryTimeLayout)
}

// checkYears reports a time RFC 3339 cannot write: outside the years 0 to
// 9999 (in UTC).
func checkYears(ts ...time.Time) error {
	for _, t := range ts {
		if y := t.UTC().Year(); !t.IsZero() && (y < 0 || y > 9999) {
			return fmt.Errorf("time %s is outside the years 0 to 9999", t.UTC().Format(time.RFC3339))
		}
	}
	return nil
}

// summaryParser converts a summary's JSON values back, keeping the first
// error.
type summaryParser struct{ err error }

func (p *summaryParser) time(key, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil && p.err == nil {
		p.err = fmt.Errorf("%s is not an RFC 3339 time: %s", key, quoteExcerpt(s))
	}
	return t.UTC()
}

func (p *summaryParser) duration(key string, ms int64) time.Duration {
	if (ms > maxDurationMS || ms < -maxDurationMS) && p.err == nil {
		p.err = fmt.Errorf("%s %d is out of range", key, ms)
	}
	return time.Duration(ms) * time.Millisecond
}

// This file holds the JSON forms of a room: RoomState's stored form, lenient
// on additions and strict on contradictions, and RoomSummary's.

package gurulize

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// MarshalJSON encodes the state as a versioned JSON object, times in Unix
// milliseconds, for storage. A state decoded from a later version keeps
// that version and the keys this version does not know.
func (s RoomState) MarshalJSON() ([]byte, error) {
	d := s.d
	d.V = s.later.version()
	b, err := json.Marshal(d)
	if err != nil || s.later == nil {
		return b, err
	}
	return withExtra(b, s.later.extra)
}

// UnmarshalJSON decodes what MarshalJSON wrote, by this version or a later
// one, replacing the whole state; JSON null leaves it unchanged. It is
// lenient on additions: a key it does not know is kept, to be written back
// by MarshalJSON, and a version above 1 is accepted. It refuses, saying
// why, a contradiction: a duplicate key or one that differs from a known
// key only in case, null or a value of the wrong type for a known key, a
// version below 1, and any state Apply and Expect cannot produce: times out
// of range or outside [firstAt, lastAt], start times out of order, repeated
// or more than 1,000 (never truncated), a billed time time.Duration cannot
// hold, an end reason without its end or disagreeing with closedAt, data
// without a room, a room without events or expectation.
func (s *RoomState) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	var d roomData
	known, extra, err := splitObject(data, roomKeys)
	if err == nil {
		err = decodeKnown(known, &d)
	}
	if err == nil {
		err = d.check()
	}
	if err != nil {
		return fmt.Errorf("gurulize: decoding RoomState: %w", err)
	}
	d.Starts = slices.Clip(d.Starts)
	*s = RoomState{d: d, later: keep(d.V, extra, nil)}
	return nil
}

// check reports why d is not a state Apply and Expect can produce, or nil.
func (d *roomData) check() error {
	times := append([]int64{d.ActivatedAt, d.LastStartAt, d.LastEndAt, d.ClosedAt,
		d.HostJoinAt, d.HostLeftAt, d.GuestJoinAt, d.GuestLeftAt}, d.Starts...)
	var last int64 // the latest start time
	if n := len(d.Starts); n > 0 {
		last = d.Starts[n-1]
	}
	events := d.FirstAt != 0 || d.LastAt != 0 || d.BilledMS != 0 || d.EndReason != "" || len(d.Starts) > 0 ||
		slices.ContainsFunc(times, func(t int64) bool { return t != 0 })
	closes := d.EndReason == ReasonEndMeeting || d.EndReason == ReasonEndMeetingForced
	switch {
	case d.V < stateVersion:
		return fmt.Errorf("unsupported version %d", d.V)
	case d.Room == "" && (events || d.Expected || d.ScheduledAt != 0):
		return errors.New("data without a room")
	case d.Room == "":
		return nil
	case d.ScheduledAt != 0 && !d.Expected:
		return errors.New("scheduledEnd without expected")
	case d.ScheduledAt < 0 || d.ScheduledAt > maxUnixMillis:
		return fmt.Errorf("scheduledEnd %d is out of range", d.ScheduledAt)
	case !events && !d.Expected:
		return errors.New("a room without events or expectation")
	case !events:
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
	case closes != (d.ClosedAt != 0 && d.ClosedAt == d.LastEndAt):
		return fmt.Errorf("endReason %s disagrees with closedAt", quoteExcerpt(string(d.EndReason)))
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

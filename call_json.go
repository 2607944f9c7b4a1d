// This file holds the JSON forms of a call: CallState's stored form, lenient
// on additions and strict on contradictions, and CallSummary's.

package gurulize

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// callStateJSON is the stored form of a CallState. Times are Unix seconds
// but for DeadlineMS; Statuses maps a code's wire name to its earliest and
// latest time.
type callStateJSON struct {
	V          int             `json:"v"`
	ID         int64           `json:"id"`
	FirstAt    int64           `json:"firstAt,omitempty"`
	LastAt     int64           `json:"lastAt,omitempty"`
	Statuses   json.RawMessage `json:"statuses,omitempty"`
	Expected   bool            `json:"expected,omitempty"`
	DeadlineMS int64           `json:"deadlineMs,omitempty"`
}

// callKeys are the keys of callStateJSON.
var callKeys = []string{"v", "id", "firstAt", "lastAt", "statuses", "expected", "deadlineMs"}

// MarshalJSON encodes the state as a versioned JSON object, times in Unix
// seconds (the deadline in Unix milliseconds) and statuses by their wire
// names, for storage. A state decoded from a later version keeps that
// version, the keys and the status names this version does not know.
func (s CallState) MarshalJSON() ([]byte, error) {
	w := callStateJSON{V: s.later.version(), ID: s.id, FirstAt: s.firstAt, LastAt: s.lastAt, Expected: s.expected, DeadlineMS: s.deadline}
	statuses := make(map[string][2]int64)
	for c, name := range voiceStatusNames {
		if s.first[c] != 0 {
			statuses[name] = [2]int64{s.first[c], s.last[c]}
		}
	}
	if s.later != nil {
		for name, times := range s.later.statuses {
			statuses[name] = times
		}
	}
	if len(statuses) > 0 {
		var err error
		if w.Statuses, err = json.Marshal(statuses); err != nil {
			return nil, err
		}
	}
	b, err := json.Marshal(w)
	if err != nil || s.later == nil {
		return b, err
	}
	return withExtra(b, s.later.extra)
}

// UnmarshalJSON decodes what MarshalJSON wrote, by this version or a later
// one, replacing the whole state; JSON null leaves the state unchanged. It
// is lenient on additions: a key or a status name it does not know is kept,
// to be written back by MarshalJSON, and a version above 1 is accepted. It
// refuses, with an error saying why, a contradiction: a duplicate key or one
// that differs from a known key or status name only in case, null or a
// value of the wrong type for a known key, a status time list that is not
// exactly two times, a version below 1, a status name that is not
// upper-case letters, digits and underscores (such as "4" or
// "VoiceStatusCode(4)", or the provider's "INIT" for CALLS_STARTING), and
// any state Apply and Expect cannot produce: a negative id, times out of
// range or outside [firstAt, lastAt], a status's earliest time after its
// latest, statuses without firstAt, an id without statuses or expectation.
func (s *CallState) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	n, err := decodeCallState(data)
	if err != nil {
		return fmt.Errorf("gurulize: decoding CallState: %w", err)
	}
	*s = n
	return nil
}

// decodeCallState returns the CallState data encodes, or why it cannot be one.
func decodeCallState(data []byte) (CallState, error) {
	var w callStateJSON
	known, extra, err := splitObject(data, callKeys)
	if err == nil {
		err = decodeKnown(known, &w)
	}
	if err != nil {
		return CallState{}, err
	}
	n := CallState{id: w.ID, firstAt: w.FirstAt, lastAt: w.LastAt, expected: w.Expected, deadline: w.DeadlineMS}
	switch {
	case w.V < stateVersion:
		return CallState{}, fmt.Errorf("unsupported version %d", w.V)
	case w.ID < 0:
		return CallState{}, fmt.Errorf("negative id %d", w.ID)
	case w.DeadlineMS != 0 && !w.Expected:
		return CallState{}, errors.New("deadlineMs without expected")
	case w.DeadlineMS < 0 || w.DeadlineMS > maxUnixMillis:
		return CallState{}, fmt.Errorf("deadlineMs %d is out of range", w.DeadlineMS)
	case w.FirstAt == 0 && (w.LastAt != 0 || len(w.Statuses) > 0 || w.ID != 0 && !w.Expected):
		return CallState{}, errors.New("data without firstAt")
	case w.FirstAt == 0:
		return n, nil
	case w.FirstAt < 0 || w.LastAt < w.FirstAt || w.LastAt > maxUnixSeconds:
		return CallState{}, fmt.Errorf("firstAt %d and lastAt %d are not an interval of Unix seconds", w.FirstAt, w.LastAt)
	}
	statuses, err := n.decodeStatuses(w.Statuses)
	if err != nil {
		return CallState{}, err
	}
	n.later = keep(w.V, extra, statuses)
	return n, nil
}

// decodeStatuses sets the times of the known statuses in raw and returns
// those of the others, by name.
func (s *CallState) decodeStatuses(raw json.RawMessage) (map[string][2]int64, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	known, unknown, err := splitObject(raw, voiceStatusNames[:])
	if err != nil {
		return nil, fmt.Errorf("statuses: %w", err)
	}
	var others map[string][2]int64
	for name, v := range unknown {
		if !wireName(name) {
			return nil, fmt.Errorf("status name %s is not a wire name", quoteExcerpt(name))
		}
		known[name] = v
	}
	for name, v := range known {
		var times []int64
		if err := json.Unmarshal(v, &times); err != nil || len(times) != 2 {
			return nil, fmt.Errorf("times of %s are not a list of two Unix seconds", quoteExcerpt(name))
		}
		if times[0] < s.firstAt || times[1] < times[0] || times[1] > s.lastAt {
			return nil, fmt.Errorf("times %d, %d of %s are not within firstAt %d and lastAt %d", times[0], times[1], name, s.firstAt, s.lastAt)
		}
		if c := slices.Index(voiceStatusNames[:], name); c >= 0 {
			s.first[c], s.last[c] = times[0], times[1]
			continue
		}
		if others == nil {
			others = make(map[string][2]int64)
		}
		others[name] = [2]int64{times[0], times[1]}
	}
	return others, nil
}

// wireName reports whether name is shaped like a status's wire name:
// upper-case ASCII letters, digits and underscores, starting with a letter,
// and not the provider's alias INIT for CALLS_STARTING.
func wireName(name string) bool {
	for i, r := range name {
		if !('A' <= r && r <= 'Z' || i > 0 && ('0' <= r && r <= '9' || r == '_')) {
			return false
		}
	}
	return name != "" && name != "INIT"
}

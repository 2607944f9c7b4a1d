// expect.go: the rooms and calls "gurulize listen" is told to expect
// (--expect-room, --expect-call), and its report, when it stops, of those
// whose end never came (overdue) and of the callbacks for rooms and calls
// it was not told of (unexpected).

package cli

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gurulize/gurulize-go"
)

const expectHelp = `
Reconciliation: tell listen what your application created, and it marks
callbacks for anything else "unexpected", and when it stops lists the rooms
without a MEETING_ENDED and the calls without a final status once their time
(plus --grace) is past ("overdue"):

  --expect-room UUID,START,DURATION   e.g. 444f…,2026-12-01T15:00:00Z,45m (START as room create's --start)
  --expect-call ID,MAX_DURATION       e.g. 7,10m (the deadline counts from when listen starts)
`

// expectations holds listen's trackers, what it was told to expect, and the
// unexpected rooms and calls it has seen.
type expectations struct {
	rooms      *gurulize.RoomTracker
	calls      *gurulize.CallTracker
	grace      time.Duration
	given      bool // any --expect-room or --expect-call
	mu         sync.Mutex
	unexpRooms map[string]bool
	unexpCalls map[int64]bool
}

// addExpectFlags defines --expect-room, --expect-call and --grace on fs.
func addExpectFlags(fs *command) *expectations {
	e := &expectations{rooms: gurulize.NewRoomTracker(), calls: gurulize.NewCallTracker(),
		unexpRooms: map[string]bool{}, unexpCalls: map[int64]bool{}}
	fs.Func("expect-room", "a room your application created: `UUID,START,DURATION` (repeatable)", e.expectRoom)
	fs.Func("expect-call", "a call your application registered: `ID,MAX_DURATION` (repeatable)", e.expectCall)
	fs.durationVar(&e.grace, "grace", time.Minute, "how long past its end an expected room or call may stay open before it is overdue")
	return e
}

func (e *expectations) expectRoom(s string) error {
	parts := strings.Split(s, ",")
	if len(parts) != 3 || parts[0] == "" {
		return fmt.Errorf("%q is not UUID,START,DURATION", s)
	}
	start, err := parseStart(parts[1], time.Now())
	if err != nil {
		return fmt.Errorf("%q: START %q is not now, +<duration> or an RFC 3339 time", s, parts[1])
	}
	d, err := time.ParseDuration(parts[2])
	if err != nil || d <= 0 {
		return fmt.Errorf("%q: DURATION %q is not a positive duration such as 45m", s, parts[2])
	}
	e.rooms.Expect(&gurulize.VideoRoom{UUID: parts[0]}, gurulize.VideoRoomRequest{StartAt: start, Duration: d})
	e.given = true
	return nil
}

func (e *expectations) expectCall(s string) error {
	id, dur, ok := strings.Cut(s, ",")
	n, err := strconv.ParseInt(id, 10, 64)
	if !ok || err != nil || n < 0 {
		return fmt.Errorf("%q is not ID,MAX_DURATION with ID a call ID", s)
	}
	d, err := time.ParseDuration(dur)
	if err != nil || d <= 0 {
		return fmt.Errorf("%q: MAX_DURATION %q is not a positive duration such as 10m", s, dur)
	}
	e.calls.Expect(&gurulize.CallRegistration{ID: n}, gurulize.CallRequest{MaxDuration: d})
	e.given = true
	return nil
}

// trackers returns the trackers listen folds callbacks into (new ones for a
// printer without expectations).
func (e *expectations) trackers() (*gurulize.RoomTracker, *gurulize.CallTracker) {
	if e == nil {
		return gurulize.NewRoomTracker(), gurulize.NewCallTracker()
	}
	return e.rooms, e.calls
}

// roomNote returns what to add to a room's summary line: ", unexpected" for
// a room not expected, once expectations were given.
func (e *expectations) roomNote(s gurulize.RoomSummary) string {
	if e == nil || !e.given || s.Expected {
		return ""
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.unexpRooms[s.RoomUUID] = true
	return ", unexpected"
}

func (e *expectations) callNote(s gurulize.CallSummary) string {
	if e == nil || !e.given || s.Expected {
		return ""
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.unexpCalls[s.ID] = true
	return ", unexpected"
}

// report prints the overdue and unexpected rooms and calls at now, once
// expectations were given.
func (e *expectations) report(p *printer, now time.Time) {
	if e == nil || !e.given {
		return
	}
	rooms, calls := e.rooms.Overdue(now, e.grace), e.calls.Overdue(now, e.grace)
	e.mu.Lock()
	unexpRooms, unexpCalls := slices.Sorted(maps.Keys(e.unexpRooms)), slices.Sorted(maps.Keys(e.unexpCalls))
	e.mu.Unlock()
	lines := []string{fmt.Sprintf("reconciliation: %d overdue room(s), %d overdue call(s), %d unexpected room(s), %d unexpected call(s)",
		len(rooms), len(calls), len(unexpRooms), len(unexpCalls))}
	for _, r := range rooms {
		lines = append(lines, fmt.Sprintf("  overdue     room %s: scheduled to end %s, %s", escape(r.RoomUUID), r.ScheduledEnd.Format(time.RFC3339), roomText(r)))
	}
	for _, c := range calls {
		lines = append(lines, fmt.Sprintf("  overdue     call %d: deadline %s, %s", c.ID, c.Deadline.Format(time.RFC3339), callText(c)))
	}
	for _, uuid := range unexpRooms {
		lines = append(lines, "  unexpected  room "+escape(uuid))
	}
	for _, id := range unexpCalls {
		lines = append(lines, fmt.Sprintf("  unexpected  call %d", id))
	}
	p.line(map[string]any{"type": "reconciliation", "overdueRooms": rooms, "overdueCalls": calls,
		"unexpectedRooms": unexpRooms, "unexpectedCalls": unexpCalls}, strings.Join(lines, "\n"))
}

// summaryLine is the JSON line of a changed summary, marked unexpected when
// note says so.
func summaryLine(kind string, summary map[string]any, note string) map[string]any {
	line := map[string]any{"type": kind, "summary": summary}
	if note != "" {
		line["unexpected"] = true
	}
	return line
}

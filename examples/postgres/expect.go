// Rooms and calls the application created, stored when it creates them, and
// the rooms and calls whose callbacks never came: the same rules as the
// SDK's RoomTracker and CallTracker (Expect, Overdue), in SQL.

package main

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gurulize/gurulize-go"
)

// ExpectRoom records that the application created room with req, as
// RoomTracker.Expect does: its summary becomes Expected, with ScheduledEnd
// req.StartAt + req.Duration, whether its callbacks came before or after.
// When ctx holds a valid span (the one that created the room), its W3C
// traceparent is stored with the row, for the span links of the room's
// callbacks (see linkCreation). Errors are those of SaveVideoEvent.
func (s *Store) ExpectRoom(ctx context.Context, room *gurulize.VideoRoom, req gurulize.VideoRoomRequest) error {
	return s.save(ctx, rooms, room.UUID, withTraceparent(ctx, foldRoom(func(st *gurulize.RoomState) bool { return st.Expect(room, req) })))
}

// ExpectCall records that the application registered reg with req, as
// CallTracker.Expect does, with this replica's clock: Deadline is now +
// req.MaxDuration (the first time only). The traceparent of the span in
// ctx is stored as ExpectRoom stores it. Errors are those of
// SaveVoiceStatus.
func (s *Store) ExpectCall(ctx context.Context, reg *gurulize.CallRegistration, req gurulize.CallRequest) error {
	registered := time.Now()
	return s.save(ctx, calls, reg.ID, withTraceparent(ctx, foldCall(func(cs *gurulize.CallState) bool { return cs.Expect(reg, req, registered) })))
}

// The overdue queries, as RoomTracker.Overdue and CallTracker.Overdue
// choose: expected ($1 is now - grace), not over, due before $1, earliest
// first. The unexpected rooms and calls, callbacks for something this
// server never created, are WHERE unexpected.
const (
	overdueRoomsSQL = `SELECT state FROM gurulize_rooms
		WHERE NOT unexpected AND NOT ended AND scheduled_end < $1
		ORDER BY scheduled_end, room_uuid COLLATE "C"`
	overdueCallsSQL = `SELECT state FROM gurulize_calls
		WHERE NOT unexpected AND NOT final AND deadline < $1
		ORDER BY deadline, call_id`
)

// OverdueRooms returns the expected rooms whose ScheduledEnd + grace is
// before now without a MEETING_ENDED, earliest first, as
// RoomTracker.Overdue does.
func (s *Store) OverdueRooms(ctx context.Context, now time.Time, grace time.Duration) ([]gurulize.RoomSummary, error) {
	return overdue(ctx, s, overdueRoomsSQL, now, grace, func(st gurulize.RoomState) gurulize.RoomSummary { return st.Summary() })
}

// OverdueCalls returns the expected calls whose Deadline + grace is before
// now without a final status, earliest first, as CallTracker.Overdue does.
func (s *Store) OverdueCalls(ctx context.Context, now time.Time, grace time.Duration) ([]gurulize.CallSummary, error) {
	return overdue(ctx, s, overdueCallsSQL, now, grace, func(cs gurulize.CallState) gurulize.CallSummary { return cs.Summary() })
}

func overdue[S, T any](ctx context.Context, s *Store, query string, now time.Time, grace time.Duration, summary func(S) T) ([]T, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	rows, err := s.pool.Query(ctx, query, now.Add(-grace))
	if err != nil {
		return nil, err
	}
	out := []T{}
	var stored []byte
	_, err = pgx.ForEachRow(rows, []any{&stored}, func() error {
		var st S
		if err := decode(stored, &st); err != nil {
			return err
		}
		out = append(out, summary(st))
		return nil
	})
	return out, err
}

// The reads behind the HTTP routes: a room's or call's summary, and its
// changes.

package main

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/gurulize/gurulize-go"
)

// Room returns the summary of the room uuid, and false if no event of it
// was stored.
func (s *Store) Room(ctx context.Context, uuid string) (gurulize.RoomSummary, bool, error) {
	var st gurulize.RoomState
	ok, err := s.load(ctx, rooms, uuid, &st)
	return st.Summary(), ok, err
}

// Call returns the summary of the call id, and false if no status of it was
// stored.
func (s *Store) Call(ctx context.Context, id int64) (gurulize.CallSummary, bool, error) {
	var cs gurulize.CallState
	ok, err := s.load(ctx, calls, id, &cs)
	return cs.Summary(), ok, err
}

// load decodes the committed state of key into v.
func (s *Store) load(ctx context.Context, t table, key any, v any) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var stored []byte
	err := s.pool.QueryRow(ctx, t.state, key).Scan(&stored)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, decode(stored, v)
}

// Change is one change of a room or a call: its version, from 1 without
// gaps, and the summary it gave.
type Change[S any] struct {
	Version int64 `json:"version"`
	Summary S     `json:"summary"`
}

// RoomChanges returns the changes of the room uuid, oldest first; none if no
// event of it was stored.
func (s *Store) RoomChanges(ctx context.Context, uuid string) ([]Change[gurulize.RoomSummary], error) {
	return changes[gurulize.RoomSummary](ctx, s, rooms, uuid)
}

// CallChanges returns the changes of the call id, oldest first; none if no
// status of it was stored.
func (s *Store) CallChanges(ctx context.Context, id int64) ([]Change[gurulize.CallSummary], error) {
	return changes[gurulize.CallSummary](ctx, s, calls, id)
}

func changes[S any](ctx context.Context, s *Store, t table, key any) ([]Change[S], error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	rows, err := s.pool.Query(ctx, t.list, key)
	if err != nil {
		return nil, err
	}
	var out []Change[S]
	var version int64
	var summary []byte
	_, err = pgx.ForEachRow(rows, []any{&version, &summary}, func() error {
		c := Change[S]{Version: version}
		upgraded, err := upgradeSummary(t.kind, summary)
		if err != nil {
			return err
		}
		if err := decode(upgraded, &c.Summary); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	return out, err
}

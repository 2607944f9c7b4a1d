// How a callback is stored: the statements, one optimistic write per
// change, the retries, and what the database's errors mean for the reply.

package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gurulize/gurulize-go"
)

// table holds the statements of one kind of row: rooms or calls.
type table struct {
	kind   string // "room" or "call"
	read   string // the state and version: $1 key
	create string // the first change, if the row does not exist: change.args; returns 1 or 0 changes written, and the row's state and version if it existed when the statement began (NULL otherwise)
	update string // a change, if the row's version is still $3-1: change.args; returns 1 or 0 changes written and, when 0, the row's state and version as they were when the statement began (NULL when there was no row)
	state  string // the committed state: $1 key
	list   string // the changes, oldest first: $1 key
	traced string // the traceparent of the span that created the room or call, NULL when none: $1 key
}

// The writes append the change row in the same statement as the state, so
// both are committed or neither, and return how many changes they wrote: 1,
// or 0 when the condition failed; only then do they read the row, for the
// next attempt (a subquery under CASE runs only when its branch is taken).
// A change with no traceparent ($8 NULL) keeps the one stored.
var rooms = table{
	kind: "room",
	read: `SELECT state, version FROM gurulize_rooms WHERE room_uuid = $1`,
	create: `WITH created AS (INSERT INTO gurulize_rooms (room_uuid, state, version, unexpected, ended, scheduled_end, traceparent)
			VALUES ($1, $2, $3, $5, $6, $7, $8) ON CONFLICT (room_uuid) DO NOTHING RETURNING room_uuid)
		, changed AS (INSERT INTO gurulize_room_changes (room_uuid, version, summary) SELECT room_uuid, $3, $4 FROM created RETURNING 1)
		` + writtenOrRow("gurulize_rooms", "room_uuid"),
	update: `WITH updated AS (UPDATE gurulize_rooms SET state = $2, version = $3, unexpected = $5, ended = $6,
			scheduled_end = $7, traceparent = COALESCE($8, traceparent), updated_at = now()
			WHERE room_uuid = $1 AND version = $3 - 1 RETURNING room_uuid)
		, changed AS (INSERT INTO gurulize_room_changes (room_uuid, version, summary) SELECT room_uuid, $3, $4 FROM updated RETURNING 1)
		` + writtenOrRow("gurulize_rooms", "room_uuid"),
	state:  `SELECT state FROM gurulize_rooms WHERE room_uuid = $1 AND version > 0`,
	list:   `SELECT version, summary FROM gurulize_room_changes WHERE room_uuid = $1 ORDER BY version`,
	traced: `SELECT traceparent FROM gurulize_rooms WHERE room_uuid = $1`,
}

var calls = table{
	kind: "call",
	read: `SELECT state, version FROM gurulize_calls WHERE call_id = $1`,
	create: `WITH created AS (INSERT INTO gurulize_calls (call_id, state, version, unexpected, final, deadline, traceparent)
			VALUES ($1, $2, $3, $5, $6, $7, $8) ON CONFLICT (call_id) DO NOTHING RETURNING call_id)
		, changed AS (INSERT INTO gurulize_call_changes (call_id, version, summary) SELECT call_id, $3, $4 FROM created RETURNING 1)
		` + writtenOrRow("gurulize_calls", "call_id"),
	update: `WITH updated AS (UPDATE gurulize_calls SET state = $2, version = $3, unexpected = $5, final = $6,
			deadline = $7, traceparent = COALESCE($8, traceparent), updated_at = now()
			WHERE call_id = $1 AND version = $3 - 1 RETURNING call_id)
		, changed AS (INSERT INTO gurulize_call_changes (call_id, version, summary) SELECT call_id, $3, $4 FROM updated RETURNING 1)
		` + writtenOrRow("gurulize_calls", "call_id"),
	state:  `SELECT state FROM gurulize_calls WHERE call_id = $1 AND version > 0`,
	list:   `SELECT version, summary FROM gurulize_call_changes WHERE call_id = $1 ORDER BY version`,
	traced: `SELECT traceparent FROM gurulize_calls WHERE call_id = $1`,
}

// writtenOrRow ends a write statement whose change rows are the CTE
// changed: it returns how many changes were written and, when none, the
// state and version of the row keyed $1 as the statement began.
func writtenOrRow(table, key string) string {
	row := func(column string) string {
		return "CASE WHEN n = 0 THEN (SELECT " + column + " FROM " + table + " WHERE " + key + " = $1) END"
	}
	return "SELECT n, " + row("state") + ", " + row("version") + " FROM (SELECT count(*) AS n FROM changed) c"
}

// save runs saveOnce, again after a conflict (at once after a first lost
// race, then after a growing pause) or a dead connection, at most
// s.maxAttempts times in all, and marks the errors of an unavailable
// database with gurulize.ErrRetryLater.
func (s *Store) save(ctx context.Context, t table, key any, apply func(stored any) (*change, error)) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var err error
	for attempt := 1; ; attempt++ {
		err = s.saveOnce(ctx, t, key, apply)
		if err == nil || attempt >= s.maxAttempts || !(conflict(err) || pgconn.SafeToRetry(err)) {
			break
		}
		s.retries.Add(1)
		if errors.Is(err, errLostRace) && attempt == 1 {
			continue // the other callback has committed: read it now
		}
		// Wait 5ms, 10ms, 20ms… with jitter, so the transactions that
		// collided do not collide again.
		wait := time.Duration(1<<(attempt-1)) * 5 * time.Millisecond
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: %w", gurulize.ErrRetryLater, err)
		case <-time.After(wait/2 + rand.N(wait)):
		}
	}
	switch {
	case err == nil:
	case unstorable(err):
		return fmt.Errorf("%w: %w", errUnstorable, err)
	case unavailable(err):
		return fmt.Errorf("%w: %w", gurulize.ErrRetryLater, err)
	}
	return err
}

// saveOnce stores one callback without locking anything while it is
// folded: it takes the row's state and version, applies the callback, and
// writes the new state with the next version together with its change row,
// in one statement, on condition that the version is still the one taken
// (for a new room or call, that no row exists yet). When another callback
// changed the row in between, nothing is written and saveOnce returns
// errLostRace: save runs it again on the newer state. So versions have no
// gaps and no repeats, and each is built on the one before it, whichever
// replica writes it. A callback that changes nothing writes nothing.
//
// The state and version come from s.recent when this replica wrote or read
// the row last, saving a round trip: one statement in all. When another
// replica wrote since, the write fails and returns the row as it is now, for
// the next attempt; so a stale entry costs the round trip it would have
// saved, and two in all, as without it. A row the replica does not remember
// is most likely a new room or call: its callback is written at once as the
// first change, by a statement that writes nothing and returns the row when
// it exists; so a new row costs one statement, and a row written by another
// replica two, as when it is read first.
func (s *Store) saveOnce(ctx context.Context, t table, key any, apply func(stored any) (*change, error)) error {
	k := recentKey{t.kind, key}
	if r, ok := s.recent.get(k); ok {
		c, err := apply(r.state)
		if err == nil && c != nil {
			return s.update(ctx, t, k, c, r.version+1)
		}
		// Nothing new by what this replica saw: look at the row itself.
	} else if c, err := apply(nil); err == nil && c != nil {
		stored, version, err := s.create(ctx, t, k, c)
		if err != nil || stored == nil {
			return err // nil: created
		}
		return s.write(ctx, t, k, apply, stored, version)
	}
	var stored []byte
	var version int64
	err := s.pool.QueryRow(ctx, t.read, key).Scan(&stored, &version)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	return s.write(ctx, t, k, apply, stored, version)
}

// write applies the callback to the row's state as read (nil and version 0
// when there is no row) and writes the change, if any, as the next version.
func (s *Store) write(ctx context.Context, t table, k recentKey, apply func(stored any) (*change, error), stored []byte, version int64) error {
	c, err := apply(stored)
	if err != nil || c == nil {
		if err == nil && version > 0 {
			s.recent.put(k, recentState{stored, version})
		}
		return err // nil: a duplicate or an event that adds nothing
	}
	if version > 0 {
		return s.update(ctx, t, k, c, version+1)
	}
	stored, _, err = s.create(ctx, t, k, c)
	if err == nil && stored != nil {
		return errLostRace // another callback created the row since it was read
	}
	return err
}

// create writes c as the first version of k's row, if there is no row. When
// there is one, it writes nothing and returns the row's state and version;
// when that row is too new for the statement to see (created by another
// transaction since the statement began), it returns errLostRace.
func (s *Store) create(ctx context.Context, t table, k recentKey, c *change) (stored []byte, version int64, err error) {
	var written int64
	var nowVersion *int64
	if err := s.pool.QueryRow(ctx, t.create, c.args(k.key, 1)...).Scan(&written, &stored, &nowVersion); err != nil {
		return nil, 0, err
	}
	switch {
	case written == 1:
		s.recent.put(k, recentState{c.value, 1})
		s.changed()
		return nil, 0, nil
	case nowVersion == nil || stored == nil:
		return nil, 0, errLostRace
	}
	s.recent.put(k, recentState{stored, *nowVersion})
	return stored, *nowVersion, nil
}

// update writes c as version of k's row, if the row is at version-1.
func (s *Store) update(ctx context.Context, t table, k recentKey, c *change, version int64) error {
	var written int64
	var nowState []byte
	var nowVersion *int64
	err := s.pool.QueryRow(ctx, t.update, c.args(k.key, version)...).Scan(&written, &nowState, &nowVersion)
	switch {
	case err != nil:
		s.recent.drop(k)
		return err
	case written == 1:
		s.recent.put(k, recentState{c.value, version})
		s.changed()
		return nil
	case nowVersion != nil && *nowVersion >= version:
		s.recent.put(k, recentState{nowState, *nowVersion}) // another replica wrote since: its state, for the next attempt
		return errLostRace
	}
	// The row was deleted, or the write waited for another one and failed
	// after it: the row as the statement began is older than that. Read it
	// anew.
	s.recent.drop(k)
	return errLostRace
}

// errLostRace is another callback of the same room or call changing its row
// between saveOnce's read and write.
var errLostRace = errors.New("another callback changed the row first")

// unstorable reports whether PostgreSQL refused err's statement for the
// values it was given, which it will refuse however often they come: a data
// exception (a NUL character, which text and jsonb cannot hold) or a limit
// (a key too long for its index, about 2.7 kB).
func unstorable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (strings.HasPrefix(pgErr.Code, "22") || strings.HasPrefix(pgErr.Code, "54"))
}

// conflict reports whether err is a lost race, a serialization failure or a
// deadlock: nothing was written, and running the callback again may succeed.
func conflict(err error) bool {
	if errors.Is(err, errLostRace) {
		return true
	}
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01")
}

// unavailable reports whether err says the database cannot be used right
// now, rather than that a statement is wrong: no connection, a connection
// lost or timed out, a server shutting down, starting or out of resources, a
// read-only server (after a failover), or a conflict that outlasted the
// retries.
func unavailable(err error) bool {
	if errors.Is(err, errBadState) {
		return false
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return true // from the driver or the network, not from a statement
	}
	class := pgErr.Code // five characters, the first two the class
	if len(class) > 2 {
		class = class[:2]
	}
	switch class {
	case "08", "40", "53", "57", "58": // connection, rollback, resources, operator intervention, system
		return true
	}
	return pgErr.Code == "25006" || pgErr.Code == "55P03" // read-only transaction, lock not available
}

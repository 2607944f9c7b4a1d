// Room and call state kept in PostgreSQL: the schema, one transaction per
// callback (make sure the row exists, lock it, Apply, store the change), and
// the reads behind the HTTP routes.

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gurulize/gurulize-go"
)

// schema creates the tables when they do not exist. A room's or call's row
// holds its state (gurulize.RoomState or CallState, as their MarshalJSON
// writes it) and the number of changes so far; each change appends a row with
// the next version and the new summary, as encoding/json renders
// gurulize.RoomSummary or CallSummary: an outbox for billing and
// notifications to read.
const schema = `
CREATE TABLE IF NOT EXISTS gurulize_rooms (
	room_uuid  text PRIMARY KEY,
	state      jsonb,                     -- NULL only inside the transaction that inserted the row
	version    bigint NOT NULL DEFAULT 0, -- the version of the latest change
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS gurulize_room_changes (
	room_uuid  text NOT NULL REFERENCES gurulize_rooms ON DELETE CASCADE,
	version    bigint NOT NULL,
	summary    jsonb NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (room_uuid, version)
);
CREATE TABLE IF NOT EXISTS gurulize_calls (
	call_id    bigint PRIMARY KEY,
	state      jsonb,
	version    bigint NOT NULL DEFAULT 0,
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS gurulize_call_changes (
	call_id    bigint NOT NULL REFERENCES gurulize_calls ON DELETE CASCADE,
	version    bigint NOT NULL,
	summary    jsonb NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (call_id, version)
);`

// schemaLock is the key of the advisory lock taken while the schema is
// created. CREATE TABLE IF NOT EXISTS is not safe when run at the same
// moment by two sessions (both may find the table missing, and one fails on
// a duplicate catalog entry), so replicas starting together take turns.
const schemaLock = 0x67757275 // "guru"

// table holds the statements of one kind of row: rooms or calls.
type table struct {
	insert string // make sure the row exists: $1 key
	lock   string // its state and version, locked until the end of the transaction: $1 key
	update string // store a change: $1 key, $2 state, $3 version
	change string // append a change: $1 key, $2 version, $3 summary
	state  string // the committed state: $1 key
	list   string // the changes, oldest first: $1 key
}

var rooms = table{
	insert: `INSERT INTO gurulize_rooms (room_uuid) VALUES ($1) ON CONFLICT (room_uuid) DO NOTHING`,
	lock:   `SELECT state, version FROM gurulize_rooms WHERE room_uuid = $1 FOR UPDATE`,
	update: `UPDATE gurulize_rooms SET state = $2, version = $3, updated_at = now() WHERE room_uuid = $1`,
	change: `INSERT INTO gurulize_room_changes (room_uuid, version, summary) VALUES ($1, $2, $3)`,
	state:  `SELECT state FROM gurulize_rooms WHERE room_uuid = $1 AND version > 0`,
	list:   `SELECT version, summary FROM gurulize_room_changes WHERE room_uuid = $1 ORDER BY version`,
}

var calls = table{
	insert: `INSERT INTO gurulize_calls (call_id) VALUES ($1) ON CONFLICT (call_id) DO NOTHING`,
	lock:   `SELECT state, version FROM gurulize_calls WHERE call_id = $1 FOR UPDATE`,
	update: `UPDATE gurulize_calls SET state = $2, version = $3, updated_at = now() WHERE call_id = $1`,
	change: `INSERT INTO gurulize_call_changes (call_id, version, summary) VALUES ($1, $2, $3)`,
	state:  `SELECT state FROM gurulize_calls WHERE call_id = $1 AND version > 0`,
	list:   `SELECT version, summary FROM gurulize_call_changes WHERE call_id = $1 ORDER BY version`,
}

// Defaults of a Store.
const (
	// callbackTimeout bounds the work for one callback, every attempt
	// included, and for one read, so a database that hangs answers 503 well
	// before the server's WriteTimeout (15s).
	callbackTimeout = 5 * time.Second
	// maxAttempts bounds how often one callback's transaction runs after
	// a serialization failure, a deadlock or a connection found dead before
	// anything was sent on it.
	maxAttempts = 5
)

// errBadState marks a stored state or summary that cannot be decoded: a bug
// or a hand-edited row, answered 500 rather than 503.
var errBadState = errors.New("stored value cannot be decoded")

// Store keeps the state of rooms and calls in PostgreSQL. It is safe for
// concurrent use, by any number of replicas sharing one database.
type Store struct {
	pool        *pgxpool.Pool
	timeout     time.Duration // per callback; callbackTimeout
	maxAttempts int           // per callback; maxAttempts

	retries atomic.Int64 // transactions run again, for tests and monitoring
}

// Open connects to the database at databaseURL (a URL or key=value string;
// pool settings such as pool_max_conns may be given in it) and creates the
// tables if they do not exist. While the database is unavailable, as one that
// is starting is, it logs a warning and tries again every second until ctx
// ends. Neither the error nor the log repeats databaseURL, which may hold a
// password.
func Open(ctx context.Context, databaseURL string, logger *slog.Logger) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, errors.New("DATABASE_URL is not a valid PostgreSQL connection string")
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	s := newStore(pool)
	for {
		err = s.createSchema(ctx)
		if err == nil || !unavailable(err) {
			break
		}
		logger.WarnContext(ctx, "database unavailable; trying again in 1s", "error", err)
		select {
		case <-ctx.Done():
			pool.Close()
			return nil, fmt.Errorf("creating the tables: %w (%w)", err, ctx.Err())
		case <-time.After(time.Second):
		}
	}
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("creating the tables: %w", err)
	}
	return s, nil
}

func newStore(pool *pgxpool.Pool) *Store {
	return &Store{pool: pool, timeout: callbackTimeout, maxAttempts: maxAttempts}
}

// Close closes the connections, waiting for those in use to be returned.
func (s *Store) Close() { s.pool.Close() }

func (s *Store) createSchema(ctx context.Context) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, schemaLock); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, schema)
		return err
	})
}

// SaveVideoEvent folds ev into its room's stored state. It returns nil only
// once the change, if any, is committed; an error matching
// gurulize.ErrRetryLater when the database is unavailable, so the handler
// answers 503 and the provider may deliver the event again.
func (s *Store) SaveVideoEvent(ctx context.Context, ev gurulize.VideoEvent) error {
	return s.save(ctx, rooms, ev.RoomUUID, func(stored []byte) (*change, error) {
		var st gurulize.RoomState
		if err := decode(stored, &st); err != nil {
			return nil, err
		}
		if !st.Apply(ev) {
			return nil, nil
		}
		return encodeChange(st, st.Summary())
	})
}

// SaveVoiceStatus folds st into its call's stored state, as SaveVideoEvent
// does for rooms.
func (s *Store) SaveVoiceStatus(ctx context.Context, st gurulize.VoiceStatus) error {
	return s.save(ctx, calls, st.ID, func(stored []byte) (*change, error) {
		var cs gurulize.CallState
		if err := decode(stored, &cs); err != nil {
			return nil, err
		}
		if !cs.Apply(st) {
			return nil, nil
		}
		return encodeChange(cs, cs.Summary())
	})
}

// change is a new state and its summary, encoded for storage.
type change struct {
	state, summary []byte
}

func encodeChange(state, summary any) (*change, error) {
	st, err := json.Marshal(state)
	if err != nil {
		return nil, err
	}
	sum, err := json.Marshal(summary)
	if err != nil {
		return nil, err
	}
	return &change{state: st, summary: sum}, nil
}

// decode decodes a stored JSON value into v; nil (no state yet) leaves v
// as it is.
func decode(stored []byte, v any) error {
	if stored == nil {
		return nil
	}
	if err := json.Unmarshal(stored, v); err != nil {
		return fmt.Errorf("%w: %w", errBadState, err)
	}
	return nil
}

// save runs saveOnce, again after a conflict or a dead connection, at most
// s.maxAttempts times in all, and marks the errors of an unavailable
// database with gurulize.ErrRetryLater.
func (s *Store) save(ctx context.Context, t table, key any, apply func(stored []byte) (*change, error)) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var err error
	for attempt := 1; ; attempt++ {
		err = s.saveOnce(ctx, t, key, apply)
		if err == nil || attempt >= s.maxAttempts || !(conflict(err) || pgconn.SafeToRetry(err)) {
			break
		}
		s.retries.Add(1)
		// Wait 5ms, 10ms, 20ms… with jitter, so the transactions that
		// collided do not collide again.
		wait := time.Duration(1<<(attempt-1)) * 5 * time.Millisecond
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: %w", gurulize.ErrRetryLater, err)
		case <-time.After(wait/2 + rand.N(wait)):
		}
	}
	if err != nil && unavailable(err) {
		return fmt.Errorf("%w: %w", gurulize.ErrRetryLater, err)
	}
	return err
}

// saveOnce is the transaction for one callback. The INSERT … ON CONFLICT DO
// NOTHING makes sure the row exists, so that SELECT … FOR UPDATE has a row
// to lock even for a room's first event: without it, two first events
// arriving together on two replicas would both start from an empty state, and
// the second to commit would overwrite the first. The change row gets the next
// version under that lock, so versions have no gaps and no repeats. A
// callback that changes nothing rolls back: no row, no version, no change.
func (s *Store) saveOnce(ctx context.Context, t table, key any, apply func(stored []byte) (*change, error)) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) // after Commit, it does nothing

	if _, err := tx.Exec(ctx, t.insert, key); err != nil {
		return err
	}
	var stored []byte
	var version int64
	if err := tx.QueryRow(ctx, t.lock, key).Scan(&stored, &version); err != nil {
		return err
	}
	c, err := apply(stored)
	if err != nil || c == nil {
		return err // nil: a duplicate or an event that adds nothing
	}
	version++
	if _, err := tx.Exec(ctx, t.update, key, c.state, version); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, t.change, key, version, c.summary); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// conflict reports whether err is a serialization failure or a deadlock:
// the transaction was rolled back, and running it again may succeed.
func conflict(err error) bool {
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
		if err := decode(summary, &c.Summary); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	return out, err
}

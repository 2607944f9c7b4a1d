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
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gurulize/gurulize-go"
)

// table holds the statements of one kind of row: rooms or calls.
type table struct {
	insert string // make sure the row exists: $1 key
	lock   string // its state and version, locked until the end of the transaction: $1 key
	update string // store a change and append it: $1 key, $2 state, $3 version, $4 summary
	state  string // the committed state: $1 key
	list   string // the changes, oldest first: $1 key
}

var rooms = table{
	insert: `INSERT INTO gurulize_rooms (room_uuid) VALUES ($1) ON CONFLICT (room_uuid) DO NOTHING`,
	lock:   `SELECT state, version FROM gurulize_rooms WHERE room_uuid = $1 FOR UPDATE`,
	update: `WITH updated AS (UPDATE gurulize_rooms SET state = $2, version = $3, updated_at = now() WHERE room_uuid = $1)
		INSERT INTO gurulize_room_changes (room_uuid, version, summary) VALUES ($1, $3, $4)`,
	state: `SELECT state FROM gurulize_rooms WHERE room_uuid = $1 AND version > 0`,
	list:  `SELECT version, summary FROM gurulize_room_changes WHERE room_uuid = $1 ORDER BY version`,
}

var calls = table{
	insert: `INSERT INTO gurulize_calls (call_id) VALUES ($1) ON CONFLICT (call_id) DO NOTHING`,
	lock:   `SELECT state, version FROM gurulize_calls WHERE call_id = $1 FOR UPDATE`,
	update: `WITH updated AS (UPDATE gurulize_calls SET state = $2, version = $3, updated_at = now() WHERE call_id = $1)
		INSERT INTO gurulize_call_changes (call_id, version, summary) VALUES ($1, $3, $4)`,
	state: `SELECT state FROM gurulize_calls WHERE call_id = $1 AND version > 0`,
	list:  `SELECT version, summary FROM gurulize_call_changes WHERE call_id = $1 ORDER BY version`,
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

// errUnstorable marks a callback the database refuses for what it holds, and
// will refuse every time it is delivered again: answered 400 (see
// refuseUnstorable), so that the provider stops delivering it.
var errUnstorable = errors.New("callback cannot be stored")

// Store keeps the state of rooms and calls in PostgreSQL. It is safe for
// concurrent use, by any number of replicas sharing one database.
type Store struct {
	pool        *pgxpool.Pool
	timeout     time.Duration // per callback; callbackTimeout
	maxAttempts int           // per callback; maxAttempts

	retries atomic.Int64 // transactions run again, for tests and monitoring

	announce  chan struct{} // a change was committed (see changed)
	closing   chan struct{} // closed by Close
	announced chan struct{} // closed when the announcer has stopped
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
			s.Close()
			return nil, fmt.Errorf("creating the tables: %w (%w)", err, ctx.Err())
		case <-time.After(time.Second):
		}
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("creating the tables: %w", err)
	}
	return s, nil
}

func newStore(pool *pgxpool.Pool) *Store {
	s := &Store{pool: pool, timeout: callbackTimeout, maxAttempts: maxAttempts,
		announce: make(chan struct{}, 1), closing: make(chan struct{}), announced: make(chan struct{})}
	go s.announcer()
	return s
}

// Close closes the connections, waiting for those in use to be returned.
func (s *Store) Close() {
	close(s.closing)
	<-s.announced
	s.pool.Close()
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
	switch {
	case err == nil:
	case unstorable(err):
		return fmt.Errorf("%w: %w", errUnstorable, err)
	case unavailable(err):
		return fmt.Errorf("%w: %w", gurulize.ErrRetryLater, err)
	}
	return err
}

// saveOnce is the transaction for one callback, in two round trips: BEGIN,
// the INSERT and the SELECT … FOR UPDATE sent together, then the UPDATE with
// the change row (one statement) and COMMIT sent together. The INSERT … ON
// CONFLICT DO NOTHING makes sure the row exists, so that SELECT … FOR UPDATE
// has a row to lock even for a room's first event: without it, two first
// events arriving together on two replicas would both start from an empty
// state, and the second to commit would overwrite the first. The change row
// gets the next version under that lock, so versions have no gaps and no
// repeats. A callback that changes nothing rolls back: no row, no version, no
// change.
func (s *Store) saveOnce(ctx context.Context, t table, key any, apply func(stored []byte) (*change, error)) (err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// A connection left inside a transaction (an error, a rollback that
	// failed) is closed by Release rather than reused.
	defer conn.Release()
	defer func() {
		if err != nil && conn.Conn().PgConn().TxStatus() != 'I' && !conn.Conn().IsClosed() {
			_, _ = conn.Exec(ctx, "ROLLBACK")
		}
	}()

	var stored []byte
	var version int64
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue(t.insert, key)
	b.Queue(t.lock, key).QueryRow(func(row pgx.Row) error { return row.Scan(&stored, &version) })
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	c, err := apply(stored)
	if err != nil || c == nil {
		if err == nil {
			_, err = conn.Exec(ctx, "ROLLBACK") // a duplicate or an event that adds nothing
		}
		return err
	}
	b = &pgx.Batch{}
	b.Queue(t.update, key, c.state, version+1, c.summary)
	var tag pgconn.CommandTag
	b.Queue("COMMIT").Exec(func(ct pgconn.CommandTag) error { tag = ct; return nil })
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	if tag.String() != "COMMIT" {
		return fmt.Errorf("the transaction was rolled back (%s)", tag)
	}
	s.changed()
	return nil
}

// unstorable reports whether PostgreSQL refused err's statement for the
// values it was given, which it will refuse however often they come: a data
// exception (a NUL character, which text and jsonb cannot hold) or a limit
// (a key too long for its index, about 2.7 kB).
func unstorable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (strings.HasPrefix(pgErr.Code, "22") || strings.HasPrefix(pgErr.Code, "54"))
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

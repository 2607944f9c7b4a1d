// Room and call state kept in PostgreSQL: the Store, its connection pool,
// and the callback functions that fold each callback into the stored state
// (see save.go for how).

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gurulize/gurulize-go"
)

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
	recent  recent       // the states this replica wrote or read last

	announce  chan struct{} // a change was committed (see changed)
	closing   chan struct{} // closed by Close
	announced chan struct{} // closed when the announcer has stopped
}

// Open connects to the database at databaseURL (a URL or key=value string;
// pool settings such as pool_max_conns may be given in it; the pool holds up to
// defaultMaxConns connections otherwise) and creates the
// tables if they do not exist. While the database is unavailable, as one that
// is starting is, it logs a warning and tries again every second until ctx
// ends. Neither the error nor the log repeats databaseURL, which may hold a
// password.
func Open(ctx context.Context, databaseURL string, logger *slog.Logger) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, errors.New("DATABASE_URL is not a valid PostgreSQL connection string")
	}
	if !strings.Contains(databaseURL, "pool_max_conns") {
		cfg.MaxConns = defaultMaxConns()
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

// defaultMaxConns is the pool size when DATABASE_URL sets none: 4 per CPU,
// at least 8. pgx's own default (as many as CPUs, at least 4) makes
// callbacks queue for a connection while others wait on the network: a
// callback holds its connection for two round trips and the time to fold,
// and the database, on the same CPUs or not, serves more at once.
func defaultMaxConns() int32 { return int32(max(8, 4*runtime.GOMAXPROCS(0))) }

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
	return s.save(ctx, rooms, ev.RoomUUID, foldRoom(func(st *gurulize.RoomState) bool { return st.Apply(ev) }))
}

// SaveVoiceStatus folds st into its call's stored state, as SaveVideoEvent
// does for rooms.
func (s *Store) SaveVoiceStatus(ctx context.Context, st gurulize.VoiceStatus) error {
	return s.save(ctx, calls, st.ID, foldCall(func(cs *gurulize.CallState) bool { return cs.Apply(st) }))
}

// foldRoom returns the apply function of save for a room: take the stored
// state (see stateOf), change it with fn, and encode the change if fn
// reports one.
func foldRoom(fn func(*gurulize.RoomState) bool) func(stored any) (*change, error) {
	return func(stored any) (*change, error) {
		st, err := stateOf[gurulize.RoomState](stored)
		if err != nil || !fn(&st) {
			return nil, err
		}
		sum := st.Summary()
		return encodeChange(st, sum, !sum.Expected, sum.Ended, sum.ScheduledEnd)
	}
}

// foldCall is foldRoom for a call.
func foldCall(fn func(*gurulize.CallState) bool) func(stored any) (*change, error) {
	return func(stored any) (*change, error) {
		cs, err := stateOf[gurulize.CallState](stored)
		if err != nil || !fn(&cs) {
			return nil, err
		}
		sum := cs.Summary()
		return encodeChange(cs, sum, !sum.Expected, sum.Final, sum.Deadline)
	}
}

// stateOf returns the state stored holds: a copy of it when it is one
// already (a copy of a RoomState or CallState changes independently of the
// original), decoded when it is the JSON read from the database, the zero
// state when it is nil (no row yet).
func stateOf[S any](stored any) (S, error) {
	var st S
	switch v := stored.(type) {
	case S:
		st = v
	case []byte:
		return st, decode(v, &st)
	}
	return st, nil
}

// change is a new state and its summary, encoded for storage, and the facts
// kept in columns of their own for SQL (see OverdueRooms).
type change struct {
	value          any // the new state, decoded: what Store.recent keeps once it is written
	state, summary []byte
	unexpected     bool       // never expected: the summary's Expected is false
	done           bool       // a room's Ended, a call's Final
	due            *time.Time // a room's ScheduledEnd, a call's Deadline; nil when zero
	traceparent    *string    // the W3C traceparent of the span that created the room or call; nil keeps the stored one
}

// args are the arguments of a table's create and update statements.
func (c *change) args(key any, version int64) []any {
	return []any{key, c.state, version, c.summary, c.unexpected, c.done, c.due, c.traceparent}
}

// encodeChange encodes a new state and its summary with their own
// MarshalJSON: json.Marshal would only add a second pass over the output,
// checking and compacting what is already compact, valid JSON.
func encodeChange(state, summary json.Marshaler, unexpected, done bool, due time.Time) (*change, error) {
	st, err := state.MarshalJSON()
	if err != nil {
		return nil, err
	}
	sum, err := summary.MarshalJSON()
	if err != nil {
		return nil, err
	}
	c := &change{value: state, state: st, summary: sum, unexpected: unexpected, done: done}
	if !due.IsZero() {
		c.due = &due
	}
	return c, nil
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

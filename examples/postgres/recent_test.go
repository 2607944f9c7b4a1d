// The states a replica remembers: kept decoded, never changed by a
// callback whose write did not happen; and the statements a callback takes.

package main

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

// A replica keeps the state it wrote decoded, so the room's next callback
// is folded without decoding it again; folding a callback into it works on
// a copy, so a write that then fails (another replica wrote first) leaves
// what the replica remembers as it was.
func TestRecentStatesAreKeptDecodedAndCopiedOnFold(t *testing.T) {
	s := openStore(t, freshSchema(t))
	ctx := context.Background()
	require.NoError(t, s.SaveVideoEvent(ctx, videoEvent("room-1", gurulize.EventMeetingStarted, gurulize.SourceHost, 0)))
	require.NoError(t, s.SaveVideoEvent(ctx, videoEvent("room-1", gurulize.EventMeetingEnded, gurulize.SourceHost, time.Minute)))

	r, ok := s.recent.get(recentKey{"room", "room-1"})
	require.True(t, ok)
	require.IsType(t, gurulize.RoomState{}, r.state, "the state this replica wrote, decoded")
	assert.Equal(t, int64(2), r.version)
	before, err := json.Marshal(r.state)
	require.NoError(t, err)

	fold := foldRoom(func(st *gurulize.RoomState) bool {
		return st.Apply(videoEvent("room-1", gurulize.EventMeetingStarted, gurulize.SourceHost, 2*time.Minute))
	})
	c, err := fold(r.state)
	require.NoError(t, err)
	require.NotNil(t, c, "a second meeting is a change")
	after, err := json.Marshal(r.state)
	require.NoError(t, err)
	assert.JSONEq(t, string(before), string(after), "the remembered state is unchanged by the fold")
	assert.NotEqual(t, string(before), string(c.state))

	// The JSON read from the database folds the same way.
	var stored []byte
	require.NoError(t, s.pool.QueryRow(ctx, rooms.state, "room-1").Scan(&stored))
	fromDB, err := fold(stored)
	require.NoError(t, err)
	assert.JSONEq(t, string(c.state), string(fromDB.state))
}

// statementCounter counts the statements a pool sends, but for the NOTIFY
// that wakes the outbox's consumers (see Store.announcer).
type statementCounter struct{ n atomic.Int64 }

func (c *statementCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, q pgx.TraceQueryStartData) context.Context {
	if !strings.HasPrefix(q.SQL, "SELECT pg_notify(") {
		c.n.Add(1)
	}
	return ctx
}

func (c *statementCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// countingStore is a Store whose pool counts its statements.
func countingStore(t *testing.T, dsn string) (*Store, *statementCounter) {
	t.Helper()
	openStore(t, dsn) // creates the tables
	cfg, err := pgxpool.ParseConfig(dsn)
	require.NoError(t, err)
	counter := &statementCounter{}
	cfg.ConnConfig.Tracer = counter
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	s := newStore(pool)
	t.Cleanup(s.Close)
	return s, counter
}

// A callback of a room or call the replica does not remember is written
// at once as its first change: one statement for a new row. For a row that
// exists (another replica wrote it), the same statement returns it, and the
// callback is applied to it: two statements, in one attempt.
func TestNewRowsTakeOneStatement(t *testing.T) {
	dsn := freshSchema(t)
	s, counter := countingStore(t, dsn)
	ctx := context.Background()

	require.NoError(t, s.SaveVideoEvent(ctx, videoEvent("room-1", gurulize.EventJoin, gurulize.SourceHost, 0)))
	assert.Equal(t, int64(1), counter.n.Load(), "a new room")
	require.NoError(t, s.SaveVideoEvent(ctx, videoEvent("room-1", gurulize.EventJoin, gurulize.SourceGuest, time.Second)))
	assert.Equal(t, int64(2), counter.n.Load(), "a room this replica wrote")
	require.NoError(t, s.SaveVoiceStatus(ctx, gurulize.VoiceStatus{ID: 7, Code: gurulize.StatusCallsStarting, Time: t0}))
	assert.Equal(t, int64(3), counter.n.Load(), "a new call")

	other, otherCounter := countingStore(t, dsn)
	require.NoError(t, other.SaveVideoEvent(ctx, videoEvent("room-1", gurulize.EventLeft, gurulize.SourceGuest, time.Minute)))
	assert.Equal(t, int64(2), otherCounter.n.Load(), "a room another replica wrote")
	assert.Zero(t, other.retries.Load(), "in one attempt")
	require.NoError(t, other.SaveVoiceStatus(ctx, gurulize.VoiceStatus{ID: 7, Code: gurulize.StatusCallsStarting, Time: t0}))
	assert.Equal(t, int64(3), otherCounter.n.Load(), "a duplicate of a call another replica wrote")

	changes, err := s.RoomChanges(ctx, "room-1")
	require.NoError(t, err)
	require.Len(t, changes, 3)
	sum := changes[2].Summary
	assert.True(t, sum.HostPresent)
	assert.False(t, sum.GuestPresent, "the guest joined, then left")
	calls, err := s.CallChanges(ctx, 7)
	require.NoError(t, err)
	assert.Len(t, calls, 1, "the duplicate wrote nothing")
}

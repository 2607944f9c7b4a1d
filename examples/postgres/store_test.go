// The transaction of one callback, step by step, against a real PostgreSQL:
// duplicates, the first events of a new room racing, conflicts retried, the
// schema created by several replicas at once, and the answers when the
// database is unavailable or a statement fails.

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func videoEvent(room string, code gurulize.VideoEventCode, src gurulize.EventSource, after time.Duration) gurulize.VideoEvent {
	return gurulize.VideoEvent{Code: code, Source: src, RoomUUID: room, ReceivedAt: t0.Add(after)}
}

// testServer serves the example's routes on s, and returns its URL.
func testServer(t *testing.T, s *Store, logs io.Writer) string {
	t.Helper()
	srv := httptest.NewServer(routes(s, testToken, slog.New(slog.NewTextHandler(logs, nil))))
	t.Cleanup(srv.Close)
	return srv.URL
}

func post(t *testing.T, u, body string) int {
	t.Helper()
	resp, err := http.Post(u, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// waitForLockWait waits until a session is blocked on a lock while running a
// statement that starts with prefix.
func waitForLockWait(t *testing.T, conn *pgx.Conn, prefix string) {
	t.Helper()
	require.Eventually(t, func() bool {
		var n int
		err := conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
			WHERE wait_event_type = 'Lock' AND datname = current_database() AND starts_with(query, $1)`, prefix).Scan(&n)
		return err == nil && n > 0
	}, 10*time.Second, 5*time.Millisecond, "no session waits on a lock in %q", prefix)
}

func TestDuplicatesAndIgnoredEventsStoreNothing(t *testing.T) {
	s := openStore(t, freshSchema(t))
	ctx := context.Background()
	join := videoEvent("room-1", gurulize.EventJoin, gurulize.SourceHost, 0)
	require.NoError(t, s.SaveVideoEvent(ctx, join))
	require.NoError(t, s.SaveVideoEvent(ctx, join))
	require.NoError(t, s.SaveVideoEvent(ctx, videoEvent("room-1", gurulize.EventJoin, gurulize.SourceGuest, time.Minute)))
	require.NoError(t, s.SaveVideoEvent(ctx, join))

	changes, err := s.RoomChanges(ctx, "room-1")
	require.NoError(t, err)
	require.Len(t, changes, 2, "the duplicates appended nothing")
	assert.Equal(t, []int64{1, 2}, []int64{changes[0].Version, changes[1].Version})
	sum, ok, err := s.Room(ctx, "room-1")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, changes[1].Summary, sum)
	assert.True(t, sum.HostPresent && sum.GuestPresent)

	// An event RoomState.Apply ignores (no time) leaves no row behind.
	require.NoError(t, s.SaveVideoEvent(ctx, gurulize.VideoEvent{Code: gurulize.EventJoin, RoomUUID: "room-2"}))
	_, ok, err = s.Room(ctx, "room-2")
	require.NoError(t, err)
	assert.False(t, ok)
	var rows int
	require.NoError(t, s.pool.QueryRow(ctx, `SELECT count(*) FROM gurulize_rooms WHERE room_uuid = 'room-2'`).Scan(&rows))
	assert.Zero(t, rows)

	// The same for calls.
	started := gurulize.VoiceStatus{ID: 7, Code: gurulize.StatusCallsStarting, Time: t0}
	require.NoError(t, s.SaveVoiceStatus(ctx, started))
	require.NoError(t, s.SaveVoiceStatus(ctx, started))
	require.NoError(t, s.SaveVoiceStatus(ctx, gurulize.VoiceStatus{ID: 8, Code: gurulize.StatusCallsStarting}))
	callChanges, err := s.CallChanges(ctx, 7)
	require.NoError(t, err)
	assert.Len(t, callChanges, 1)
	_, ok, err = s.Call(ctx, 8)
	require.NoError(t, err)
	assert.False(t, ok)
}

// Replica A has inserted the row of a new room for its first event and not
// committed yet (the test plays A with the Store's own statement); replica
// B receives another first event of the same room. B must wait for A and
// apply its event on top of A's, not start from an empty state and
// overwrite A's.
func TestFirstEventsOfANewRoomRacingAreBothKept(t *testing.T) {
	dsn := freshSchema(t)
	s := openStore(t, dsn)
	ctx := context.Background()
	conn := connect(t, dsn)
	watcher := connect(t, dsn)

	evA := videoEvent("new-room", gurulize.EventJoin, gurulize.SourceHost, 0)
	evB := videoEvent("new-room", gurulize.EventJoin, gurulize.SourceGuest, time.Second)

	c, err := foldRoom(func(s *gurulize.RoomState) bool { return s.Apply(evA) })(nil)
	require.NoError(t, err)
	tx, err := conn.Begin(ctx)
	require.NoError(t, err)
	var written int64
	var stored []byte
	var version *int64
	require.NoError(t, tx.QueryRow(ctx, rooms.create, c.args("new-room", 1)...).Scan(&written, &stored, &version))
	require.Equal(t, int64(1), written)
	require.Nil(t, stored, "no row before")

	done := make(chan error, 1)
	go func() { done <- s.SaveVideoEvent(ctx, evB) }()
	waitForLockWait(t, watcher, "WITH created AS (INSERT INTO gurulize_rooms")
	require.NoError(t, tx.Commit(ctx))
	require.NoError(t, <-done)
	assert.Equal(t, int64(1), s.retries.Load(), "B lost the race once, and read A's state")

	want := gurulize.NewRoomTracker()
	want.Apply(evA)
	wantSum := want.Apply(evB)
	sum, ok, err := s.Room(ctx, "new-room")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, wantSum, sum, "both first events kept")
	changes, err := s.RoomChanges(ctx, "new-room")
	require.NoError(t, err)
	require.Len(t, changes, 2)
	assert.Equal(t, int64(2), changes[1].Version)
}

// Another replica changes the row between the Store's read and write: the
// write finds the version moved on and writes nothing, or, under
// SERIALIZABLE, fails with a serialization failure. Either way the Store
// reads again and applies the callback to the newer state. The test holds
// the row's lock, lets the Store's write wait for it, and changes the row
// before letting go.
func TestConflictingWritesAreRetried(t *testing.T) {
	t.Run("read_committed", func(t *testing.T) { testConflictingWritesAreRetried(t, freshSchema(t)) })
	t.Run("serializable", func(t *testing.T) {
		testConflictingWritesAreRetried(t, withParam(freshSchema(t), "default_transaction_isolation", "serializable"))
	})
}

func testConflictingWritesAreRetried(t *testing.T, dsn string) {
	ctx := context.Background()
	first := func(room string) gurulize.VideoEvent {
		return videoEvent(room, gurulize.EventJoin, gurulize.SourceHost, 0)
	}
	second := func(room string) gurulize.VideoEvent {
		return videoEvent(room, gurulize.EventJoin, gurulize.SourceGuest, time.Minute)
	}
	third := videoEvent("", gurulize.EventRoomActivated, gurulize.SourceGuest, time.Minute+time.Second)

	// collide stores the second event of room while the test stores the
	// third under the Store's feet, as another replica would.
	collide := func(t *testing.T, s *Store, room string) error {
		conn := connect(t, dsn)
		watcher := connect(t, dsn)

		tx, err := conn.Begin(ctx)
		require.NoError(t, err)
		var stored []byte
		var version int64
		require.NoError(t, tx.QueryRow(ctx, `SELECT state, version FROM gurulize_rooms WHERE room_uuid = $1 FOR UPDATE`, room).Scan(&stored, &version))
		done := make(chan error, 1)
		go func() { done <- s.SaveVideoEvent(ctx, second(room)) }()
		waitForLockWait(t, watcher, "WITH updated AS (UPDATE gurulize_rooms")
		ev := third
		ev.RoomUUID = room
		c, err := foldRoom(func(st *gurulize.RoomState) bool { return st.Apply(ev) })(stored)
		require.NoError(t, err)
		require.NotNil(t, c)
		_, err = tx.Exec(ctx, rooms.update, c.args(room, version+1)...)
		require.NoError(t, err)
		require.NoError(t, tx.Commit(ctx))
		return <-done
	}

	t.Run("retried", func(t *testing.T) {
		s := openStore(t, dsn)
		require.NoError(t, s.SaveVideoEvent(ctx, first("room-1")))
		require.NoError(t, collide(t, s, "room-1"))
		assert.Equal(t, int64(1), s.retries.Load(), "one conflict, one retry")
		sum, _, err := s.Room(ctx, "room-1")
		require.NoError(t, err)
		assert.True(t, sum.GuestPresent, "the second event stored")
		assert.True(t, sum.Activated, "on top of the third")
		changes, err := s.RoomChanges(ctx, "room-1")
		require.NoError(t, err)
		assert.Len(t, changes, 3)
	})
	t.Run("bounded", func(t *testing.T) {
		s := openStore(t, dsn)
		s.maxAttempts = 1
		require.NoError(t, s.SaveVideoEvent(ctx, first("room-2")))
		err := collide(t, s, "room-2")
		require.Error(t, err)
		assert.ErrorIs(t, err, gurulize.ErrRetryLater, "503: the provider may deliver it again")
		assert.True(t, conflict(err), "%v", err)
		sum, _, err := s.Room(ctx, "room-2")
		require.NoError(t, err)
		assert.False(t, sum.GuestPresent, "nothing stored")
	})
}

// Replicas started at the same moment on an empty database all create the
// tables without error.
func TestReplicasCreateTheTablesAtOnce(t *testing.T) {
	dsn := freshSchema(t)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			s, err := Open(ctx, dsn, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err == nil {
				s.Close()
			}
			errs[i] = err
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		assert.NoError(t, err, "replica %d", i)
	}
	s := openStore(t, dsn) // and again, on existing tables
	require.NoError(t, s.SaveVideoEvent(context.Background(), videoEvent("room", gurulize.EventJoin, gurulize.SourceHost, 0)))
}

// A database nobody answers for: callbacks and reads get 503, and the
// password of the connection string appears in no log line.
func TestUnavailableDatabaseAnswers503(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	const password = "s3cret-Passw0rd"
	cfg, err := pgxpool.ParseConfig(fmt.Sprintf("postgres://app:%s@%s/app?connect_timeout=5", password, addr))
	require.NoError(t, err)
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	s := newStore(pool)
	t.Cleanup(s.Close)
	var logs logBuffer
	u := testServer(t, s, &logs)

	assert.Equal(t, http.StatusServiceUnavailable, post(t, u+"/gurulize/video/"+testToken,
		`{"code":"JOIN","eventSource":"HOST","receivedTime":"1600938359259","roomUuid":"r"}`))
	status, _ := get(t, u, "/gurulize/voice/"+testToken+"?id=7&code=1&time=1427116743")
	assert.Equal(t, http.StatusServiceUnavailable, status)
	for _, path := range []string{"/rooms/r", "/rooms/r/changes", "/calls/7", "/calls/7/changes"} {
		status, _ := get(t, u, path)
		assert.Equal(t, http.StatusServiceUnavailable, status, path)
	}
	err = s.SaveVideoEvent(context.Background(), videoEvent("r", gurulize.EventJoin, gurulize.SourceHost, 0))
	assert.ErrorIs(t, err, gurulize.ErrRetryLater)
	assert.Contains(t, logs.String(), "level=ERROR")
	assert.NotContains(t, logs.String(), password)
}

// A statement that fails for another reason than the database being away
// (here, tables missing) is a bug, answered 500 rather than 503; so is a
// stored state that cannot be decoded.
func TestStatementErrorsAndBadStateAnswer500(t *testing.T) {
	dsn := freshSchema(t)
	pool, err := pgxpool.New(context.Background(), dsn)
	require.NoError(t, err)
	noTables := newStore(pool)
	t.Cleanup(noTables.Close)
	u := testServer(t, noTables, io.Discard)
	body := `{"code":"JOIN","eventSource":"HOST","receivedTime":"1600938359259","roomUuid":"r"}`
	assert.Equal(t, http.StatusInternalServerError, post(t, u+"/gurulize/video/"+testToken, body))
	status, _ := get(t, u, "/rooms/r")
	assert.Equal(t, http.StatusInternalServerError, status)

	s := openStore(t, dsn)
	u = testServer(t, s, io.Discard)
	require.Equal(t, http.StatusOK, post(t, u+"/gurulize/video/"+testToken, body))
	// A state a later version of the SDK wrote (a higher format version, a
	// field this one does not know) is folded into, and keeps what it did
	// not understand: a rolling upgrade goes on answering 200. (Every writer
	// moves the version on: a replica takes a state it remembers to be
	// current as long as the version is the one it remembers.)
	_, err = s.pool.Exec(context.Background(), `UPDATE gurulize_rooms SET state = jsonb_set(state, '{v}', '99') || '{"later": [1]}', version = version + 1`)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, post(t, u+"/gurulize/video/"+testToken,
		`{"code":"JOIN","eventSource":"GUEST","receivedTime":"1600938369259","roomUuid":"r"}`))
	var later []byte
	require.NoError(t, s.pool.QueryRow(context.Background(), `SELECT state->'later' FROM gurulize_rooms`).Scan(&later))
	assert.JSONEq(t, `[1]`, string(later))

	_, err = s.pool.Exec(context.Background(), `UPDATE gurulize_rooms SET state = '{"v": 1, "room": "r", "firstAt": "not a time"}', version = version + 1`)
	require.NoError(t, err)
	assert.Equal(t, http.StatusInternalServerError, post(t, u+"/gurulize/video/"+testToken,
		`{"code":"LEFT","eventSource":"HOST","receivedTime":"1600938369259","roomUuid":"r"}`))
	err = s.SaveVideoEvent(context.Background(), videoEvent("r", gurulize.EventLeft, gurulize.SourceGuest, 0))
	assert.ErrorIs(t, err, errBadState)
	assert.False(t, errors.Is(err, gurulize.ErrRetryLater))
	status, _ = get(t, u, "/rooms/r")
	assert.Equal(t, http.StatusInternalServerError, status)
}

func TestRoutes(t *testing.T) {
	s := openStore(t, freshSchema(t))
	u := testServer(t, s, io.Discard)
	video := `{"code":"JOIN","eventSource":"HOST","receivedTime":"1600938359259","roomUuid":"r"}`

	assert.Equal(t, http.StatusUnauthorized, post(t, u+"/gurulize/video/wrong", video))
	status, _ := get(t, u, "/gurulize/voice/wrong?id=7&code=1&time=1427116743")
	assert.Equal(t, http.StatusUnauthorized, status)
	req, err := http.NewRequest(http.MethodPut, u+"/gurulize/voice/"+testToken, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Equal(t, http.StatusBadRequest, post(t, u+"/gurulize/video/"+testToken, `{"code":"JOIN"}`))

	for _, path := range []string{"/rooms/r", "/rooms/r/changes", "/calls/7", "/calls/7/changes"} {
		status, _ := get(t, u, path)
		assert.Equal(t, http.StatusNotFound, status, path)
	}
	status, _ = get(t, u, "/calls/seven")
	assert.Equal(t, http.StatusBadRequest, status)

	require.Equal(t, http.StatusOK, post(t, u+"/gurulize/video/"+testToken, video))
	resp, err = http.Post(u+"/gurulize/voice/"+testToken, "application/x-www-form-urlencoded",
		strings.NewReader("id=7&code=1&time=1427116743"))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "voice statuses as a POST form too")

	resp, err = http.Get(u + "/rooms/r")
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var sum gurulize.RoomSummary
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&sum))
	assert.Equal(t, "r", sum.RoomUUID)
	status, body := get(t, u, "/calls/7/changes")
	assert.Equal(t, http.StatusOK, status)
	assert.True(t, strings.HasPrefix(string(body), `[{"version":1,"summary":{"id":7,"outcome":"PENDING",`), "%s", body)
}

// A replica that starts before its database waits for it: Open logs that
// the database is unavailable and tries again until it answers. The
// database here is reached through a loopback forwarder that starts
// listening a moment after Open began.
func TestOpenWaitsForTheDatabase(t *testing.T) {
	dsn := freshSchema(t)
	cfg, err := pgxpool.ParseConfig(dsn)
	require.NoError(t, err)
	target := net.JoinHostPort(cfg.ConnConfig.Host, strconv.Itoa(int(cfg.ConnConfig.Port)))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().(*net.TCPAddr)
	require.NoError(t, ln.Close())
	later := withParam(withParam(dsn, "host", "127.0.0.1"), "port", strconv.Itoa(addr.Port))

	var mu sync.Mutex
	var open []io.Closer // the forwarder and its connections
	closed := false
	keep := func(c io.Closer) bool {
		mu.Lock()
		defer mu.Unlock()
		if closed {
			c.Close()
			return false
		}
		open = append(open, c)
		return true
	}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		closed = true
		for _, c := range open {
			c.Close()
		}
	})
	go func() {
		time.Sleep(1500 * time.Millisecond)
		fwd, err := net.Listen("tcp", addr.String())
		if !assert.NoError(t, err) || !keep(fwd) {
			return
		}
		for {
			in, err := fwd.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			if !keep(in) {
				out.Close()
				return
			}
			if !keep(out) {
				return
			}
			go func() { _, _ = io.Copy(out, in) }()
			go func() { _, _ = io.Copy(in, out) }()
		}
	}()

	var logs logBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	s, err := Open(ctx, later, slog.New(slog.NewTextHandler(&logs, nil)))
	require.NoError(t, err)
	t.Cleanup(s.Close)
	assert.GreaterOrEqual(t, time.Since(start), time.Second)
	assert.Contains(t, logs.String(), "database unavailable; trying again")
	require.NoError(t, s.SaveVideoEvent(ctx, videoEvent("room", gurulize.EventJoin, gurulize.SourceHost, 0)))

	// Until ctx ends, and no longer.
	short, cancelShort := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancelShort()
	_, err = Open(short, withParam(dsn, "port", "1"), slog.New(slog.NewTextHandler(io.Discard, nil)))
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

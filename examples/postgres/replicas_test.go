// Several replicas against one real PostgreSQL, fed by the fake Gurulize
// through a load balancer that sends each callback to a random replica:
// duplicated, reordered and concurrent delivery, and a database restart
// in the middle of a run.

package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
)

func replicaURLs(rs []*replica) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.url)
	}
	return out
}

// Three replicas; every room's script is played three times at once and every
// call's twice, each callback delivered twice and in shuffled order, so the
// same and different events of one room, its first ones included, reach
// different replicas at the same moment. What they store must be what one
// in-memory tracker makes of the same callbacks, with one change per change.
func TestReplicasStoreWhatATrackerFolds(t *testing.T) {
	dsn := freshSchema(t)
	var logs logBuffer
	replicas := startReplicas(t, dsn, 3, &logs)
	d := newDispatcher(t, replicaURLs(replicas))
	fake := newFake(t, d, gurulizetest.Faults{Duplicate: true, Reorder: true, Seed: 13})

	for i := range 24 {
		createRoom(t, fake, i, 3)
	}
	for i := range 24 {
		registerCall(t, fake, i, 2)
	}
	waitDelivered(t, fake)

	// Concurrent callbacks of one room wait for each other's lock; none
	// fails (a 500 would be a statement error, such as a version stored
	// twice). A 503 is allowed only for a machine too loaded to answer
	// within callbackTimeout: the fake delivers such a callback again.
	statuses := d.statuses()
	t.Logf("%d callbacks, answers by status: %v", len(d.recorded()), statuses)
	for status := range statuses {
		assert.Contains(t, []int{http.StatusOK, http.StatusServiceUnavailable}, status, "no other answer than 200 or 503")
	}
	assert.NotContains(t, logs.String(), "status=500")
	rt, ct := d.fold(t)
	checkStored(t, replicaURLs(replicas), fake, rt, ct)
}

// A restart of the database while callbacks flow: callbacks that reach a
// replica while it is down are answered 503 and delivered again by the fake;
// none is answered 200 unless it is committed. Delivery is reordered but not
// duplicated, so a callback answered 200 is never sent again: if it had not
// been stored, nothing would repair it, and the check below would see it
// missing.
func TestDatabaseRestartLosesNothingAnswered200(t *testing.T) {
	restart := restartCommand(t)
	dsn := freshSchema(t)
	var logs logBuffer
	replicas := startReplicas(t, dsn, 3, &logs)
	d := newDispatcher(t, replicaURLs(replicas))
	fake := newFake(t, d, gurulizetest.Faults{Reorder: true, Seed: 7})

	// Rooms and calls are created for 4 seconds; the database goes down
	// after 1 second for 1 second, and takes a moment to start again.
	restarted := make(chan error, 1)
	go func() {
		time.Sleep(time.Second)
		out, err := restart().CombinedOutput()
		if err != nil {
			err = fmt.Errorf("%w: %s", err, out)
		}
		restarted <- err
	}()
	deadline := time.Now().Add(4 * time.Second)
	for i := 0; time.Now().Before(deadline); i++ {
		createRoom(t, fake, i, 1)
		registerCall(t, fake, i, 1)
		time.Sleep(20 * time.Millisecond)
	}
	require.NoError(t, <-restarted, "restarting PostgreSQL")
	waitDelivered(t, fake)

	statuses := d.statuses()
	t.Logf("answers by status: %v", statuses)
	assert.Positive(t, statuses[http.StatusServiceUnavailable], "callbacks arrived while the database was down, and were answered 503")
	assert.Positive(t, statuses[http.StatusOK])
	for status := range statuses {
		assert.Contains(t, []int{http.StatusOK, http.StatusServiceUnavailable}, status, "no other answer than 200 or 503")
	}

	// Every callback answered 200 is in the state stored for its room or
	// call: applying it again changes nothing.
	ctx := context.Background()
	store := replicas[0].store
	for _, a := range d.recorded() {
		if a.status != http.StatusOK {
			continue
		}
		ev, st := a.parse(t)
		if a.video {
			var stored gurulize.RoomState
			found, err := store.load(ctx, rooms, ev.RoomUUID, &stored)
			require.NoError(t, err)
			require.True(t, found, "room %s answered 200 but not stored", ev.RoomUUID)
			assert.False(t, stored.Apply(ev), "event answered 200 but not stored: %s", a.body)
		} else {
			var stored gurulize.CallState
			found, err := store.load(ctx, calls, st.ID, &stored)
			require.NoError(t, err)
			require.True(t, found, "call %d answered 200 but not stored", st.ID)
			assert.False(t, stored.Apply(st), "status answered 200 but not stored: %s", a.query)
		}
	}
	rt, ct := d.fold(t)
	checkStored(t, replicaURLs(replicas), fake, rt, ct)
	assertNoPassword(t, dsn, logs.String())
}

// restartCommand returns a function making the command that restarts the
// PostgreSQL at DATABASE_URL: scripts/postgres.sh restart, which knows the
// server it started. The test fails when DATABASE_URL is another server.
func restartCommand(t *testing.T) func() *exec.Cmd {
	t.Helper()
	base := databaseURL(t)
	script, err := filepath.Abs(filepath.Join("..", "..", "scripts", "postgres.sh"))
	require.NoError(t, err)
	out, err := exec.Command(script, "url").Output()
	require.NoError(t, err, "this test restarts the PostgreSQL started by scripts/postgres.sh start; none is running")
	started, err := pgxpool.ParseConfig(strings.TrimSpace(string(out)))
	require.NoError(t, err)
	ours, err := pgxpool.ParseConfig(base)
	require.NoError(t, err)
	at := func(c *pgxpool.Config) string {
		return net.JoinHostPort(c.ConnConfig.Host, strconv.Itoa(int(c.ConnConfig.Port)))
	}
	require.Equal(t, at(started), at(ours),
		"this test restarts the PostgreSQL started by scripts/postgres.sh start; DATABASE_URL names another server")
	return func() *exec.Cmd { return exec.Command(script, "restart", "1") }
}

// assertNoPassword checks that the password in dsn, if any, appears nowhere
// in logs.
func assertNoPassword(t *testing.T, dsn, logs string) {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return
	}
	if password, ok := u.User.Password(); ok && password != "" {
		assert.NotContains(t, logs, password, "the database password in the logs")
	}
}

// The outbox consumer when things go wrong: the database restarts while
// changes are stored and delivered, and a change keeps failing until it is
// parked in the dead letters, then re-queued.

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// PostgreSQL restarts while two consumers deliver and callbacks are stored:
// every change is delivered in order; the consumers carry on by themselves.
func TestOutboxSurvivesADatabaseRestart(t *testing.T) {
	restart := restartCommand(t)
	dsn := freshSchema(t)
	s := openStore(t, dsn)
	var d deliveries
	var logs logBuffer
	startConsumers(t, dsn, "billing", 2, &d, ConsumerConfig{PollInterval: 200 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})

	restarted := make(chan error, 1)
	go func() {
		time.Sleep(500 * time.Millisecond)
		out, err := restart().CombinedOutput()
		if err != nil {
			err = fmt.Errorf("%w: %s", err, out)
		}
		restarted <- err
	}()
	produce(t, s, "room", 150)
	require.NoError(t, <-restarted, "restarting PostgreSQL")
	produce(t, s, "after", 10)

	stored := storedChanges(t, s)
	require.Len(t, stored, 160*len(meeting))
	waitFor(t, "every change is delivered", func() bool {
		seen := map[string]bool{}
		for _, ch := range d.snapshot() {
			seen[ch.ID] = true
		}
		return len(seen) == len(stored)
	})
	repeats := checkDelivered(t, d.snapshot(), stored)
	t.Logf("%d changes, %d delivered again", len(stored), repeats)
	assert.Contains(t, logs.String(), "outbox: database unavailable", "the consumers saw the restart")
	assertNoPassword(t, dsn, logs.String())
}

// A change whose delivery always fails is tried MaxAttempts times, then
// parked in the dead letters with its error; the later changes of its room
// wait, other rooms go on. Once the cause is fixed, "requeue" delivers it
// and the rest of its room, in order.
func TestOutboxPoisonChangeIsParkedAndRequeued(t *testing.T) {
	dsn := freshSchema(t)
	s := openStore(t, dsn)
	var poisoned atomic.Bool
	poisoned.Store(true)
	var attempts atomic.Int64
	var d deliveries
	var logs logBuffer
	startConsumers(t, dsn, "billing", 2, &d, ConsumerConfig{
		PollInterval: 50 * time.Millisecond, MaxAttempts: 3, RetryDelay: 20 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Deliver: func(_ context.Context, ch OutboxChange) error {
			if ch.ID == "room:room-3:4" && poisoned.Load() {
				attempts.Add(1)
				return errors.New("billing API refused: unknown plan")
			}
			return nil
		},
	})
	produce(t, s, "room", 8)
	stored := storedChanges(t, s)

	var dead struct {
		version  int64
		attempts int
		err      string
	}
	waitFor(t, "the change is in the dead letters", func() bool {
		err := s.pool.QueryRow(context.Background(), `SELECT version, attempts, error FROM gurulize_outbox_dead_letters
			WHERE consumer = 'billing' AND kind = 'room' AND key = 'room-3'`).Scan(&dead.version, &dead.attempts, &dead.err)
		return err == nil
	})
	assert.Equal(t, int64(4), dead.version)
	assert.Equal(t, 3, dead.attempts)
	assert.Equal(t, "billing API refused: unknown plan", dead.err)
	assert.Contains(t, logs.String(), "outbox: change moved to the dead letters")
	waitFor(t, "the other rooms are delivered", func() bool { return len(d.snapshot()) == len(stored)-len(meeting)+3 })
	time.Sleep(200 * time.Millisecond)
	assert.Equal(t, int64(3), attempts.Load(), "no attempt after parking")
	for _, ch := range d.snapshot() {
		if ch.Key == "room-3" {
			assert.Less(t, ch.Version, int64(4), "room-3 waits behind its dead letter")
		}
	}

	poisoned.Store(false)
	var out bytes.Buffer
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	env := func(k string) string { return map[string]string{databaseURLEnv: dsn}[k] }
	require.NoError(t, runOutboxCommand(context.Background(), "requeue", []string{"-name", "billing", "-room", "room-3"}, env, &out, logger))
	assert.Equal(t, "re-queued 1 dead letters of billing\n", out.String())
	waitFor(t, "room-3 is delivered", func() bool { return len(d.snapshot()) == len(stored) })
	assert.Zero(t, checkDelivered(t, d.snapshot(), stored))

	var n int
	require.NoError(t, s.pool.QueryRow(context.Background(), `SELECT count(*) FROM gurulize_outbox_dead_letters`).Scan(&n))
	assert.Zero(t, n)
	out.Reset()
	require.NoError(t, runOutboxCommand(context.Background(), "requeue", []string{"-name", "billing"}, env, &out, logger))
	assert.Equal(t, "re-queued 0 dead letters of billing\n", out.String())
}

// A consumer that would poll only once an hour delivers a new change within
// seconds: the Store's NOTIFY wakes it.
func TestOutboxWakesOnNotify(t *testing.T) {
	dsn := freshSchema(t)
	s := openStore(t, dsn)
	var d deliveries
	startConsumers(t, dsn, "billing", 1, &d, ConsumerConfig{PollInterval: time.Hour})
	time.Sleep(300 * time.Millisecond) // the consumer's first turn, on start, is over
	require.NoError(t, s.SaveVideoEvent(context.Background(), videoEvent("room", "JOIN", "HOST", 0)))
	waitFor(t, "the change is delivered", func() bool { return len(d.snapshot()) == 1 })
	assert.Equal(t, "room:room:1", d.snapshot()[0].ID)
}

// The outbox commands refuse what they cannot run, before connecting.
func TestOutboxCommandSettings(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	env := func(k string) string { return "" }
	var usage usageError
	for args, want := range map[string][]string{
		"no name":     {"consume"},
		"room & call": {"requeue", "-name", "n", "-room", "r", "-call", "1"},
		"bad call":    {"requeue", "-name", "n", "-call", "x"},
		"no database": {"consume", "-name", "n"},
	} {
		err := run(context.Background(), want, env, logger)
		assert.ErrorAs(t, err, &usage, args)
	}
	assert.ErrorIs(t, run(context.Background(), []string{"consume", "-bogus"}, env, logger), errFlags)
	_, err := NewConsumer(nil, ConsumerConfig{Name: "x"})
	assert.Error(t, err, "no Deliver")
}

// A change row whose summary cannot be read fails as a delivery would and
// ends in the dead letters; its room's later changes wait, others go on.
func TestOutboxUnreadableSummaryIsParked(t *testing.T) {
	dsn := freshSchema(t)
	s := openStore(t, dsn)
	produce(t, s, "room", 2)
	_, err := s.pool.Exec(context.Background(),
		`UPDATE gurulize_room_changes SET summary = '{"RoomUUID": 5}' WHERE room_uuid = 'room-1' AND version = 3`)
	require.NoError(t, err)
	var d deliveries
	startConsumers(t, dsn, "billing", 1, &d, ConsumerConfig{PollInterval: 50 * time.Millisecond, MaxAttempts: 2, RetryDelay: 10 * time.Millisecond})
	var msg string
	waitFor(t, "the change is in the dead letters", func() bool {
		return s.pool.QueryRow(context.Background(), `SELECT error FROM gurulize_outbox_dead_letters
			WHERE key = 'room-1' AND version = 3`).Scan(&msg) == nil
	})
	assert.Contains(t, msg, "stored value cannot be decoded")
	waitFor(t, "the rest is delivered", func() bool { return len(d.snapshot()) == len(meeting)+2 })
	for _, ch := range d.snapshot() {
		assert.False(t, ch.Key == "room-1" && ch.Version >= 3, ch.ID)
	}
}

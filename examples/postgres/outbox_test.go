// The outbox consumer against the real PostgreSQL: three consumers at once
// while callbacks are stored, a consumer killed in the middle of a batch, a
// database restart, and a change that keeps failing, parked in the dead
// letters and re-queued.

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

// produce stores the events of meeting for rooms rooms named prefix-0,
// prefix-1, … (each event a change, so len(meeting) changes per room), the
// rooms four at a time, each room's events in order. A callback that fails
// (the database restarting) is stored again, as the provider would deliver
// it again.
func produce(tb testing.TB, s *Store, prefix string, rooms int) {
	tb.Helper()
	var wg sync.WaitGroup
	var next atomic.Int64
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				r := int(next.Add(1)) - 1
				if r >= rooms {
					return
				}
				for _, e := range meeting {
					ev := gurulize.VideoEvent{Code: gurulize.VideoEventCode(e.code), Source: gurulize.EventSource(e.source),
						Reason: gurulize.EndReason(e.reason), MeetingTotalDuration: e.total,
						ReceivedAt: t0.Add(e.after), RoomUUID: fmt.Sprintf("%s-%d", prefix, r)}
					deadline := time.Now().Add(60 * time.Second)
					for s.SaveVideoEvent(context.Background(), ev) != nil && time.Now().Before(deadline) {
						time.Sleep(50 * time.Millisecond)
					}
				}
			}
		}()
	}
	wg.Wait()
}

// deliveries records what consumers delivered, in the order they delivered
// it, and counts the times two consumers held one room or call at once.
type deliveries struct {
	mu       sync.Mutex
	list     []OutboxChange
	holder   map[string]int // room or call → the consumer delivering it now
	overlaps int
}

// deliver returns consumer i's Deliver function; fail, if not nil, decides
// which deliveries fail.
func (d *deliveries) deliver(i int, fail func(OutboxChange) error) func(context.Context, OutboxChange) error {
	return func(_ context.Context, ch OutboxChange) error {
		k := ch.Kind + ":" + ch.Key
		d.mu.Lock()
		if d.holder == nil {
			d.holder = map[string]int{}
		}
		if h, ok := d.holder[k]; ok && h != i {
			d.overlaps++
		}
		d.holder[k] = i
		d.mu.Unlock()
		time.Sleep(time.Duration(len(ch.Key)%3) * 50 * time.Microsecond) // a user's function takes time
		defer func() {
			d.mu.Lock()
			delete(d.holder, k)
			d.mu.Unlock()
		}()
		if fail != nil {
			if err := fail(ch); err != nil {
				return err
			}
		}
		d.mu.Lock()
		d.list = append(d.list, ch)
		d.mu.Unlock()
		return nil
	}
}

func (d *deliveries) snapshot() []OutboxChange {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]OutboxChange(nil), d.list...)
}

// storedChanges returns every change row, by ID.
func storedChanges(tb testing.TB, s *Store) map[string]OutboxChange {
	tb.Helper()
	rows, err := s.pool.Query(context.Background(), `
		SELECT 'room', room_uuid, version, summary FROM gurulize_room_changes
		UNION ALL SELECT 'call', call_id::text, version, summary FROM gurulize_call_changes`)
	require.NoError(tb, err)
	out := map[string]OutboxChange{}
	for rows.Next() {
		var ch OutboxChange
		var summary []byte
		require.NoError(tb, rows.Scan(&ch.Kind, &ch.Key, &ch.Version, &summary))
		ch.Summary = summary
		ch.ID = fmt.Sprintf("%s:%s:%d", ch.Kind, ch.Key, ch.Version)
		out[ch.ID] = ch
	}
	require.NoError(tb, rows.Err())
	return out
}

// checkDelivered checks a consumer's deliveries, in the order they were
// made, against the stored changes: every change delivered, as stored; for
// each room or call, no version delivered before the one just below it (a
// version delivered again after a crash is allowed, a version skipped is
// not). It returns how many deliveries repeated an earlier one.
func checkDelivered(tb testing.TB, got []OutboxChange, stored map[string]OutboxChange) (repeats int) {
	tb.Helper()
	highest := map[string]int64{}
	seen := map[string]bool{}
	for _, ch := range got {
		k := ch.Kind + ":" + ch.Key
		require.LessOrEqualf(tb, ch.Version, highest[k]+1, "%s delivered before version %d of its room or call", ch.ID, highest[k]+1)
		highest[k] = max(highest[k], ch.Version)
		if seen[ch.ID] {
			repeats++
			continue
		}
		seen[ch.ID] = true
		want, ok := stored[ch.ID]
		require.Truef(tb, ok, "%s delivered but not stored", ch.ID)
		assert.JSONEq(tb, string(want.Summary), string(ch.Summary), ch.ID)
	}
	for id := range stored {
		assert.Truef(tb, seen[id], "%s never delivered", id)
	}
	return repeats
}

// waitFor waits until cond holds, for up to a minute.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startConsumers runs n consumers named name, each with a Store of its own,
// until the test ends.
func startConsumers(t *testing.T, dsn, name string, n int, d *deliveries, cfg ConsumerConfig) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	for i := range n {
		cfg := cfg
		cfg.Name = name
		deliver := d.deliver(i, nil)
		if cfg.Deliver != nil {
			fail := cfg.Deliver
			deliver = d.deliver(i, func(ch OutboxChange) error { return fail(ctx, ch) })
		}
		cfg.Deliver = deliver
		if cfg.Logger == nil {
			cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		}
		c, err := NewConsumer(openStore(t, dsn), cfg)
		require.NoError(t, err)
		wg.Add(1)
		go func() { defer wg.Done(); _ = c.Run(ctx) }()
	}
}

// Three consumers of one name, and one of another, run while callbacks are
// stored: each change reaches each name exactly once (nothing fails), in
// version order, and no two consumers ever hold one room at once.
func TestOutboxThreeConsumersAtOnce(t *testing.T) {
	dsn := freshSchema(t)
	s := openStore(t, dsn)
	var billing, audit deliveries
	startConsumers(t, dsn, "billing", 3, &billing, ConsumerConfig{PollInterval: 200 * time.Millisecond, Batch: 4})
	startConsumers(t, dsn, "audit", 1, &audit, ConsumerConfig{PollInterval: 200 * time.Millisecond})
	produce(t, s, "room", 60)
	require.NoError(t, s.SaveVoiceStatus(context.Background(), gurulize.VoiceStatus{ID: 7, Code: gurulize.StatusCallerConnected, Time: t0}))

	stored := storedChanges(t, s)
	require.Len(t, stored, 60*len(meeting)+1)
	for _, d := range []*deliveries{&billing, &audit} {
		waitFor(t, "every change is delivered", func() bool { return len(d.snapshot()) >= len(stored) })
		assert.Zero(t, checkDelivered(t, d.snapshot(), stored), "nothing delivered twice")
	}
	time.Sleep(300 * time.Millisecond) // nothing more comes
	assert.Len(t, billing.snapshot(), len(stored))
	assert.Zero(t, billing.overlaps, "two consumers held one room at once")
}

// A consumer running as a process of its own (go run . consume) is killed
// while it writes the changes of a batch; another is started: every change
// is delivered, in order, those of the interrupted batch again.
func TestOutboxKilledConsumerLosesNothing(t *testing.T) {
	dsn := freshSchema(t)
	s := openStore(t, dsn)
	produce(t, s, "room", 300)
	stored := storedChanges(t, s)

	// consume starts the command, reads limit changes, kills the process
	// after wait, and reads what it had written before dying.
	consume := func(limit int, wait time.Duration) []OutboxChange {
		cmd := exec.Command(os.Args[0], "consume", "-name", "printer")
		cmd.Env = append(os.Environ(), runMainEnv+"=1", databaseURLEnv+"="+dsn)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		var got []OutboxChange
		sc := bufio.NewScanner(stdout)
		sc.Buffer(nil, 1<<20)
		read := func() bool {
			if !sc.Scan() {
				return false
			}
			var ch OutboxChange
			require.NoError(t, json.Unmarshal(sc.Bytes(), &ch), sc.Text())
			got = append(got, ch)
			return true
		}
		for len(got) < limit && read() {
		}
		require.Len(t, got, limit, "stderr: %s", &stderr)
		time.Sleep(wait)
		require.NoError(t, cmd.Process.Kill())
		for read() {
		}
		_ = cmd.Wait()
		return got
	}

	// The first is read no more after 500 changes: it blocks writing,
	// inside Deliver, with its pipe full, in the middle of a batch. It is
	// killed there.
	first := consume(500, 300*time.Millisecond)
	var committed int64
	require.NoError(t, s.pool.QueryRow(context.Background(),
		`SELECT coalesce(sum(delivered), 0) FROM gurulize_outbox_cursors WHERE consumer = 'printer'`).Scan(&committed))
	assert.Less(t, committed, int64(len(first)), "the killed batch is not committed")

	rest := consume(len(stored)-int(committed), 0)
	repeats := checkDelivered(t, append(first, rest...), stored)
	t.Logf("%d changes, %d delivered by the killed consumer, %d again by the next", len(stored), len(first), repeats)
	assert.Positive(t, repeats, "the killed batch is delivered again")
}

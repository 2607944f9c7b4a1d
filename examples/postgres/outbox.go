// A consumer of the change outbox, to copy: it delivers every change of
// every room and call to a function of yours, at least once, in version
// order per room or call, from any number of replicas, and parks a change
// that keeps failing in a dead-letter table until it is re-queued.

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// OutboxChange is one change of a room or a call, as a Consumer delivers it.
type OutboxChange struct {
	// ID is "room:UUID:VERSION" or "call:ID:VERSION": the same for every
	// delivery of the change, so use it as the idempotency key of what you
	// do with it (a change may be delivered more than once).
	ID      string          `json:"id"`
	Kind    string          `json:"kind"`    // "room" or "call"
	Key     string          `json:"key"`     // the room's UUID, or the call's id in decimal
	Version int64           `json:"version"` // 1, 2, … without gaps for each room or call
	Summary json.RawMessage `json:"summary"` // the gurulize.RoomSummary or CallSummary after the change, as stored
}

// ConsumerConfig configures a Consumer. Name and Deliver are required.
type ConsumerConfig struct {
	// Name identifies the consumer: its position is kept in the database
	// under this name, shared by every replica running a consumer of that
	// name. Consumers of different names each receive every change.
	Name string
	// Deliver is your function. A nil error means the change is done; an
	// error, or a panic of Deliver that ends the process, means it is
	// delivered again later. Deliver is never called for two changes of one
	// room or call at once, in any replica, and never for a change before the
	// earlier versions of its room or call returned nil (or were re-queued
	// from the dead letters and then returned nil).
	Deliver func(context.Context, OutboxChange) error
	// MaxAttempts is how many times Deliver may fail for one change before
	// the change goes to gurulize_outbox_dead_letters with the last error;
	// the later changes of its room or call then wait until it is re-queued
	// (see Requeue). Default 5.
	MaxAttempts int
	// RetryDelay is the wait after the first failure of a change, doubled
	// after each further failure, up to a minute. Default 1s.
	RetryDelay time.Duration
	// PollInterval is how often the consumer looks for changes when no
	// notification wakes it (one can be lost while disconnected). Default 1s.
	PollInterval time.Duration
	// Batch is how many rooms and calls a consumer takes at once; each gets
	// up to 100 of its changes per turn. Default 16.
	Batch int
	// Logger receives a warning when the database is unavailable or a
	// delivery fails, and an error when a change goes to the dead letters.
	// Default: slog.Default().
	Logger *slog.Logger
}

// Consumer reads the outbox for one named consumer. Run it in as many
// replicas as you like.
type Consumer struct {
	store *Store
	cfg   ConsumerConfig
	wake  chan struct{}
}

// changesChannel is the LISTEN/NOTIFY channel on which the Store announces
// new changes (see Store.announce).
const changesChannel = "gurulize_changes"

// maxPerKey is how many changes of one room or call a turn delivers.
const maxPerKey = 100

// NewConsumer returns a consumer of s's outbox. It fails if cfg.Name is
// empty or cfg.Deliver is nil.
func NewConsumer(s *Store, cfg ConsumerConfig) (*Consumer, error) {
	if cfg.Name == "" || cfg.Deliver == nil {
		return nil, errors.New("a consumer needs a Name and a Deliver function")
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.RetryDelay <= 0 {
		cfg.RetryDelay = time.Second
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 16
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Consumer{store: s, cfg: cfg, wake: make(chan struct{}, 1)}, nil
}

// Run delivers changes until ctx ends, then returns ctx's error. While the
// database is unavailable it logs a warning and tries again every
// PollInterval; nothing is lost meanwhile.
func (c *Consumer) Run(ctx context.Context) error {
	go c.listen(ctx)
	for {
		if err := c.turn(ctx); err != nil && ctx.Err() == nil {
			c.cfg.Logger.WarnContext(ctx, "outbox: database unavailable; trying again", "consumer", c.cfg.Name, "error", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-c.wake:
		case <-time.After(c.cfg.PollInterval):
		}
	}
}

// turn notes the changes committed since the last turn, then delivers until
// no room or call is left to take.
func (c *Consumer) turn(ctx context.Context) error {
	if _, err := c.store.pool.Exec(ctx, `INSERT INTO gurulize_outbox_consumers (name) VALUES ($1) ON CONFLICT DO NOTHING`, c.cfg.Name); err != nil {
		return err
	}
	if _, err := c.store.pool.Exec(ctx, discoverSQL, c.cfg.Name); err != nil {
		return err
	}
	for ctx.Err() == nil {
		n, err := c.deliverBatch(ctx)
		if err != nil || n == 0 {
			return err
		}
	}
	return nil
}

// discoverSQL notes, for consumer $1, the changes written by transactions
// between its horizon and the oldest transaction still running (the xmin of
// the statement's snapshot): every transaction below it has ended, so no
// change can appear there later, and those that committed are visible to
// this very statement. A replica finding the consumer's row locked leaves
// the work to the replica holding it.
const discoverSQL = `
WITH c AS (SELECT horizon FROM gurulize_outbox_consumers WHERE name = $1 FOR UPDATE SKIP LOCKED),
h AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS upto),
found AS (
	SELECT 'room' AS kind, room_uuid AS key, max(version) AS target
	FROM gurulize_room_changes, c, h WHERE tx >= c.horizon AND tx < h.upto GROUP BY room_uuid
	UNION ALL
	SELECT 'call', call_id::text, max(version)
	FROM gurulize_call_changes, c, h WHERE tx >= c.horizon AND tx < h.upto GROUP BY call_id
),
noted AS (
	INSERT INTO gurulize_outbox_cursors (consumer, kind, key, target)
	SELECT $1, kind, key, target FROM found
	ON CONFLICT (consumer, kind, key) DO UPDATE SET target = GREATEST(gurulize_outbox_cursors.target, EXCLUDED.target)
)
UPDATE gurulize_outbox_consumers SET horizon = GREATEST(gurulize_outbox_consumers.horizon, (SELECT upto FROM h))
FROM c WHERE name = $1`

// claimSQL takes up to $2 rooms and calls with changes to deliver, locking
// their cursors until the transaction ends: other replicas skip them.
const claimSQL = `
SELECT kind, key, delivered, LEAST(target, delivered + $3), attempts FROM gurulize_outbox_cursors
WHERE consumer = $1 AND delivered < target AND NOT parked AND retry_at <= now()
ORDER BY retry_at LIMIT $2 FOR UPDATE SKIP LOCKED`

// The changes of the claimed rooms or calls: $1 keys, after $2 up to $3.
const (
	roomChangesSQL = `
SELECT k.key, c.version, c.summary FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS k(key, lo, hi)
JOIN gurulize_room_changes c ON c.room_uuid = k.key AND c.version > k.lo AND c.version <= k.hi
ORDER BY k.key, c.version`
	callChangesSQL = `
SELECT k.key, c.version, c.summary FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS k(key, lo, hi)
JOIN gurulize_call_changes c ON c.call_id = k.key::bigint AND c.version > k.lo AND c.version <= k.hi
ORDER BY k.key, c.version`
)

// claim is one room or call taken by a turn.
type claim struct {
	kind, key     string
	delivered, hi int64
	attempts      int
	changes       []OutboxChange
	unreadable    *OutboxChange // the first change whose stored summary cannot be read, if any
	unreadableErr error
}

// deliverBatch claims rooms and calls, delivers their changes in order and
// moves their cursors, in one transaction; it returns how many it claimed.
// Should the process die in the middle, the transaction is rolled back and
// the changes are delivered again.
func (c *Consumer) deliverBatch(ctx context.Context) (int, error) {
	tx, err := c.store.pool.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) // after Commit, it does nothing

	claims, err := c.claim(ctx, tx)
	if err != nil || len(claims) == 0 {
		return 0, err
	}
	b := &pgx.Batch{}
	for _, cl := range claims {
		c.deliver(ctx, cl, b)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return 0, err
	}
	return len(claims), tx.Commit(ctx)
}

// claim locks up to Batch cursors and reads their changes.
func (c *Consumer) claim(ctx context.Context, tx pgx.Tx) ([]*claim, error) {
	rows, err := tx.Query(ctx, claimSQL, c.cfg.Name, c.cfg.Batch, maxPerKey)
	if err != nil {
		return nil, err
	}
	var claims []*claim
	byKey := map[string]*claim{}
	cl := &claim{}
	_, err = pgx.ForEachRow(rows, []any{&cl.kind, &cl.key, &cl.delivered, &cl.hi, &cl.attempts}, func() error {
		next := *cl
		claims = append(claims, &next)
		byKey[next.kind+":"+next.key] = &next
		return nil
	})
	if err != nil || len(claims) == 0 {
		return nil, err
	}
	for kind, sql := range map[string]string{"room": roomChangesSQL, "call": callChangesSQL} {
		var keys []string
		var lo, hi []int64
		for _, cl := range claims {
			if cl.kind == kind {
				keys, lo, hi = append(keys, cl.key), append(lo, cl.delivered), append(hi, cl.hi)
			}
		}
		if len(keys) == 0 {
			continue
		}
		rows, err := tx.Query(ctx, sql, keys, lo, hi)
		if err != nil {
			return nil, err
		}
		var ch OutboxChange
		var summary []byte
		_, err = pgx.ForEachRow(rows, []any{&ch.Key, &ch.Version, &summary}, func() error {
			cl := byKey[kind+":"+ch.Key]
			if cl.unreadable != nil {
				return nil // the changes after it wait
			}
			next := OutboxChange{ID: fmt.Sprintf("%s:%s:%d", kind, ch.Key, ch.Version), Kind: kind, Key: ch.Key,
				Version: ch.Version, Summary: json.RawMessage(append([]byte(nil), summary...))}
			// Rows written before summaries had their JSON form are
			// delivered in it; a row that cannot be read fails as a
			// delivery would, and goes to the dead letters in the end.
			upgraded, err := upgradeSummary(kind, summary)
			if err != nil {
				cl.unreadable, cl.unreadableErr = &next, err
				return nil
			}
			next.Summary = json.RawMessage(upgraded)
			cl.changes = append(cl.changes, next)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return claims, nil
}

// deliver calls Deliver for cl's changes in order, until one fails, and
// queues on b the update of its cursor: delivered up to the last success;
// after a failure, the attempt counted and a retry time set, or, at
// MaxAttempts, the change put in the dead letters and the cursor parked.
func (c *Consumer) deliver(ctx context.Context, cl *claim, b *pgx.Batch) {
	delivered := cl.hi // changes missing from the table (deleted) are passed over
	var failed *OutboxChange
	var deliverErr error
	for i := range cl.changes {
		ch := &cl.changes[i]
		if deliverErr = c.cfg.Deliver(ctx, *ch); deliverErr != nil {
			delivered, failed = ch.Version-1, ch
			break
		}
	}
	if failed == nil && cl.unreadable != nil {
		delivered, failed, deliverErr = cl.unreadable.Version-1, cl.unreadable, cl.unreadableErr
	}
	if failed == nil {
		b.Queue(`UPDATE gurulize_outbox_cursors SET delivered = $4, attempts = 0, last_error = NULL
			WHERE consumer = $1 AND kind = $2 AND key = $3`, c.cfg.Name, cl.kind, cl.key, delivered)
		return
	}
	attempts := 1
	if delivered == cl.delivered {
		attempts = cl.attempts + 1 // the same change failed before
	}
	msg := deliverErr.Error()
	if attempts < c.cfg.MaxAttempts {
		wait := c.cfg.RetryDelay << min(attempts-1, 20)
		wait = min(wait, time.Minute)
		c.cfg.Logger.WarnContext(ctx, "outbox: delivery failed; trying again later", "consumer", c.cfg.Name,
			"change", failed.ID, "attempt", attempts, "retry_in", wait, "error", msg)
		b.Queue(`UPDATE gurulize_outbox_cursors SET delivered = $4, attempts = $5, last_error = $6,
			retry_at = now() + $7 * interval '1 microsecond' WHERE consumer = $1 AND kind = $2 AND key = $3`,
			c.cfg.Name, cl.kind, cl.key, delivered, attempts, msg, wait.Microseconds())
		return
	}
	c.cfg.Logger.ErrorContext(ctx, "outbox: change moved to the dead letters; its room or call waits until it is re-queued",
		"consumer", c.cfg.Name, "change", failed.ID, "attempts", attempts, "error", msg)
	b.Queue(`INSERT INTO gurulize_outbox_dead_letters (consumer, kind, key, version, summary, attempts, error)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (consumer, kind, key, version) DO UPDATE SET attempts = EXCLUDED.attempts, error = EXCLUDED.error, failed_at = now()`,
		c.cfg.Name, cl.kind, cl.key, failed.Version, []byte(failed.Summary), attempts, msg)
	b.Queue(`UPDATE gurulize_outbox_cursors SET delivered = $4, attempts = $5, last_error = $6, parked = true
		WHERE consumer = $1 AND kind = $2 AND key = $3`, c.cfg.Name, cl.kind, cl.key, delivered, attempts, msg)
}

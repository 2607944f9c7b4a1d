// How consumers learn of new changes (a NOTIFY from the Store after its
// commits, coalesced; LISTEN in each consumer, polling when it is lost), and
// the re-queueing of dead letters.

package main

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// announceGap is the least time between two NOTIFYs of one Store: under
// load, one NOTIFY stands for all the changes committed in that time, so
// announcing costs the database almost nothing per callback.
const announceGap = 50 * time.Millisecond

// changed tells the announcer that a change was committed; it never blocks.
func (s *Store) changed() {
	select {
	case s.announce <- struct{}{}:
	default:
	}
}

// announcer sends a NOTIFY on changesChannel after commits, at most one per
// announceGap, until s is closed. A NOTIFY that fails is not sent again:
// consumers poll.
func (s *Store) announcer() {
	defer close(s.announced)
	for {
		select {
		case <-s.closing:
			return
		case <-s.announce:
		}
		ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
		_, _ = s.pool.Exec(ctx, `SELECT pg_notify($1, '')`, changesChannel)
		cancel()
		select {
		case <-s.closing:
			return
		case <-time.After(announceGap):
		}
	}
}

// listen wakes the consumer on each NOTIFY on changesChannel, on a
// connection of its own, until ctx ends; after losing it, it connects again
// a PollInterval later (the consumer polls meanwhile).
func (c *Consumer) listen(ctx context.Context) {
	for ctx.Err() == nil {
		err := c.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		c.cfg.Logger.WarnContext(ctx, "outbox: not listening for changes; polling", "consumer", c.cfg.Name, "error", err)
		select {
		case <-ctx.Done():
		case <-time.After(c.cfg.PollInterval):
		}
	}
}

func (c *Consumer) listenOnce(ctx context.Context) error {
	conn, err := pgx.ConnectConfig(ctx, c.store.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+changesChannel); err != nil {
		return err
	}
	c.signal() // changes made while not listening
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		c.signal()
	}
}

func (c *Consumer) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Requeue takes the dead letters of consumer out of
// gurulize_outbox_dead_letters and lets the consumer deliver them again,
// each followed by the later changes of its room or call: all of them when
// kind and key are empty, those of one room or call when kind is "room" or
// "call" and key its UUID or id. It returns how many it re-queued.
func Requeue(ctx context.Context, s *Store, consumer, kind, key string) (int64, error) {
	tag, err := s.pool.Exec(ctx, `
WITH dead AS (
	DELETE FROM gurulize_outbox_dead_letters
	WHERE consumer = $1 AND ($2 = '' OR kind = $2) AND ($3 = '' OR key = $3)
	RETURNING kind, key
)
UPDATE gurulize_outbox_cursors c SET parked = false, attempts = 0, last_error = NULL, retry_at = now()
FROM dead WHERE c.consumer = $1 AND c.kind = dead.kind AND c.key = dead.key`, consumer, kind, key)
	if err != nil {
		return 0, err
	}
	if tag.RowsAffected() > 0 {
		_, _ = s.pool.Exec(ctx, `SELECT pg_notify($1, '')`, changesChannel)
	}
	return tag.RowsAffected(), nil
}

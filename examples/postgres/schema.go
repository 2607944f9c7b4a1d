// The tables: the state of rooms and calls, their changes (the outbox), and
// the outbox consumers' positions and dead letters; created, or brought up to
// date, by every replica when it starts.

package main

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// schema creates the tables when they do not exist, and brings tables made by
// an earlier version of the example up to date. Every statement can run again.
//
// A room's or call's row holds its state (gurulize.RoomState or CallState, as
// their MarshalJSON writes it) and the version of its latest change; each
// change appends a row with the next version and the new summary, as
// encoding/json renders gurulize.RoomSummary or CallSummary: an outbox for
// billing and notifications to read (see Consumer). A change row records the
// transaction that wrote it (tx), which is how a Consumer finds new changes
// without missing one that commits late.
//
// The change tables have no foreign key to the state tables: the row a change
// belongs to is locked and written in the same transaction, so the key always
// exists, and the check would cost every callback a lookup for nothing.
// Deleting a room's row therefore leaves its changes: delete them too.
const schema = `
CREATE TABLE IF NOT EXISTS gurulize_rooms (
	room_uuid  text PRIMARY KEY,
	state      jsonb,                     -- NULL only inside the transaction that inserted the row
	version    bigint NOT NULL DEFAULT 0, -- the version of the latest change
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS gurulize_room_changes (
	room_uuid  text NOT NULL,
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
	call_id    bigint NOT NULL,
	version    bigint NOT NULL,
	summary    jsonb NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (call_id, version)
);
ALTER TABLE gurulize_room_changes DROP CONSTRAINT IF EXISTS gurulize_room_changes_room_uuid_fkey;
ALTER TABLE gurulize_call_changes DROP CONSTRAINT IF EXISTS gurulize_call_changes_call_id_fkey;
ALTER TABLE gurulize_room_changes ADD COLUMN IF NOT EXISTS tx xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE gurulize_call_changes ADD COLUMN IF NOT EXISTS tx xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX IF NOT EXISTS gurulize_room_changes_tx ON gurulize_room_changes (tx);
CREATE INDEX IF NOT EXISTS gurulize_call_changes_tx ON gurulize_call_changes (tx);

-- What SQL needs of the state, kept by every write (see change): whether the
-- room or call was never expected (created by nobody through this server),
-- whether it is over, and when it should be. Rows stored before these
-- columns existed were all first seen from a callback: unexpected.
ALTER TABLE gurulize_rooms ADD COLUMN IF NOT EXISTS unexpected boolean NOT NULL DEFAULT true;
ALTER TABLE gurulize_rooms ADD COLUMN IF NOT EXISTS ended boolean NOT NULL DEFAULT false;
ALTER TABLE gurulize_rooms ADD COLUMN IF NOT EXISTS scheduled_end timestamptz;
ALTER TABLE gurulize_calls ADD COLUMN IF NOT EXISTS unexpected boolean NOT NULL DEFAULT true;
ALTER TABLE gurulize_calls ADD COLUMN IF NOT EXISTS final boolean NOT NULL DEFAULT false;
ALTER TABLE gurulize_calls ADD COLUMN IF NOT EXISTS deadline timestamptz;
CREATE INDEX IF NOT EXISTS gurulize_rooms_due ON gurulize_rooms (scheduled_end) WHERE NOT unexpected AND NOT ended;
CREATE INDEX IF NOT EXISTS gurulize_calls_due ON gurulize_calls (deadline) WHERE NOT unexpected AND NOT final;

-- The W3C traceparent of the span that created the room or call through
-- this server (see tracing.go), for the span links of its callbacks; NULL
-- for one first seen from a callback, created with tracing off, or stored
-- before this column existed.
ALTER TABLE gurulize_rooms ADD COLUMN IF NOT EXISTS traceparent text;
ALTER TABLE gurulize_calls ADD COLUMN IF NOT EXISTS traceparent text;

-- One row per named consumer: every change written by a transaction below
-- horizon has been noted in gurulize_outbox_cursors.
CREATE TABLE IF NOT EXISTS gurulize_outbox_consumers (
	name    text PRIMARY KEY,
	horizon xid8 NOT NULL DEFAULT '0'
);
-- One row per consumer and room or call: the versions up to delivered are
-- delivered, those up to target are known to exist. A parked row holds a
-- change in gurulize_outbox_dead_letters: its later changes wait behind it.
CREATE TABLE IF NOT EXISTS gurulize_outbox_cursors (
	consumer   text NOT NULL,
	kind       text NOT NULL,             -- 'room' or 'call'
	key        text NOT NULL,             -- the room's UUID or the call's id
	delivered  bigint NOT NULL DEFAULT 0,
	target     bigint NOT NULL DEFAULT 0,
	attempts   int NOT NULL DEFAULT 0,    -- failed deliveries of version delivered+1
	last_error text,
	retry_at   timestamptz NOT NULL DEFAULT now(),
	parked     boolean NOT NULL DEFAULT false,
	PRIMARY KEY (consumer, kind, key)
);
CREATE INDEX IF NOT EXISTS gurulize_outbox_cursors_pending ON gurulize_outbox_cursors (consumer, retry_at)
	WHERE delivered < target AND NOT parked;
CREATE TABLE IF NOT EXISTS gurulize_outbox_dead_letters (
	consumer  text NOT NULL,
	kind      text NOT NULL,
	key       text NOT NULL,
	version   bigint NOT NULL,
	summary   jsonb NOT NULL,
	attempts  int NOT NULL,
	error     text NOT NULL,
	failed_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (consumer, kind, key, version)
);`

// schemaLock is the key of the advisory lock taken while the schema is
// created. CREATE TABLE IF NOT EXISTS is not safe when run at the same
// moment by two sessions (both may find the table missing, and one fails on
// a duplicate catalog entry), so replicas starting together take turns.
const schemaLock = 0x67757275 // "guru"

func (s *Store) createSchema(ctx context.Context) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, schemaLock); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, schema)
		return err
	})
}

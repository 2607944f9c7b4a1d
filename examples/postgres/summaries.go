// Change rows written before summaries had a JSON form of their own
// (gurulize v0 wrote RoomSummary and CallSummary with Go field names and
// durations in nanoseconds: "Billed":1800000000000): read in today's form,
// and rewritten by the migrate command.

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gurulize/gurulize-go"
)

// legacyRoomSummary and legacyCallSummary are the summaries as
// encoding/json wrote them before, field for field.
type legacyRoomSummary struct {
	RoomUUID                                            string
	Activated                                           bool
	Meetings                                            int
	Billed                                              time.Duration
	Ended                                               bool
	EndReason                                           gurulize.EndReason
	HostPresent, GuestPresent                           bool
	ActivatedAt, LastEndedAt, FirstEventAt, LastEventAt time.Time
}

type legacyCallSummary struct {
	ID                                                                     int64
	Outcome                                                                gurulize.CallOutcome
	Final                                                                  bool
	TalkTime                                                               time.Duration
	FailedParty                                                            gurulize.Party
	StartedAt, CallerConnectedAt, CalleeConnectedAt, EndedAt, LastStatusAt time.Time
}

// upgradeSummary returns a stored summary in today's JSON form: as it is
// when it is already, converted when it has the key the earlier form began
// with ("RoomUUID" for a room, "ID" for a call; matched exactly, where
// encoding/json would ignore case). kind is "room" or "call".
func upgradeSummary(kind string, stored []byte) ([]byte, error) {
	first := map[string]string{"room": "RoomUUID", "call": "ID"}[kind]
	if !bytes.Contains(stored, []byte(`"`+first+`"`)) {
		return stored, nil // today's form: its keys are in lowerCamelCase
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(stored, &keys); err != nil {
		return nil, fmt.Errorf("%w: %w", errBadState, err)
	}
	if _, ok := keys[first]; !ok {
		return stored, nil // the text was inside a value
	}
	var v any
	if kind == "room" {
		var old legacyRoomSummary
		if err := json.Unmarshal(stored, &old); err != nil {
			return nil, fmt.Errorf("%w: %w", errBadState, err)
		}
		v = gurulize.RoomSummary{RoomUUID: old.RoomUUID, Activated: old.Activated, Meetings: old.Meetings,
			Billed: old.Billed, Ended: old.Ended, EndReason: old.EndReason, HostPresent: old.HostPresent,
			GuestPresent: old.GuestPresent, ActivatedAt: old.ActivatedAt.UTC(), LastEndedAt: old.LastEndedAt.UTC(),
			FirstEventAt: old.FirstEventAt.UTC(), LastEventAt: old.LastEventAt.UTC()}
	} else {
		var old legacyCallSummary
		if err := json.Unmarshal(stored, &old); err != nil {
			return nil, fmt.Errorf("%w: %w", errBadState, err)
		}
		v = gurulize.CallSummary{ID: old.ID, Outcome: old.Outcome, Final: old.Final, TalkTime: old.TalkTime,
			FailedParty: old.FailedParty, StartedAt: old.StartedAt.UTC(), CallerConnectedAt: old.CallerConnectedAt.UTC(),
			CalleeConnectedAt: old.CalleeConnectedAt.UTC(), EndedAt: old.EndedAt.UTC(), LastStatusAt: old.LastStatusAt.UTC()}
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errBadState, err)
	}
	return out, nil
}

// migrateBatch is how many change rows one transaction of
// MigrateSummaries rewrites.
const migrateBatch = 500

// MigrateSummaries rewrites the change rows whose summary is in the earlier
// form into today's, migrateBatch rows per transaction, and returns how many
// it rewrote. Reads convert such rows anyway (see upgradeSummary); run it
// once every replica runs this version, so that SQL on the summaries sees
// one form. It can run again, and beside the replicas: rows another session
// holds are taken by a later batch.
func MigrateSummaries(ctx context.Context, s *Store) (int64, error) {
	var total int64
	for _, t := range []struct{ kind, sql, update string }{
		{"room", `SELECT room_uuid, version, summary FROM gurulize_room_changes WHERE summary ? 'RoomUUID'
			LIMIT $1 FOR UPDATE SKIP LOCKED`, `UPDATE gurulize_room_changes SET summary = $3 WHERE room_uuid = $1 AND version = $2`},
		{"call", `SELECT call_id::text, version, summary FROM gurulize_call_changes WHERE summary ? 'ID'
			LIMIT $1 FOR UPDATE SKIP LOCKED`, `UPDATE gurulize_call_changes SET summary = $3 WHERE call_id = $1::bigint AND version = $2`},
	} {
		for {
			n, err := migrateOnce(ctx, s, t.kind, t.sql, t.update)
			total += n
			if err != nil || n == 0 {
				if err != nil {
					return total, err
				}
				break
			}
		}
	}
	return total, nil
}

func migrateOnce(ctx context.Context, s *Store, kind, query, update string) (int64, error) {
	var n int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, query, migrateBatch)
		if err != nil {
			return err
		}
		var key string
		var version int64
		var summary []byte
		b := &pgx.Batch{}
		_, err = pgx.ForEachRow(rows, []any{&key, &version, &summary}, func() error {
			upgraded, err := upgradeSummary(kind, summary)
			if err != nil {
				return fmt.Errorf("%s %s version %d: %w", kind, key, version, err)
			}
			b.Queue(update, key, version, upgraded)
			return nil
		})
		if err != nil || b.Len() == 0 {
			return err
		}
		n = int64(b.Len())
		return tx.SendBatch(ctx, b).Close()
	})
	return n, err
}

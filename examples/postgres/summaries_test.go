// Rows written by the earlier version of the example, whose summaries had
// Go field names and nanoseconds, still read, in today's form, and the
// migrate command rewrites them.

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

// The state and summary of a room and a call as the earlier version stored
// them (written by gurulize at commit 697b3d1).
const (
	oldRoomState   = `{"v":1,"room":"old-room","firstAt":1793610000000,"lastAt":1793611860250,"activatedAt":1793610030000,"starts":[1793610031000],"lastStartAt":1793610031000,"lastEndAt":1793611860250,"endReason":"HANGUP","billedMs":1800000,"hostJoinAt":1793610000000}`
	oldRoomSummary = `{"RoomUUID":"old-room","Activated":true,"Meetings":1,"Billed":1800000000000,"Ended":true,"EndReason":"HANGUP","HostPresent":true,"GuestPresent":false,"ActivatedAt":"2026-11-02T09:00:30Z","LastEndedAt":"2026-11-02T09:31:00.25Z","FirstEventAt":"2026-11-02T09:00:00Z","LastEventAt":"2026-11-02T09:31:00.25Z"}`
	oldCallState   = `{"v":1,"id":42,"firstAt":1793610000,"lastAt":1793610095,"statuses":{"CALLEE_CLOSED":[1793610095,1793610095],"CALLEE_CONNECTED":[1793610005,1793610005],"CALLER_CONNECTED":[1793610000,1793610000]}}`
	oldCallSummary = `{"ID":42,"Outcome":"COMPLETED","Final":true,"TalkTime":90000000000,"FailedParty":"","StartedAt":"2026-11-02T09:00:00Z","CallerConnectedAt":"2026-11-02T09:00:00Z","CalleeConnectedAt":"2026-11-02T09:00:05Z","EndedAt":"2026-11-02T09:01:35Z","LastStatusAt":"2026-11-02T09:01:35Z"}`
)

func TestEarlierSummariesReadInTodaysForm(t *testing.T) {
	dsn := freshSchema(t)
	s := openStore(t, dsn)
	ctx := context.Background()
	_, err := s.pool.Exec(ctx, `
		INSERT INTO gurulize_rooms (room_uuid, state, version) VALUES ('old-room', $1, 1);
		INSERT INTO gurulize_room_changes (room_uuid, version, summary) VALUES ('old-room', 1, $2);
		INSERT INTO gurulize_calls (call_id, state, version) VALUES (42, $3, 1);
		INSERT INTO gurulize_call_changes (call_id, version, summary) VALUES (42, 1, $4)`,
		oldRoomState, oldRoomSummary, oldCallState, oldCallSummary)
	require.Error(t, err, "one statement at a time")
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO gurulize_rooms (room_uuid, state, version) VALUES ('old-room', $1, 1)`, []any{oldRoomState}},
		{`INSERT INTO gurulize_room_changes (room_uuid, version, summary) VALUES ('old-room', 1, $1)`, []any{oldRoomSummary}},
		{`INSERT INTO gurulize_calls (call_id, state, version) VALUES (42, $1, 1)`, []any{oldCallState}},
		{`INSERT INTO gurulize_call_changes (call_id, version, summary) VALUES (42, 1, $1)`, []any{oldCallSummary}},
	} {
		_, err := s.pool.Exec(ctx, q.sql, q.args...)
		require.NoError(t, err)
	}

	// What today's SDK makes of the old states is what the old summaries
	// read as.
	room, ok, err := s.Room(ctx, "old-room")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, 30*time.Minute, room.Billed)
	call, ok, err := s.Call(ctx, 42)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, 90*time.Second, call.TalkTime)
	wantRoom, err := json.Marshal(room)
	require.NoError(t, err)
	wantCall, err := json.Marshal(call)
	require.NoError(t, err)
	assert.Contains(t, string(wantRoom), `"billedMs":1800000`)

	u := testServer(t, s, io.Discard)
	check := func() {
		t.Helper()
		for path, want := range map[string][]byte{"/rooms/old-room/changes": wantRoom, "/calls/42/changes": wantCall} {
			status, body := get(t, u, path)
			require.Equal(t, http.StatusOK, status)
			var changes []Change[json.RawMessage]
			require.NoError(t, json.Unmarshal(body, &changes))
			require.NotEmpty(t, changes)
			assert.Equal(t, int64(1), changes[0].Version)
			assert.JSONEq(t, string(want), string(changes[0].Summary), path)
		}
	}
	check()

	// A consumer gets them in today's form too.
	var d deliveries
	startConsumers(t, dsn, "billing", 1, &d, ConsumerConfig{PollInterval: 50 * time.Millisecond})
	waitFor(t, "both changes are delivered", func() bool { return len(d.snapshot()) == 2 })
	for _, ch := range d.snapshot() {
		want := wantRoom
		if ch.Kind == "call" {
			want = wantCall
		}
		assert.JSONEq(t, string(want), string(ch.Summary), ch.ID)
	}

	// A new callback folds into the old state.
	require.NoError(t, s.SaveVideoEvent(ctx, videoEvent("old-room", gurulize.EventLeft, gurulize.SourceHost, time.Hour)))
	changes, err := s.RoomChanges(ctx, "old-room")
	require.NoError(t, err)
	require.Len(t, changes, 2)
	assert.False(t, changes[1].Summary.HostPresent)
	assert.Equal(t, 30*time.Minute, changes[1].Summary.Billed)

	// migrate rewrites the two old rows, once.
	var out bytes.Buffer
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	env := func(k string) string { return map[string]string{databaseURLEnv: dsn}[k] }
	require.NoError(t, runOutboxCommand(ctx, "migrate", nil, env, &out, logger))
	assert.Equal(t, "rewrote 2 change rows into today's summary form\n", out.String())
	out.Reset()
	require.NoError(t, runOutboxCommand(ctx, "migrate", nil, env, &out, logger))
	assert.Equal(t, "rewrote 0 change rows into today's summary form\n", out.String())
	var raw []byte
	require.NoError(t, s.pool.QueryRow(ctx, `SELECT summary FROM gurulize_room_changes WHERE room_uuid = 'old-room' AND version = 1`).Scan(&raw))
	assert.JSONEq(t, string(wantRoom), string(raw))
	require.NoError(t, s.pool.QueryRow(ctx, `SELECT summary FROM gurulize_call_changes WHERE call_id = 42`).Scan(&raw))
	assert.JSONEq(t, string(wantCall), string(raw))
	check()
}

// A summary in today's form is left as it is, even when a value holds the
// earlier form's first key.
func TestUpgradeSummaryLeavesTodaysForm(t *testing.T) {
	for _, kind := range []string{"room", "call"} {
		for _, v := range []string{`{"roomUuid":"x"}`, `{"roomUuid":"\"RoomUUID\""}`, `{"id":1,"outcome":"\"ID\""}`} {
			got, err := upgradeSummary(kind, []byte(v))
			require.NoError(t, err)
			assert.Equal(t, v, string(got))
		}
	}
	_, err := upgradeSummary("room", []byte(`{"RoomUUID":`))
	assert.ErrorIs(t, err, errBadState)
}

// The create path and the reconciliation in SQL follow the SDK's in-memory
// trackers: the same callbacks and the same creations, fed to both, give the
// same summaries, the same overdue rooms and calls, and the same unexpected
// ones.

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
)

// postJSON posts v to u and decodes the 201 reply into out.
func postJSON(t *testing.T, u string, v, out any) {
	t.Helper()
	body, err := json.Marshal(v)
	require.NoError(t, err)
	resp, err := http.Post(u, "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	reply, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", reply)
	require.NoError(t, json.Unmarshal(reply, out))
}

// withoutDeadline returns s with its Deadline zero, after checking it is
// within 5 seconds of want's: the replica and the tracker read their own
// clocks when they record the registration.
func withoutDeadline(t *testing.T, s, want gurulize.CallSummary) gurulize.CallSummary {
	t.Helper()
	assert.WithinDuration(t, want.Deadline, s.Deadline, 5*time.Second, "call %d", s.ID)
	s.Deadline = time.Time{}
	return s
}

func TestExpectedAndOverdueMatchTheTrackers(t *testing.T) {
	dsn := freshSchema(t)
	var logs logBuffer
	replicas := startReplicas(t, dsn, 2, &logs)
	store := replicas[0].store
	d := newDispatcher(t, replicaURLs(replicas))
	fake := newFake(t, d, gurulizetest.Faults{Duplicate: true, Reorder: true, Seed: 5})
	mux := http.NewServeMux()
	createRoutes(mux, store, fake.Client(), slog.New(slog.NewTextHandler(&logs, nil)), nil)
	app := httptest.NewServer(mux)
	t.Cleanup(app.Close)
	rt, ct := gurulize.NewRoomTracker(), gurulize.NewCallTracker()
	ctx := context.Background()
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

	// Rooms the application creates, one of each script, and one of 999
	// minutes, whose MEETING_ENDED the fake loses.
	for i := range len(roomPlans) + 1 {
		plan := roomPlans[i%len(roomPlans)]
		minutes := int64(60)
		if i == len(roomPlans) {
			minutes = 999
		}
		fake.NextRoomScript(plan.script)
		var room struct{ UUID, HostURL, GuestURL string }
		postJSON(t, app.URL+"/rooms", map[string]any{"startAt": start.Add(time.Duration(i) * time.Minute),
			"durationMinutes": minutes, "endHow": plan.endHow}, &room)
		rt.Expect(&gurulize.VideoRoom{UUID: room.UUID, HostURL: room.HostURL, GuestURL: room.GuestURL},
			gurulize.VideoRoomRequest{StartAt: start.Add(time.Duration(i) * time.Minute), Duration: time.Duration(minutes) * time.Minute, EndHow: plan.endHow})
	}
	// Calls the application registers, to every scenario, and two whose
	// final status the fake loses.
	var numbers []string
	for _, c := range callees {
		numbers = append(numbers, c.number)
	}
	for i, callee := range append(numbers, gurulizetest.NumberFinalStatusLost, gurulizetest.NumberFinalStatusLost) {
		var reg struct{ ID int64 }
		postJSON(t, app.URL+"/calls", map[string]any{"caller": "5320000000", "callee": callee, "maxDurationSeconds": 600 + i}, &reg)
		ct.Expect(&gurulize.CallRegistration{ID: reg.ID}, gurulize.CallRequest{Caller: "5320000000", Callee: callee, MaxDuration: time.Duration(600+i) * time.Second})
		time.Sleep(5 * time.Millisecond) // Deadlines in the order of registration, for both clocks
	}
	// Rooms and calls created by someone else on the account: callbacks only.
	unexpectedRooms := []string{createRoom(t, fake, 0, 1), createRoom(t, fake, 1, 1), createRoom(t, fake, 2, 1)}
	unexpectedCalls := []int64{registerCall(t, fake, 0, 1), registerCall(t, fake, 11, 1)}
	waitDelivered(t, fake)
	for _, a := range d.recorded() {
		ev, st := a.parse(t)
		if a.video {
			rt.Apply(ev)
		} else {
			ct.Apply(st)
		}
	}
	// One of them is recorded as expected after its callbacks.
	late := gurulize.VideoRoomRequest{StartAt: start, Duration: time.Hour}
	require.NoError(t, store.ExpectRoom(ctx, &gurulize.VideoRoom{UUID: unexpectedRooms[2]}, late))
	rt.Expect(&gurulize.VideoRoom{UUID: unexpectedRooms[2]}, late)
	unexpectedRooms = unexpectedRooms[:2]

	// The same summaries, room by room and call by call.
	for _, room := range fake.Rooms() {
		want, wantOK := rt.Room(room.UUID)
		got, ok, err := store.Room(ctx, room.UUID)
		require.NoError(t, err)
		require.Equal(t, wantOK, ok, room.UUID)
		assert.Equal(t, want, got, room.UUID)
	}
	for _, call := range fake.Calls() {
		want, wantOK := ct.Call(call.ID)
		got, ok, err := store.Call(ctx, call.ID)
		require.NoError(t, err)
		require.Equal(t, wantOK, ok, call.ID)
		assert.Equal(t, withoutDeadline(t, want, want), withoutDeadline(t, got, want), call.ID)
	}

	// The same overdue rooms and calls, in the same order.
	roomsAt, grace := start.Add(3000*time.Minute), 10*time.Minute
	wantRooms := rt.Overdue(roomsAt, grace)
	gotRooms, err := store.OverdueRooms(ctx, roomsAt, grace)
	require.NoError(t, err)
	assert.Equal(t, wantRooms, gotRooms)
	assert.GreaterOrEqual(t, len(wantRooms), 3, "the no-show, the silent room and the lost MEETING_ENDED")
	callsAt := time.Now().Add(time.Hour)
	wantCalls := ct.Overdue(callsAt, grace)
	gotCalls, err := store.OverdueCalls(ctx, callsAt, grace)
	require.NoError(t, err)
	require.Len(t, gotCalls, len(wantCalls))
	require.GreaterOrEqual(t, len(wantCalls), 2, "the lost final statuses")
	for i := range wantCalls {
		assert.Equal(t, withoutDeadline(t, wantCalls[i], wantCalls[i]), withoutDeadline(t, gotCalls[i], wantCalls[i]))
	}
	none, err := store.OverdueCalls(ctx, time.Now(), grace)
	require.NoError(t, err)
	assert.Empty(t, none, "no call is past its Deadline yet")

	// The unexpected flag is the trackers' Expected false.
	var gotUnexpectedRooms []string
	rows, err := store.pool.Query(ctx, `SELECT room_uuid FROM gurulize_rooms WHERE unexpected ORDER BY room_uuid`)
	require.NoError(t, err)
	for rows.Next() {
		var u string
		require.NoError(t, rows.Scan(&u))
		gotUnexpectedRooms = append(gotUnexpectedRooms, u)
		sum, _ := rt.Room(u)
		assert.False(t, sum.Expected)
	}
	slices.Sort(unexpectedRooms)
	assert.Equal(t, unexpectedRooms, gotUnexpectedRooms)
	var gotUnexpectedCalls []int64
	rows, err = store.pool.Query(ctx, `SELECT call_id FROM gurulize_calls WHERE unexpected ORDER BY call_id`)
	require.NoError(t, err)
	for rows.Next() {
		var id int64
		require.NoError(t, rows.Scan(&id))
		gotUnexpectedCalls = append(gotUnexpectedCalls, id)
	}
	slices.Sort(unexpectedCalls)
	assert.Equal(t, unexpectedCalls, gotUnexpectedCalls)

	// GET /overdue, as of now: every expected room of November not ended.
	status, body := get(t, app.URL, "/overdue?grace=10m")
	require.Equal(t, http.StatusOK, status, "%s", body)
	var listed struct {
		Rooms []gurulize.RoomSummary `json:"rooms"`
		Calls []gurulize.CallSummary `json:"calls"`
	}
	require.NoError(t, json.Unmarshal(body, &listed))
	assert.Equal(t, rt.Overdue(time.Now(), grace), listed.Rooms)
	assert.Empty(t, listed.Calls)
	status, _ = get(t, app.URL, "/overdue?grace=soon")
	assert.Equal(t, http.StatusBadRequest, status)
	assert.NotContains(t, logs.String(), "level=ERROR")
}

// The create path refuses what the SDK refuses, before the provider sees
// it, and what is not the documented JSON.
func TestCreateRoutesRefuseBadRequests(t *testing.T) {
	s := openStore(t, freshSchema(t))
	fake := gurulizetest.NewTestServer(t)
	mux := http.NewServeMux()
	createRoutes(mux, s, fake.Client(), slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	app := httptest.NewServer(mux)
	t.Cleanup(app.Close)
	for body, path := range map[string]string{
		`{"startAt":"2026-11-02T09:00:00Z","durationMinutes":0}`:                   "/rooms",
		`{"startAt":"2026-11-02T09:00:00Z","durationMinutes":60,"extra":1}`:        "/rooms",
		`{"caller":"+905320000000","callee":"5321234567","maxDurationSeconds":60}`: "/calls",
	} {
		assert.Equal(t, http.StatusBadRequest, post(t, app.URL+path, body), body)
	}
	assert.Empty(t, fake.Rooms())
	assert.Empty(t, fake.Calls())
	var n int
	require.NoError(t, s.pool.QueryRow(context.Background(), `SELECT count(*) FROM gurulize_rooms`).Scan(&n))
	assert.Zero(t, n)
}

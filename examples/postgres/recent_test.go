// The states a replica remembers: kept decoded, and never changed by a
// callback whose write did not happen.

package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

// A replica keeps the state it wrote decoded, so the room's next callback
// is folded without decoding it again; folding a callback into it works on
// a copy, so a write that then fails (another replica wrote first) leaves
// what the replica remembers as it was.
func TestRecentStatesAreKeptDecodedAndCopiedOnFold(t *testing.T) {
	s := openStore(t, freshSchema(t))
	ctx := context.Background()
	require.NoError(t, s.SaveVideoEvent(ctx, videoEvent("room-1", gurulize.EventMeetingStarted, gurulize.SourceHost, 0)))
	require.NoError(t, s.SaveVideoEvent(ctx, videoEvent("room-1", gurulize.EventMeetingEnded, gurulize.SourceHost, time.Minute)))

	r, ok := s.recent.get(recentKey{"room", "room-1"})
	require.True(t, ok)
	require.IsType(t, gurulize.RoomState{}, r.state, "the state this replica wrote, decoded")
	assert.Equal(t, int64(2), r.version)
	before, err := json.Marshal(r.state)
	require.NoError(t, err)

	fold := foldRoom(func(st *gurulize.RoomState) bool {
		return st.Apply(videoEvent("room-1", gurulize.EventMeetingStarted, gurulize.SourceHost, 2*time.Minute))
	})
	c, err := fold(r.state)
	require.NoError(t, err)
	require.NotNil(t, c, "a second meeting is a change")
	after, err := json.Marshal(r.state)
	require.NoError(t, err)
	assert.JSONEq(t, string(before), string(after), "the remembered state is unchanged by the fold")
	assert.NotEqual(t, string(before), string(c.state))

	// The JSON read from the database folds the same way.
	var stored []byte
	require.NoError(t, s.pool.QueryRow(ctx, rooms.state, "room-1").Scan(&stored))
	fromDB, err := fold(stored)
	require.NoError(t, err)
	assert.JSONEq(t, string(c.state), string(fromDB.state))
}

package gurulizetest_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
)

// TestScriptCallbacksAreWhatTheServerSends: RoomCallbacks and CallCallbacks
// give, request for request, what a Server delivers for the same room and
// call.
func TestScriptCallbacksAreWhatTheServerSends(t *testing.T) {
	t.Parallel()
	srv, video, voice := playOnce(t)

	room := srv.Rooms()[0]
	recs, err := gurulizetest.RoomCallbacks("http://127.0.0.1:1/video", room, gurulizetest.Meet(40*time.Minute))
	require.NoError(t, err)
	require.Len(t, recs, len(video))
	for i, rec := range recs {
		assert.Equal(t, video[i].Method, rec.Method)
		assert.Equal(t, video[i].Path, rec.Path)
		assert.Equal(t, video[i].RawQuery, rec.Query)
		assert.Equal(t, video[i].ContentType, rec.ContentType)
		assert.Equal(t, video[i].Body, string(rec.Body))
	}
	assert.Equal(t, room.StartAt, recs[0].Time, "the first event is at the room's start")

	call := srv.Calls()[0]
	recs, err = gurulizetest.CallCallbacks("http://127.0.0.1:1/voice", call, gurulizetest.Busy(gurulize.PartyCallee))
	require.NoError(t, err)
	require.Len(t, recs, len(voice))
	for i, rec := range recs {
		assert.Equal(t, voice[i].Method, rec.Method)
		assert.Equal(t, voice[i].Path, rec.Path)
		assert.Equal(t, voice[i].RawQuery, rec.Query)
		assert.Empty(t, rec.Body)
	}
	assert.Equal(t, call.RegisteredAt.Add(12*time.Second), recs[2].Time)
}

func TestScriptCallbacksKeepTheURLsQueryAndPath(t *testing.T) {
	call := gurulizetest.Call{ID: 9, RegisteredAt: fixedStart, MaxDuration: time.Minute}
	recs, err := gurulizetest.CallCallbacks("/hooks/voice/t0k?token=t0k", call, gurulizetest.OutOfCredits())
	require.NoError(t, err)
	require.Len(t, recs, 2)
	assert.Equal(t, "/hooks/voice/t0k", recs[1].Path)
	assert.Equal(t, "token=t0k&id=9&code=13&desc=OUT_OF_CREDITS&cause=0&time=1600938001", recs[1].Query)

	room := gurulizetest.Room{UUID: "r-1", StartAt: fixedStart, Duration: time.Hour, EndHow: gurulize.EndByHost}
	recs, err = gurulizetest.RoomCallbacks("https://example.com", room, gurulizetest.HostEnds(time.Minute))
	require.NoError(t, err)
	assert.Equal(t, "/", recs[0].Path)
	assert.Equal(t, http.MethodPost, recs[0].Method)
	assert.Contains(t, string(recs[len(recs)-3].Body), `"reason":"END_MEETING"`, "the room's endHow applies")

	for _, bad := range []string{"ftp://example.com/x", "relative/path", "http:///no-host", "//example.com/x", "http://[::1"} {
		_, err := gurulizetest.RoomCallbacks(bad, room, gurulizetest.Meet(time.Minute))
		assert.ErrorContains(t, err, "gurulizetest: RoomCallbacks: callback URL", bad)
		_, err = gurulizetest.CallCallbacks(bad+"?token=secret", call, gurulizetest.OutOfCredits())
		assert.ErrorContains(t, err, "gurulizetest: CallCallbacks: callback URL", bad)
		assert.NotContains(t, err.Error(), "secret", "the query is not repeated")
	}
}

// A script plays into a handler without a Server: RoomCallbacks, then Replay.
func TestScriptCallbacksReplayedIntoTheHandlers(t *testing.T) {
	rooms := gurulize.NewRoomTracker()
	h := gurulize.NewVideoEventHandler(func(_ context.Context, ev gurulize.VideoEvent) error {
		rooms.Apply(ev)
		return nil
	}, gurulize.WithCallbackToken("tk-0123456789abcdef"))
	room := gurulizetest.Room{UUID: "r-2", StartAt: fixedStart, Duration: time.Hour}
	recs, err := gurulizetest.RoomCallbacks("/video?token=tk-0123456789abcdef", room, gurulizetest.TwoBreaks())
	require.NoError(t, err)
	results, err := gurulizetest.Replay(context.Background(), h, recs, gurulizetest.ReplayOptions{Duplicate: true, Reorder: true})
	require.NoError(t, err)
	assert.Len(t, results, 2*len(recs))
	sum, _ := rooms.Room("r-2")
	assert.Equal(t, 30*time.Minute, sum.Billed)
	assert.Equal(t, 3, sum.Meetings)
}

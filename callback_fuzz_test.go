package gurulize_test

import (
	"encoding/json"
	"errors"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

// addVideoSeeds adds every video payload in testdata/callbacks: the single
// payloads and each line of the room lifecycles.
func addVideoSeeds(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "callbacks", "video", "*.json"))
	require.NoError(f, err)
	require.NotEmpty(f, files)
	for _, file := range files {
		f.Add(readTestdata(f, filepath.Join("video", filepath.Base(file))))
	}
	for _, name := range roomLifecycles {
		for _, line := range lines(f, name+".jsonl") {
			f.Add([]byte(line))
		}
	}
	for _, s := range []string{
		``, `null`, `[]`, `{}`, `{"code":"JOIN"`, `{"code":"JOIN","roomUuid":"r","receivedTime":"12s"}`,
		`{"code":"JOIN","roomUuid":"r","receivedTime":-1}`, `{"code":"J\u00d6IN","roomUuid":"r\ud800","receivedTime":"1"}`,
		`{"code":"MEETING_ENDED","roomUuid":"r","receivedTime":1,"meetingTotalDuration":"9223372036854"}`,
	} {
		f.Add([]byte(s))
	}
}

func FuzzParseVideoEvent(f *testing.F) {
	addVideoSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := gurulize.ParseVideoEvent(body)
		if err != nil {
			var ce *gurulize.ValidationError
			require.ErrorAs(t, err, &ce)
			require.ErrorIs(t, err, gurulize.ErrMalformedCallback)
			require.NotEmpty(t, ce.Field)
			require.Equal(t, gurulize.VideoEvent{}, ev)
			return
		}
		require.NotEmpty(t, ev.Code)
		require.NotEmpty(t, ev.RoomUUID)
		require.Equal(t, time.UTC, ev.ReceivedAt.Location())
		require.Zero(t, ev.ReceivedAt.Nanosecond()%int(time.Millisecond), "millisecond precision")
		require.Positive(t, ev.ReceivedAt.UnixMilli())
		require.GreaterOrEqual(t, ev.MeetingTotalDuration, time.Duration(0))
		require.Zero(t, ev.MeetingTotalDuration%time.Millisecond)

		// Every accepted event re-encodes to the same values.
		again := wireVideo(ev)
		back, err := gurulize.ParseVideoEvent(again)
		require.NoError(t, err, "re-encoded: %s", again)
		require.Equal(t, ev, back)

		// And folds into a state that survives storage.
		var st gurulize.RoomState
		require.True(t, st.Apply(ev))
		require.False(t, st.Apply(ev))
		stored, err := json.Marshal(st)
		require.NoError(t, err)
		var loaded gurulize.RoomState
		require.NoError(t, json.Unmarshal(stored, &loaded))
		require.Equal(t, st.Summary(), loaded.Summary())
	})
}

func FuzzParseVoiceStatus(f *testing.F) {
	for _, line := range lines(f, filepath.Join("voice", "seed.txt")) {
		f.Add(line)
	}
	for _, name := range callLifecycles {
		for _, line := range lines(f, name+".txt") {
			f.Add(line)
		}
	}
	for _, s := range []string{
		"", "id=&code=&time=", "id=7&code=1&time=12s", "id=-1&code=1&time=1", "id=7&id=8&code=1&time=1",
		"id=7&code=14&desc=%FF%FE&cause=%00&time=253402300799", "id=7&code=1&time=253402300800",
		"id=9223372036854775807&code=2147483647&time=1", "id=7&code=1&time=1;x=y",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		values, _ := url.ParseQuery(query) // keeps what it could parse, as a server does
		st, err := gurulize.ParseVoiceStatus(values)
		if err != nil {
			var ce *gurulize.ValidationError
			require.ErrorAs(t, err, &ce)
			require.True(t, errors.Is(err, gurulize.ErrMalformedCallback))
			require.NotEmpty(t, ce.Field)
			require.Equal(t, gurulize.VoiceStatus{}, st)
			return
		}
		require.GreaterOrEqual(t, st.ID, int64(0))
		require.GreaterOrEqual(t, int(st.Code), 0)
		require.Equal(t, time.UTC, st.Time.Location())
		require.Zero(t, st.Time.Nanosecond(), "second precision")
		require.Positive(t, st.Time.Unix())
		assert.Equal(t, st.Code.Known(), st.Code.String() != "VoiceStatusCode("+wireVoice(st).Get("code")+")")

		// Every accepted status re-encodes to the same values, also through
		// a query string.
		back, err := gurulize.ParseVoiceStatus(wireVoice(st))
		require.NoError(t, err)
		require.Equal(t, st, back)
		reparsed, err := url.ParseQuery(wireVoice(st).Encode())
		require.NoError(t, err)
		back, err = gurulize.ParseVoiceStatus(reparsed)
		require.NoError(t, err)
		require.Equal(t, st, back)

		var cs gurulize.CallState
		require.True(t, cs.Apply(st))
		require.False(t, cs.Apply(st))
		stored, err := json.Marshal(cs)
		require.NoError(t, err)
		var loaded gurulize.CallState
		require.NoError(t, json.Unmarshal(stored, &loaded))
		require.Equal(t, cs.Summary(), loaded.Summary())
	})
}

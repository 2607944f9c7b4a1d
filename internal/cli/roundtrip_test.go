package cli

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

// TestRoundTripGivesTheScenarioTable plays every scenario with "gurulize
// trigger" into "gurulize listen --record", replays the recording with
// "gurulize replay" into the SDK's handlers feeding trackers, and finds in
// the trackers the summaries of the trigger's scenario table: plainly, and
// with duplicates and shuffles at both ends.
func TestRoundTripGivesTheScenarioTable(t *testing.T) {
	for _, faults := range [][]string{nil, {"--duplicate", "--reorder", "--seed", "5"}} {
		t.Run(fmt.Sprint("faults", faults), func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "roundtrip.jsonl")
			base, _, stop := startListen(t, nil, "--token", "rec0rd-t0ken-0123456789", "--record", file)
			at := start.Format(time.RFC3339)
			for i, sc := range roomScenarios {
				args := append([]string{"trigger", "room", sc.name, "--to", base + "/gurulize/video/rec0rd-t0ken-0123456789", "--room", roomID(i), "--start", at}, faults...)
				r := runCLI(t, nil, args...)
				require.Equal(t, ExitOK, r.code, "%s: %s", sc.name, r.stderr)
			}
			for i, sc := range callScenarios {
				args := append([]string{"trigger", "call", sc.name, "--to", base + "/gurulize/voice?token=rec0rd-t0ken-0123456789", "--call", fmt.Sprint(i + 1), "--start", at}, faults...)
				r := runCLI(t, nil, args...)
				require.Equal(t, ExitOK, r.code, "%s: %s", sc.name, r.stderr)
			}
			require.Equal(t, ExitOK, stop())

			rooms, calls := gurulize.NewRoomTracker(), gurulize.NewCallTracker()
			mux := http.NewServeMux()
			mux.Handle("POST /app/gurulize/video/{token}", gurulize.NewVideoEventHandler(func(_ context.Context, ev gurulize.VideoEvent) error {
				rooms.Apply(ev)
				return nil
			}, gurulize.WithCallbackToken("repl4y-t0ken-0123456789")))
			mux.Handle("GET /app/gurulize/voice", gurulize.NewVoiceStatusHandler(func(_ context.Context, st gurulize.VoiceStatus) error {
				calls.Apply(st)
				return nil
			}, gurulize.WithCallbackToken("repl4y-t0ken-0123456789")))
			app := httptest.NewServer(mux)
			defer app.Close()

			r := runCLI(t, nil, append([]string{"replay", file, "--to", app.URL + "/app", "--token", "repl4y-t0ken-0123456789"}, faults...)...)
			require.Equal(t, ExitOK, r.code, r.stdout+r.stderr)

			for i, sc := range roomScenarios {
				got, ok := rooms.Room(roomID(i))
				require.True(t, ok, sc.name)
				assert.Equal(t, sc.want, gurulize.RoomSummary{
					Activated: got.Activated, Meetings: got.Meetings, Billed: got.Billed, Ended: got.Ended, EndReason: got.EndReason,
				}, sc.name)
			}
			for i, sc := range callScenarios {
				got, ok := calls.Call(int64(i + 1))
				require.True(t, ok, sc.name)
				assert.Equal(t, sc.want, gurulize.CallSummary{
					Outcome: got.Outcome, Final: got.Final, TalkTime: got.TalkTime, FailedParty: got.FailedParty,
				}, sc.name)
			}
		})
	}
}

// roomID is the UUID of the i-th scenario's room.
func roomID(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }

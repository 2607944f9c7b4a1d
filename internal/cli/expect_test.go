package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const expectToken = "reconcile-token-0123456789"

// TestListenReportsOverdueAndUnexpected: told what was created, listen
// marks callbacks for anything else unexpected and, when it stops, lists
// what is overdue and what was unexpected.
func TestListenReportsOverdueAndUnexpected(t *testing.T) {
	for _, asJSON := range []bool{false, true} {
		args := []string{
			"--expect-room", "r-lost,2020-09-24T09:00:00Z,45m",
			"--expect-room", "r-done,2020-09-24T09:00:00Z,45m",
			"--expect-room", "r-later,+1h,45m",
			"--expect-call", "7,1ms", "--expect-call", "8,1ms", "--grace", "1ms",
		}
		if asJSON {
			args = append(args, "--json")
		}
		base, out, stop := startListen(t, map[string]string{"GURULIZE_CALLBACK_TOKEN": expectToken}, args...)
		video := base + "/gurulize/video/" + expectToken
		voice := base + "/gurulize/voice/" + expectToken
		started := func(room string) string {
			return `{"code":"MEETING_STARTED","eventSource":"GUEST","receivedTime":"1600938359259","roomUuid":"` + room + `"}`
		}
		assert.Equal(t, 200, post(t, video, started("r-lost")))
		assert.Equal(t, 200, post(t, video, started("r-done")))
		assert.Equal(t, 200, post(t, video, `{"code":"MEETING_ENDED","eventSource":"GUEST","receivedTime":"1600940759259","reason":"HANGUP","roomUuid":"r-done","meetingTotalDuration":"2400000"}`))
		assert.Equal(t, 200, post(t, video, started("stranger")))
		assert.Equal(t, 200, get(t, voice+"?id=7&code=2&desc=CALLEE_CONNECTED&cause=0&time=1427116743"))
		assert.Equal(t, 200, get(t, voice+"?id=8&code=4&desc=CALLEE_BUSY&cause=17&time=1427116743"))
		assert.Equal(t, 200, get(t, voice+"?id=99&code=0&desc=CALLS_STARTING&cause=0&time=1427116743"))
		time.Sleep(5 * time.Millisecond) // past the calls' deadlines and grace
		assert.Equal(t, ExitOK, stop())

		text := out.String()
		if !asJSON {
			for _, want := range []string{
				"room stranger open: 1 meeting(s), billed 0s, unexpected",
				"call 99 PENDING, unexpected",
				"reconciliation: 1 overdue room(s), 1 overdue call(s), 1 unexpected room(s), 1 unexpected call(s)",
				"  overdue     room r-lost: scheduled to end 2020-09-24T09:45:00Z, room r-lost open: 1 meeting(s), billed 0s",
				"  overdue     call 7: deadline ",
				"  unexpected  room stranger",
				"  unexpected  call 99",
			} {
				assert.Contains(t, text, want)
			}
			assert.NotContains(t, text, "room r-done open: 1 meeting(s), billed 0s, unexpected")
			continue
		}
		lines := strings.Split(strings.TrimSpace(text), "\n")
		var last struct {
			Type            string `json:"type"`
			OverdueRooms    []struct{ RoomUUID string }
			OverdueCalls    []struct{ ID int64 }
			UnexpectedRooms []string `json:"unexpectedRooms"`
			UnexpectedCalls []int64  `json:"unexpectedCalls"`
		}
		require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &last))
		assert.Equal(t, "reconciliation", last.Type)
		require.Len(t, last.OverdueRooms, 1)
		assert.Equal(t, "r-lost", last.OverdueRooms[0].RoomUUID)
		require.Len(t, last.OverdueCalls, 1)
		assert.Equal(t, int64(7), last.OverdueCalls[0].ID)
		assert.Equal(t, []string{"stranger"}, last.UnexpectedRooms)
		assert.Equal(t, []int64{99}, last.UnexpectedCalls)
		assert.Contains(t, text, `"unexpected":true`)
	}

	// Without expectations, nothing is marked and no report is printed.
	base, out, stop := startListen(t, map[string]string{"GURULIZE_CALLBACK_TOKEN": expectToken})
	assert.Equal(t, 200, post(t, base+"/gurulize/video/"+expectToken, `{"code":"MEETING_STARTED","eventSource":"GUEST","receivedTime":"1600938359259","roomUuid":"r"}`))
	assert.Equal(t, ExitOK, stop())
	assert.NotContains(t, out.String(), "unexpected")
	assert.NotContains(t, out.String(), "reconciliation")

	for _, bad := range [][]string{
		{"--expect-room", "r,2020-09-24T09:00:00Z"}, {"--expect-room", "r,yesterday,45m"}, {"--expect-room", "r,now,0s"},
		{"--expect-call", "seven,1m"}, {"--expect-call", "-1,1m"}, {"--expect-call", "7,forever"},
	} {
		r := runCLI(t, nil, append([]string{"listen"}, bad...)...)
		assert.Equal(t, ExitUsage, r.code, bad)
		assert.Contains(t, r.stderr, bad[0], bad)
	}
}

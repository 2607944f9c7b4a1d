package gurulizetest_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
)

// A recording made by "gurulize listen --record" plays into your handler in
// a test: here, two statuses of a call, the token written as {token}. Keep
// yours in testdata/ and read it with ReadRecordingFile.
func ExampleReplay() {
	const recording = `{"version":1,"time":"2026-12-01T12:00:00Z","method":"GET","path":"/gurulize/voice","query":"token={token}&id=7&code=2&desc=CALLEE_CONNECTED&cause=0&time=1796126418"}
{"version":1,"time":"2026-12-01T12:01:30Z","method":"GET","path":"/gurulize/voice","query":"token={token}&id=7&code=12&desc=CALLEE_CLOSED&cause=16&time=1796126508"}
`
	recs, err := gurulizetest.ReadRecording(strings.NewReader(recording))
	if err != nil {
		fmt.Println(err)
		return
	}

	calls := gurulize.NewCallTracker()
	handler := gurulize.NewVoiceStatusHandler(func(_ context.Context, st gurulize.VoiceStatus) error {
		calls.Apply(st)
		return nil
	}, gurulize.WithCallbackToken("test-token-0123456789"))

	results, err := gurulizetest.Replay(context.Background(), handler, recs, gurulizetest.ReplayOptions{Token: "test-token-0123456789", Duplicate: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range results {
		fmt.Println(r.Index, r.Duplicate, r.Status)
	}
	sum, _ := calls.Call(7)
	fmt.Println(sum.Outcome, sum.TalkTime)
	// Output:
	// 0 false 200
	// 0 true 200
	// 1 false 200
	// 1 true 200
	// COMPLETED 1m30s
}

package gurulizetest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
)

// A call to a magic number plays the busy-callee scenario into the SDK's
// voice status handler, and the call tracker reads the outcome.
func Example() {
	calls := gurulize.NewCallTracker()
	token := gurulize.NewCallbackToken()
	endpoint := httptest.NewServer(gurulize.NewVoiceStatusHandler(func(_ context.Context, st gurulize.VoiceStatus) error {
		calls.Apply(st)
		return nil
	}, gurulize.WithCallbackToken(token)))
	defer endpoint.Close()

	srv, err := gurulizetest.NewServer(gurulizetest.WithVoiceCallbackURL(endpoint.URL + "/gurulize/voice/" + token))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	ctx := context.Background()
	reg, err := srv.Client().RegisterCall(ctx, gurulize.CallRequest{
		Caller:      "5321234567",
		Callee:      gurulizetest.NumberCalleeBusy,
		MaxDuration: 10 * time.Minute,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := srv.WaitIdle(ctx); err != nil {
		fmt.Println(err)
		return
	}
	sum, _ := calls.Call(reg.ID)
	fmt.Println("call", reg.ID, sum.Outcome, sum.FailedParty, "final:", sum.Final)
	// Output: call 1 BUSY CALLEE final: true
}

// A manual clock plays a meeting only as far as the test moves time.
func ExampleServer_Advance() {
	var mu sync.Mutex
	count := 0
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		count++
	}))
	defer endpoint.Close()
	srv, err := gurulizetest.NewServer(
		gurulizetest.WithManualClock(time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)),
		gurulizetest.WithVideoCallbackURL(endpoint.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	ctx := context.Background()
	if _, err := srv.Client().CreateVideoRoom(ctx, gurulize.VideoRoomRequest{
		Duration: time.Hour, StartAt: srv.Advance(0), EndHow: gurulize.EndAutomatic,
	}); err != nil {
		fmt.Println(err)
		return
	}
	for _, step := range []time.Duration{0, time.Minute, time.Hour} {
		now := srv.Advance(step)
		_ = srv.WaitIdle(ctx)
		mu.Lock()
		fmt.Println(now.Format("15:04"), count, "events")
		mu.Unlock()
	}
	// Output:
	// 09:00 1 events
	// 09:01 4 events
	// 10:01 7 events
}

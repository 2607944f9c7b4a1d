package gurulize_test

import (
	"fmt"
	"time"

	"github.com/gurulize/gurulize-go"
)

// Example_dailyBilling is the daily job of a billing team: bill what ended,
// list what is overdue (a MEETING_ENDED or a final status that never came),
// and flag callbacks for rooms and calls the application never created.
func Example_dailyBilling() {
	rooms, calls := gurulize.NewRoomTracker(), gurulize.NewCallTracker()
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

	// 1. When the application creates a room or registers a call, it tells
	// the tracker, with what CreateVideoRoom and RegisterCall took and
	// returned (here written out), and keeps its own list.
	var created []string
	for i, uuid := range []string{"room-a", "room-b", "room-c"} {
		req := gurulize.VideoRoomRequest{StartAt: day.Add(time.Duration(9+i) * time.Hour), Duration: 45 * time.Minute}
		rooms.Expect(&gurulize.VideoRoom{UUID: uuid}, req)
		created = append(created, uuid)
	}
	for _, id := range []int64{1, 2} {
		calls.Expect(&gurulize.CallRegistration{ID: id}, gurulize.CallRequest{MaxDuration: 10 * time.Minute})
	}

	// 2. The callback handlers apply what arrives, and flag what nobody
	// created: another application on the account, a replay, or a forgery.
	var flagged []string
	video := func(code gurulize.VideoEventCode, uuid string, at time.Time, total time.Duration) {
		if sum := rooms.Apply(gurulize.VideoEvent{Code: code, RoomUUID: uuid, ReceivedAt: at, MeetingTotalDuration: total}); !sum.Expected {
			flagged = append(flagged, "room "+uuid)
		}
	}
	voice := func(code gurulize.VoiceStatusCode, id int64, at time.Time) {
		if sum := calls.Apply(gurulize.VoiceStatus{ID: id, Code: code, Time: at}); !sum.Expected {
			flagged = append(flagged, fmt.Sprint("call ", id))
		}
	}
	video(gurulize.EventMeetingStarted, "room-a", day.Add(9*time.Hour), 0)
	video(gurulize.EventMeetingEnded, "room-a", day.Add(9*time.Hour+30*time.Minute), 30*time.Minute)
	video(gurulize.EventMeetingStarted, "room-b", day.Add(10*time.Hour), 0) // its MEETING_ENDED is lost
	// room-c: nobody came, no callback at all.
	video(gurulize.EventMeetingStarted, "room-x", day.Add(12*time.Hour), 0) // never created here
	now := time.Now().UTC().Truncate(time.Second)
	voice(gurulize.StatusCalleeConnected, 1, now)
	voice(gurulize.StatusCalleeClosed, 1, now.Add(90*time.Second))
	voice(gurulize.StatusCalleeConnected, 2, now) // its final status is lost
	voice(gurulize.StatusCallsStarting, 9, now)   // never registered here

	// 3. The daily job, the next day: bill what ended, then forget it.
	nextDay := time.Now().Add(24 * time.Hour)
	for _, uuid := range created {
		if sum, ok := rooms.Room(uuid); ok && sum.Ended {
			fmt.Printf("bill %s: %s\n", uuid, sum.Billed)
			rooms.Forget(uuid)
		}
	}
	if sum, ok := calls.Call(1); ok && sum.Final {
		fmt.Printf("bill call 1: %s, talk time %s\n", sum.Outcome, sum.TalkTime)
	}
	// List what is overdue, an hour past its end: earliest first.
	for _, sum := range rooms.Overdue(nextDay, time.Hour) {
		fmt.Printf("overdue %s: scheduled to end %s, activated %t\n", sum.RoomUUID, sum.ScheduledEnd.Format(time.RFC3339), sum.Activated)
	}
	for _, sum := range calls.Overdue(nextDay, time.Hour) {
		fmt.Printf("overdue call %d: %s, no final status\n", sum.ID, sum.Outcome)
	}
	// And what was not expected.
	for _, what := range flagged {
		fmt.Println("unexpected", what)
	}
	// Output:
	// bill room-a: 30m0s
	// bill call 1: COMPLETED, talk time 1m30s
	// overdue room-b: scheduled to end 2026-12-01T10:45:00Z, activated false
	// overdue room-c: scheduled to end 2026-12-01T11:45:00Z, activated false
	// overdue call 2: IN_PROGRESS, no final status
	// unexpected room room-x
	// unexpected call 9
}

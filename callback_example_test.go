package gurulize_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/gurulize/gurulize-go"
)

func ExampleParseVideoEvent() {
	body := []byte(`{
		"code": "MEETING_ENDED",
		"eventSource": "SERVER",
		"receivedTime": "1600941359259",
		"reason": "END_MEETING_FORCED",
		"roomUuid": "444f4061-3494-4e60-a552-c4316ac6702d",
		"meetingTotalDuration": "2739505"
	}`)
	ev, err := gurulize.ParseVideoEvent(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ev.Code, ev.Source, ev.Reason)
	fmt.Println(ev.ReceivedAt.Format(time.RFC3339Nano))
	fmt.Println(ev.MeetingTotalDuration)

	_, err = gurulize.ParseVideoEvent([]byte(`{"code":"JOIN","roomUuid":"r","receivedTime":"yesterday"}`))
	var ve *gurulize.ValidationError
	fmt.Println(errors.Is(err, gurulize.ErrMalformedCallback), errors.As(err, &ve) && ve.Field == "receivedTime")
	// Output:
	// MEETING_ENDED SERVER END_MEETING_FORCED
	// 2020-09-24T09:55:59.259Z
	// 45m39.505s
	// true true
}

func ExampleParseVoiceStatus() {
	values, _ := url.ParseQuery("id=7&code=4&desc=CALLEE_BUSY&cause=17&time=1427116743")
	st, err := gurulize.ParseVoiceStatus(values)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(st.ID, st.Code, st.Time)
	fmt.Println(st.Code.IsTerminal(), st.Code.Party())

	unknown, _ := gurulize.ParseVoiceStatus(url.Values{"id": {"7"}, "code": {"14"}, "time": {"1427116800"}})
	fmt.Println(unknown.Code, unknown.Code.Known())
	// Output:
	// 7 CALLEE_BUSY 2015-03-23 13:19:03 +0000 UTC
	// true CALLEE
	// VoiceStatusCode(14) false
}

// serveWithTimeouts sets the timeouts a callback server needs, so a client
// that sends slowly cannot hold its connections open.
func serveWithTimeouts(srv *http.Server) {
	srv.ReadHeaderTimeout = 5 * time.Second // request line and headers
	srv.ReadTimeout = 10 * time.Second      // the whole request, body included
	srv.WriteTimeout = 15 * time.Second     // your function and the reply
	srv.IdleTimeout = 60 * time.Second      // between requests on a kept-alive connection
	srv.MaxHeaderBytes = 16 << 10
}

func ExampleNewVideoEventHandler() {
	rooms := gurulize.NewRoomTracker()
	handler := gurulize.NewVideoEventHandler(func(ctx context.Context, ev gurulize.VideoEvent) error {
		sum := rooms.Apply(ev)
		fmt.Println("event:", ev.Code, "from", ev.Source, "- host present:", sum.HostPresent)
		return nil
	}, gurulize.WithCallbackToken("k3y-from-your-config"))

	mux := http.NewServeMux()
	mux.Handle("POST /gurulize/video/{token}", handler)
	srv := httptest.NewUnstartedServer(mux)
	serveWithTimeouts(srv.Config) // as a real server must: the handler sets no deadlines
	srv.Start()
	defer srv.Close()

	payload := `{"code":"JOIN","eventSource":"HOST","receivedTime":"1600938359259","roomUuid":"444f4061-3494-4e60-a552-c4316ac6702d"}`
	for _, token := range []string{"k3y-from-your-config", "guess"} {
		resp, err := http.Post(srv.URL+"/gurulize/video/"+token, "application/json", strings.NewReader(payload))
		if err != nil {
			fmt.Println(err)
			return
		}
		resp.Body.Close()
		fmt.Println(resp.StatusCode)
	}
	// Output:
	// event: JOIN from HOST - host present: true
	// 200
	// 401
}

func ExampleNewVoiceStatusHandler() {
	handler := gurulize.NewVoiceStatusHandler(func(ctx context.Context, st gurulize.VoiceStatus) error {
		fmt.Println("call", st.ID, "is now", st.Code)
		return nil
	}, gurulize.WithCallbackToken("k3y-from-your-config"))
	srv := httptest.NewUnstartedServer(handler)
	serveWithTimeouts(srv.Config) // as a real server must: the handler sets no deadlines
	srv.Start()
	defer srv.Close()

	// The provider calls the address it was given, adding the status to its query.
	resp, err := http.Get(srv.URL + "/c2cevents?token=k3y-from-your-config&id=7&code=1&desc=CALLER_CONNECTED&cause=0&time=1427116743")
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode)

	resp, err = http.Get(srv.URL + "/c2cevents?token=k3y-from-your-config&id=7&code=1&time=12s")
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode)
	// Output:
	// call 7 is now CALLER_CONNECTED
	// 200
	// 400
}

func ExampleNewCallbackToken() {
	// Make a token once ("openssl rand -hex 24" makes one too)
	// and keep it in your configuration: the provider calls the addresses
	// you gave it, token included.
	token := gurulize.NewCallbackToken()
	fmt.Println(len(token), "characters")
	handler := gurulize.NewVideoEventHandler(func(context.Context, gurulize.VideoEvent) error { return nil },
		gurulize.WithCallbackToken(token))
	fmt.Println(handler != nil)
	// Output:
	// 43 characters
	// true
}

func ExampleRoomTracker() {
	room := "444f4061-3494-4e60-a552-c4316ac6702d"
	start := time.Date(2020, 9, 24, 9, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return start.Add(time.Duration(min) * time.Minute) }
	events := []gurulize.VideoEvent{
		{Code: gurulize.EventJoin, Source: gurulize.SourceHost, ReceivedAt: at(0), RoomUUID: room},
		{Code: gurulize.EventJoin, Source: gurulize.SourceGuest, ReceivedAt: at(1), RoomUUID: room},
		{Code: gurulize.EventRoomActivated, Source: gurulize.SourceGuest, ReceivedAt: at(1), RoomUUID: room},
		{Code: gurulize.EventMeetingStarted, Source: gurulize.SourceGuest, ReceivedAt: at(1), RoomUUID: room},
		{Code: gurulize.EventMeetingEnded, Source: gurulize.SourceGuest, ReceivedAt: at(11), RoomUUID: room,
			Reason: gurulize.ReasonHangup, MeetingTotalDuration: 10 * time.Minute},
		{Code: gurulize.EventMeetingStarted, Source: gurulize.SourceHost, ReceivedAt: at(13), RoomUUID: room},
		{Code: gurulize.EventMeetingEnded, Source: gurulize.SourceServer, ReceivedAt: at(45), RoomUUID: room,
			Reason: gurulize.ReasonEndMeetingForced, MeetingTotalDuration: 42 * time.Minute},
	}
	rooms := gurulize.NewRoomTracker()
	// Callbacks may arrive late, out of order, or twice: the result is the same.
	for _, i := range []int{6, 0, 3, 1, 5, 4, 2, 6, 4} {
		rooms.Apply(events[i])
	}
	sum, _ := rooms.Room(room)
	fmt.Println("meetings:", sum.Meetings)
	fmt.Println("billed:", sum.Billed)
	fmt.Println("ended:", sum.Ended, sum.EndReason)
	fmt.Println("present:", sum.HostPresent, sum.GuestPresent)

	rooms.Forget(room) // once the summary is stored
	// Output:
	// meetings: 2
	// billed: 42m0s
	// ended: true END_MEETING_FORCED
	// present: false false
}

func ExampleCallTracker() {
	at := func(sec int64) time.Time { return time.Unix(1427116740+sec, 0).UTC() }
	calls := gurulize.NewCallTracker()
	for _, st := range []gurulize.VoiceStatus{
		{ID: 7, Code: gurulize.StatusCalleeClosed, Time: at(320)}, // arrived first
		{ID: 7, Code: gurulize.StatusCallsStarting, Time: at(0)},
		{ID: 7, Code: gurulize.StatusCallerConnected, Time: at(6)},
		{ID: 7, Code: gurulize.StatusCalleeConnected, Time: at(20)},
		{ID: 7, Code: gurulize.StatusCallerClosed, Time: at(320)},
		{ID: 8, Code: gurulize.StatusCalleeBusy, Time: at(9)},
	} {
		sum := calls.Apply(st)
		fmt.Println(sum.ID, st.Code, "->", sum.Outcome)
	}
	sum, _ := calls.Call(7)
	fmt.Println("talk time:", sum.TalkTime)
	busy, _ := calls.Call(8)
	fmt.Println(busy.Outcome, busy.FailedParty, busy.Final)
	// Output:
	// 7 CALLEE_CLOSED -> NOT_CONNECTED
	// 7 CALLS_STARTING -> NOT_CONNECTED
	// 7 CALLER_CONNECTED -> NOT_CONNECTED
	// 7 CALLEE_CONNECTED -> COMPLETED
	// 7 CALLER_CLOSED -> COMPLETED
	// 8 CALLEE_BUSY -> BUSY
	// talk time: 5m0s
	// BUSY CALLEE true
}

// ExampleRoomState keeps each room's fold state in the application's own
// store, so several servers can receive callbacks for the same room: load
// the state, apply the event and store it, in one transaction.
func ExampleRoomState() {
	db := map[string][]byte{} // stands for a table keyed by room UUID

	apply := func(ev gurulize.VideoEvent) (gurulize.RoomSummary, error) {
		// BEGIN; SELECT state FROM rooms WHERE uuid = $1 FOR UPDATE
		var st gurulize.RoomState
		if row, ok := db[ev.RoomUUID]; ok {
			if err := json.Unmarshal(row, &st); err != nil {
				return gurulize.RoomSummary{}, err
			}
		}
		if st.Apply(ev) { // false for a duplicate: nothing to write
			row, err := json.Marshal(st)
			if err != nil {
				return gurulize.RoomSummary{}, err
			}
			db[ev.RoomUUID] = row // UPSERT ...; COMMIT
		}
		return st.Summary(), nil
	}

	ended := gurulize.VideoEvent{
		Code: gurulize.EventMeetingEnded, Source: gurulize.SourceHost, RoomUUID: "r1",
		ReceivedAt: time.UnixMilli(1600938959294).UTC(), Reason: gurulize.ReasonHangup,
		MeetingTotalDuration: 579895 * time.Millisecond,
	}
	sum, _ := apply(ended)
	sum, _ = apply(ended) // redelivered
	fmt.Println(sum.Ended, sum.Billed)
	fmt.Println(string(db["r1"]))
	// Output:
	// true 9m39.895s
	// {"v":1,"room":"r1","firstAt":1600938959294,"lastAt":1600938959294,"lastEndAt":1600938959294,"endReason":"HANGUP","billedMs":579895}
}

func ExampleVoiceStatusCode() {
	for _, c := range []gurulize.VoiceStatusCode{gurulize.StatusCallerConnected, gurulize.StatusCalleeRejected, gurulize.StatusCallerClosed, gurulize.StatusOutOfCredits, 14} {
		fmt.Printf("%-20s terminal=%-5v party=%q\n", c, c.IsTerminal(), c.Party())
	}
	// Output:
	// CALLER_CONNECTED     terminal=false party="CALLER"
	// CALLEE_REJECT        terminal=true  party="CALLEE"
	// CALLER_CLOSED        terminal=true  party="CALLER"
	// OUT_OF_CREDITS       terminal=true  party=""
	// VoiceStatusCode(14)  terminal=false party=""
}

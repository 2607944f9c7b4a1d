// Package gurulizetest is a fake Gurulize for tests and demos. A [Server]
// answers the Video and Voice APIs on a loopback port the way the provider's
// reference describes them, then plays each room and call it created by
// sending the provider's callbacks, over real HTTP, to the callback URLs you
// give it: whole meetings and whole phone calls, in seconds or milliseconds,
// with realistic timestamps.
//
// A test of the SDK's own handler and tracker against the fake (your code
// would be pointed at srv.VideoURL() and srv.VoiceURL() instead of
// srv.Client()):
//
//	func TestRoomIsBilled(t *testing.T) {
//		ctx := context.Background()
//		rooms := gurulize.NewRoomTracker()
//		endpoint := httptest.NewServer(gurulize.NewVideoEventHandler(
//			func(_ context.Context, ev gurulize.VideoEvent) error { rooms.Apply(ev); return nil }))
//		defer endpoint.Close()
//
//		srv := gurulizetest.NewTestServer(t, gurulizetest.WithVideoCallbackURL(endpoint.URL+"/gurulize/video"))
//		room, err := srv.Client().CreateVideoRoom(ctx, gurulize.VideoRoomRequest{
//			Duration: time.Hour, StartAt: time.Now(),
//		})
//		if err != nil {
//			t.Fatal(err)
//		}
//		if err := srv.WaitIdle(ctx); err != nil { // every callback has been delivered
//			t.Fatal(err)
//		}
//		if sum, _ := rooms.Room(room.UUID); sum.Billed != 40*time.Minute {
//			t.Errorf("billed %v, want 40m0s: the default script is Meet(40 * time.Minute)", sum.Billed)
//		}
//	}
//
// # What the fake checks
//
// A refused request gets {"success":false,"message":…}, with HTTP 200 (the
// fake's choice: see the table at the end). The messages are the provider's
// documented ones: "Missing Parameter (x)" for a missing parameter
// (credentials are checked first), "User Information Is Invalid" for an
// unknown account (see WithAccount), and "Invalid Parameter (x): why" for a
// bad value: a phone number that is not all digits ("Not a phone number"), a
// duration that is not a positive number (or is absurdly large), a type
// other than video, a startDate that looks like seconds rather than
// milliseconds, an endHow, endWhen or lang outside the documented values. A
// request with lang=tr is refused in Turkish of the fake's own wording,
// with the parameter in parentheses in the same place ("Eksik parametre
// (username)"), so tests exercise a client's non-English path. The Video
// API takes only GET, the Voice API only POST with a form-encoded body; any
// other method gets HTTP 405. Every request is recorded ([Server.Requests]),
// with typed views of the rooms created ([Server.Rooms]) and calls
// registered ([Server.Calls]).
//
// # Room scripts
//
// A room plays a [RoomScript]: what its two people do, at offsets from the
// room's startDate. The fake turns it into the callbacks the provider sends
// (JOIN, ROOM_ACTIVATED once, MEETING_STARTED whenever both are in,
// MEETING_ENDED with the cumulative meetingTotalDuration, LEFT) and applies
// the provider's rules, including the forced end of rooms created with
// endHow=AUTOMATIC. Ready-made scripts:
//
//	script         what happens                                  billed    meetings  ends with
//	Meet(d)        host in, guest 30s later, they meet for d,    d         1         HANGUP from GUEST
//	               then the guest hangs up (default: Meet(40m))
//	TwoBreaks()    meetings of 10, 15 and 5 minutes: the guest   30m       3         HANGUP from GUEST
//	               drops and returns, the host hangs up and
//	               returns
//	HostEnds(d)    meet d, then the host ends the meeting        d         1         END_MEETING from HOST
//	               (in rooms other than BY_HOST: hangs up)                           (HANGUP elsewhere)
//	TimeRunsOut()  both stay; an AUTOMATIC room ends when its    dur.-30s  1         END_MEETING_FORCED
//	               time is up (END_OF_DURATION: after dur.)      (dur.)              from SERVER
//	NoShow()       the host waits 10 minutes alone               0         0         (never activated)
//	Silent()       nothing                                       0         0         (no callbacks)
//
// A room created with the magic duration [DurationMeetingEndedLost]
// (durationInMinutes 999) loses every MEETING_ENDED of its script, so it
// never ends: RoomTracker.Overdue lists it once its time is past.
// A room plays the script queued by [Server.NextRoomScript], or else the
// default set by [WithRoomScript]; [Server.PlayRoom] plays one more script in
// an existing room. Write your own with [Join], [HangUp], [Drop] (each taking
// who acts: gurulize.SourceHost or gurulize.SourceGuest), [EndMeeting] and,
// for sequences no rule produces, [Send].
//
// # Magic phone numbers
//
// A call plays a [CallScript], chosen by its callee number, like the test
// numbers telephony providers publish. Times are seconds after
// registration; every call starts with CALLS_STARTING at 0. The callee
// numbers' last two digits are the status code the call ends with.
//
//	callee      script                statuses after CALLS_STARTING               outcome (CallTracker)
//	5005551SSS  Answered(SSS s)       CALLER_CONNECTED 8, CALLEE_CONNECTED 18,    COMPLETED, talk SSS s
//	                                  CALLEE_CLOSED and CALLER_CLOSED 18+SSS
//	5005552SSS  CallerHangsUp(SSS s)  as above, CALLER_CLOSED first               COMPLETED, talk SSS s
//	5005550003  Busy(caller)          CALLER_BUSY 4                               BUSY, caller
//	5005550004  Busy(callee)          CALLER_CONNECTED 8, CALLEE_BUSY 12          BUSY, callee
//	5005550005  Rejected(caller)      CALLER_REJECT 6                             REJECTED, caller
//	5005550006  Rejected(callee)      CALLER_CONNECTED 8, CALLEE_REJECT 14        REJECTED, callee
//	5005550007  NoAnswer(caller)      CALLER_NOT_ANSWERED 30                      NO_ANSWER, caller
//	5005550008  NoAnswer(callee)      CALLER_CONNECTED 8, CALLEE_NOT_ANSWERED 38  NO_ANSWER, callee
//	5005550009  NotConnected(caller)  CALLER_NOT_CONNECTED 1                      NOT_CONNECTED, caller
//	5005550010  NotConnected(callee)  CALLER_CONNECTED 8, CALLEE_NOT_CONNECTED 9  NOT_CONNECTED, callee
//	5005550013  OutOfCredits()        OUT_OF_CREDITS 1                            OUT_OF_CREDITS
//	5005550099  final status lost     CALLER_CONNECTED 8, CALLEE_CONNECTED 18,    IN_PROGRESS, never Final:
//	                                  then nothing (the CLOSED statuses lost)     Overdue once past its deadline
//	any other   the default script    as Answered(1m) unless WithCallScript       COMPLETED, talk 1m
//
// Here caller and callee stand for gurulize.PartyCaller and
// gurulize.PartyCallee, and the outcome is what gurulize.CallTracker makes
// of the statuses. Constants name the numbers ([NumberCalleeBusy] …;
// [NumberAnsweredFor] and [NumberCallerHangsUpAfter] build the answered
// ones). A call is cut when it reaches its registered duration: then
// CALLER_CLOSED and CALLEE_CLOSED come at CALLEE_CONNECTED + duration.
// [Server.NextCallScript] overrides the callee number for the next calls;
// [Status] writes your own steps.
//
// # Callbacks on the wire
//
// Room events are POSTed as JSON with the fields in the reference's order
// and every number a JSON string:
//
//	{"code":"MEETING_ENDED","eventSource":"GUEST","receivedTime":"1600938359259",
//	 "reason":"HANGUP","roomUuid":"…","meetingTotalDuration":"2400000"}
//
// receivedTime is the room's startDate plus the scripted offset, in
// milliseconds; events of one step are 1ms apart. Call statuses are a GET
// on the voice callback URL with the status appended to its query string:
// ?id=7&code=1&desc=CALLER_CONNECTED&cause=0&time=1427116743, time in Unix
// seconds from the call's registration time plus the scripted offset.
//
// # Time
//
// By default callbacks are delivered as fast as the endpoint takes them, in
// order. [WithTimeScale] plays them k times faster than real time from the
// moment each room or call is created (k = 1000: a 40-minute meeting takes
// 2.4s); [WithManualClock] delivers a callback only once [Server.Advance]
// has moved the clock past its timestamp. Timestamps never depend on the
// mode. [Server.WaitIdle] waits until every due callback has been delivered.
//
// # Delivery faults
//
// [Faults] (via [WithFaults] or [Server.SetFaults]) duplicate every
// callback or shuffle each room's and call's callbacks; [Flaky] wraps an
// endpoint so it refuses the first n requests, and the fake retries with
// backoff ([WithCallbackRetry]). A test that still sees the right final
// state has proven its handlers idempotent and order-independent.
// [Server.Deliveries] records every delivery, attempts included.
//
// # Recordings
//
// A recording is callbacks as an endpoint received them, one JSON object
// per line ("gurulize listen --record FILE" writes one; [WriteRecording]
// too). Check one into testdata/ and [ReadRecordingFile] and [Replay] play
// it into your handler in a test, returning what each delivery got
// ([ReplayTo] plays it to a URL; [RoomCallbacks] and [CallCallbacks] make
// the callbacks of a script without a Server). Format version 1, one line
// ([RecordingVersion]):
//
//	{"version":1,"time":"2026-12-01T12:00:00.412Z","method":"POST",
//	 "path":"/gurulize/video/{token}","query":"","contentType":"application/json",
//	 "body":"{\"code\":\"JOIN\",…}"}
//
// version is the format's version (1); time when the request arrived
// (RFC 3339, UTC); method, path (escaped, from "/") and query (raw,
// without "?") as sent; contentType the Content-Type header; body the body
// byte for byte as a JSON string, or, when it is not valid UTF-8,
// bodyBase64 instead (standard base64). The callback token never appears:
// wherever it was (a path segment, a query value, anywhere in the path,
// query or body) it is written {token} ([TokenPlaceholder]), and replaying
// puts the token of [ReplayOptions] back. Readers ignore fields they do not
// know; a change that older readers would misread takes a new version,
// which they refuse. A last line cut short ([ErrTruncatedRecording]) is
// reported with its number, and the lines before it are still returned.
//
// # Without a socket
//
// [RegisterResponders] installs the same validation and records on an
// httpmock transport ([Mock]), and [RoomCreatedResponder],
// [CallRegisteredResponder], [MissingParameterResponder],
// [InvalidParameterResponder], [InvalidCredentialsResponder] and
// [FailureResponder] give single canned answers.
//
// [Server.Close] (called by [NewTestServer] when the test ends) cancels the
// callbacks not yet delivered and waits for every goroutine the server
// started.
//
// # The fake's own choices
//
// The provider's documents are silent on the points below. What the fake
// does there is the fake's choice, made to be plausible and testable, not a
// statement of how the provider behaves: code that depends on one of these
// should not assume the real API does the same.
//
//	what                           the fake's choice
//	video API errors               {"success":false,"message":…} with HTTP 200 (the video error
//	                               format is undocumented); the voice API answers the same way
//	status of a refusal            HTTP 200 for every validation refusal; 405 (with Allow) for
//	                               a wrong method, 404 for another path, 400 for an unreadable
//	                               or oversized (over 1 MiB) voice body
//	order of the checks            username and password present, then valid, then the other
//	                               parameters present, then their values; only the first
//	                               problem is reported
//	startDate in seconds           refused: a value below 1e11 (March 1973 in milliseconds)
//	                               gets "Invalid Parameter (startDate): Must be Unix time in
//	                               milliseconds, not seconds"
//	type                           "video" in any case ("Video" as the parameter list writes it)
//	limits                         durationInMinutes at most 2^19, duration at most 2^31
//	                               ("Too large")
//	reasons after "Invalid         only "Not a phone number" is the provider's; the other
//	Parameter (x):"                Reason constants are the fake's wording
//	Turkish (lang=tr)              refusals in the fake's Turkish: "Eksik parametre (x)",
//	                               "Geçersiz parametre (x): neden" (reasons translated, such as
//	                               "Telefon numarası değil"), "Kullanıcı bilgileri geçersiz";
//	                               the success message stays "Request Received"; without lang,
//	                               or with an unknown one, English
//	voice parameters               read from a form-encoded POST body only (not the query); a
//	                               body of another type counts as no parameters
//	voice path                     VoicePath (/click2call/register); the provider gives each
//	                               customer its own URL
//	room links                     uuid a random version 4 UUID; hostUrl and guestUrl are
//	                               ?rop=…&urp=… links on the fake, which answers them with a
//	                               short page
//	call ids                       1, 2, 3 … per server
//	room event fields              reason "" and meetingTotalDuration "0" are sent on every
//	                               event (Faults.OmitOptional leaves them out where empty)
//	event order and sources        JOIN, then ROOM_ACTIVATED (first meeting only) and
//	                               MEETING_STARTED from whoever joined second, 1ms apart
//	a dropped connection           LEFT, then MEETING_ENDED without a reason
//	a hang-up                      MEETING_ENDED (HANGUP) from who hung up, then their LEFT
//	time running out               MEETING_ENDED (END_MEETING_FORCED) from SERVER, then LEFT
//	                               for both; at startDate + durationInMinutes (END_TIME), or
//	                               once the meetings total durationInMinutes (END_OF_DURATION)
//	call status delivery           a GET on the callback URL, the status appended to its
//	                               query in the order id, code, desc, cause, time
//	desc of code 0                 "CALLS_STARTING" (the provider's table also calls it INIT)
//	cause                          "0" for connections, OUT_OF_CREDITS and CALLS_STARTING;
//	                               Q.850 values otherwise: 16 normal clearing, 17 busy, 19 no
//	                               answer, 21 rejected, 27 not reachable; treat them as opaque
//	call timings                   the caller answers 8s after registration, the callee 10s
//	                               later; both CLOSED statuses in the same second
//	lost callbacks                 on purpose only: rooms of durationInMinutes 999 lose their
//	                               MEETING_ENDED, calls to 5005550099 their final statuses;
//	                               whether the provider ever loses one is undocumented
//	delivery retries               a callback answered with a non-2xx status, a redirect or
//	                               no answer is retried (DefaultCallbackRetry: 8 attempts,
//	                               10ms doubling to 250ms); whether the provider retries is
//	                               undocumented
package gurulizetest

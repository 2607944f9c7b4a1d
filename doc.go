// Package gurulize is the Go SDK for the Gurulize Video and Voice APIs.
//
// A [Client] creates video rooms and registers click-to-call phone calls:
//
//	client, err := gurulize.NewClient(username, password,
//		gurulize.WithVoiceURL(voiceURL)) // the provider gives each customer its voice URL
//	if err != nil {
//		return err
//	}
//	room, err := client.CreateVideoRoom(ctx, gurulize.VideoRoomRequest{Duration: 45 * time.Minute, StartAt: start})
//	if err != nil {
//		return err
//	}
//	reg, err := client.RegisterCall(ctx, gurulize.CallRequest{
//		Caller: "5321234567", Callee: "5427654321", MaxDuration: 10 * time.Minute,
//	})
//	if err != nil {
//		return err
//	}
//	fmt.Println(room.UUID, reg.ID)
//
// A Client is immutable, safe for concurrent use and cheap to build (a
// client per tenant is fine); every client built without [WithHTTPClient]
// shares one connection pool, and goes through http.DefaultTransport once it
// has been replaced, as httpmock.Activate() does.
//
// Errors: a request that cannot be sent is a [*ValidationError] naming the
// field, matching [ErrInvalidRequest] (a bad setting matches
// [ErrInvalidConfig]); the server refusing is an [*APIError], classified with
// errors.Is and [ErrMissingParameter], [ErrInvalidParameter],
// [ErrInvalidCredentials] or [ErrUnexpectedResponse] (for the provider's
// English messages only, see [WithLanguage]); network failures are redacted
// *url.Error values. Neither call is idempotent, so a request is repeated
// only when it provably never reached the server, or on 429 and 503, and
// net/http never resends one by itself (see [RetryPolicy]). The password is
// masked in every error, log record and printed Client.
//
// The provider reports room events and call statuses by calling addresses
// of the customer's: [NewVideoEventHandler] and [NewVoiceStatusHandler] check
// the method, a token ([WithCallbackToken]) and the size, parse the payload
// ([ParseVideoEvent], [ParseVoiceStatus]) and call a function; an error
// matching [ErrRetryLater] answers 503. Callbacks may come twice and out of
// order: [RoomTracker] and [CallTracker] fold them into a [RoomSummary] or
// [CallSummary] that depends only on their timestamps, and [RoomState] and
// [CallState] are the same folds as values to keep in a database shared by
// several servers (the module's examples/postgres does so). Tell a tracker
// what the application created ([RoomTracker.Expect], [CallTracker.Expect])
// and it lists the rooms and calls whose end never came
// ([RoomTracker.Overdue], [CallTracker.Overdue]) and marks callbacks for
// anything else (Expected false). Summaries marshal to JSON with
// lowerCamelCase keys, durations in milliseconds and RFC 3339 times.
//
// Package gurulizetest is a fake Gurulize for tests, and the gurulize
// command (cmd/gurulize) drives the APIs, the fake and callbacks from a
// shell; go run ./examples/quickstart shows them at work.
package gurulize

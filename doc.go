// Package gurulize is the Go SDK for the Gurulize Video and Voice APIs.
//
// A [Client] creates video rooms ([Client.CreateVideoRoom]) and registers
// click-to-call phone calls ([Client.RegisterCall]):
//
//	client, err := gurulize.NewClient(username, password,
//		gurulize.WithVoiceURL(voiceURL)) // the provider gives each customer its voice URL
//	if err != nil {
//		return err
//	}
//	room, err := client.CreateVideoRoom(ctx, gurulize.VideoRoomRequest{
//		Duration: 45 * time.Minute,
//		StartAt:  start,
//	})
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
// # Configuration
//
// [NewClient] takes the account's credentials and options; [NewClientFromEnv]
// reads GURULIZE_USERNAME, GURULIZE_PASSWORD, GURULIZE_VIDEO_URL,
// GURULIZE_VOICE_URL and GURULIZE_LANG. An invalid setting is a
// [*ValidationError] from the constructor, matching [ErrInvalidConfig], never
// a surprise later. A Client is immutable and safe for concurrent use, and
// cheap to build: a client per tenant is fine, and all clients built without
// [WithHTTPClient] share one connection pool.
//
// # Errors
//
// A request that cannot be sent is a [*ValidationError] naming the field
// (matching [ErrInvalidRequest]); nothing goes over the network. The server
// refusing is an [*APIError]; classify it with errors.Is and
// [ErrMissingParameter], [ErrInvalidParameter], [ErrInvalidCredentials] or
// [ErrUnexpectedResponse]. The provider documents its messages in English
// only: with [WithLanguage](Turkish), an *APIError keeps the message and the
// parameter it names, but only 401 and 403 are still classified. Network
// failures are *url.Error values with the password masked; context
// cancellation still matches context.Canceled and context.DeadlineExceeded.
//
// # Retries
//
// Neither call is idempotent: a repeated RegisterCall rings a phone twice, a
// repeated CreateVideoRoom makes a second room. A request is repeated only
// when it provably never reached the server (the connection could not be
// made, or an HTTP/2 server refused the stream) or when the server answers
// 429 or 503; a 500, a timeout or a reset after the request was written is
// returned, never retried, and net/http is not allowed to resend either
// request by itself, over HTTP/1.1 or HTTP/2. See [RetryPolicy].
//
// # Secrets
//
// The Video API takes the password in the query string. The client requires
// https (or a loopback host) unless [WithInsecureHTTP] is given, and masks the
// password in every error, log record and printed Client, in every form a
// server or a transport can echo it in. Room links ([VideoRoom].HostURL and
// GuestURL) are bearer secrets; the client never logs them.
//
// # Testing
//
// Without [WithHTTPClient], requests go through http.DefaultTransport once
// it has been replaced, as httpmock.Activate() does, so httpmock intercepts
// them with no further setup. With WithHTTPClient(hc),
// httpmock.ActivateNonDefault(hc) does.
//
// Package gurulizetest is a fake Gurulize for tests: a loopback server that
// validates requests like the real APIs and plays whole meetings and calls
// into your callback handlers (magic phone numbers, scripted rooms, delivery
// faults, a controllable clock), plus httpmock responders for tests that
// must not open a socket. go run ./examples/quickstart shows it at work.
//
// The gurulize command (cmd/gurulize) does the same without Go code: room
// create, call register, listen (both callback handlers, printing what
// arrives) and fake (gurulizetest as a standalone server).
//
// # Callbacks
//
// The provider reports room events and call statuses by calling addresses
// the customer chooses. [NewVideoEventHandler] and [NewVoiceStatusHandler]
// are http.Handlers for them: they check the method, a shared-secret token
// ([WithCallbackToken]) and the body size, parse the payload into a
// [VideoEvent] or [VoiceStatus], and call a function with the request's
// context; an error matching [ErrRetryLater] from the function answers 503.
// [ParseVideoEvent] and [ParseVoiceStatus] parse payloads alone; their errors
// match [ErrMalformedCallback]. Unknown codes are kept, and Known reports
// false for them. The handlers set no deadlines: serve them from an
// http.Server whose ReadHeaderTimeout, ReadTimeout and WriteTimeout are set.
// The provider does not sign callbacks, so use HTTPS and a token;
// SECURITY.md has the threat model.
//
// Callbacks may be delivered twice and out of order. [RoomTracker] and
// [CallTracker] fold them into a [RoomSummary] or [CallSummary] that depends
// only on the events' timestamps. Their per-room and per-call state,
// [RoomState] and [CallState], are values that round-trip through
// encoding/json, to keep in a database shared by several servers; the
// module's examples/postgres does so on PostgreSQL.
package gurulize

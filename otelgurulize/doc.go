// Package otelgurulize records OpenTelemetry traces and metrics for the
// Gurulize SDK's calls and callbacks, with no secret in any of them.
//
//	client, err := gurulize.NewClient(username, password,
//		otelgurulize.ClientOption(otelgurulize.WithTracerProvider(tp), otelgurulize.WithMeterProvider(mp)))
//	…
//	mux.Handle("POST /gurulize/video/{token}", gurulize.NewVideoEventHandler(onEvent,
//		gurulize.WithCallbackToken(token), otelgurulize.HandlerOption(otelgurulize.WithTracerProvider(tp))))
//
// It is a module of its own, so that the SDK's users who do not import it
// never download OpenTelemetry; it plugs into the SDK's dependency-free
// hook, gurulize.Observer. It needs Go 1.24 and OpenTelemetry Go v1.41.0
// or later, the newest release that still supports Go 1.24.
//
// # What it records
//
// Per call of a Client, an INTERNAL span gurulize.CreateVideoRoom or
// gurulize.RegisterCall, with gurulize.room.uuid or gurulize.call.id on
// success, and error.type (see ErrorType) with status Error on failure.
// Under it, one CLIENT span per HTTP attempt, after the HTTP semantic
// conventions: named GET or POST, with http.request.method, server.address,
// server.port, url.full (the username and password replaced by REDACTED),
// http.response.status_code when a reply came, http.request.resend_count
// from the second attempt on, and error.type with status Error when the
// attempt failed. The metric http.client.request.duration (seconds) is
// recorded per attempt with http.request.method, server.address,
// server.port, http.response.status_code and error.type.
//
// Per request a callback handler serves, a SERVER span named POST or GET
// with http.request.method, url.scheme, url.path and url.query (the
// callback token replaced by REDACTED), http.response.status_code, and,
// once the payload parsed, gurulize.event.code (the video event's code as
// on the wire, or VoiceStatusCode.String() such as CALLEE_BUSY) with
// gurulize.room.uuid or gurulize.call.id; a 5xx answer sets error.type to
// the status and the span's status to Error. The callback function runs in
// the span's context. The metric http.server.request.duration (seconds)
// has http.request.method, url.scheme, http.response.status_code and
// error.type.
//
// # What it never records
//
// The password, the username (in url.full), the callback token, and a
// room's host and guest links appear in no span name, attribute, event,
// status description, link or metric attribute, in any encoding. Error
// messages are not recorded either (no span events, and the status
// description is the error.type): they quote what the provider said.
//
// Do not wrap the Client's transport in otelhttp instead: its url.full
// holds the password of every CreateVideoRoom (the credentials travel in
// the query string), and on a callback handler its url.path or url.query
// holds the callback token.
//
// # Joining a room's creation to its callbacks
//
// The provider sends no trace context with its callbacks, so a callback's
// span starts a trace of its own. The room's UUID (or the call's ID) is on
// both, under the same attribute name, so one search finds the creation
// and every callback; in Jaeger's or Grafana Tempo's search:
//
//	gurulize.room.uuid="444f4061-3494-4e60-a552-c4316ac6702d"
//
// (TraceQL: { span.gurulize.room.uuid = "444f4061-…" }). An application that
// keeps the creating span's context with the room can also link the
// callback span to it, as examples/otel does:
//
//	trace.SpanFromContext(ctx).AddLink(trace.Link{SpanContext: created})
package otelgurulize

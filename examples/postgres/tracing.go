// Tracing: the span around each creation on the create path, whose W3C
// traceparent is stored with the room's or call's row, and the span link
// from each callback's span to it. The provider carries no trace context in
// its callbacks; the row does.

package main

import (
	"context"
	"net/http"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// startCreation starts the span of a POST /rooms or POST /calls, named
// name, around the SDK's call. Its parent is the span already in the
// request's context (a server wrapped in otelhttp), or else the one the
// request's traceparent header names: the create routes are the
// application's own, and its callers may pass their trace on.
func startCreation(r *http.Request, tracer trace.Tracer, name string) (context.Context, trace.Span) {
	ctx := r.Context()
	if !trace.SpanContextFromContext(ctx).IsValid() {
		ctx = propagation.TraceContext{}.Extract(ctx, propagation.HeaderCarrier(r.Header))
	}
	return tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindInternal))
}

// traceparentOf returns the W3C traceparent of the span in ctx, such as
// "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", or nil when ctx
// holds no valid span context. It names the trace and the span, and holds
// nothing else.
func traceparentOf(ctx context.Context) *string {
	carrier := propagation.MapCarrier{}
	propagation.TraceContext{}.Inject(ctx, carrier)
	tp, ok := carrier["traceparent"]
	if !ok {
		return nil
	}
	return &tp
}

// withTraceparent returns apply, with the traceparent of the span in ctx
// added to the change it returns: how ExpectRoom and ExpectCall store it
// with the row, in the statement that records the creation.
func withTraceparent(ctx context.Context, apply func(stored any) (*change, error)) func(stored any) (*change, error) {
	tp := traceparentOf(ctx)
	return func(stored any) (*change, error) {
		c, err := apply(stored)
		if c != nil {
			c.traceparent = tp
		}
		return c, err
	}
}

// linkCreation adds to the span in ctx (a callback's SERVER span, see
// otelgurulize.HandlerOption) a span link to the span that created the
// room or call key of t, when its row holds a traceparent. It reads the row
// only when the span is recording: with tracing off or the span not
// sampled, it costs nothing. The link is best effort: a failed read adds
// none, and the callback is answered as it would be without it. A callback
// that arrives before the creation is recorded (the provider may call back
// before CreateVideoRoom or RegisterCall has returned) gets none either.
func (s *Store) linkCreation(ctx context.Context, t table, key any) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var tp *string
	if err := s.pool.QueryRow(ctx, t.traced, key).Scan(&tp); err != nil || tp == nil {
		return
	}
	created := trace.SpanContextFromContext(propagation.TraceContext{}.Extract(context.Background(), propagation.MapCarrier{"traceparent": *tp}))
	if created.IsValid() {
		span.AddLink(trace.Link{SpanContext: created})
	}
}

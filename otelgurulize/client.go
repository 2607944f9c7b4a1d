// This file holds what a Client records: the INTERNAL span of each call,
// the CLIENT span of each HTTP attempt, and http.client.request.duration.

package otelgurulize

import (
	"context"
	"net/url"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.39.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/gurulize/gurulize-go"
)

type clientObserver struct {
	tracer     trace.Tracer
	duration   metric.Float64Histogram
	propagator propagation.TextMapPropagator // nil: inject nothing
}

func newClientObserver(c config) gurulize.Observer {
	// An instrument the meter cannot build is a no-op one, which the
	// Float64Histogram it returns with the error already is.
	duration, _ := c.meter().Float64Histogram("http.client.request.duration",
		metric.WithUnit("s"), metric.WithDescription("Duration of HTTP client requests."),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	o := &clientObserver{tracer: c.tracer(), duration: duration, propagator: c.propagator}
	return gurulize.Observer{CallStart: o.callStart, CallEnd: o.callEnd, AttemptStart: o.attemptStart, AttemptEnd: o.attemptEnd}
}

// The span kinds' start options, made once.
var (
	internalKind = trace.WithSpanKind(trace.SpanKindInternal)
	clientKind   = trace.WithSpanKind(trace.SpanKindClient)
	serverKind   = trace.WithSpanKind(trace.SpanKindServer)
)

func (o *clientObserver) callStart(ctx context.Context, call *gurulize.CallInfo) context.Context {
	ctx, _ = o.tracer.Start(ctx, callSpanName(call.Op), internalKind)
	return ctx
}

// callSpanName returns the name of a call's span, without building it for
// the two calls there are.
func callSpanName(op string) string {
	switch op {
	case gurulize.OpCreateVideoRoom:
		return "gurulize.CreateVideoRoom"
	case gurulize.OpRegisterCall:
		return "gurulize.RegisterCall"
	}
	return "gurulize." + op
}

func (o *clientObserver) callEnd(ctx context.Context, call *gurulize.CallInfo) {
	span := trace.SpanFromContext(ctx)
	switch {
	case call.Err != nil:
		et := ErrorType(call.Err)
		span.SetAttributes(semconv.ErrorTypeKey.String(et))
		span.SetStatus(codes.Error, et)
	case call.RoomUUID != "":
		span.SetAttributes(attribute.String(AttrRoomUUID, call.RoomUUID))
	case call.Op == gurulize.OpRegisterCall:
		span.SetAttributes(attribute.Int64(AttrCallID, call.CallID))
	}
	span.End()
}

// endpointAttrs returns the attributes of an attempt that the metric shares
// with the span: method, server address and port.
func endpointAttrs(a *gurulize.AttemptInfo) [3]attribute.KeyValue {
	endpoint := url.URL{Scheme: a.Scheme, Host: a.Host}
	return [3]attribute.KeyValue{
		semconv.HTTPRequestMethodKey.String(a.Method),
		semconv.ServerAddress(endpoint.Hostname()),
		semconv.ServerPort(port(&endpoint)),
	}
}

func (o *clientObserver) attemptStart(ctx context.Context, a *gurulize.AttemptInfo) context.Context {
	attrs := endpointAttrs(a)
	ctx, span := o.tracer.Start(ctx, a.Method, clientKind, trace.WithAttributes(attrs[:]...))
	if span.IsRecording() { // the redacted URL costs microseconds: only for a span that is kept
		span.SetAttributes(semconv.URLFull(a.URL().String()))
		if a.Attempt > 1 {
			span.SetAttributes(semconv.HTTPRequestResendCount(a.Attempt - 1))
		}
	}
	if o.propagator != nil {
		o.propagator.Inject(ctx, propagation.HeaderCarrier(a.Header))
	}
	return ctx
}

func (o *clientObserver) attemptEnd(ctx context.Context, a *gurulize.AttemptInfo) {
	span := trace.SpanFromContext(ctx)
	var buf [5]attribute.KeyValue
	endpoint := endpointAttrs(a)
	attrs := append(buf[:0], endpoint[:]...)
	if a.StatusCode != 0 {
		attrs = append(attrs, semconv.HTTPResponseStatusCode(a.StatusCode))
	}
	if a.Err != nil {
		et := ErrorType(a.Err)
		attrs = append(attrs, semconv.ErrorTypeKey.String(et))
		span.SetStatus(codes.Error, et)
	}
	span.SetAttributes(attrs[len(endpoint):]...)
	span.End()
	if o.duration.Enabled(ctx) {
		o.duration.Record(ctx, a.Duration.Seconds(), metric.WithAttributeSet(attribute.NewSet(attrs...)))
	}
}

// port returns the URL's port, or the scheme's default.
func port(u *url.URL) int {
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err == nil {
			return n
		}
	}
	if u.Scheme == "http" {
		return 80
	}
	return 443
}

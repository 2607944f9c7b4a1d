// This file holds what a callback handler records: the SERVER span of each
// request and http.server.request.duration.

package otelgurulize

import (
	"context"
	"net/http"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.39.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/gurulize/gurulize-go"
)

type serverObserver struct {
	tracer   trace.Tracer
	duration metric.Float64Histogram
}

func newServerObserver(c config) gurulize.Observer {
	duration, _ := c.meter().Float64Histogram("http.server.request.duration",
		metric.WithUnit("s"), metric.WithDescription("Duration of HTTP server requests."),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	o := &serverObserver{tracer: c.tracer(), duration: duration}
	return gurulize.Observer{CallbackStart: o.start, CallbackEnd: o.end}
}

func (o *serverObserver) start(ctx context.Context, cb *gurulize.CallbackInfo) context.Context {
	method := knownMethod(cb.Method)
	name := method
	if name == "_OTHER" {
		name = "HTTP"
	}
	attrs := []attribute.KeyValue{semconv.HTTPRequestMethodKey.String(method), semconv.URLPath(cb.Path), semconv.URLScheme(cb.Scheme)}
	if method != cb.Method {
		attrs = append(attrs, semconv.HTTPRequestMethodOriginal(cb.Method))
	}
	if cb.Query != "" {
		attrs = append(attrs, semconv.URLQuery(cb.Query))
	}
	ctx, _ = o.tracer.Start(ctx, name, serverKind, trace.WithAttributes(attrs...))
	return ctx
}

func (o *serverObserver) end(ctx context.Context, cb *gurulize.CallbackInfo) {
	span := trace.SpanFromContext(ctx)
	var buf [4]attribute.KeyValue
	attrs := append(buf[:0], semconv.HTTPRequestMethodKey.String(knownMethod(cb.Method)), semconv.URLScheme(cb.Scheme))
	if cb.StatusCode != 0 {
		attrs = append(attrs, semconv.HTTPResponseStatusCode(cb.StatusCode))
	}
	if cb.StatusCode >= 500 {
		et := strconv.Itoa(cb.StatusCode)
		attrs = append(attrs, semconv.ErrorTypeKey.String(et))
		span.SetStatus(codes.Error, et)
	}
	span.SetAttributes(attrs[2:]...)
	if cb.EventCode != "" {
		span.SetAttributes(attribute.String(AttrEventCode, cb.EventCode))
		if cb.Kind == gurulize.CallbackVideo {
			span.SetAttributes(attribute.String(AttrRoomUUID, cb.RoomUUID))
		} else {
			span.SetAttributes(attribute.Int64(AttrCallID, cb.CallID))
		}
	}
	span.End()
	if o.duration.Enabled(ctx) {
		o.duration.Record(ctx, cb.Duration.Seconds(), metric.WithAttributeSet(attribute.NewSet(attrs...)))
	}
}

// knownMethod returns method if it is one of HTTP's, or _OTHER: a request
// can carry any method, and the attribute must stay low-cardinality.
func knownMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch,
		http.MethodHead, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "_OTHER"
}

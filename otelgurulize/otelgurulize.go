// This file holds the package's options and the two entry points that turn
// them into a gurulize.Option and a gurulize.HandlerOption.

package otelgurulize

import (
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/gurulize/gurulize-go"
)

// ScopeName is the instrumentation scope of every span and metric this
// package records.
const ScopeName = "github.com/gurulize/gurulize-go/otelgurulize"

// The attributes this package adds to the HTTP semantic conventions. A
// room's UUID and a call's ID are recorded under the same name on the span
// that created them and on the spans of their callbacks, so one attribute
// search finds both.
const (
	AttrRoomUUID  = "gurulize.room.uuid"  // string: VideoRoom.UUID, VideoEvent.RoomUUID
	AttrCallID    = "gurulize.call.id"    // int: CallRegistration.ID, VoiceStatus.ID
	AttrEventCode = "gurulize.event.code" // string: the video event's code as on the wire, or VoiceStatusCode.String()
)

// Option configures ClientOption and HandlerOption.
type Option func(*config)

type config struct {
	tp         trace.TracerProvider
	mp         metric.MeterProvider
	propagator propagation.TextMapPropagator
}

// WithTracerProvider records spans with tp. The default is
// otel.GetTracerProvider(), read when ClientOption or HandlerOption is
// called (the global provider forwards to one set later). A nil tp keeps
// the default.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) {
		if tp != nil {
			c.tp = tp
		}
	}
}

// WithMeterProvider records metrics with mp. The default is
// otel.GetMeterProvider(), read when ClientOption or HandlerOption is
// called. A nil mp keeps the default.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) {
		if mp != nil {
			c.mp = mp
		}
	}
}

// WithPropagators injects the context of each attempt's CLIENT span into
// the request sent to the provider, with p (for W3C trace context:
// propagation.TraceContext{}). The default injects nothing: the provider
// does not read trace context, and the headers would tell it about your
// traces for no use. Callback handlers never extract context from the
// provider's requests, whatever this says: their spans are children of
// the request's context as the server gave it.
func WithPropagators(p propagation.TextMapPropagator) Option {
	return func(c *config) { c.propagator = p }
}

func newConfig(opts []Option) config {
	c := config{tp: otel.GetTracerProvider(), mp: otel.GetMeterProvider()}
	for _, opt := range opts {
		if opt != nil {
			opt(&c)
		}
	}
	return c
}

func (c config) tracer() trace.Tracer {
	return c.tp.Tracer(ScopeName, trace.WithInstrumentationVersion(gurulize.Version))
}

func (c config) meter() metric.Meter {
	return c.mp.Meter(ScopeName, metric.WithInstrumentationVersion(gurulize.Version))
}

// durationBuckets are the HTTP semantic conventions' advised bucket
// boundaries for request durations, in seconds.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// ClientOption returns a gurulize.Option that records, for every call of
// the Client: an INTERNAL span gurulize.CreateVideoRoom or
// gurulize.RegisterCall, a CLIENT span per HTTP attempt under it, and the
// metric http.client.request.duration per attempt. See the package
// documentation for the attributes.
//
// It uses gurulize.WithObserver: a later WithObserver on the same Client
// replaces it.
func ClientOption(opts ...Option) gurulize.Option {
	c := newConfig(opts)
	return gurulize.WithObserver(newClientObserver(c))
}

// HandlerOption returns a gurulize.HandlerOption that records, for every
// request a callback handler serves, a SERVER span and the metric
// http.server.request.duration. The callback function runs in the span's
// context. See the package documentation for the attributes.
//
// It uses gurulize.WithCallbackObserver: a later WithCallbackObserver on
// the same handler replaces it.
func HandlerOption(opts ...Option) gurulize.HandlerOption {
	c := newConfig(opts)
	return gurulize.WithCallbackObserver(newServerObserver(c))
}

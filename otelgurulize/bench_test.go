package otelgurulize_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/otelgurulize"
)

// discard is a span exporter that drops what it is given, so the SDK's own
// cost is measured, not an exporter's.
type discard struct{}

func (discard) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discard) Shutdown(context.Context) error                             { return nil }

// instrumentations are what each benchmark compares: the SDK alone, with
// ClientOption on no-op providers, and with the OpenTelemetry SDK's
// providers sampling every span (exported to nowhere, metrics kept by a
// manual reader).
func instrumentations(b *testing.B) []struct {
	name string
	opts []otelgurulize.Option // nil: not instrumented
} {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()), sdktrace.WithSyncer(discard{}))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	return []struct {
		name string
		opts []otelgurulize.Option
	}{
		{"otel=none", nil},
		{"otel=noop", []otelgurulize.Option{otelgurulize.WithTracerProvider(tracenoop.NewTracerProvider()), otelgurulize.WithMeterProvider(metricnoop.NewMeterProvider())}},
		{"otel=sdk", []otelgurulize.Option{otelgurulize.WithTracerProvider(tp), otelgurulize.WithMeterProvider(mp)}},
	}
}

// canned answers every request with 200 and body, without a network.
type canned struct{ body string }

func (c canned) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(c.body)), Request: r}, nil
}

// BenchmarkCreateVideoRoom is one call, over loopback to an httptest
// server (net=loopback) and to an in-memory transport (net=none, the
// client's own cost alone).
func BenchmarkCreateVideoRoom(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, roomJSON)
	}))
	b.Cleanup(srv.Close)
	for _, net := range []struct {
		name string
		hc   *http.Client
		url  string
	}{
		{"net=loopback", srv.Client(), srv.URL + "/webrtc-meeting/room/create"},
		{"net=none", &http.Client{Transport: canned{roomJSON}}, "https://webrtc.gurulize.test/webrtc-meeting/room/create"},
	} {
		for _, in := range instrumentations(b) {
			b.Run(net.name+"/"+in.name, func(b *testing.B) {
				opts := []gurulize.Option{gurulize.WithHTTPClient(net.hc), gurulize.WithVideoURL(net.url)}
				if in.opts != nil {
					opts = append(opts, otelgurulize.ClientOption(in.opts...))
				}
				c, err := gurulize.NewClient(testUser, testPassword, opts...)
				if err != nil {
					b.Fatal(err)
				}
				ctx := context.Background()
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, err := c.CreateVideoRoom(ctx, validRoom()); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkVideoHandler serves one callback per iteration, in memory.
func BenchmarkVideoHandler(b *testing.B) {
	body := []byte(videoBody)
	for _, in := range instrumentations(b) {
		b.Run(in.name, func(b *testing.B) {
			opts := []gurulize.HandlerOption{gurulize.WithCallbackToken(testToken)}
			if in.opts != nil {
				opts = append(opts, otelgurulize.HandlerOption(in.opts...))
			}
			h := gurulize.NewVideoEventHandler(func(context.Context, gurulize.VideoEvent) error { return nil }, opts...)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/gurulize/video/"+testToken, bytes.NewReader(body)))
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d", rec.Code)
				}
			}
		})
	}
}

package otelgurulize_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/otelgurulize"
)

const (
	testUser = "acme-consulting"
	// testPassword has symbols, spaces and non-ASCII, so that every
	// encoding of it differs from the others.
	testPassword = `p@ss wörd/&=?#%+"<>ç 密码`
	// testToken is a callback token as gurulize.NewCallbackToken makes them.
	testToken = "q3fWz0-Lm_8Rt2Yv9Kx4Np7Hs1Bd6Gc5Je0Ua3Oi2E"
	roomUUID  = "444f4061-3494-4e60-a552-c4316ac6702d"
	hostLink  = "https://webrtc.gurulize.com/?rop=V_US2qRjrTFn&urp=hostSecretLinkToken"
	guestLink = "https://webrtc.gurulize.com/?rop=GFPyacAAOrPc&urp=guestSecretLinkToken"
)

// telemetry records every span and metric of a test.
type telemetry struct {
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
	opts   []otelgurulize.Option
}

func newTelemetry(t *testing.T, more ...otelgurulize.Option) *telemetry {
	t.Helper()
	tel := &telemetry{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tel.spans), sdktrace.WithSampler(sdktrace.AlwaysSample()))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(tel.reader))
	t.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	tel.opts = append([]otelgurulize.Option{otelgurulize.WithTracerProvider(tp), otelgurulize.WithMeterProvider(mp)}, more...)
	return tel
}

func (tel *telemetry) client(t *testing.T, videoURL, voiceURL string, opts ...gurulize.Option) *gurulize.Client {
	t.Helper()
	all := append([]gurulize.Option{
		gurulize.WithVideoURL(videoURL), gurulize.WithVoiceURL(voiceURL),
		gurulize.WithRetry(gurulize.RetryPolicy{MaxAttempts: 2, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}),
		otelgurulize.ClientOption(tel.opts...),
	}, opts...)
	c, err := gurulize.NewClient(testUser, testPassword, all...)
	require.NoError(t, err)
	return c
}

// ended returns the ended spans by name, in the order they ended.
func (tel *telemetry) ended(name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range tel.spans.Ended() {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

// attrs returns a span's attributes as a map.
func attrs(s sdktrace.ReadOnlySpan) map[string]any {
	m := map[string]any{}
	for _, kv := range s.Attributes() {
		m[string(kv.Key)] = kv.Value.AsInterface()
	}
	return m
}

// histogram returns the data points of the named histogram, each as its
// attributes and count.
func (tel *telemetry) histogram(t *testing.T, name string) ([]map[string]any, []uint64, string) {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, tel.reader.Collect(context.Background(), &rm))
	var sets []map[string]any
	var counts []uint64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			h, ok := m.Data.(metricdata.Histogram[float64])
			require.True(t, ok, "%s is a float64 histogram", name)
			for _, dp := range h.DataPoints {
				set := map[string]any{}
				for _, kv := range dp.Attributes.ToSlice() {
					set[string(kv.Key)] = kv.Value.AsInterface()
				}
				sets = append(sets, set)
				counts = append(counts, dp.Count)
			}
			return sets, counts, m.Unit
		}
	}
	return nil, nil, ""
}

// everything returns every string recorded: span names, attributes, events,
// status descriptions, links, and every metric's name and attributes.
func (tel *telemetry) everything(t *testing.T) []string {
	t.Helper()
	var out []string
	kvs := func(where string, set []attribute.KeyValue) {
		for _, kv := range set {
			out = append(out, fmt.Sprintf("%s %s=%s", where, kv.Key, kv.Value.Emit()))
		}
	}
	for _, s := range tel.spans.Ended() {
		out = append(out, "span "+s.Name(), "status "+s.Status().Description)
		kvs("span "+s.Name(), s.Attributes())
		for _, ev := range s.Events() {
			out = append(out, "event "+ev.Name)
			kvs("event "+ev.Name, ev.Attributes)
		}
		for _, l := range s.Links() {
			out = append(out, "link "+l.SpanContext.TraceID().String()+" "+l.SpanContext.TraceState().String())
			kvs("link", l.Attributes)
		}
		kvs("resource", s.Resource().Attributes())
	}
	var rm metricdata.ResourceMetrics
	require.NoError(t, tel.reader.Collect(context.Background(), &rm))
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			out = append(out, "metric "+m.Name+" "+m.Description+" "+m.Unit)
			if h, ok := m.Data.(metricdata.Histogram[float64]); ok {
				for _, dp := range h.DataPoints {
					kvs("metric "+m.Name, dp.Attributes.ToSlice())
				}
			}
		}
	}
	return out
}

// provider is a loopback stand-in for the provider's two APIs: it answers
// each request with the next of its replies (the last one repeats), and
// keeps the headers it received.
type provider struct {
	replies []func(w http.ResponseWriter, r *http.Request)
	n       atomic.Int32
	headers chan http.Header
	srv     *httptest.Server
}

func newProvider(t *testing.T, replies ...func(w http.ResponseWriter, r *http.Request)) *provider {
	p := &provider{replies: replies, headers: make(chan http.Header, 16)}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := min(int(p.n.Add(1))-1, len(p.replies)-1)
		p.headers <- r.Header.Clone()
		p.replies[i](w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *provider) videoURL() string { return p.srv.URL + "/webrtc-meeting/room/create" }
func (p *provider) voiceURL() string { return p.srv.URL + "/c2c/register" }

func reply(status int, body string, header ...string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = strings.NewReader(body).WriteTo(w)
	}
}

var roomJSON = `{"uuid":"` + roomUUID + `","hostUrl":"` + hostLink + `","guestUrl":"` + guestLink + `"}`

func providerPort(t *testing.T, p *provider) int {
	t.Helper()
	return p.srv.Listener.Addr().(*net.TCPAddr).Port
}

func validRoom() gurulize.VideoRoomRequest {
	return gurulize.VideoRoomRequest{Duration: 30 * time.Minute, StartAt: time.UnixMilli(1597148937000)}
}

func validCall() gurulize.CallRequest {
	return gurulize.CallRequest{Caller: "5321234567", Callee: "5427654321", MaxDuration: 10 * time.Minute}
}

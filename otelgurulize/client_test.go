package otelgurulize_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/otelgurulize"
)

func TestRoomCreatedAfterOne503(t *testing.T) {
	tel := newTelemetry(t)
	p := newProvider(t, reply(http.StatusServiceUnavailable, "busy", "Retry-After", "1"), reply(http.StatusOK, roomJSON))
	c := tel.client(t, p.videoURL(), p.voiceURL())

	room, err := c.CreateVideoRoom(context.Background(), validRoom())
	require.NoError(t, err)

	calls := tel.ended("gurulize.CreateVideoRoom")
	require.Len(t, calls, 1)
	call := calls[0]
	assert.Equal(t, trace.SpanKindInternal, call.SpanKind())
	assert.Equal(t, codes.Unset, call.Status().Code)
	assert.Equal(t, map[string]any{"gurulize.room.uuid": room.UUID}, attrs(call))

	attempts := tel.ended("GET")
	require.Len(t, attempts, 2)
	for i, a := range attempts {
		assert.Equal(t, trace.SpanKindClient, a.SpanKind())
		assert.Equal(t, call.SpanContext().SpanID(), a.Parent().SpanID(), "attempt %d is a child of the call", i+1)
		assert.Equal(t, call.SpanContext().TraceID(), a.SpanContext().TraceID())
		got := attrs(a)
		assert.Equal(t, "GET", got["http.request.method"])
		assert.Equal(t, "127.0.0.1", got["server.address"])
		assert.Equal(t, int64(providerPort(t, p)), got["server.port"])
		assert.Contains(t, got["url.full"], "/webrtc-meeting/room/create?")
		assert.Contains(t, got["url.full"], "password=REDACTED")
		assert.Contains(t, got["url.full"], "username=REDACTED")
		assert.Contains(t, got["url.full"], "type=video")
	}
	first, second := attrs(attempts[0]), attrs(attempts[1])
	assert.Equal(t, int64(503), first["http.response.status_code"])
	assert.Equal(t, "503", first["error.type"])
	assert.NotContains(t, first, "http.request.resend_count")
	assert.Equal(t, codes.Error, attempts[0].Status().Code)
	assert.Equal(t, int64(200), second["http.response.status_code"])
	assert.Equal(t, int64(1), second["http.request.resend_count"])
	assert.NotContains(t, second, "error.type")
	assert.Equal(t, codes.Unset, attempts[1].Status().Code)

	sets, counts, unit := tel.histogram(t, "http.client.request.duration")
	assert.Equal(t, "s", unit)
	base := map[string]any{"http.request.method": "GET", "server.address": "127.0.0.1", "server.port": int64(providerPort(t, p))}
	with := func(extra map[string]any) map[string]any {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	assert.ElementsMatch(t, []map[string]any{
		with(map[string]any{"http.response.status_code": int64(503), "error.type": "503"}),
		with(map[string]any{"http.response.status_code": int64(200)}),
	}, sets)
	assert.Equal(t, []uint64{1, 1}, counts)
}

func TestCallRefusedByProvider(t *testing.T) {
	tel := newTelemetry(t)
	p := newProvider(t, reply(http.StatusOK, `{"success":false,"message":"User Information Is Invalid"}`))
	c := tel.client(t, p.videoURL(), p.voiceURL())

	_, err := c.RegisterCall(context.Background(), validCall())
	require.ErrorIs(t, err, gurulize.ErrInvalidCredentials)

	calls := tel.ended("gurulize.RegisterCall")
	require.Len(t, calls, 1)
	assert.Equal(t, map[string]any{"error.type": "invalid_credentials"}, attrs(calls[0]))
	assert.Equal(t, codes.Error, calls[0].Status().Code)
	assert.Equal(t, "invalid_credentials", calls[0].Status().Description)

	attempts := tel.ended("POST")
	require.Len(t, attempts, 1, "a refusal is not retried")
	got := attrs(attempts[0])
	assert.Equal(t, "POST", got["http.request.method"])
	assert.Equal(t, int64(200), got["http.response.status_code"])
	assert.Equal(t, "invalid_credentials", got["error.type"])
	assert.Equal(t, p.voiceURL(), got["url.full"], "the voice URL carries no credentials: they are in the body")
	assert.Equal(t, codes.Error, attempts[0].Status().Code)

	sets, _, _ := tel.histogram(t, "http.client.request.duration")
	require.Len(t, sets, 1)
	assert.Equal(t, "invalid_credentials", sets[0]["error.type"])
}

func TestCallRegisteredAndInvalidRequest(t *testing.T) {
	tel := newTelemetry(t)
	p := newProvider(t, reply(http.StatusOK, `{"success":true,"message":"Request Received","id":"42"}`))
	c := tel.client(t, p.videoURL(), p.voiceURL())

	reg, err := c.RegisterCall(context.Background(), validCall())
	require.NoError(t, err)
	_, err = c.RegisterCall(context.Background(), gurulize.CallRequest{Caller: "not a number", Callee: "5321234567"})
	require.ErrorIs(t, err, gurulize.ErrInvalidRequest)

	calls := tel.ended("gurulize.RegisterCall")
	require.Len(t, calls, 2)
	assert.Equal(t, map[string]any{"gurulize.call.id": reg.ID}, attrs(calls[0]))
	assert.Equal(t, map[string]any{"error.type": "invalid_request"}, attrs(calls[1]))
	assert.Len(t, tel.ended("POST"), 1, "nothing is sent for an invalid request")
}

func TestTraceContextPropagation(t *testing.T) {
	for _, propagate := range []bool{false, true} {
		t.Run(map[bool]string{false: "default", true: "tracecontext"}[propagate], func(t *testing.T) {
			var more []otelgurulize.Option
			if propagate {
				more = append(more, otelgurulize.WithPropagators(propagation.TraceContext{}))
			}
			tel := newTelemetry(t, more...)
			p := newProvider(t, reply(http.StatusOK, roomJSON))
			c := tel.client(t, p.videoURL(), p.voiceURL())
			_, err := c.CreateVideoRoom(context.Background(), validRoom())
			require.NoError(t, err)

			header := <-p.headers
			attempts := tel.ended("GET")
			require.Len(t, attempts, 1)
			if !propagate {
				assert.Empty(t, header.Get("Traceparent"), "nothing is injected by default")
				assert.Empty(t, header.Get("Tracestate"))
				return
			}
			sc := attempts[0].SpanContext()
			assert.Equal(t, "00-"+sc.TraceID().String()+"-"+sc.SpanID().String()+"-01", header.Get("Traceparent"),
				"the CLIENT span's context goes to the provider")
		})
	}
}

func TestTimeoutIsClassified(t *testing.T) {
	tel := newTelemetry(t)
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	c := tel.client(t, p.videoURL(), p.voiceURL(), gurulize.WithTimeout(50*time.Millisecond))

	_, err := c.CreateVideoRoom(context.Background(), validRoom())
	require.Error(t, err)
	calls := tel.ended("gurulize.CreateVideoRoom")
	require.Len(t, calls, 1)
	assert.Equal(t, "timeout", attrs(calls[0])["error.type"])
	attempts := tel.ended("GET")
	require.Len(t, attempts, 1)
	assert.Equal(t, "timeout", attrs(attempts[0])["error.type"])
	assert.NotContains(t, attrs(attempts[0]), "http.response.status_code")
}

// The span links from callbacks to the span that created their room or
// call, through the traceparent stored with the row, against the real
// PostgreSQL; and no secret in any span.

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
	"github.com/gurulize/gurulize-go/otelgurulize"
)

// The secrets of TestCallbackSpansLinkToTheCreation: a password with
// symbols, spaces and non-ASCII, and a 43-character token.
const (
	tracedPassword = "p@ss wörd&=?/%+#çğ 🔑"
	tracedToken    = "Zk3_q9-TmW0pLr8sVx2yB4nC6dE1fG5hJ7kM9oQ0aBc"
)

// postTraced posts v to u with the W3C trace context of ctx in its headers
// and decodes the 201 reply into out.
func postTraced(t *testing.T, ctx context.Context, u string, v, out any) {
	t.Helper()
	body, err := json.Marshal(v)
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	require.NoError(t, err)
	propagation.TraceContext{}.Inject(ctx, propagation.HeaderCarrier(req.Header))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	reply, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", reply)
	require.NoError(t, json.Unmarshal(reply, out))
}

// attr returns the value of span's attribute key as a string, "" if unset.
func attr(span sdktrace.ReadOnlySpan, key string) string {
	for _, kv := range span.Attributes() {
		if string(kv.Key) == key {
			return kv.Value.Emit()
		}
	}
	return ""
}

func TestCallbackSpansLinkToTheCreation(t *testing.T) {
	dsn := freshSchema(t)
	s := openStore(t, dsn)
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	telemetry := otelgurulize.WithTracerProvider(tp)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))

	mux := routes(s, tracedToken, logger, otelgurulize.HandlerOption(telemetry))
	// Callbacks wait until the creations are recorded: the fake sends a
	// call's first status as soon as it is registered, and a callback that
	// comes before the creation is recorded gets no link (see
	// linkCreation).
	created := make(chan struct{})
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/gurulize/") {
			<-created
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(app.Close)
	open := sync.OnceFunc(func() { close(created) })
	t.Cleanup(open) // before app.Close, should the test fail first
	fake := gurulizetest.NewTestServer(t,
		gurulizetest.WithAccount("app", tracedPassword),
		gurulizetest.WithVideoCallbackURL(app.URL+"/gurulize/video/"+tracedToken),
		gurulizetest.WithVoiceCallbackURL(app.URL+"/gurulize/voice/"+tracedToken),
		gurulizetest.WithRoomScript(gurulizetest.Meet(20*time.Minute)),
		gurulizetest.WithCallScript(gurulizetest.Answered(time.Minute)),
		gurulizetest.WithManualClock(time.Time{}), // the rooms' callbacks wait for Advance
	)
	client, err := gurulize.NewClient("app", tracedPassword,
		gurulize.WithVideoURL(fake.VideoURL()), gurulize.WithVoiceURL(fake.VoiceURL()), otelgurulize.ClientOption(telemetry))
	require.NoError(t, err)
	createRoutes(mux, s, client, logger, tp)

	// The application's caller, in a span of its own, creates a room and
	// registers a call through the create routes.
	ctx, parent := tp.Tracer("caller").Start(context.Background(), "schedule consultation")
	var room struct{ UUID, HostURL, GuestURL string }
	start := fake.Advance(0).Add(time.Minute)
	postTraced(t, ctx, app.URL+"/rooms", map[string]any{"startAt": start, "durationMinutes": 30}, &room)
	var call struct{ ID int64 }
	postTraced(t, ctx, app.URL+"/calls", map[string]any{"caller": "5321234567", "callee": "5427654321", "maxDurationSeconds": 600}, &call)
	parent.End()
	open()

	// A room and a call the provider has, not created through the
	// application: their callbacks are stored, unexpected, with no link.
	other, err := fake.Client().CreateVideoRoom(context.Background(), gurulize.VideoRoomRequest{StartAt: start, Duration: 30 * time.Minute})
	require.NoError(t, err)
	otherCall, err := fake.Client().RegisterCall(context.Background(), gurulize.CallRequest{Caller: "5321234567", Callee: "5427654321", MaxDuration: time.Minute})
	require.NoError(t, err)
	fake.Advance(time.Hour)
	waitDelivered(t, fake)
	require.NoError(t, tp.ForceFlush(context.Background()))

	// The creation spans: children of the caller's span, named for what
	// they created, each with the SDK's INTERNAL span under it.
	creations := map[string]trace.SpanContext{}
	for _, span := range sr.Ended() {
		switch span.Name() {
		case "create video room", "register call":
			assert.Equal(t, parent.SpanContext().SpanID(), span.Parent().SpanID(), span.Name())
			assert.Equal(t, parent.SpanContext().TraceID(), span.SpanContext().TraceID(), span.Name())
			creations[span.Name()] = span.SpanContext()
		}
	}
	require.Len(t, creations, 2)
	for _, span := range sr.Ended() {
		switch span.SpanContext().SpanID() {
		case creations["create video room"].SpanID():
			assert.Equal(t, room.UUID, attr(span, otelgurulize.AttrRoomUUID))
		case creations["register call"].SpanID():
			assert.Equal(t, strconv.FormatInt(call.ID, 10), attr(span, otelgurulize.AttrCallID))
		}
	}
	var sdkSpans int
	for _, span := range sr.Ended() {
		if span.Name() == "gurulize.CreateVideoRoom" && span.Parent().SpanID() == creations["create video room"].SpanID() ||
			span.Name() == "gurulize.RegisterCall" && span.Parent().SpanID() == creations["register call"].SpanID() {
			sdkSpans++
		}
	}
	assert.Equal(t, 2, sdkSpans, "the SDK's spans are under the creation spans")

	// The rows hold the creation spans' traceparents; the others none.
	conn := connect(t, dsn)
	var stored, none *string
	require.NoError(t, conn.QueryRow(context.Background(), rooms.traced, room.UUID).Scan(&stored))
	require.NotNil(t, stored)
	assert.Equal(t, "00-"+creations["create video room"].TraceID().String()+"-"+creations["create video room"].SpanID().String()+"-01", *stored)
	require.NoError(t, conn.QueryRow(context.Background(), rooms.traced, other.UUID).Scan(&none))
	assert.Nil(t, none)

	// Every callback span of the room and the call links to its creation;
	// those of the others link to nothing.
	linked := map[string]int{}
	for _, span := range sr.Ended() {
		if span.SpanKind() != trace.SpanKindServer {
			continue
		}
		var want trace.SpanContext
		switch {
		case attr(span, otelgurulize.AttrRoomUUID) == room.UUID:
			want = creations["create video room"]
		case attr(span, otelgurulize.AttrCallID) == strconv.FormatInt(call.ID, 10):
			want = creations["register call"]
		case attr(span, otelgurulize.AttrRoomUUID) == other.UUID, attr(span, otelgurulize.AttrCallID) == strconv.FormatInt(otherCall.ID, 10):
			assert.Empty(t, span.Links(), "a callback of something the application did not create")
			linked["none"]++
			continue
		default:
			t.Errorf("a callback span of nothing created: %v", span.Attributes())
			continue
		}
		require.Len(t, span.Links(), 1, "callback span %v", span.Attributes())
		link := span.Links()[0].SpanContext
		assert.Equal(t, want.TraceID(), link.TraceID())
		assert.Equal(t, want.SpanID(), link.SpanID())
		assert.NotEqual(t, want.TraceID(), span.SpanContext().TraceID(), "a callback starts a trace of its own")
		linked[want.SpanID().String()]++
	}
	assert.Positive(t, linked[creations["create video room"].SpanID().String()], "room callbacks")
	assert.Positive(t, linked[creations["register call"].SpanID().String()], "call callbacks")
	assert.Positive(t, linked["none"], "callbacks of the others")

	// No secret in any span: name, attribute, event, status or link.
	secrets := []string{tracedPassword, url.QueryEscape(tracedPassword), url.PathEscape(tracedPassword), tracedToken,
		room.HostURL, room.GuestURL, other.HostURL, other.GuestURL}
	for _, span := range sr.Ended() {
		var b strings.Builder
		b.WriteString(span.Name() + "\n" + span.Status().Description + "\n")
		for _, kv := range span.Attributes() {
			b.WriteString(string(kv.Key) + "=" + kv.Value.Emit() + "\n")
		}
		for _, ev := range span.Events() {
			b.WriteString(ev.Name + "\n")
			for _, kv := range ev.Attributes {
				b.WriteString(string(kv.Key) + "=" + kv.Value.Emit() + "\n")
			}
		}
		for _, l := range span.Links() {
			b.WriteString(l.SpanContext.TraceState().String() + "\n")
			for _, kv := range l.Attributes {
				b.WriteString(string(kv.Key) + "=" + kv.Value.Emit() + "\n")
			}
		}
		for _, secret := range secrets {
			require.NotEmpty(t, secret)
			assert.NotContains(t, b.String(), secret, "span %q", span.Name())
		}
	}
}

func TestRowsFromBeforeTheTraceparentColumnKeepWorking(t *testing.T) {
	dsn := freshSchema(t)
	ctx := context.Background()
	old := openStore(t, dsn)
	require.NoError(t, old.SaveVideoEvent(ctx, videoEvent("old-room", gurulize.EventJoin, gurulize.SourceHost, 0)))
	require.NoError(t, old.SaveVoiceStatus(ctx, gurulize.VoiceStatus{ID: 7, Code: gurulize.StatusCallsStarting, Time: t0}))
	// The tables as the earlier version of the example left them.
	conn := connect(t, dsn)
	_, err := conn.Exec(ctx, `ALTER TABLE gurulize_rooms DROP COLUMN traceparent; ALTER TABLE gurulize_calls DROP COLUMN traceparent`)
	require.NoError(t, err)

	s := openStore(t, dsn) // brings the tables up to date
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	spanCtx, span := tp.Tracer("test").Start(ctx, "create video room")
	require.NoError(t, s.ExpectRoom(spanCtx, &gurulize.VideoRoom{UUID: "old-room"}, gurulize.VideoRoomRequest{StartAt: t0, Duration: time.Hour}))
	span.End()
	require.NoError(t, s.SaveVideoEvent(ctx, videoEvent("old-room", gurulize.EventJoin, gurulize.SourceGuest, time.Second)))
	require.NoError(t, s.SaveVoiceStatus(ctx, gurulize.VoiceStatus{ID: 7, Code: gurulize.StatusCallerConnected, Time: t0.Add(time.Second)}))

	var room, call *string
	require.NoError(t, conn.QueryRow(ctx, rooms.traced, "old-room").Scan(&room))
	require.NoError(t, conn.QueryRow(ctx, calls.traced, int64(7)).Scan(&call))
	require.NotNil(t, room, "the creation recorded after the upgrade")
	assert.Equal(t, *traceparentOf(spanCtx), *room, "a later callback keeps it")
	assert.Nil(t, call, "a row from before the column, never expected")
	sum, ok, err := s.Room(ctx, "old-room")
	require.NoError(t, err)
	require.True(t, ok)
	assert.True(t, sum.Expected)
}

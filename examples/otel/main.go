// Command otel shows package otelgurulize at work, with no account and no
// collector: it starts the fake Gurulize (gurulizetest) and the SDK's two
// callback handlers on loopback, creates a video room and registers a
// click-to-call through an instrumented client, lets the fake play them,
// and prints every span with OpenTelemetry's stdout exporter.
//
// The room's creation and its callbacks are joined twice over: the UUID is
// on both under gurulize.room.uuid (the call's ID under gurulize.call.id),
// and the application keeps the span that created each room in a map, so
// that every callback span of the room carries a span link to it.
//
//	go run .
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
	"github.com/gurulize/gurulize-go/otelgurulize"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "otel:", err)
		os.Exit(1)
	}
}

// run is the program; spans and the closing summary go to w.
func run(ctx context.Context, w io.Writer) error {
	exporter, err := stdouttrace.New(stdouttrace.WithWriter(w), stdouttrace.WithoutTimestamps())
	if err != nil {
		return err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", "consultations"))))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	telemetry := []otelgurulize.Option{otelgurulize.WithTracerProvider(tp)}

	// The callback endpoint, its token in the path as the provider is given it.
	token := newCallbackToken()
	created := &createdRooms{spans: map[string]trace.SpanContext{}}
	mux := http.NewServeMux()
	mux.Handle("POST /gurulize/video/{token}", gurulize.NewVideoEventHandler(
		func(ctx context.Context, ev gurulize.VideoEvent) error {
			// ctx holds the callback's SERVER span: link it to the span
			// that created the room.
			if sc, ok := created.get(ev.RoomUUID); ok {
				trace.SpanFromContext(ctx).AddLink(trace.Link{SpanContext: sc})
			}
			return nil
		},
		gurulize.WithCallbackToken(token), otelgurulize.HandlerOption(telemetry...)))
	mux.Handle("/gurulize/voice/{token}", gurulize.NewVoiceStatusHandler(
		func(context.Context, gurulize.VoiceStatus) error { return nil },
		gurulize.WithCallbackToken(token), otelgurulize.HandlerOption(telemetry...)))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 15 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer func() { _ = srv.Shutdown(context.Background()) }()
	base := "http://" + ln.Addr().String()

	// The fake Gurulize, on a clock that moves only when told to.
	fake, err := gurulizetest.NewServer(
		gurulizetest.WithVideoCallbackURL(base+"/gurulize/video/"+token),
		gurulizetest.WithVoiceCallbackURL(base+"/gurulize/voice/"+token),
		gurulizetest.WithManualClock(time.Time{}),
		gurulizetest.WithRoomScript(gurulizetest.Meet(20*time.Minute)),
		gurulizetest.WithCallScript(gurulizetest.Answered(3*time.Minute)),
	)
	if err != nil {
		return err
	}
	defer fake.Close()
	client, err := gurulize.NewClient(gurulizetest.DefaultUsername, gurulizetest.DefaultPassword,
		gurulize.WithVideoURL(fake.VideoURL()), gurulize.WithVoiceURL(fake.VoiceURL()),
		otelgurulize.ClientOption(telemetry...))
	if err != nil {
		return err
	}

	// The application's own span, around the SDK's.
	ctx, span := tp.Tracer("consultations").Start(ctx, "schedule consultation")
	room, err := client.CreateVideoRoom(ctx, gurulize.VideoRoomRequest{Duration: 30 * time.Minute, StartAt: fake.Advance(0).Add(time.Minute)})
	if err != nil {
		span.End()
		return err
	}
	created.put(room.UUID, span.SpanContext())
	call, err := client.RegisterCall(ctx, gurulize.CallRequest{Caller: "5321234567", Callee: "5427654321", MaxDuration: 10 * time.Minute})
	span.End()
	if err != nil {
		return err
	}

	fake.Advance(time.Hour) // the meeting and the call play out
	if err := fake.WaitIdle(ctx); err != nil {
		return err
	}
	for _, d := range fake.Deliveries() {
		if d.Err != "" {
			return errors.New("a callback was not delivered: " + d.Err)
		}
	}
	if err := tp.ForceFlush(ctx); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nroom %s: its creation and callbacks share gurulize.room.uuid=%q\n", room.UUID, room.UUID)
	fmt.Fprintf(w, "call %d: its registration and status callbacks share gurulize.call.id=%d\n", call.ID, call.ID)
	return nil
}

// createdRooms remembers the span that created each room, for the links of
// its callbacks. A real application keeps it with the room (for instance a
// traceparent column) and forgets it when the room ends.
type createdRooms struct {
	mu    sync.Mutex
	spans map[string]trace.SpanContext
}

func (c *createdRooms) put(uuid string, sc trace.SpanContext) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.spans[uuid] = sc
}

func (c *createdRooms) get(uuid string) (trace.SpanContext, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	sc, ok := c.spans[uuid]
	return sc, ok
}

// newCallbackToken returns 32 random bytes in base64url without padding:
// 43 characters, all of them allowed in a URL as they are.
func newCallbackToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

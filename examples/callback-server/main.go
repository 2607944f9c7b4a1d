// Command callback-server receives the Gurulize video room and voice status
// callbacks, prints each typed event, and prints a room's or call's summary
// whenever it changes.
//
//	export GURULIZE_CALLBACK_TOKEN=$(openssl rand -hex 24)
//	go run ./examples/callback-server -addr :8080
//
// Then give the provider these addresses (behind HTTPS in production):
//
//	https://your.host/gurulize/video/<token>   video room events (POST, JSON)
//	https://your.host/gurulize/voice/<token>   call statuses (GET query or POST form)
//
// SIGINT or SIGTERM stops it gracefully: requests in flight are finished.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/gurulize/gurulize-go"
)

// tokenEnv names the environment variable that holds the callback token.
const tokenEnv = "GURULIZE_CALLBACK_TOKEN"

func main() {
	addr := flag.String("addr", ":8080", "address to listen on")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stdout, nil))

	token := os.Getenv(tokenEnv)
	if token == "" {
		fmt.Fprintf(os.Stderr, "callback-server: set %s to a token of at least 16 letters, digits, '-', '.', '_' or '~', such as $(openssl rand -hex 24)\n", tokenEnv)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		logger.Error("listen", "error", err)
		os.Exit(1)
	}
	logger.Info("listening", "addr", ln.Addr().String())
	a := newApp(logger)
	go a.forgetOldEntries(ctx, time.Hour, 48*time.Hour)
	if err := serve(ctx, ln, newServer(a.handler(token), logger)); err != nil {
		logger.Error("serve", "error", err)
		os.Exit(1)
	}
	logger.Info("stopped")
}

// newServer returns a server with timeouts suited to small callback
// requests, so slow or idle clients cannot hold connections open.
func newServer(h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,  // the request line and headers
		ReadTimeout:       10 * time.Second, // the whole request, body included
		WriteTimeout:      15 * time.Second, // from the end of the headers to the end of the reply
		IdleTimeout:       60 * time.Second, // between requests on a kept-alive connection
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// serve runs srv on ln until ctx is done, then shuts it down, giving
// requests in flight up to 10 seconds to finish.
func serve(ctx context.Context, ln net.Listener, srv *http.Server) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// app folds callbacks into trackers and prints what changes.
type app struct {
	logger *slog.Logger
	rooms  *gurulize.RoomTracker
	calls  *gurulize.CallTracker

	// mu makes reading the summary before an event and applying it one
	// step, so each change is printed once even when callbacks for the same
	// room or call arrive together.
	mu sync.Mutex
}

func newApp(logger *slog.Logger) *app {
	return &app{logger: logger, rooms: gurulize.NewRoomTracker(), calls: gurulize.NewCallTracker()}
}

// handler mounts both callback handlers behind the token, and a health check.
func (a *app) handler(token string) http.Handler {
	opts := []gurulize.HandlerOption{gurulize.WithCallbackToken(token), gurulize.WithCallbackLogger(a.logger)}
	mux := http.NewServeMux()
	mux.Handle("POST /gurulize/video/{token}", gurulize.NewVideoEventHandler(a.video, opts...))
	mux.Handle("/gurulize/voice/{token}", gurulize.NewVoiceStatusHandler(a.voice, opts...)) // GET or POST; other methods get 405
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	return mux
}

func (a *app) video(ctx context.Context, ev gurulize.VideoEvent) error {
	a.logger.InfoContext(ctx, "video event", slog.Group("event",
		"code", ev.Code, "source", ev.Source, "room_uuid", ev.RoomUUID, "received_at", ev.ReceivedAt,
		"reason", ev.Reason, "meeting_total_duration", ev.MeetingTotalDuration))
	a.mu.Lock()
	defer a.mu.Unlock()
	before, _ := a.rooms.Room(ev.RoomUUID)
	if after := a.rooms.Apply(ev); after != before {
		a.logger.InfoContext(ctx, "room changed", slog.Group("room",
			"room_uuid", after.RoomUUID, "activated", after.Activated, "meetings", after.Meetings,
			"billed", after.Billed, "ended", after.Ended, "end_reason", after.EndReason,
			"host_present", after.HostPresent, "guest_present", after.GuestPresent))
	}
	return nil
}

func (a *app) voice(ctx context.Context, st gurulize.VoiceStatus) error {
	a.logger.InfoContext(ctx, "voice status", slog.Group("status",
		"id", st.ID, "code", st.Code.String(), "desc", st.Desc, "cause", st.Cause, "time", st.Time))
	a.mu.Lock()
	defer a.mu.Unlock()
	before, _ := a.calls.Call(st.ID)
	if after := a.calls.Apply(st); after != before {
		a.logger.InfoContext(ctx, "call changed", slog.Group("call",
			"id", after.ID, "outcome", after.Outcome, "final", after.Final,
			"talk_time", after.TalkTime, "failed_party", after.FailedParty))
	}
	return nil
}

// forgetOldEntries drops, every interval, the rooms and calls that no event
// changed for maxAge (by this server's clock), so memory stays bounded however long the server runs. A real
// application would store final summaries before they are dropped.
func (a *app) forgetOldEntries(ctx context.Context, interval, maxAge time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			rooms := a.rooms.ForgetBefore(now.Add(-maxAge))
			calls := a.calls.ForgetBefore(now.Add(-maxAge))
			if rooms+calls > 0 {
				a.logger.InfoContext(ctx, "forgot old entries", "rooms", rooms, "calls", calls)
			}
		}
	}
}

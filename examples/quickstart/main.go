// Command quickstart shows the whole SDK at work, with no account and no
// setup:
//
//	go run ./examples/quickstart
//
// It starts gurulizetest's fake Gurulize on a loopback port, mounts the SDK's
// two callback handlers on another, creates a video room and registers a
// click-to-call, and prints what happens as the fake plays them: the room's
// links, each typed room event and call status as it arrives, and what the
// trackers make of them (billed time, call outcome, talk time). The fake's
// time runs 2000 times faster than real time, so a half-hour meeting takes
// about a second, while the timestamps in the callbacks stay realistic.
//
// With GURULIZE_USERNAME and GURULIZE_PASSWORD (and GURULIZE_VOICE_URL) set,
// it talks to the real API instead and says so. It then rings phones only
// when given -caller and -callee, and it hears callbacks only when the
// provider can reach it: pass -callback-url with a public address that
// forwards to -listen, and configure the addresses it prints with the
// provider.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Stdout, os.Args[1:], os.Getenv)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// options are the command line flags.
type options struct {
	caller, callee string
	callbackURL    string
	listen         string
	token          string
	wait           time.Duration
	scale          float64
}

func parseFlags(args []string, getenv func(string) string) (options, error) {
	var o options
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.StringVar(&o.caller, "caller", "", "real API only: the phone rung first")
	fs.StringVar(&o.callee, "callee", "", "real API only: the phone connected once the caller answers")
	fs.StringVar(&o.callbackURL, "callback-url", "", "real API only: public base URL that forwards to -listen, for the provider's callbacks")
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8080", "real API only: address for the callback handlers, with -callback-url")
	fs.StringVar(&o.token, "token", getenv("GURULIZE_CALLBACK_TOKEN"), "real API only: secret in the callback paths (default $GURULIZE_CALLBACK_TOKEN, else random)")
	fs.DurationVar(&o.wait, "wait", time.Hour, "real API only: how long to listen for callbacks (Ctrl-C ends sooner)")
	fs.Float64Var(&o.scale, "scale", 2000, "with the fake: how many times faster than real time it plays")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.token == "" {
		o.token = randomToken()
	}
	return o, nil
}

// run is the program; it writes the story to w.
func run(ctx context.Context, w io.Writer, args []string, getenv func(string) string) error {
	o, err := parseFlags(args, getenv)
	if err != nil {
		return err
	}
	if getenv("GURULIZE_USERNAME") != "" {
		return runReal(ctx, w, o)
	}
	return runFake(ctx, w, o)
}

// runFake plays a room and a call on the fake and prints the story.
func runFake(ctx context.Context, w io.Writer, o options) error {
	st := newStory(w)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	stopCallbacks := serveCallbacks(ln, st.handler(o.token))
	defer stopCallbacks()
	base := "http://" + ln.Addr().String()

	fake, err := gurulizetest.NewServer(
		gurulizetest.WithVideoCallbackURL(base+"/gurulize/video/"+o.token),
		gurulizetest.WithVoiceCallbackURL(base+"/gurulize/voice/"+o.token),
		gurulizetest.WithTimeScale(o.scale),
		gurulizetest.WithRoomScript(gurulizetest.TwoBreaks()),
	)
	if err != nil {
		return err
	}
	defer fake.Close()

	fmt.Fprintf(w, "No GURULIZE_USERNAME set: running against gurulizetest, the SDK's fake Gurulize\n")
	fmt.Fprintf(w, "(API on %s, time %gx faster; callback timestamps stay realistic).\n", fake.URL(), o.scale)
	fmt.Fprintf(w, "Callback handlers on %s/gurulize/{video,voice}/<token>\n\n", base)

	client, err := gurulize.NewClient(gurulizetest.DefaultUsername, gurulizetest.DefaultPassword,
		gurulize.WithVideoURL(fake.VideoURL()),
		gurulize.WithVoiceURL(fake.VoiceURL()),
		gurulize.WithUserAgent("quickstart/1.0"),
	)
	if err != nil {
		return err
	}
	defer st.begin() // on every return, so no callback is left waiting
	room, reg, err := st.start(ctx, client, "5321234567", gurulizetest.NumberAnsweredFor(3*time.Minute),
		" (a magic test number: answered, 3 minutes of talk)")
	if err != nil {
		return err
	}
	st.header()
	st.begin()
	waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := fake.WaitIdle(waitCtx); err != nil {
		return err
	}
	st.summary(room.UUID, reg.ID)
	return nil
}

// runReal creates a room (and, given both numbers, registers a call) on the
// real API, and listens for callbacks when the provider can reach us.
func runReal(ctx context.Context, w io.Writer, o options) error {
	client, err := gurulize.NewClientFromEnv(gurulize.WithUserAgent("quickstart/1.0"))
	if err != nil {
		return err
	}
	st := newStory(w)
	st.printf("GURULIZE_USERNAME is set: talking to the real Gurulize API.\n")
	listening := o.callbackURL != ""
	if listening {
		cb, err := url.Parse(strings.TrimSuffix(o.callbackURL, "/"))
		if err != nil || cb.Scheme == "" || cb.Host == "" {
			return fmt.Errorf("-callback-url %q is not an absolute URL", o.callbackURL)
		}
		ln, err := net.Listen("tcp", o.listen)
		if err != nil {
			return err
		}
		stopCallbacks := serveCallbacks(ln, st.handler(o.token))
		defer stopCallbacks()
		defer st.begin() // on every return, so no callback is left waiting
		st.printf("Callback handlers on %s. Give the provider these addresses:\n", ln.Addr())
		st.printf("  video room events: %s/gurulize/video/%s\n", cb, o.token)
		st.printf("  call statuses:     %s/gurulize/voice/%s\n", cb, o.token)
	}
	st.printf("\n")

	caller, callee := o.caller, o.callee
	if caller == "" || callee == "" {
		caller, callee = "", ""
	}
	room, reg, err := st.start(ctx, client, caller, callee, "")
	if err != nil {
		return err
	}
	if caller == "" {
		st.printf("No call placed: pass -caller and -callee to ring two real phones.\n")
	}
	if !listening {
		st.printf("\nThe provider sends callbacks to the addresses configured for your account,\n")
		st.printf("so they cannot reach this program. To watch them arrive, run it again with\n")
		st.printf("-callback-url set to a public HTTPS address that forwards to -listen, or run\n")
		st.printf("examples/callback-server (or `gurulize listen`) behind such an address.\n")
		return nil
	}
	st.printf("\nListening for callbacks for %v (Ctrl-C to stop)…\n", o.wait)
	st.header()
	st.begin()
	waitCtx, cancel := context.WithTimeout(ctx, o.wait)
	defer cancel()
	<-waitCtx.Done()
	var id int64
	if reg != nil {
		id = reg.ID
	}
	st.summary(room.UUID, id)
	return nil
}

// story prints what happens and folds the callbacks into trackers.
type story struct {
	mu      sync.Mutex
	w       io.Writer
	started chan struct{} // closed by begin; callbacks wait for it
	once    sync.Once
	origin  time.Time // the story's time zero: the room's start
	rooms   *gurulize.RoomTracker
	calls   *gurulize.CallTracker
}

func newStory(w io.Writer) *story {
	return &story{
		w:       w,
		started: make(chan struct{}),
		origin:  time.Now().Truncate(time.Second),
		rooms:   gurulize.NewRoomTracker(),
		calls:   gurulize.NewCallTracker(),
	}
}

// start creates a room starting now and, when callee is set, registers a
// call (note says what to expect of it), printing both. reg is nil when no
// call was registered.
func (s *story) start(ctx context.Context, client *gurulize.Client, caller, callee, note string) (*gurulize.VideoRoom, *gurulize.CallRegistration, error) {
	room, err := client.CreateVideoRoom(ctx, gurulize.VideoRoomRequest{
		Duration: 45 * time.Minute,
		StartAt:  s.origin,
		EndHow:   gurulize.EndAutomatic,
		EndWhen:  gurulize.EndAtEndTime,
	})
	if err != nil {
		return nil, nil, explain(err)
	}
	s.printf("Room %s created (45 minutes, ends automatically).\n", room.UUID)
	s.printf("  host link:  %s\n  guest link: %s\n", room.HostURL, room.GuestURL)
	var reg *gurulize.CallRegistration
	if callee != "" {
		reg, err = client.RegisterCall(ctx, gurulize.CallRequest{Caller: caller, Callee: callee, MaxDuration: 10 * time.Minute})
		if err != nil {
			return nil, nil, explain(err)
		}
		s.printf("Call %d registered (%s): %s rings first, then %s%s.\n", reg.ID, reg.Message, caller, callee, note)
	}
	return room, reg, nil
}

// explain adds what to do about the errors a newcomer meets first.
func explain(err error) error {
	var ve *gurulize.ValidationError
	switch {
	case errors.Is(err, gurulize.ErrInvalidCredentials):
		return fmt.Errorf("check GURULIZE_USERNAME and GURULIZE_PASSWORD: %w", err)
	case errors.Is(err, gurulize.ErrNoVoiceURL):
		return fmt.Errorf("set GURULIZE_VOICE_URL to the address the provider gave you: %w", err)
	case errors.As(err, &ve):
		return fmt.Errorf("fix %s: %s (nothing was sent)", ve.Field, ve.Reason)
	}
	return err
}

func (s *story) printf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(s.w, format, args...)
}

// handler mounts the SDK's two callback handlers behind the token.
func (s *story) handler(token string) http.Handler {
	opt := gurulize.WithCallbackToken(token)
	mux := http.NewServeMux()
	mux.Handle("POST /gurulize/video/{token}", gurulize.NewVideoEventHandler(s.video, opt))
	mux.Handle("/gurulize/voice/{token}", gurulize.NewVoiceStatusHandler(s.voice, opt))
	return mux
}

func (s *story) video(ctx context.Context, ev gurulize.VideoEvent) error {
	if err := s.wait(ctx); err != nil {
		return err
	}
	s.rooms.Apply(ev)
	line := fmt.Sprintf("%s  room  %-16s %s", s.clock(ev.ReceivedAt), ev.Code, ev.Source)
	if ev.Code == gurulize.EventMeetingEnded {
		reason := string(ev.Reason)
		if reason == "" {
			reason = "connection lost"
		}
		line += fmt.Sprintf(" (%s), %s of meetings so far", reason, ev.MeetingTotalDuration)
	}
	s.printf("%s\n", line)
	return nil
}

func (s *story) voice(ctx context.Context, st gurulize.VoiceStatus) error {
	if err := s.wait(ctx); err != nil {
		return err
	}
	s.calls.Apply(st)
	s.printf("%s  call  %s\n", s.clock(st.Time), st.Code)
	return nil
}

// begin prints the callbacks from now on; until then they wait, so the
// story reads in order. It may be called more than once.
func (s *story) begin() {
	s.once.Do(func() { close(s.started) })
}

// header introduces the callbacks.
func (s *story) header() {
	s.printf("\nWhat happens, in the callbacks' own time (+minutes:seconds from the room's start):\n")
}

// wait holds a callback until begin.
func (s *story) wait(ctx context.Context) error {
	select {
	case <-s.started:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// clock prints t as minutes and seconds since the story began.
func (s *story) clock(t time.Time) string {
	d := t.Sub(s.origin).Truncate(time.Second)
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	return fmt.Sprintf("%s%02d:%02d", sign, int(d/time.Minute), int(d%time.Minute/time.Second))
}

// summary prints what the trackers made of the callbacks.
func (s *story) summary(roomUUID string, callID int64) {
	var b strings.Builder
	b.WriteString("\nSummary\n")
	if r, ok := s.rooms.Room(roomUUID); ok {
		state := "still open"
		if r.Ended {
			state = "ended by " + string(r.EndReason)
		}
		meetings := fmt.Sprintf("%d meetings", r.Meetings)
		if r.Meetings == 1 {
			meetings = "1 meeting"
		}
		fmt.Fprintf(&b, "  room: billed %s over %s, %s\n", r.Billed, meetings, state)
	} else {
		b.WriteString("  room: no callbacks received\n")
	}
	if callID != 0 {
		if c, ok := s.calls.Call(callID); ok {
			fmt.Fprintf(&b, "  call: %s, talk time %s\n", c.Outcome, c.TalkTime)
		} else {
			b.WriteString("  call: no callbacks received\n")
		}
	}
	s.printf("%s", b.String())
}

// serveCallbacks serves h on ln with timeouts suited to small callback
// requests, and returns a function that shuts it down.
func serveCallbacks(ln net.Listener, h http.Handler) (stop func()) {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	}
}

func randomToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

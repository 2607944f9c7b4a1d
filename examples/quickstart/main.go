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
// it talks to the endpoints they name instead, and says which: the real
// API (GURULIZE_VIDEO_URL, else gurulize.DefaultVideoURL), or a fake (the
// test account of gurulizetest, as "gurulize fake" suggests exporting, or
// any server on this machine). With a real account it rings two real
// phones and waits for the provider's callbacks, so it needs -caller,
// -callee and -callback-url (a public address that forwards to -listen;
// configure the addresses it prints with the provider) and checks that they
// are all there before sending anything.
package main

import (
	"context"
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
	fs.StringVar(&o.caller, "caller", "", "with GURULIZE_USERNAME (required with a real account): the phone rung first, a national number in digits such as 5321234567")
	fs.StringVar(&o.callee, "callee", "", "with GURULIZE_USERNAME (required with a real account): the phone connected once the caller answers")
	fs.StringVar(&o.callbackURL, "callback-url", "", "with GURULIZE_USERNAME (required with a real account): public base URL that forwards to -listen, for the provider's callbacks")
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8080", "with -callback-url: address for the callback handlers")
	fs.StringVar(&o.token, "token", getenv("GURULIZE_CALLBACK_TOKEN"), "with -callback-url: secret in the callback paths (default $GURULIZE_CALLBACK_TOKEN, else random)")
	fs.DurationVar(&o.wait, "wait", time.Hour, "with -callback-url: how long to listen for callbacks (Ctrl-C ends sooner)")
	fs.Float64Var(&o.scale, "scale", 2000, "with the fake: how many times faster than real time it plays")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.token == "" {
		o.token = gurulize.NewCallbackToken()
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
		return runConfigured(ctx, w, o, getenv)
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
	fmt.Fprintf(w, "(video API on %s, time %gx faster; callback timestamps stay realistic).\n", fake.VideoURL(), o.scale)
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

// runConfigured creates a room (and, given both numbers, registers a call)
// on the endpoints the environment names, and listens for callbacks when the
// provider can reach us. With a real account it needs every input first.
func runConfigured(ctx context.Context, w io.Writer, o options, getenv func(string) string) error {
	ep := endpointsFrom(getenv)
	if ep.real() {
		var missing []string
		for _, in := range []struct{ name, value string }{{"-caller", o.caller}, {"-callee", o.callee}, {"-callback-url", o.callbackURL}} {
			if in.value == "" {
				missing = append(missing, in.name)
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("GURULIZE_USERNAME is set: with a real account the quickstart rings two real phones "+
				"and listens for the provider's callbacks, so it needs -caller, -callee and -callback-url; missing: %s (nothing was sent)",
				strings.Join(missing, ", "))
		}
	}
	client, err := gurulize.NewClientFromEnv(gurulize.WithUserAgent("quickstart/1.0"))
	if err != nil {
		return err
	}
	st := newStory(w)
	st.printf("%s", ep.describe())
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

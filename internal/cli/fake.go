// fake.go: gurulize fake, the gurulizetest fake as a standalone server, and
// its report of each request and callback delivery.

package cli

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/gurulize/gurulize-go/gurulizetest"
	"github.com/gurulize/gurulize-go/internal/fakeerr"
)

const fakeHelp = `
gurulize fake: run a fake Gurulize (the gurulizetest package) as a server.

It answers both APIs as the provider's reference describes them, accepts one
test account, and plays every room and call it creates by sending the
provider's callbacks to the addresses you give: for testing integrations
written in any language. Callee numbers select what a call does:

%s  any other   answered, 1 minute of talk

A room created with durationInMinutes 999 loses its MEETING_ENDED callbacks
on purpose, to test reconciliation.

Callbacks go to the addresses as given: with "gurulize listen --token TOKEN"
(or the SDK's handlers behind "POST /gurulize/video/{token}"), those are
http://HOST/gurulize/video/TOKEN and http://HOST/gurulize/voice/TOKEN.

Examples:
  gurulize fake
  gurulize fake --addr 127.0.0.1:8090 --video-callback http://127.0.0.1:8080/gurulize/video/TOKEN \
                --voice-callback http://127.0.0.1:8080/gurulize/voice/TOKEN --time-scale 60
  gurulize fake --json
`

// magicNumberTable lists the fake's magic callee numbers for the help, one
// a line, from the table the fake plays calls by.
func magicNumberTable() string {
	var b strings.Builder
	numbers := gurulizetest.MagicNumbers()
	for _, n := range slices.Sorted(maps.Keys(numbers)) {
		fmt.Fprintf(&b, "  %-10s  %s\n", n, numbers[n])
	}
	return b.String()
}

func fake(ctx context.Context, sys IO, args []string) int {
	fs := newCommand("fake", fmt.Sprintf(fakeHelp, magicNumberTable()))
	addr := fs.String("addr", "127.0.0.1:8090", "address to listen on")
	videoCallback := fs.String("video-callback", "", "where room events are POSTed (none: not sent)")
	voiceCallback := fs.String("voice-callback", "", "where call statuses are sent, as a GET (none: not sent)")
	username := fs.String("username", gurulizetest.DefaultUsername, "the test account's username")
	password := fs.String("password", gurulizetest.DefaultPassword, "the test account's password")
	scale := fs.Float64("time-scale", 0, "play rooms and calls this many times faster than real time (0: send every callback at once)")
	duplicate := fs.Bool("duplicate", false, "deliver every callback twice")
	reorder := fs.Bool("reorder", false, "deliver each room's and call's callbacks in a shuffled order")
	asJSON := fs.Bool("json", false, "print the addresses and credentials, and then each request and callback, as JSON lines")
	if code, ok := fs.parse(sys, args); !ok {
		return code
	}
	opts := []gurulizetest.Option{
		gurulizetest.WithAddr(*addr),
		gurulizetest.WithAccount(*username, *password),
		gurulizetest.WithFaults(gurulizetest.Faults{Duplicate: *duplicate, Reorder: *reorder}),
	}
	switch {
	case *scale < 0 || math.IsNaN(*scale) || math.IsInf(*scale, 0):
		return fail(sys, "fake", *asJSON, usageError{name: "--time-scale", msg: fmt.Sprintf("must be a positive number, or 0 to send every callback at once; got %v", *scale)})
	case *username == "":
		return fail(sys, "fake", *asJSON, usageError{name: "--username", msg: "must not be empty"})
	case *password == "":
		return fail(sys, "fake", *asJSON, usageError{name: "--password", msg: "must not be empty"})
	}
	for flagName, u := range map[string]string{"--video-callback": *videoCallback, "--voice-callback": *voiceCallback} {
		if err := checkURLToken(flagName, u); err != nil {
			return fail(sys, "fake", *asJSON, err)
		}
	}
	if *scale > 0 {
		opts = append(opts, gurulizetest.WithTimeScale(*scale))
	}
	if *videoCallback != "" {
		opts = append(opts, gurulizetest.WithVideoCallbackURL(*videoCallback))
	}
	if *voiceCallback != "" {
		opts = append(opts, gurulizetest.WithVoiceCallbackURL(*voiceCallback))
	}
	srv, err := gurulizetest.NewServer(opts...)
	if errors.Is(err, syscall.EADDRINUSE) {
		return fail(sys, "fake", *asJSON, addrProblem("--addr", *addr, err))
	}
	if err != nil {
		return fail(sys, "fake", *asJSON, fakeError(err))
	}
	defer srv.Close()
	base := strings.TrimSuffix(srv.VideoURL(), "/webrtc-meeting/room/create")

	p := &printer{out: sys.Stdout, json: *asJSON}
	p.line(map[string]any{
		"type": "fake", "url": base, "videoUrl": srv.VideoURL(), "voiceUrl": srv.VoiceURL(),
		"username": *username, "password": *password,
		"videoCallback": *videoCallback, "voiceCallback": *voiceCallback,
	}, fmt.Sprintf(`fake Gurulize on %s (the gurulizetest package; not the real service)
  video API:  GET  %s
  voice API:  POST %s
  username:   %s
  password:   %s
  room events:   %s
  call statuses: %s
For the SDK or the gurulize command:
  export GURULIZE_USERNAME=%s GURULIZE_PASSWORD=%s GURULIZE_VIDEO_URL=%s GURULIZE_VOICE_URL=%s
Stop with Ctrl-C.`,
		base, srv.VideoURL(), srv.VoiceURL(), *username, *password,
		orNone(*videoCallback, "--video-callback"), orNone(*voiceCallback, "--voice-callback"),
		*username, *password, srv.VideoURL(), srv.VoiceURL()))

	// Report what happens, polling the fake's records.
	var requests, deliveries int
	report := func() {
		reqs := srv.Requests()
		for _, r := range reqs[requests:] {
			p.line(map[string]any{"type": "request", "api": r.API, "method": r.Method, "path": r.Path, "status": r.Status, "reply": r.Reply},
				fmt.Sprintf("%s %-4s %s -> %d %s", time.Now().Format("15:04:05"), escape(r.Method), escape(r.Path), r.Status, escape(strings.TrimSpace(r.Reply))))
		}
		requests = len(reqs)
		dels := srv.Deliveries()
		for _, d := range dels[deliveries:] {
			kind, what := "video", fmt.Sprintf("room %s", d.RoomUUID)
			if d.RoomUUID == "" {
				kind, what = "voice", fmt.Sprintf("call %d", d.CallID)
			}
			result := fmt.Sprintf("%d after %d attempt(s)", d.Status, d.Attempts)
			if d.Err != "" {
				result = "not delivered: " + d.Err
			}
			p.line(map[string]any{"type": "callback", "kind": kind, "roomUuid": d.RoomUUID, "callId": d.CallID, "url": d.URL, "body": d.Body, "status": d.Status, "attempts": d.Attempts, "error": d.Err},
				fmt.Sprintf("%s callback %s %s -> %s", time.Now().Format("15:04:05"), kind, what, result))
		}
		deliveries = len(dels)
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			report()
		case <-ctx.Done():
			report()
			return ExitOK
		}
	}
}

func orNone(u, flagName string) string {
	if u == "" {
		return "not sent (set " + flagName + ")"
	}
	return u
}

// fakeFlags names the flag of each setting gurulizetest.NewServer can
// refuse. The checks above leave only these to fail.
var fakeFlags = map[fakeerr.Setting]string{
	fakeerr.Addr:             "--addr",
	fakeerr.VideoCallbackURL: "--video-callback",
	fakeerr.VoiceCallbackURL: "--voice-callback",
}

// fakeError reports an error from gurulizetest.NewServer as the flag at
// fault and why.
func fakeError(err error) usageError {
	var fe *fakeerr.Error
	if errors.As(err, &fe) {
		if name, ok := fakeFlags[fe.Setting]; ok {
			return usageError{name: name, msg: fe.Err.Error()}
		}
	}
	return usageError{name: "--addr", msg: strings.TrimPrefix(err.Error(), "gurulizetest: ")}
}

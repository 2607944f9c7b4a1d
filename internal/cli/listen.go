// listen.go: gurulize listen, the callback handlers of the SDK behind one
// address, and the printer of what they receive.

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gurulize/gurulize-go"
)

const listenHelp = `
gurulize listen: receive the provider's callbacks and print them as they arrive.

Serves both callback handlers: point your Gurulize account's callback
addresses at them (through a tunnel when developing). Each event or status is
printed as one line, its time as a UTC date and time, and the room or call
summary whenever it changes; what came from the wire is printed escaped (a
value with control characters or invalid UTF-8 is shown Go-quoted, such as
"\x1b[2J").

The token is the last segment of the path, as with the SDK's handlers behind
a mux pattern such as "POST /gurulize/video/{token}" (?token=TOKEN works too):

  video events:  POST /gurulize/video/TOKEN
  call statuses: GET  /gurulize/voice/TOKEN

On an address other machines can reach (such as :8080), listen needs a token:
without one anyone could send it callbacks. --no-token accepts that.

Examples:
  gurulize listen
  gurulize listen --addr :8080 --token "$(openssl rand -hex 16)"
  gurulize listen --json | jq .
`

func listen(ctx context.Context, sys IO, args []string) int {
	fs := newCommand("listen", listenHelp+expectHelp)
	expect := addExpectFlags(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (\":8080\" for every interface)")
	token := fs.String("token", "", "shared secret the callback URLs must carry (default $GURULIZE_CALLBACK_TOKEN)")
	noToken := fs.Bool("no-token", false, "accept callbacks without a token on a non-loopback --addr")
	asJSON := fs.Bool("json", false, "print one JSON object per line")
	record := fs.String("record", "", "append every callback received to this file, one JSON object per line, the token written {token} (see gurulize replay)")
	if code, ok := fs.parse(sys, args); !ok {
		return code
	}
	if *token == "" {
		*token = sys.Getenv("GURULIZE_CALLBACK_TOKEN")
	}
	if *token != "" && *noToken {
		return fail(sys, "listen", *asJSON, usageError{name: "--no-token", msg: "contradicts --token (or GURULIZE_CALLBACK_TOKEN): give one or the other"})
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fail(sys, "listen", *asJSON, usageError{name: "--addr", msg: err.Error()})
	}
	if *token == "" && !*noToken && !isLoopback(ln.Addr()) {
		ln.Close()
		return fail(sys, "listen", *asJSON, usageError{name: "--addr", msg: fmt.Sprintf(
			"%s is reachable from other machines, and without a token anyone who reaches it can send callbacks that "+
				"are printed as the provider's: set --token (or GURULIZE_CALLBACK_TOKEN), or pass --no-token to accept that", *addr)})
	}
	var rec *recorder
	if *record != "" { // opened once the address is accepted, so a refused listen creates no file
		if rec, err = openRecorder(*record, *token, sys.Stderr); err != nil {
			ln.Close()
			return fail(sys, "listen", *asJSON, usageError{name: "--record", msg: escape(err.Error())})
		}
		defer rec.Close()
	}
	p := &printer{out: sys.Stdout, json: *asJSON, color: sys.Terminal && sys.Getenv("NO_COLOR") == "", expect: expect}
	srv := &http.Server{
		Handler:           rec.wrap(newListenMux(p, *token)),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       60 * time.Second,
	}
	p.listening(ln.Addr().String(), *token)
	if rec != nil {
		p.line(map[string]any{"type": "recording", "file": *record}, "recording callbacks to "+escape(*record))
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err = <-served:
		return fail(sys, "listen", *asJSON, err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fail(sys, "listen", *asJSON, err)
	}
	<-served
	expect.report(p, time.Now())
	return ExitOK
}

// isLoopback reports whether addr is a loopback address (127.0.0.0/8, ::1),
// which only this machine can reach.
func isLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// newListenMux mounts both handlers, with the token as a query parameter or
// the last path segment, feeding trackers whose summaries p prints.
func newListenMux(p *printer, token string) http.Handler {
	var opts []gurulize.HandlerOption
	if token != "" {
		opts = append(opts, gurulize.WithCallbackToken(token))
	}
	rooms, calls := p.expect.trackers()
	video := gurulize.NewVideoEventHandler(func(_ context.Context, ev gurulize.VideoEvent) error {
		before, _ := rooms.Room(ev.RoomUUID)
		after := rooms.Apply(ev)
		p.videoEvent(ev, before, after)
		return nil
	}, opts...)
	voice := gurulize.NewVoiceStatusHandler(func(_ context.Context, st gurulize.VoiceStatus) error {
		before, _ := calls.Call(st.ID)
		after := calls.Apply(st)
		p.voiceStatus(st, before, after)
		return nil
	}, opts...)
	mux := http.NewServeMux()
	mux.Handle("/gurulize/video", video)
	mux.Handle("/gurulize/video/", video)
	mux.Handle("/gurulize/voice", voice)
	mux.Handle("/gurulize/voice/", voice)
	return mux
}

// printer writes one line per callback and per changed summary; handlers run
// concurrently, so lines are written under a lock.
type printer struct {
	mu     sync.Mutex
	out    io.Writer
	json   bool
	color  bool
	expect *expectations // nil: none
}

const (
	ansiReset  = "\x1b[0m"
	ansiDim    = "\x1b[2m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiRed    = "\x1b[31m"
	ansiCyan   = "\x1b[36m"
	ansiBold   = "\x1b[1m"
)

func (p *printer) paint(color, s string) string {
	if !p.color {
		return s
	}
	return color + s + ansiReset
}

func (p *printer) line(v any, text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.json {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(v)
		_, _ = p.out.Write(append(escapeJSON(bytes.TrimSuffix(b.Bytes(), []byte("\n"))), '\n'))
		return
	}
	fmt.Fprintln(p.out, text)
}

func (p *printer) listening(addr, token string) {
	q := ""
	if token != "" {
		q = "/" + token
	}
	p.line(map[string]any{"type": "listening", "url": "http://" + addr, "video": "/gurulize/video", "voice": "/gurulize/voice", "token": token != ""},
		fmt.Sprintf("listening on http://%s\n  video events:  POST http://%s/gurulize/video%s\n  call statuses: GET  http://%s/gurulize/voice%s",
			addr, addr, q, addr, q))
}

func (p *printer) videoEvent(ev gurulize.VideoEvent, before, after gurulize.RoomSummary) {
	color := ansiCyan
	switch ev.Code {
	case gurulize.EventMeetingStarted, gurulize.EventRoomActivated:
		color = ansiGreen
	case gurulize.EventMeetingEnded, gurulize.EventLeft:
		color = ansiYellow
	}
	parts := []string{p.paint(ansiDim, ev.ReceivedAt.UTC().Format("2006-01-02T15:04:05.000Z")), "video", p.paint(color, fmt.Sprintf("%-15s", escape(string(ev.Code)))), "room " + escape(ev.RoomUUID)}
	if ev.Source != "" {
		parts = append(parts, "by "+escape(string(ev.Source)))
	}
	if ev.Reason != "" {
		parts = append(parts, "reason "+escape(string(ev.Reason)))
	}
	if ev.MeetingTotalDuration > 0 {
		parts = append(parts, "total "+ev.MeetingTotalDuration.String())
	}
	p.line(map[string]any{"type": "video", "event": eventJSON(ev)}, strings.Join(parts, "  "))
	if note := p.expect.roomNote(after); roomChanged(before, after) {
		p.line(summaryLine("room", roomJSON(after), note), "  "+p.paint(ansiBold, roomText(after)+note))
	}
}

func (p *printer) voiceStatus(st gurulize.VoiceStatus, before, after gurulize.CallSummary) {
	color := ansiCyan
	switch {
	case st.Code == gurulize.StatusCallerClosed || st.Code == gurulize.StatusCalleeClosed:
		color = ansiYellow // how a call normally ends
	case st.Code.IsTerminal():
		color = ansiRed // busy, rejected, not answered, not connected, out of credits
	case st.Code == gurulize.StatusCalleeConnected || st.Code == gurulize.StatusCallerConnected:
		color = ansiGreen
	}
	parts := []string{p.paint(ansiDim, st.Time.UTC().Format("2006-01-02T15:04:05Z")), "voice", p.paint(color, fmt.Sprintf("%-20s", st.Code)), fmt.Sprintf("call %d", st.ID)}
	if st.Cause != "" {
		parts = append(parts, "cause "+escape(st.Cause))
	}
	p.line(map[string]any{"type": "voice", "status": statusJSON(st)}, strings.Join(parts, "  "))
	if note := p.expect.callNote(after); callChanged(before, after) {
		p.line(summaryLine("call", callJSON(after), note), "  "+p.paint(ansiBold, callText(after)+note))
	}
}

// roomChanged reports whether the state a reader cares about has changed.
func roomChanged(a, b gurulize.RoomSummary) bool {
	return a.Activated != b.Activated || a.Meetings != b.Meetings || a.Billed != b.Billed ||
		a.Ended != b.Ended || a.EndReason != b.EndReason
}

func callChanged(a, b gurulize.CallSummary) bool {
	return a.Outcome != b.Outcome || a.Final != b.Final || a.TalkTime != b.TalkTime
}

func roomText(s gurulize.RoomSummary) string {
	state := "open"
	switch {
	case s.Ended && s.EndReason != "":
		state = "ended (" + escape(string(s.EndReason)) + ")"
	case s.Ended:
		state = "ended"
	case s.Activated:
		state = "active"
	}
	return fmt.Sprintf("room %s %s: %d meeting(s), billed %s", escape(s.RoomUUID), state, s.Meetings, s.Billed)
}

func callText(s gurulize.CallSummary) string {
	text := fmt.Sprintf("call %d %s", s.ID, s.Outcome)
	if s.FailedParty != gurulize.PartyNone {
		text += " (" + strings.ToLower(string(s.FailedParty)) + ")"
	}
	if s.TalkTime > 0 {
		text += ", talk time " + s.TalkTime.String()
	}
	if s.Final {
		text += ", final"
	}
	return text
}

func roomJSON(s gurulize.RoomSummary) map[string]any {
	return map[string]any{
		"roomUuid": s.RoomUUID, "activated": s.Activated, "meetings": s.Meetings,
		"billedSeconds": s.Billed.Seconds(), "ended": s.Ended, "endReason": s.EndReason,
	}
}

func callJSON(s gurulize.CallSummary) map[string]any {
	return map[string]any{
		"id": s.ID, "outcome": s.Outcome, "final": s.Final,
		"talkTimeSeconds": s.TalkTime.Seconds(), "failedParty": s.FailedParty,
	}
}

func eventJSON(ev gurulize.VideoEvent) map[string]any {
	return map[string]any{
		"code": ev.Code, "eventSource": ev.Source, "receivedTime": ev.ReceivedAt, "reason": ev.Reason,
		"roomUuid": ev.RoomUUID, "meetingTotalDurationSeconds": ev.MeetingTotalDuration.Seconds(),
	}
}

func statusJSON(st gurulize.VoiceStatus) map[string]any {
	return map[string]any{"id": st.ID, "code": int(st.Code), "name": st.Code.String(), "desc": st.Desc, "cause": st.Cause, "time": st.Time}
}

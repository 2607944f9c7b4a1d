// story.go: the story the quickstart prints: the room and call it starts,
// each callback as it arrives (the SDK's handlers behind one mux), and what
// the trackers make of them.

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gurulize/gurulize-go"
)

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

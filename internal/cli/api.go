package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/gurulize/gurulize-go"
)

const roomHelp = `
gurulize room create: create a video room and print its UUID and links.

The links are bearer secrets: whoever holds one enters the room.

Examples:
  gurulize room create --duration 45m --start now
  gurulize room create --duration 1h --start "2026-12-01T15:00:00+03:00" --end-how BY_HOST
  gurulize room create --duration 30m --start +10m --lang tr --json
`

func roomCreate(ctx context.Context, sys IO, args []string) int {
	fs := newCommand(sys, "room create", roomHelp)
	var cf clientFlags
	cf.register(fs)
	duration := fs.Duration("duration", 0, "maximum meeting length, whole minutes (required), e.g. 45m")
	start := fs.String("start", "now", "when the meeting starts: now, +10m, or an RFC 3339 time")
	endHow := fs.String("end-how", "", "how the meeting ends: AUTOMATIC or BY_HOST")
	endWhen := fs.String("end-when", "", "when the meeting ends: END_TIME or END_OF_DURATION")
	if code, ok := fs.parse(sys, args); !ok {
		return code
	}
	startAt, err := parseStart(*start, time.Now())
	if err != nil {
		return fail(sys, "room create", cf.json, err)
	}
	client, err := cf.client(sys)
	if err != nil {
		return fail(sys, "room create", cf.json, err)
	}
	room, err := client.CreateVideoRoom(ctx, gurulize.VideoRoomRequest{
		Duration: *duration,
		StartAt:  startAt,
		EndHow:   gurulize.EndHow(*endHow),
		EndWhen:  gurulize.EndWhen(*endWhen),
		Language: gurulize.Language(cf.lang),
	})
	if err != nil {
		return fail(sys, "room create", cf.json, err)
	}
	if cf.json {
		printJSON(sys, struct {
			UUID     string `json:"uuid"`
			HostURL  string `json:"hostUrl"`
			GuestURL string `json:"guestUrl"`
		}{room.UUID, room.HostURL, room.GuestURL})
		return ExitOK
	}
	fmt.Fprintf(sys.Stdout, "room   %s\nhost   %s\nguest  %s\n", room.UUID, room.HostURL, room.GuestURL)
	return ExitOK
}

const callHelp = `
gurulize call register: ask the provider to ring the caller, then connect the callee.

Phone numbers are digits; spaces, '-', '.', '(' and ')' are removed.
The status callbacks that follow name the printed id.

Examples:
  gurulize call register --caller 5321234567 --callee 5427654321 --max-duration 10m
  gurulize call register --caller "(532) 123 45 67" --callee 542-765-43-21 --max-duration 90s --json
`

func callRegister(ctx context.Context, sys IO, args []string) int {
	fs := newCommand(sys, "call register", callHelp)
	var cf clientFlags
	cf.register(fs)
	caller := fs.String("caller", "", "the phone rung first (required)")
	callee := fs.String("callee", "", "the phone connected once the caller answers (required)")
	maxDuration := fs.Duration("max-duration", 0, "the call is cut after this long, whole seconds (required), e.g. 10m")
	if code, ok := fs.parse(sys, args); !ok {
		return code
	}
	client, err := cf.client(sys)
	if err != nil {
		return fail(sys, "call register", cf.json, err)
	}
	reg, err := client.RegisterCall(ctx, gurulize.CallRequest{
		Caller:      *caller,
		Callee:      *callee,
		MaxDuration: *maxDuration,
		Language:    gurulize.Language(cf.lang),
	})
	if err != nil {
		return fail(sys, "call register", cf.json, err)
	}
	if cf.json {
		printJSON(sys, struct {
			ID      int64  `json:"id"`
			Message string `json:"message"`
		}{reg.ID, reg.Message})
		return ExitOK
	}
	fmt.Fprintf(sys.Stdout, "call   %d\nstatus %s\n", reg.ID, reg.Message)
	return ExitOK
}

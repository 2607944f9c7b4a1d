// room.go: gurulize room create.

package cli

import (
	"context"
	"fmt"
	"strings"
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
	fs := newCommand("room create", roomHelp)
	var cf clientFlags
	cf.register(fs)
	var duration time.Duration
	fs.durationVar(&duration, "duration", 0, "maximum meeting length, a `duration` of whole minutes such as 45m (required)")
	start := fs.String("start", "now", "when the meeting starts: now, +10m, or an RFC 3339 time")
	endHow := fs.String("end-how", "", "how the meeting ends: AUTOMATIC or BY_HOST")
	endWhen := fs.String("end-when", "", "when the meeting ends: END_TIME or END_OF_DURATION")
	if code, ok := fs.parse(sys, args); !ok {
		return code
	}
	// The flags are checked before the account, so a mistake in them is
	// reported first, whatever the environment holds.
	now := sys.Now()
	startAt, err := roomFlags(fs, duration, *start, *endHow, *endWhen, now)
	if err != nil {
		return fail(sys, "room create", cf.json, err)
	}
	client, err := cf.client(sys)
	if err != nil {
		return fail(sys, "room create", cf.json, err)
	}
	if startAt.Before(now) {
		warn(sys, "room create", cf.json, usageError{name: "--start", msg: fmt.Sprintf(
			"%s is in the past; the provider does not document what it does with such a room, so check that it can be entered",
			startAt.Format(time.RFC3339))})
	}
	room, err := client.CreateVideoRoom(ctx, gurulize.VideoRoomRequest{
		Duration: duration,
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
	// What the server sent is printed escaped, as listen prints callbacks.
	fmt.Fprintf(sys.Stdout, "room   %s\nhost   %s\nguest  %s\n", escape(room.UUID), escape(room.HostURL), escape(room.GuestURL))
	return ExitOK
}

// roomFlags checks the flags of room create as the SDK would check the
// request, naming the flag at fault, and returns the start time --start
// gives, now being the time of "now".
func roomFlags(fs *command, duration time.Duration, start, endHow, endWhen string, now time.Time) (time.Time, error) {
	if err := fs.required("duration"); err != nil {
		return time.Time{}, err
	}
	switch {
	case duration <= 0:
		return time.Time{}, usageError{name: "--duration", msg: fmt.Sprintf("must be positive, got %v", duration)}
	case duration%time.Minute != 0:
		return time.Time{}, usageError{name: "--duration", msg: fmt.Sprintf("must be a whole number of minutes, got %v", duration)}
	case endHow != "" && !gurulize.EndHow(endHow).Known():
		return time.Time{}, usageError{name: "--end-how", msg: fmt.Sprintf("%q is not %s or %s", endHow, gurulize.EndAutomatic, gurulize.EndByHost)}
	case endWhen != "" && !gurulize.EndWhen(endWhen).Known():
		return time.Time{}, usageError{name: "--end-when", msg: fmt.Sprintf("%q is not %s or %s", endWhen, gurulize.EndAtEndTime, gurulize.EndAfterDuration)}
	}
	return parseStart(start, now)
}

// parseStart reads --start: "now", "+10m" (from now), or an RFC 3339 time.
func parseStart(s string, now time.Time) (time.Time, error) {
	switch {
	case s == "" || s == "now":
		return now, nil
	case strings.HasPrefix(s, "+"):
		d, err := time.ParseDuration(s[1:])
		if err != nil || d < 0 {
			return time.Time{}, usageError{name: "--start", msg: fmt.Sprintf("%q is not a duration from now such as +10m", s)}
		}
		return now.Add(d), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, usageError{name: "--start", msg: fmt.Sprintf("%q is not now, +<duration> or an RFC 3339 time such as 2026-12-01T15:00:00+03:00", s)}
	}
	return t, nil
}

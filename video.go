// This file holds the Video API: creating a room.

package gurulize

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-querystring/query"

	"github.com/gurulize/gurulize-go/internal/fields"
)

// EndHow says how a video meeting ends.
type EndHow string

// The documented values of EndHow.
const (
	EndAutomatic EndHow = "AUTOMATIC" // the server ends it when time runs out (reason END_MEETING_FORCED)
	EndByHost    EndHow = "BY_HOST"   // the host ends it (reason END_MEETING)
)

// Known reports whether h is a documented EndHow.
func (h EndHow) Known() bool { return h == EndAutomatic || h == EndByHost }

// EndWhen says when a video meeting ends.
type EndWhen string

// The documented values of EndWhen.
const (
	EndAtEndTime     EndWhen = "END_TIME"
	EndAfterDuration EndWhen = "END_OF_DURATION"
)

// Known reports whether w is a documented EndWhen.
func (w EndWhen) Known() bool { return w == EndAtEndTime || w == EndAfterDuration }

// VideoRoomRequest describes a video room to create.
type VideoRoomRequest struct {
	Duration time.Duration // required; the meeting's maximum length, a positive whole number of minutes
	StartAt  time.Time     // required; when the meeting starts, in any time zone (sent as Unix milliseconds, UTC)
	EndHow   EndHow        // optional; "" leaves it to the server
	EndWhen  EndWhen       // optional; "" leaves it to the server
	Language Language      // optional; overrides the client's WithLanguage (see there for what holds in Turkish)
}

// VideoRoom is a created room. HostURL and GuestURL are bearer links: whoever
// holds one enters the room, so hand each only to its person and do not log
// them (VideoRoom's LogValue masks their query strings).
type VideoRoom struct {
	UUID     string // the room's identifier; callbacks name it as RoomUUID
	HostURL  string // the consultant's link
	GuestURL string // the client's link
}

// LogValue implements slog.LogValuer: the UUID, and the links without their
// query strings, which hold the access tokens.
func (r VideoRoom) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("uuid", r.UUID),
		slog.String("host_url", maskQuery(r.HostURL)),
		slog.String("guest_url", maskQuery(r.GuestURL)),
	)
}

// maskQuery cuts a link at its query or fragment, which hold the tokens.
func maskQuery(link string) string {
	if i := strings.IndexAny(link, "?#"); i >= 0 {
		return link[:i] + "?REDACTED"
	}
	return link
}

// videoQuery is the room-creation query but for the credentials, encoded
// by go-querystring (see addCredentials).
type videoQuery struct {
	Type              string     `url:"type"`
	DurationInMinutes int64      `url:"durationInMinutes"`
	StartDate         unixMillis `url:"startDate"`
	EndHow            EndHow     `url:"endHow,omitempty"`
	EndWhen           EndWhen    `url:"endWhen,omitempty"`
	Lang              Language   `url:"lang,omitempty"`
}

// unixMillis encodes a time as Unix milliseconds, the startDate format. Its
// EncodeValues has a value receiver so go-querystring calls it for a field of
// type unixMillis (a pointer receiver would be skipped silently).
type unixMillis time.Time

// EncodeValues implements query.Encoder.
func (t unixMillis) EncodeValues(key string, v *url.Values) error {
	v.Set(key, strconv.FormatInt(time.Time(t).UnixMilli(), 10))
	return nil
}

// CreateVideoRoom creates a video room and returns its UUID and links.
//
// An invalid request returns a *ValidationError before anything is sent. The
// server refusing is an *APIError; so is a reply without the room's uuid,
// hostUrl or guestUrl (matching ErrUnexpectedResponse), since a room without
// its links cannot be used. The request is not repeated once it may have
// reached the server, since that could create a second room (see
// RetryPolicy).
func (c *Client) CreateVideoRoom(ctx context.Context, req VideoRoomRequest) (room *VideoRoom, err error) {
	ctx, obs := c.startCall(ctx, OpCreateVideoRoom)
	defer func() { obs.endRoom(room, err) }()
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	invalid := func(field fields.Field, reason string) error {
		return &ValidationError{Field: string(field), Reason: reason}
	}
	switch {
	case req.Duration <= 0:
		return nil, invalid(fields.VideoDuration, fmt.Sprintf("must be positive, got %v", req.Duration))
	case req.Duration%time.Minute != 0:
		return nil, invalid(fields.VideoDuration, fmt.Sprintf("must be a whole number of minutes, got %v", req.Duration))
	case req.StartAt.IsZero():
		return nil, invalid(fields.VideoStartAt, "is required")
	case req.StartAt.UnixMilli() <= 0:
		return nil, invalid(fields.VideoStartAt, fmt.Sprintf("must be after the Unix epoch, got %v", req.StartAt))
	case req.EndHow != "" && !req.EndHow.Known():
		return nil, invalid(fields.VideoEndHow, fmt.Sprintf("%q is not one of %q, %q", string(req.EndHow), EndAutomatic, EndByHost))
	case req.EndWhen != "" && !req.EndWhen.Known():
		return nil, invalid(fields.VideoEndWhen, fmt.Sprintf("%q is not one of %q, %q", string(req.EndWhen), EndAtEndTime, EndAfterDuration))
	}
	lang, err := c.language(fields.VideoLanguage, req.Language)
	if err != nil {
		return nil, err
	}
	q, err := query.Values(videoQuery{
		Type: "video", DurationInMinutes: int64(req.Duration / time.Minute), StartDate: unixMillis(req.StartAt),
		EndHow: req.EndHow, EndWhen: req.EndWhen, Lang: lang,
	})
	if err != nil {
		return nil, err
	}
	c.addCredentials(q)
	u := *c.videoURL
	if u.RawQuery != "" { // the endpoint's own parameters, if it has any, come along
		own := u.Query()
		for k, vs := range q {
			own[k] = vs
		}
		q = own
	}
	u.RawQuery = q.Encode()
	rep, err := c.do(ctx, http.MethodGet, u.String(), "")
	if err != nil {
		return nil, err
	}
	for _, f := range [...]struct{ name, value string }{{"uuid", rep.UUID}, {"hostUrl", rep.HostURL}, {"guestUrl", rep.GuestURL}} {
		if f.value == "" {
			return nil, unexpectedResponse(rep.status, "reply has no "+f.name)
		}
	}
	return &VideoRoom{UUID: rep.UUID, HostURL: rep.HostURL, GuestURL: rep.GuestURL}, nil
}

// language validates a request's language and falls back to the client's.
func (c *Client) language(field fields.Field, l Language) (Language, error) {
	switch {
	case l == "":
		return c.lang, nil
	case !l.Known():
		return "", &ValidationError{Field: string(field), Reason: fmt.Sprintf("%q is not one of %q, %q", string(l), English, Turkish)}
	}
	return l, nil
}

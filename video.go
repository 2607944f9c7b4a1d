package gurulize

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/google/go-querystring/query"
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
	Language Language      // optional; overrides the client's WithLanguage
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

// maskQuery returns a link with its query replaced, or a placeholder when it
// cannot be parsed.
func maskQuery(link string) string {
	if link == "" {
		return ""
	}
	u, err := url.Parse(link)
	if err != nil {
		return "REDACTED"
	}
	if u.RawQuery != "" {
		u.RawQuery = "REDACTED"
	}
	u.Fragment, u.RawFragment, u.User = "", "", nil
	return u.String()
}

// videoAuth is the part of the room-creation query that is the same on every
// call of one client; it is encoded once, in NewClient.
type videoAuth struct {
	Username string `url:"username"`
	Password string `url:"password"`
	Type     string `url:"type"`
}

// videoQuery is the part of the room-creation query that changes per call.
type videoQuery struct {
	DurationInMinutes int64      `url:"durationInMinutes"`
	StartDate         unixMillis `url:"startDate"`
}

// videoOptions are the optional room parameters. Each takes one of three
// values ("" and two constants), so NewClient encodes all 27 combinations
// once, and a call looks its combination up instead of paying for
// go-querystring's reflection over them every time.
type videoOptions struct {
	EndHow  EndHow   `url:"endHow,omitempty"`
	EndWhen EndWhen  `url:"endWhen,omitempty"`
	Lang    Language `url:"lang,omitempty"`
}

// encodeVideoOptions encodes every combination of videoOptions, with an "&"
// in front of each non-empty encoding.
func encodeVideoOptions() (map[videoOptions]string, error) {
	out := make(map[videoOptions]string, 27)
	for _, how := range []EndHow{"", EndAutomatic, EndByHost} {
		for _, when := range []EndWhen{"", EndAtEndTime, EndAfterDuration} {
			for _, lang := range []Language{"", English, Turkish} {
				o := videoOptions{EndHow: how, EndWhen: when, Lang: lang}
				q, err := encodeQuery(o)
				if err != nil {
					return nil, err
				}
				if q != "" {
					q = "&" + q
				}
				out[o] = q
			}
		}
	}
	return out, nil
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
// server refusing, or answering without a uuid, is an *APIError. The request
// is not repeated once it may have reached the server, since that could
// create a second room (see RetryPolicy).
func (c *Client) CreateVideoRoom(ctx context.Context, req VideoRoomRequest) (*VideoRoom, error) {
	if err := c.check(ctx); err != nil {
		return nil, err
	}
	q, err := c.videoQuery(req)
	if err != nil {
		return nil, err
	}
	reply, err := c.do(ctx, &apiRequest{method: http.MethodGet, url: c.cfg.videoBase + q + "&" + c.cfg.auth.video})
	if err != nil {
		return nil, err
	}
	if reply.UUID == "" {
		return nil, unexpectedResponse(reply.status, "reply has no uuid")
	}
	return &VideoRoom{UUID: reply.UUID, HostURL: reply.HostURL, GuestURL: reply.GuestURL}, nil
}

// videoQuery validates req and encodes its per-call parameters.
func (c *Client) videoQuery(req VideoRoomRequest) (string, error) {
	switch {
	case req.Duration <= 0:
		return "", &ValidationError{Field: "VideoRoomRequest.Duration", Reason: fmt.Sprintf("must be positive, got %v", req.Duration)}
	case req.Duration%time.Minute != 0:
		return "", &ValidationError{Field: "VideoRoomRequest.Duration", Reason: fmt.Sprintf("must be a whole number of minutes, got %v", req.Duration)}
	case req.StartAt.IsZero():
		return "", &ValidationError{Field: "VideoRoomRequest.StartAt", Reason: "is required"}
	case req.StartAt.UnixMilli() <= 0:
		return "", &ValidationError{Field: "VideoRoomRequest.StartAt", Reason: fmt.Sprintf("must be after the Unix epoch, got %v", req.StartAt)}
	case req.EndHow != "" && !req.EndHow.Known():
		return "", &ValidationError{Field: "VideoRoomRequest.EndHow", Reason: fmt.Sprintf("%q is not one of %q, %q", string(req.EndHow), EndAutomatic, EndByHost)}
	case req.EndWhen != "" && !req.EndWhen.Known():
		return "", &ValidationError{Field: "VideoRoomRequest.EndWhen", Reason: fmt.Sprintf("%q is not one of %q, %q", string(req.EndWhen), EndAtEndTime, EndAfterDuration)}
	}
	lang, err := c.language("VideoRoomRequest.Language", req.Language)
	if err != nil {
		return "", err
	}
	q, err := encodeQuery(videoQuery{
		DurationInMinutes: int64(req.Duration / time.Minute),
		StartDate:         unixMillis(req.StartAt),
	})
	if err != nil {
		return "", err
	}
	return q + c.cfg.videoOptions[videoOptions{EndHow: req.EndHow, EndWhen: req.EndWhen, Lang: lang}], nil
}

// language validates a request's language and falls back to the client's.
func (c *Client) language(field string, l Language) (Language, error) {
	if l == "" {
		return c.cfg.lang, nil
	}
	if !l.Known() {
		return "", &ValidationError{Field: field, Reason: fmt.Sprintf("%q is not one of %q, %q", string(l), English, Turkish)}
	}
	return l, nil
}

// encodeQuery encodes a struct of url-tagged fields with go-querystring, in
// the sorted order url.Values.Encode gives.
func encodeQuery(v any) (string, error) {
	vals, err := query.Values(v)
	if err != nil {
		return "", fmt.Errorf("gurulize: encoding %T: %w", v, err)
	}
	return vals.Encode(), nil
}

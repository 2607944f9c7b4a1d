package gurulize_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

func TestCreateVideoRoomSendsDocumentedQuery(t *testing.T) {
	t.Parallel()
	istanbul := time.FixedZone("Europe/Istanbul", 3*60*60)
	start := time.Date(2020, 8, 11, 15, 28, 57, 0, istanbul) // 12:28:57 UTC = 1597148937000 ms

	for _, transport := range transports {
		t.Run(transport, func(t *testing.T) {
			t.Parallel()
			c, b := newTestClient(t, transport, both)
			room, err := c.CreateVideoRoom(context.Background(), gurulize.VideoRoomRequest{
				Duration: 50 * time.Minute,
				StartAt:  start,
				EndHow:   gurulize.EndAutomatic,
				EndWhen:  gurulize.EndAtEndTime,
			})
			require.NoError(t, err)
			assert.Equal(t, &gurulize.VideoRoom{
				UUID:     "444f4061-3494-4e60-a552-c4316ac6702d",
				HostURL:  roomReply["hostUrl"].(string),
				GuestURL: roomReply["guestUrl"].(string),
			}, room)

			reqs := b.Requests()
			require.Len(t, reqs, 1)
			r := reqs[0]
			assert.Equal(t, http.MethodGet, r.Method)
			assert.Equal(t, videoPath, r.Path)
			assert.Empty(t, r.Body)
			want := map[string][]string{
				"durationInMinutes": {"50"},
				"type":              {"video"},
				"startDate":         {"1597148937000"},
				"username":          {testUser},
				"password":          {testPassword},
				"endHow":            {"AUTOMATIC"},
				"endWhen":           {"END_TIME"},
			}
			assert.Equal(t, want, map[string][]string(r.Query))
		})
	}
}

func TestCreateVideoRoomOmitsEmptyOptionalFields(t *testing.T) {
	t.Parallel()
	c, b := newTestClient(t, "httptest", both)
	_, err := c.CreateVideoRoom(context.Background(), gurulize.VideoRoomRequest{Duration: time.Hour, StartAt: time.UnixMilli(1)})
	require.NoError(t, err)
	q := b.Requests()[0].Query
	for _, absent := range []string{"endHow", "endWhen", "lang"} {
		assert.NotContains(t, q, absent)
	}
	assert.Equal(t, "60", q.Get("durationInMinutes"))
	assert.Equal(t, "1", q.Get("startDate"))
}

func TestCreateVideoRoomLanguage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		client gurulize.Language
		req    gurulize.Language
		want   string
	}{
		{name: "neither", want: ""},
		{name: "client only", client: gurulize.Turkish, want: "tr"},
		{name: "request overrides", client: gurulize.Turkish, req: gurulize.English, want: "en"},
		{name: "request only", req: gurulize.Turkish, want: "tr"},
	}
	for _, tt := range tests {
		var opts []gurulize.Option
		if tt.client != "" {
			opts = append(opts, gurulize.WithLanguage(tt.client))
		}
		c, b := newTestClient(t, "httpmock", both, opts...)
		req := validRoom()
		req.Language = tt.req
		_, err := c.CreateVideoRoom(context.Background(), req)
		require.NoError(t, err, tt.name)
		call := validCall()
		call.Language = tt.req
		_, err = c.RegisterCall(context.Background(), call)
		require.NoError(t, err, tt.name)
		reqs := b.Requests()
		assert.Equal(t, tt.want, reqs[0].Query.Get("lang"), tt.name)
		assert.Equal(t, tt.want, reqs[1].Form.Get("lang"), tt.name)
		_, has := reqs[1].Form["lang"]
		assert.Equal(t, tt.want != "", has, "%s: lang omitted when empty", tt.name)
	}
}

func TestCreateVideoRoomStartDateIsUTCMilliseconds(t *testing.T) {
	t.Parallel()
	c, b := newTestClient(t, "httpmock", both)
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		ny = time.FixedZone("EST", -5*60*60)
	}
	instant := time.Date(2026, 12, 1, 12, 0, 0, 123_456_789, time.UTC)
	for _, start := range []time.Time{instant, instant.In(ny), instant.In(time.FixedZone("+14", 14*3600)), instant.Local()} {
		req := validRoom()
		req.StartAt = start
		_, err := c.CreateVideoRoom(context.Background(), req)
		require.NoError(t, err)
	}
	want := strconv.FormatInt(instant.UnixMilli(), 10)
	for _, r := range b.Requests() {
		assert.Equal(t, want, r.Query.Get("startDate"), "the same instant in any zone sends the same milliseconds")
	}
	assert.Equal(t, "1796126400123", want)
}

func TestCreateVideoRoomValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(*gurulize.VideoRoomRequest)
		field  string
		reason string
	}{
		{"zero duration", func(r *gurulize.VideoRoomRequest) { r.Duration = 0 }, "VideoRoomRequest.Duration", "positive"},
		{"negative duration", func(r *gurulize.VideoRoomRequest) { r.Duration = -time.Minute }, "VideoRoomRequest.Duration", "positive"},
		{"fractional minutes", func(r *gurulize.VideoRoomRequest) { r.Duration = 90 * time.Second }, "VideoRoomRequest.Duration", "whole number of minutes"},
		{"missing start", func(r *gurulize.VideoRoomRequest) { r.StartAt = time.Time{} }, "VideoRoomRequest.StartAt", "required"},
		{"start before epoch", func(r *gurulize.VideoRoomRequest) { r.StartAt = time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC) }, "VideoRoomRequest.StartAt", "epoch"},
		{"unknown endHow", func(r *gurulize.VideoRoomRequest) { r.EndHow = "automatic" }, "VideoRoomRequest.EndHow", `"automatic"`},
		{"unknown endWhen", func(r *gurulize.VideoRoomRequest) { r.EndWhen = "NEVER" }, "VideoRoomRequest.EndWhen", `"NEVER"`},
		{"unknown language", func(r *gurulize.VideoRoomRequest) { r.Language = "EN" }, "VideoRoomRequest.Language", `"EN"`},
	}
	for _, transport := range transports {
		c, b := newTestClient(t, transport, both)
		for _, tt := range tests {
			req := validRoom()
			tt.mutate(&req)
			room, err := c.CreateVideoRoom(context.Background(), req)
			assert.Nil(t, room)
			require.ErrorIs(t, err, gurulize.ErrInvalidRequest, tt.name)
			var ve *gurulize.ValidationError
			require.ErrorAs(t, err, &ve, tt.name)
			assert.Equal(t, tt.field, ve.Field, tt.name)
			assert.Contains(t, ve.Reason, tt.reason, tt.name)
			assert.Contains(t, err.Error(), tt.field, tt.name)
		}
		assert.Zero(t, b.Count(), "%s: nothing is sent when validation fails", transport)
	}
}

func TestVideoRoomLogValueMasksLinks(t *testing.T) {
	t.Parallel()
	room := gurulize.VideoRoom{UUID: "u-1", HostURL: roomReply["hostUrl"].(string), GuestURL: roomReply["guestUrl"].(string)}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("room created", "room", room)
	out := buf.String()
	assert.Contains(t, out, "u-1")
	assert.Contains(t, out, "https://webrtc.gurulize.com/?REDACTED")
	assert.NotContains(t, out, "host-token")
	assert.NotContains(t, out, "guest-token")
	assert.NotContains(t, out, "rop=")

	buf.Reset()
	slog.New(slog.NewTextHandler(&buf, nil)).Info("odd", "room", gurulize.VideoRoom{UUID: "u-2", HostURL: "://%zz?tok", GuestURL: ""})
	assert.Contains(t, buf.String(), "room.host_url=://%zz?REDACTED")
	assert.NotContains(t, buf.String(), "tok")
}

// TestRoomRequestOnTheWire reads the room-creation GET as bytes: however the
// client keeps net/http from resending it, it must go out as a plain GET,
// with no body, no Content-Length and no Transfer-Encoding.
func TestRoomRequestOnTheWire(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	head := make(chan string, 1)
	go func() {
		conn, err := l.Accept()
		if err != nil {
			head <- err.Error()
			return
		}
		defer conn.Close()
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		r := bufio.NewReader(conn)
		var b strings.Builder
		for {
			line, err := r.ReadString('\n')
			b.WriteString(line)
			if err != nil || line == "\r\n" {
				break
			}
		}
		// Nothing may follow the head: wait briefly for stray body bytes.
		_ = conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if extra, _ := r.Peek(1); len(extra) > 0 {
			b.WriteString("BODY")
		}
		_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 71\r\n\r\n{\"uuid\":\"u-1\",\"hostUrl\":\"https://h.test/\",\"guestUrl\":\"https://g.test/\"}")
		head <- b.String()
	}()
	c, err := gurulize.NewClient(testUser, testPassword, gurulize.WithVideoURL("http://"+l.Addr().String()+videoPath))
	require.NoError(t, err)
	room, err := c.CreateVideoRoom(context.Background(), validRoom())
	require.NoError(t, err)
	assert.Equal(t, "u-1", room.UUID)

	got := <-head
	assert.True(t, strings.HasPrefix(got, "GET "+videoPath+"?"), got)
	assert.True(t, strings.HasSuffix(got, "\r\n\r\n"), "no body follows the head: %q", got)
	lower := strings.ToLower(got)
	assert.NotContains(t, lower, "content-length")
	assert.NotContains(t, lower, "transfer-encoding")
}

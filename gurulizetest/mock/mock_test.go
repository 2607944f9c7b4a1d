package mock_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
	"github.com/gurulize/gurulize-go/gurulizetest/mock"
)

var aCall = gurulize.CallRequest{Caller: "5321234567", Callee: "5427654321", MaxDuration: 10 * time.Minute}

func TestMockValidatesAndRecords(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	m, err := mock.RegisterResponders(mt, gurulizetest.WithAccount("acme", "pw"))
	require.NoError(t, err)
	client, err := gurulize.NewClient("acme", "pw",
		gurulize.WithHTTPClient(&http.Client{Transport: mt}), gurulize.WithVoiceURL(mock.VoiceURL))
	require.NoError(t, err)
	ctx := context.Background()

	room, err := client.CreateVideoRoom(ctx, roomAt(fixedStart, time.Hour, gurulize.EndByHost))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(room.HostURL, "https://webrtc.gurulize.test"+"/?rop="), room.HostURL)
	got, ok := m.Room(room.UUID)
	require.True(t, ok)
	assert.Equal(t, "acme", got.Username)
	assert.Equal(t, fixedStart, got.StartAt)
	assert.Equal(t, gurulize.EndByHost, got.EndHow)
	assert.Empty(t, got.Script, "a mock plays nothing")

	for want := int64(1); want <= 2; want++ {
		reg, err := client.RegisterCall(ctx, aCall)
		require.NoError(t, err)
		assert.Equal(t, want, reg.ID)
	}
	call, ok := m.Call(2)
	require.True(t, ok)
	assert.Equal(t, "5427654321", call.Callee)
	assert.Equal(t, 10*time.Minute, call.MaxDuration)
	assert.Len(t, m.Rooms(), 1)
	assert.Len(t, m.Calls(), 2)
	require.Len(t, m.Requests(), 3)
	assert.Equal(t, "pw", m.Requests()[0].Query.Get("password"))
	assert.Equal(t, "5321234567", m.Requests()[1].Form.Get("caller"))
	assert.Equal(t, 2, mt.NumResponders(), "one responder per API")

	wrong, err := gurulize.NewClient("acme", "nope", gurulize.WithHTTPClient(&http.Client{Transport: mt}), gurulize.WithVoiceURL(mock.VoiceURL))
	require.NoError(t, err)
	_, err = wrong.RegisterCall(ctx, aCall)
	assert.ErrorIs(t, err, gurulize.ErrInvalidCredentials)

	// A request the SDK would never send still gets the provider's answer.
	form := url.Values{"username": {"acme"}, "password": {"pw"}, "caller": {"532-123"}, "callee": {"1"}, "duration": {"5"}}
	resp, err := (&http.Client{Transport: mt}).PostForm(mock.VoiceURL, form)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.JSONEq(t, `{"success":false,"message":"Invalid Parameter (caller): Not a phone number"}`, string(body))
	assert.Len(t, m.Calls(), 2)
}

// Not parallel: httpmock.Activate replaces http.DefaultTransport.
func TestMockWithActivate(t *testing.T) {
	httpmock.Activate()
	t.Cleanup(httpmock.DeactivateAndReset)
	m, err := mock.RegisterResponders(httpmock.DefaultTransport)
	require.NoError(t, err)
	client, err := gurulize.NewClient(gurulizetest.DefaultUsername, gurulizetest.DefaultPassword, gurulize.WithVoiceURL(mock.VoiceURL))
	require.NoError(t, err)
	_, err = client.CreateVideoRoom(context.Background(), roomAt(fixedStart, time.Hour, ""))
	require.NoError(t, err)
	assert.Len(t, m.Rooms(), 1)
	assert.Equal(t, 1, httpmock.GetTotalCallCount())
}

func TestSingleResponders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name      string
		responder httpmock.Responder
		check     func(t *testing.T, client *gurulize.Client)
	}{
		{"room created with a fixed uuid", mock.RoomCreatedResponder("444f4061-3494-4e60-a552-c4316ac6702d"), func(t *testing.T, c *gurulize.Client) {
			room, err := c.CreateVideoRoom(ctx, roomAt(fixedStart, time.Hour, ""))
			require.NoError(t, err)
			assert.Equal(t, "444f4061-3494-4e60-a552-c4316ac6702d", room.UUID)
			assert.True(t, strings.HasPrefix(room.GuestURL, "https://webrtc.gurulize.test"+"/?rop="))
			assert.NotEqual(t, room.HostURL, room.GuestURL)
		}},
		{"room created with fresh uuids", mock.RoomCreatedResponder(""), func(t *testing.T, c *gurulize.Client) {
			a, err := c.CreateVideoRoom(ctx, roomAt(fixedStart, time.Hour, ""))
			require.NoError(t, err)
			b, err := c.CreateVideoRoom(ctx, roomAt(fixedStart, time.Hour, ""))
			require.NoError(t, err)
			assert.NotEqual(t, a.UUID, b.UUID)
		}},
		{"call registered", mock.CallRegisteredResponder(42), func(t *testing.T, c *gurulize.Client) {
			reg, err := c.RegisterCall(ctx, aCall)
			require.NoError(t, err)
			assert.Equal(t, &gurulize.CallRegistration{ID: 42, Message: "Request Received"}, reg)
		}},
		{"missing parameter", mock.FailureResponder("Missing Parameter (callee)"), func(t *testing.T, c *gurulize.Client) {
			_, err := c.RegisterCall(ctx, aCall)
			assert.ErrorIs(t, err, gurulize.ErrMissingParameter)
			var apiErr *gurulize.APIError
			require.True(t, errors.As(err, &apiErr))
			assert.Equal(t, "callee", apiErr.Param)
			assert.Equal(t, http.StatusOK, apiErr.StatusCode)
		}},
		{"not a phone number", mock.FailureResponder("Invalid Parameter (caller): Not a phone number"), func(t *testing.T, c *gurulize.Client) {
			_, err := c.RegisterCall(ctx, aCall)
			assert.ErrorIs(t, err, gurulize.ErrInvalidParameter)
			var apiErr *gurulize.APIError
			require.True(t, errors.As(err, &apiErr))
			assert.Equal(t, "caller", apiErr.Param)
			assert.Equal(t, "Invalid Parameter (caller): Not a phone number", apiErr.Message)
		}},
		{"invalid credentials", mock.FailureResponder("User Information Is Invalid"), func(t *testing.T, c *gurulize.Client) {
			_, err := c.CreateVideoRoom(ctx, roomAt(fixedStart, time.Hour, ""))
			assert.ErrorIs(t, err, gurulize.ErrInvalidCredentials)
		}},
		{"any other failure", mock.FailureResponder("Beklenmeyen bir hata oluştu"), func(t *testing.T, c *gurulize.Client) {
			_, err := c.RegisterCall(ctx, aCall)
			var apiErr *gurulize.APIError
			require.True(t, errors.As(err, &apiErr))
			assert.Equal(t, "Beklenmeyen bir hata oluştu", apiErr.Message)
			assert.NotErrorIs(t, err, gurulize.ErrInvalidParameter)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mt := httpmock.NewMockTransport()
			mt.RegisterResponder(http.MethodGet, gurulize.DefaultVideoURL, tc.responder)
			mt.RegisterResponder(http.MethodPost, mock.VoiceURL, tc.responder)
			client, err := gurulize.NewClient("user", "a-long-password", gurulize.WithHTTPClient(&http.Client{Transport: mt}), gurulize.WithVoiceURL(mock.VoiceURL))
			require.NoError(t, err)
			tc.check(t, client)
			assert.Positive(t, mt.GetTotalCallCount())
		})
	}
}

func TestResponderReplyShape(t *testing.T) {
	t.Parallel()
	req, err := http.NewRequest(http.MethodPost, mock.VoiceURL, nil)
	require.NoError(t, err)
	resp, err := mock.CallRegisteredResponder(2)(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, `{"success":true,"message":"Request Received","id":2}`, string(body), "the reference's own example")
	assert.Equal(t, "200 OK", resp.Status)
	assert.Equal(t, "application/json;charset=UTF-8", resp.Header.Get("Content-Type"))
	assert.Same(t, req, resp.Request)

	resp, err = mock.FailureResponder("User Information Is Invalid")(req)
	require.NoError(t, err)
	body, _ = io.ReadAll(resp.Body)
	assert.Equal(t, `{"success":false,"message":"User Information Is Invalid"}`, string(body))
}

func roomAt(start time.Time, d time.Duration, how gurulize.EndHow) gurulize.VideoRoomRequest {
	return gurulize.VideoRoomRequest{Duration: d, StartAt: start, EndHow: how}
}

// fixedStart is a startDate for rooms whose events tests compare exactly.
var fixedStart = time.UnixMilli(1600938000000).UTC()

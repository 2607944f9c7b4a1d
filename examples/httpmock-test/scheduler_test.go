package scheduler

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
	"github.com/gurulize/gurulize-go/gurulizetest/mock"
)

// newMocked returns a Scheduler whose client talks to an httpmock transport
// of its own (parallel tests can each have one), and that transport.
func newMocked(t *testing.T) (*Scheduler, *httpmock.MockTransport) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	client, err := gurulize.NewClient("acme", "test-password",
		gurulize.WithHTTPClient(&http.Client{Transport: mt}),
		gurulize.WithVoiceURL(mock.VoiceURL))
	require.NoError(t, err)
	return New(client), mt
}

var tomorrow = time.Now().Add(24 * time.Hour).Truncate(time.Millisecond)

// The whole fake API, without a socket: requests are validated as the
// provider does and recorded for assertions.
func TestBookCreatesTheRoom(t *testing.T) {
	t.Parallel()
	s, mt := newMocked(t)
	m, err := mock.RegisterResponders(mt, gurulizetest.WithAccount("acme", "test-password"))
	require.NoError(t, err)

	b, err := s.Book(context.Background(), tomorrow, 44*time.Minute+10*time.Second)
	require.NoError(t, err)

	require.Len(t, m.Rooms(), 1)
	room := m.Rooms()[0]
	assert.Equal(t, 45*time.Minute, room.Duration, "rounded up to whole minutes")
	assert.True(t, tomorrow.Equal(room.StartAt))
	assert.Equal(t, gurulize.EndAutomatic, room.EndHow)
	assert.Equal(t, Booking{
		Start: tomorrow, Length: 45 * time.Minute, RoomUUID: room.UUID,
		ConsultantLink: room.HostURL, ClientLink: room.GuestURL,
	}, b)
}

func TestBookInThePastSendsNothing(t *testing.T) {
	t.Parallel()
	s, mt := newMocked(t)
	_, err := s.Book(context.Background(), time.Now().Add(-time.Minute), time.Hour)
	assert.ErrorIs(t, err, ErrInPast)
	assert.Zero(t, mt.GetTotalCallCount())
}

// One canned answer per case: how the code handles each documented error.
func TestBookErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		responder httpmock.Responder
		want      error
	}{
		{"wrong account", mock.FailureResponder("User Information Is Invalid"), ErrMisconfigured},
		{"missing parameter", mock.FailureResponder("Missing Parameter (startDate)"), ErrRefused},
		{"invalid parameter", mock.FailureResponder("Invalid Parameter (durationInMinutes): Must be positive"), ErrRefused},
		{"anything else", mock.FailureResponder("Sistem bakımda"), ErrRefused},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, mt := newMocked(t)
			mt.RegisterResponder(http.MethodGet, gurulize.DefaultVideoURL, tc.responder)
			_, err := s.Book(context.Background(), tomorrow, time.Hour)
			assert.ErrorIs(t, err, tc.want)
			assert.Equal(t, 1, mt.GetTotalCallCount(), "asked once, never retried")
		})
	}
}

func TestConnect(t *testing.T) {
	t.Parallel()
	s, mt := newMocked(t)
	mt.RegisterResponder(http.MethodPost, mock.VoiceURL, mock.CallRegisteredResponder(77))
	id, err := s.Connect(context.Background(), "532 123 45 67", "542 765 43 21", 30*time.Minute)
	require.NoError(t, err)
	assert.Equal(t, int64(77), id)

	mt.RegisterResponder(http.MethodPost, mock.VoiceURL, mock.FailureResponder("Invalid Parameter (callee): Not a phone number"))
	_, err = s.Connect(context.Background(), "5321234567", "5427654321", time.Minute)
	assert.ErrorIs(t, err, ErrRefused)
	assert.ErrorContains(t, err, "Invalid Parameter (callee): Not a phone number")
}

// With httpmock.Activate, a client built without WithHTTPClient is
// intercepted too, as production code usually builds it. Activate replaces
// http.DefaultTransport, so this test does not run in parallel.
func TestWithActivate(t *testing.T) {
	httpmock.Activate()
	t.Cleanup(httpmock.DeactivateAndReset)
	m, err := mock.RegisterResponders(httpmock.DefaultTransport)
	require.NoError(t, err)
	client, err := gurulize.NewClient(gurulizetest.DefaultUsername, gurulizetest.DefaultPassword,
		gurulize.WithVoiceURL(mock.VoiceURL))
	require.NoError(t, err)

	id, err := New(client).Connect(context.Background(), "5321234567", "5427654321", 10*time.Minute)
	require.NoError(t, err)
	assert.Equal(t, int64(1), id)
	require.Len(t, m.Calls(), 1)
	assert.Equal(t, 10*time.Minute, m.Calls()[0].MaxDuration)
}

// Package scheduler is a small piece of application code built on the SDK:
// it books a video consultation by creating a room, and connects the two
// people by phone. Its tests (scheduler_test.go) show how to unit-test such
// code with httpmock and gurulizetest's responders, without opening a
// socket.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gurulize/gurulize-go"
)

// Errors Book and Connect return, for the application to act on.
var (
	// ErrInPast: the consultation would start before now.
	ErrInPast = errors.New("scheduler: the consultation starts in the past")
	// ErrMisconfigured: the provider rejected our account settings.
	ErrMisconfigured = errors.New("scheduler: provider account is misconfigured")
	// ErrRefused: the provider refused the request for another reason.
	ErrRefused = errors.New("scheduler: provider refused the request")
)

// Booking is a consultation with its room.
type Booking struct {
	Start          time.Time
	Length         time.Duration // whole minutes
	RoomUUID       string
	ConsultantLink string // the room's host link
	ClientLink     string // the room's guest link
}

// Scheduler books consultations.
type Scheduler struct {
	client *gurulize.Client
	now    func() time.Time
}

// New returns a Scheduler that books rooms through client.
func New(client *gurulize.Client) *Scheduler {
	return &Scheduler{client: client, now: time.Now}
}

// Book creates a room for a consultation starting at start and lasting
// length, rounded up to whole minutes. The room ends automatically when the
// time is up.
func (s *Scheduler) Book(ctx context.Context, start time.Time, length time.Duration) (Booking, error) {
	if start.Before(s.now()) {
		return Booking{}, ErrInPast
	}
	length = (length + time.Minute - 1).Truncate(time.Minute)
	room, err := s.client.CreateVideoRoom(ctx, gurulize.VideoRoomRequest{
		Duration: length,
		StartAt:  start,
		EndHow:   gurulize.EndAutomatic,
		EndWhen:  gurulize.EndAtEndTime,
	})
	if err != nil {
		return Booking{}, classify(err)
	}
	return Booking{Start: start, Length: length, RoomUUID: room.UUID, ConsultantLink: room.HostURL, ClientLink: room.GuestURL}, nil
}

// Connect rings the consultant, then the client, for at most length, and
// returns the call's id.
func (s *Scheduler) Connect(ctx context.Context, consultantPhone, clientPhone string, length time.Duration) (int64, error) {
	reg, err := s.client.RegisterCall(ctx, gurulize.CallRequest{
		Caller:      consultantPhone,
		Callee:      clientPhone,
		MaxDuration: length.Truncate(time.Second),
	})
	if err != nil {
		return 0, classify(err)
	}
	return reg.ID, nil
}

// classify turns the SDK's errors into the application's.
func classify(err error) error {
	var apiErr *gurulize.APIError
	switch {
	case errors.Is(err, gurulize.ErrInvalidCredentials), errors.Is(err, gurulize.ErrNoVoiceURL):
		return fmt.Errorf("%w: %w", ErrMisconfigured, err)
	case errors.As(err, &apiErr):
		return fmt.Errorf("%w: %s", ErrRefused, apiErr.Message)
	}
	return err
}

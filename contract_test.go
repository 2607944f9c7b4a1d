package gurulize_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/gurulize/gurulize-go"
)

// The public contract's names and signatures, checked by the compiler: a
// rename or a changed signature breaks this file before it breaks a user.
var (
	_ func(string, string, ...gurulize.Option) (*gurulize.Client, error) = gurulize.NewClient
	_ func(...gurulize.Option) (*gurulize.Client, error)                 = gurulize.NewClientFromEnv
	_ func(*http.Client) gurulize.Option                                 = gurulize.WithHTTPClient
	_ func(string) gurulize.Option                                       = gurulize.WithVideoURL
	_ func(string) gurulize.Option                                       = gurulize.WithVoiceURL
	_ func(gurulize.Language) gurulize.Option                            = gurulize.WithLanguage
	_ func(string) gurulize.Option                                       = gurulize.WithUserAgent
	_ func(time.Duration) gurulize.Option                                = gurulize.WithTimeout
	_ func(*slog.Logger) gurulize.Option                                 = gurulize.WithLogger
	_ func(gurulize.RetryPolicy) gurulize.Option                         = gurulize.WithRetry
	_ func() gurulize.Option                                             = gurulize.WithInsecureHTTP

	_ func(*gurulize.Client, context.Context, gurulize.VideoRoomRequest) (*gurulize.VideoRoom, error)   = (*gurulize.Client).CreateVideoRoom
	_ func(*gurulize.Client, context.Context, gurulize.CallRequest) (*gurulize.CallRegistration, error) = (*gurulize.Client).RegisterCall

	_ func([]byte) (gurulize.VideoEvent, error)      = gurulize.ParseVideoEvent
	_ func(url.Values) (gurulize.VoiceStatus, error) = gurulize.ParseVoiceStatus
	_ func(string) gurulize.HandlerOption            = gurulize.WithCallbackToken

	_ func(func(context.Context, gurulize.VideoEvent) error, ...gurulize.HandlerOption) http.Handler  = gurulize.NewVideoEventHandler
	_ func(func(context.Context, gurulize.VoiceStatus) error, ...gurulize.HandlerOption) http.Handler = gurulize.NewVoiceStatusHandler

	_ func() *gurulize.RoomTracker                                                  = gurulize.NewRoomTracker
	_ func(*gurulize.RoomTracker, gurulize.VideoEvent) gurulize.RoomSummary         = (*gurulize.RoomTracker).Apply
	_ func(*gurulize.RoomTracker, string) (gurulize.RoomSummary, bool)              = (*gurulize.RoomTracker).Room
	_ func() *gurulize.CallTracker                                                  = gurulize.NewCallTracker
	_ func(*gurulize.CallTracker, gurulize.VoiceStatus) gurulize.CallSummary        = (*gurulize.CallTracker).Apply
	_ func(*gurulize.CallTracker, int64) (gurulize.CallSummary, bool)               = (*gurulize.CallTracker).Call
	_ func(*gurulize.RoomTracker, *gurulize.VideoRoom, gurulize.VideoRoomRequest)   = (*gurulize.RoomTracker).Expect
	_ func(*gurulize.RoomTracker, time.Time, time.Duration) []gurulize.RoomSummary  = (*gurulize.RoomTracker).Overdue
	_ func(*gurulize.CallTracker, *gurulize.CallRegistration, gurulize.CallRequest) = (*gurulize.CallTracker).Expect
	_ func(*gurulize.CallTracker, time.Time, time.Duration) []gurulize.CallSummary  = (*gurulize.CallTracker).Overdue
	_ interface{ Known() bool }                                                     = gurulize.English
	_ interface{ Known() bool }                                                     = gurulize.EndAutomatic
	_ interface{ Known() bool }                                                     = gurulize.EndAtEndTime
	_ interface{ Known() bool }                                                     = gurulize.EventJoin
	_ interface{ Known() bool }                                                     = gurulize.SourceHost
	_ interface{ Known() bool }                                                     = gurulize.ReasonHangup
	_ interface {
		Known() bool
		String() string
		IsTerminal() bool
	} = gurulize.StatusCallsStarting
	_ error = (*gurulize.ValidationError)(nil)
	_ error = (*gurulize.APIError)(nil)

	_ = []error{gurulize.ErrInvalidRequest, gurulize.ErrMissingParameter, gurulize.ErrInvalidParameter,
		gurulize.ErrInvalidCredentials, gurulize.ErrNoVoiceURL, gurulize.ErrMalformedCallback, gurulize.ErrUnexpectedResponse}
)

// TestContractValues pins the contract's constant values and struct fields.
func TestContractValues(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "https://webrtc.gurulize.com/webrtc-meeting/room/create", gurulize.DefaultVideoURL)
	assert.Equal(t, []string{"en", "tr"}, []string{string(gurulize.English), string(gurulize.Turkish)})
	assert.Equal(t, []string{"AUTOMATIC", "BY_HOST", "END_TIME", "END_OF_DURATION"},
		[]string{string(gurulize.EndAutomatic), string(gurulize.EndByHost), string(gurulize.EndAtEndTime), string(gurulize.EndAfterDuration)})
	assert.Equal(t, []string{"JOIN", "ROOM_ACTIVATED", "MEETING_STARTED", "LEFT", "MEETING_ENDED"},
		[]string{string(gurulize.EventJoin), string(gurulize.EventRoomActivated), string(gurulize.EventMeetingStarted), string(gurulize.EventLeft), string(gurulize.EventMeetingEnded)})
	assert.Equal(t, []string{"HOST", "GUEST", "SERVER", "HANGUP", "END_MEETING", "END_MEETING_FORCED"},
		[]string{string(gurulize.SourceHost), string(gurulize.SourceGuest), string(gurulize.SourceServer), string(gurulize.ReasonHangup), string(gurulize.ReasonEndMeeting), string(gurulize.ReasonEndMeetingForced)})
	for code, want := range map[gurulize.VoiceStatusCode]int{
		gurulize.StatusCallsStarting: 0, gurulize.StatusCallerConnected: 1, gurulize.StatusCalleeConnected: 2,
		gurulize.StatusCallerBusy: 3, gurulize.StatusCalleeBusy: 4, gurulize.StatusCallerRejected: 5,
		gurulize.StatusCalleeRejected: 6, gurulize.StatusCallerNotAnswered: 7, gurulize.StatusCalleeNotAnswered: 8,
		gurulize.StatusCallerNotConnected: 9, gurulize.StatusCalleeNotConnected: 10, gurulize.StatusCallerClosed: 11,
		gurulize.StatusCalleeClosed: 12, gurulize.StatusOutOfCredits: 13,
	} {
		assert.Equal(t, want, int(code))
	}
	assert.Equal(t, []string{"PENDING", "IN_PROGRESS", "COMPLETED", "BUSY", "REJECTED", "NO_ANSWER", "NOT_CONNECTED", "OUT_OF_CREDITS"},
		[]string{string(gurulize.OutcomePending), string(gurulize.OutcomeInProgress), string(gurulize.OutcomeCompleted), string(gurulize.OutcomeBusy),
			string(gurulize.OutcomeRejected), string(gurulize.OutcomeNoAnswer), string(gurulize.OutcomeNotConnected), string(gurulize.OutcomeOutOfCredits)})

	// Struct fields, by composite literal: a renamed or retyped field fails to compile.
	_ = gurulize.RetryPolicy{MaxAttempts: 1, MinBackoff: time.Second, MaxBackoff: time.Second}
	_ = gurulize.VideoRoomRequest{Duration: time.Minute, StartAt: time.Now(), EndHow: gurulize.EndByHost, EndWhen: gurulize.EndAtEndTime, Language: gurulize.Turkish}
	_ = gurulize.VideoRoom{UUID: "", HostURL: "", GuestURL: ""}
	_ = gurulize.CallRequest{Caller: "", Callee: "", MaxDuration: time.Second, Language: gurulize.English}
	_ = gurulize.CallRegistration{ID: int64(1), Message: ""}
	_ = gurulize.ValidationError{Field: "", Reason: ""}
	_ = gurulize.APIError{StatusCode: 0, Message: "", Param: ""}
	_ = gurulize.VideoEvent{Code: gurulize.EventJoin, Source: gurulize.SourceHost, ReceivedAt: time.Time{}, Reason: gurulize.ReasonHangup, RoomUUID: "", MeetingTotalDuration: time.Duration(0)}
	_ = gurulize.VoiceStatus{ID: int64(0), Code: gurulize.StatusCallerBusy, Desc: "", Cause: "", Time: time.Time{}}
	_ = gurulize.RoomSummary{RoomUUID: "", Activated: false, Meetings: 0, Billed: time.Duration(0), Ended: false, EndReason: gurulize.ReasonHangup}
	_ = gurulize.CallSummary{ID: int64(0), Outcome: gurulize.OutcomePending, Final: false, TalkTime: time.Duration(0)}
	_ = gurulize.RoomSummary{Expected: false, ScheduledEnd: time.Time{}}
	_ = gurulize.CallSummary{Expected: false, Deadline: time.Time{}}
	assert.Equal(t, "VoiceStatusCode(14)", gurulize.VoiceStatusCode(14).String())
	assert.Equal(t, "CALLEE_BUSY", gurulize.StatusCalleeBusy.String())
}

// options.go: the options of a Server (and of a Handler, where they say so),
// their defaults, and the test account.

package gurulizetest

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"time"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/internal/fakeerr"
)

// The account a Server accepts when no WithAccount option is given.
const (
	DefaultUsername = "gurulizetest"
	DefaultPassword = "gurulizetest-password"
)

// defaultCallbackRetry is how the fake retries a failed callback delivery
// unless WithCallbackRetry says otherwise.
func defaultCallbackRetry() gurulize.RetryPolicy {
	return gurulize.RetryPolicy{MaxAttempts: 8, MinBackoff: 10 * time.Millisecond, MaxBackoff: 250 * time.Millisecond}
}

type account struct{ username, password string }

type settings struct {
	accounts      []account
	accountsSet   bool
	roomScript    RoomScript
	callScript    CallScript
	videoCallback string
	voiceCallback string
	mode          clockMode
	scale         float64
	start         time.Time
	faults        Faults
	retry         gurulize.RetryPolicy
	addr          string
}

func defaultSettings() settings {
	return settings{
		accounts:   []account{{DefaultUsername, DefaultPassword}},
		roomScript: Meet(40 * time.Minute),
		callScript: Answered(time.Minute),
		retry:      defaultCallbackRetry(),
		addr:       "127.0.0.1:0",
	}
}

// newSettings applies opts to the defaults.
func newSettings(opts []Option) (settings, error) {
	st := defaultSettings()
	for _, opt := range opts {
		if opt == nil {
			return settings{}, errors.New("gurulizetest: nil Option")
		}
		if err := opt(&st); err != nil {
			return settings{}, err
		}
	}
	return st, nil
}

// Option configures a Server (and, where it says so, a Handler).
type Option func(*settings) error

// WithAccount adds an account the fake accepts. The first WithAccount
// replaces the default account (DefaultUsername, DefaultPassword); the
// first account given is the one Server.Client uses. Both must be non-empty.
// It applies to a Handler too.
func WithAccount(username, password string) Option {
	return func(s *settings) error {
		if username == "" || password == "" {
			return errors.New("gurulizetest: WithAccount: username and password must not be empty")
		}
		if !s.accountsSet {
			s.accounts, s.accountsSet = nil, true
		}
		s.accounts = append(s.accounts, account{username, password})
		return nil
	}
}

// WithRoomScript sets the script every new room plays unless
// Server.NextRoomScript queued another. The default is Meet(40 * time.Minute).
func WithRoomScript(s RoomScript) Option {
	return func(st *settings) error { st.roomScript = s; return nil }
}

// WithCallScript sets the script a new call plays when its callee is not a
// magic number and Server.NextCallScript queued none. The default is
// Answered(time.Minute).
func WithCallScript(s CallScript) Option {
	return func(st *settings) error { st.callScript = s; return nil }
}

// WithVideoCallbackURL sets the address room events are POSTed to, as a
// customer configures it with the provider. Without it room events are
// recorded as undelivered (see Server.Deliveries). u must be an absolute
// http(s) URL; NewServer fails otherwise.
func WithVideoCallbackURL(u string) Option {
	return func(s *settings) error {
		if err := checkCallbackURL(u); err != nil {
			return settingError(fakeerr.VideoCallbackURL, err, "gurulizetest: WithVideoCallbackURL: %v", err)
		}
		s.videoCallback = u
		return nil
	}
}

// WithVoiceCallbackURL sets the address call statuses are sent to, as a GET
// with the status in the query string (appended to any query u has).
func WithVoiceCallbackURL(u string) Option {
	return func(s *settings) error {
		if err := checkCallbackURL(u); err != nil {
			return settingError(fakeerr.VoiceCallbackURL, err, "gurulizetest: WithVoiceCallbackURL: %v", err)
		}
		s.voiceCallback = u
		return nil
	}
}

// settingError is the error of a setting the fake cannot use: the message
// format and args give, err is why.
func settingError(setting fakeerr.Setting, err error, format string, args ...any) error {
	return &fakeerr.Error{Setting: setting, Message: fmt.Sprintf(format, args...), Err: err}
}

func checkCallbackURL(u string) error {
	if u == "" {
		return nil
	}
	p, err := url.Parse(u)
	if err != nil {
		return err
	}
	if (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", u)
	}
	return nil
}

// WithTimeScale makes the fake's time run factor times faster than real
// time while it plays rooms and calls: with factor 1000 a 40-minute meeting
// plays in 2.4 seconds. Each room or call is played from the moment it is
// created; its callbacks carry the timestamps of the scripted moments (the
// room's startDate or the call's registration time plus the script's
// offsets), so they stay realistic. factor must be positive and finite.
//
// Without WithTimeScale or WithManualClock, callbacks are delivered as fast
// as they can be, in order, with the same timestamps.
func WithTimeScale(factor float64) Option {
	return func(s *settings) error {
		if factor <= 0 || math.IsInf(factor, 0) || math.IsNaN(factor) {
			return fmt.Errorf("gurulizetest: WithTimeScale: factor must be positive and finite, got %v", factor)
		}
		s.mode, s.scale = clockScaled, factor
		return nil
	}
}

// WithManualClock gives the fake a clock that reads start (now, if start is
// zero) and moves only when Server.Advance is called. Calls are registered
// at the clock's time, and a callback is delivered once the clock has
// reached its timestamp.
func WithManualClock(start time.Time) Option {
	return func(s *settings) error {
		if start.IsZero() {
			start = time.Now()
		}
		s.mode, s.start = clockManual, start.UTC()
		return nil
	}
}

// WithFaults sets the delivery faults for every room and call (see Faults).
func WithFaults(f Faults) Option {
	return func(s *settings) error { s.faults = f; return nil }
}

// WithCallbackRetry sets how the fake retries a failed callback delivery.
// MaxAttempts must be at least 1; the backoffs must not be negative. The
// default: 8 attempts (a non-2xx status or no answer is a failure), waiting
// 10ms, then twice as long each time, at most 250ms.
func WithCallbackRetry(p gurulize.RetryPolicy) Option {
	return func(s *settings) error {
		if p.MaxAttempts < 1 || p.MinBackoff < 0 || p.MaxBackoff < p.MinBackoff {
			return fmt.Errorf("gurulizetest: WithCallbackRetry: need MaxAttempts >= 1 and 0 <= MinBackoff <= MaxBackoff, got %+v", p)
		}
		s.retry = p
		return nil
	}
}

// WithAddr makes the server listen on addr, such as "127.0.0.1:8090" or
// ":8090", instead of a free loopback port: for a fake that other programs
// reach at a known address. The URLs the server reports name 127.0.0.1 when
// addr leaves the host unspecified.
func WithAddr(addr string) Option {
	return func(s *settings) error {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return settingError(fakeerr.Addr, err, "gurulizetest: WithAddr(%q): %v", addr, err)
		}
		s.addr = addr
		return nil
	}
}

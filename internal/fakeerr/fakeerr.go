// Package fakeerr is the error gurulizetest returns for a setting it cannot
// use (an option, or the address it cannot listen on), with the setting as
// a typed value: the command names its flag from Setting, never from the
// error's text.
package fakeerr

// Setting is what the error is about.
type Setting int

// The settings of a gurulizetest.Server that can fail.
const (
	Addr             Setting = iota + 1 // WithAddr, or listening on that address
	VideoCallbackURL                    // WithVideoCallbackURL
	VoiceCallbackURL                    // WithVoiceCallbackURL
)

// Error is a setting the fake cannot use. Error() is the whole message, such
// as `gurulizetest: WithAddr("x"): missing port in address`; Err is why, on
// its own.
type Error struct {
	Setting Setting
	Message string
	Err     error
}

// Error returns the whole message.
func (e *Error) Error() string { return e.Message }

// Unwrap returns why the setting cannot be used.
func (e *Error) Unwrap() error { return e.Err }

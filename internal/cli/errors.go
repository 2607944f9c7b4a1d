// errors.go: how a command reports a failure: the exit code, the flag or
// environment variable at fault, as text or as JSON on stderr.

package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/gurulize/gurulize-go"
)

// usageError is a mistake in the command line, naming the flag.
type usageError struct {
	flag string
	msg  string
}

func (e usageError) Error() string { return e.flag + ": " + e.msg }

// flagNames maps the SDK's field and setting names to the flags that feed them.
var flagNames = map[string]string{
	"VideoRoomRequest.Duration": "--duration",
	"VideoRoomRequest.StartAt":  "--start",
	"VideoRoomRequest.EndHow":   "--end-how",
	"VideoRoomRequest.EndWhen":  "--end-when",
	"VideoRoomRequest.Language": "--lang",
	"CallRequest.Caller":        "--caller",
	"CallRequest.Callee":        "--callee",
	"CallRequest.MaxDuration":   "--max-duration",
	"CallRequest.Language":      "--lang",
	"username":                  "--username",
	"password":                  "--password-file",
	"WithVideoURL":              "--video-url",
	"GURULIZE_VIDEO_URL":        "--video-url",
	"WithVoiceURL":              "--voice-url",
	"GURULIZE_VOICE_URL":        "--voice-url",
	"WithLanguage":              "--lang",
	"GURULIZE_LANG":             "--lang",
	"WithTimeout":               "--timeout",
}

// failure is an error as the command reports it.
type failure struct {
	Code    int    `json:"code"`
	Kind    string `json:"kind"`
	Flag    string `json:"flag,omitempty"`
	Status  int    `json:"status,omitempty"`
	Param   string `json:"param,omitempty"`
	Message string `json:"message"`
}

func classify(err error) failure {
	var (
		ue  usageError
		ve  *gurulize.ValidationError
		ce  *gurulize.ConfigError
		api *gurulize.APIError
	)
	switch {
	case errors.As(err, &ue):
		return failure{Code: ExitUsage, Kind: "usage", Flag: ue.flag, Message: ue.msg}
	case errors.As(err, &ve):
		return failure{Code: ExitUsage, Kind: "usage", Flag: flagNames[ve.Field], Message: ve.Reason}
	case errors.As(err, &ce):
		return failure{Code: ExitUsage, Kind: "usage", Flag: flagNames[ce.Setting], Message: ce.Reason}
	case errors.Is(err, gurulize.ErrNoVoiceURL):
		return failure{Code: ExitUsage, Kind: "usage", Flag: "--voice-url", Message: "is required (or set GURULIZE_VOICE_URL)"}
	case errors.As(err, &api):
		return failure{Code: ExitAPI, Kind: "api", Status: api.StatusCode, Param: api.Param, Message: strings.TrimPrefix(api.Error(), "gurulize: ")}
	case errors.Is(err, context.Canceled):
		return failure{Code: ExitNetwork, Kind: "interrupted", Message: err.Error()}
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return failure{Code: ExitNetwork, Kind: "network", Message: err.Error()}
	}
	return failure{Code: ExitNetwork, Kind: "network", Message: err.Error()}
}

// fail reports err on stderr, as JSON when asked, and returns the exit code.
func fail(sys IO, cmd string, asJSON bool, err error) int {
	f := classify(err)
	if asJSON {
		_ = json.NewEncoder(sys.Stderr).Encode(map[string]failure{"error": f})
		return f.Code
	}
	if f.Flag != "" {
		fmt.Fprintf(sys.Stderr, "gurulize %s: %s %s\n", cmd, f.Flag, f.Message)
	} else {
		fmt.Fprintf(sys.Stderr, "gurulize %s: %s\n", cmd, f.Message)
	}
	return f.Code
}

// errors.go: how a command reports a failure: the exit code, the flag or
// environment variable at fault, as text or as JSON on stderr.

package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/internal/fields"
)

// usageError is a mistake in the command line or the environment: name is
// the flag ("--lang") or the environment variable ("GURULIZE_LANG") at fault.
type usageError struct {
	name string
	msg  string
}

func (e usageError) Error() string { return e.name + " " + e.msg }

// flagNames maps the fields of the SDK's requests to the flags that feed them.
var flagNames = map[fields.Field]string{
	fields.VideoDuration:   "--duration",
	fields.VideoStartAt:    "--start",
	fields.VideoEndHow:     "--end-how",
	fields.VideoEndWhen:    "--end-when",
	fields.VideoLanguage:   "--lang",
	fields.CallCaller:      "--caller",
	fields.CallCallee:      "--callee",
	fields.CallMaxDuration: "--max-duration",
	fields.CallLanguage:    "--lang",
}

// failure is an error as the command reports it. Flag or Env names what
// to fix, when it is a flag or an environment variable.
type failure struct {
	Code    int    `json:"code"`
	Kind    string `json:"kind"`
	Flag    string `json:"flag,omitempty"`
	Env     string `json:"env,omitempty"`
	Status  int    `json:"status,omitempty"`
	Param   string `json:"param,omitempty"`
	Message string `json:"message"`
}

func classify(err error) failure {
	var (
		ue  usageError
		ve  *gurulize.ValidationError
		api *gurulize.APIError
	)
	switch {
	case errors.As(err, &ue):
		f := failure{Code: ExitUsage, Kind: "usage", Message: ue.msg}
		if strings.HasPrefix(ue.name, "--") {
			f.Flag = ue.name
		} else {
			f.Env = ue.name
		}
		return f
	case errors.As(err, &ve):
		return failure{Code: ExitUsage, Kind: "usage", Flag: flagNames[fields.Field(ve.Field)], Message: ve.Reason}
	case errors.Is(err, gurulize.ErrNoVoiceURL):
		return failure{Code: ExitUsage, Kind: "usage", Flag: "--voice-url", Message: "is required (or set GURULIZE_VOICE_URL)"}
	case errors.As(err, &api):
		return failure{Code: ExitAPI, Kind: "api", Status: api.StatusCode, Param: api.Param, Message: strings.TrimPrefix(api.Error(), "gurulize: ")}
	case errors.Is(err, context.Canceled):
		return failure{Code: ExitNetwork, Kind: "interrupted", Message: err.Error()}
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
	if name := f.Flag + f.Env; name != "" {
		fmt.Fprintf(sys.Stderr, "gurulize %s: %s %s\n", cmd, name, f.Message)
	} else {
		fmt.Fprintf(sys.Stderr, "gurulize %s: %s\n", cmd, f.Message)
	}
	return f.Code
}

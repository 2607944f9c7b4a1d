// errors.go: how a command reports a failure: the exit code, the flag or
// environment variable at fault, as text or as JSON on stderr.

package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"syscall"

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
		b, _ := json.Marshal(map[string]failure{"error": f})
		_, _ = sys.Stderr.Write(append(escapeJSON(b), '\n'))
		return f.Code
	}
	// A message may quote the server (an API error): escaped, as listen
	// prints callbacks.
	if name := f.Flag + f.Env; name != "" {
		fmt.Fprintf(sys.Stderr, "gurulize %s: %s %s\n", cmd, name, escape(f.Message))
	} else {
		fmt.Fprintf(sys.Stderr, "gurulize %s: %s\n", cmd, escape(f.Message))
	}
	return f.Code
}

// warn reports on stderr, as JSON when asked, something the command does
// although it may not be what the user meant; the command goes on.
func warn(sys IO, cmd string, asJSON bool, w usageError) {
	if asJSON {
		_ = json.NewEncoder(sys.Stderr).Encode(map[string]map[string]string{"warning": {"flag": w.name, "message": w.msg}})
		return
	}
	fmt.Fprintf(sys.Stderr, "gurulize %s: warning: %s %s\n", cmd, w.name, w.msg)
}

// addrProblem reports why the address given by flagName could not be
// listened on; an address in use names the flag that picks another.
func addrProblem(flagName, addr string, err error) usageError {
	if errors.Is(err, syscall.EADDRINUSE) {
		return usageError{name: flagName, msg: fmt.Sprintf("%s is already in use (by another program, or another gurulize): "+
			"choose another port with %s, such as %s 127.0.0.1:0 (any free port; the one taken is printed)", addr, flagName, flagName)}
	}
	return usageError{name: flagName, msg: err.Error()}
}

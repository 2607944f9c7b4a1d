// call.go: gurulize call register.

package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/internal/phone"
)

const callHelp = `
gurulize call register: ask the provider to ring the caller, then connect the callee.

Phone numbers are national numbers in digits, as the provider asks
("numerical, such as 5xxyyyzztt"): 5321234567, not +90 532 123 45 67;
spaces, '-', '.', '(' and ')' are removed, anything else is refused.
The status callbacks that follow name the printed id.

Examples:
  gurulize call register --caller 5321234567 --callee 5427654321 --max-duration 10m
  gurulize call register --caller "(532) 123 45 67" --callee 542-765-43-21 --max-duration 90s --json
`

func callRegister(ctx context.Context, sys IO, args []string) int {
	fs := newCommand("call register", callHelp)
	var cf clientFlags
	cf.register(fs)
	caller := fs.String("caller", "", "the phone rung first, a national `number` in digits such as 5321234567 (required)")
	callee := fs.String("callee", "", "the phone connected once the caller answers, a national `number` in digits (required)")
	var maxDuration time.Duration
	fs.durationVar(&maxDuration, "max-duration", 0, "the call is cut after this long, a `duration` of whole seconds such as 10m (required)")
	if code, ok := fs.parse(sys, args); !ok {
		return code
	}
	// The flags are checked before the account, so a mistake in them is
	// reported first, whatever the environment holds.
	if err := callFlags(fs, *caller, *callee, maxDuration); err != nil {
		return fail(sys, "call register", cf.json, err)
	}
	client, err := cf.client(sys)
	if err != nil {
		return fail(sys, "call register", cf.json, err)
	}
	reg, err := client.RegisterCall(ctx, gurulize.CallRequest{
		Caller:      *caller,
		Callee:      *callee,
		MaxDuration: maxDuration,
		Language:    gurulize.Language(cf.lang),
	})
	if err != nil {
		return fail(sys, "call register", cf.json, err)
	}
	if cf.json {
		printJSON(sys, struct {
			ID      int64  `json:"id"`
			Message string `json:"message"`
		}{reg.ID, reg.Message})
		return ExitOK
	}
	fmt.Fprintf(sys.Stdout, "call   %d\nstatus %s\n", reg.ID, escape(reg.Message)) // the server's words, escaped as listen's
	return ExitOK
}

// callFlags checks the flags of call register as the SDK would check the
// request, naming the flag at fault.
func callFlags(fs *command, caller, callee string, maxDuration time.Duration) error {
	if err := fs.required("caller", "callee", "max-duration"); err != nil {
		return err
	}
	if _, err := phone.Normalize(caller); err != nil {
		return usageError{name: "--caller", msg: err.Error()}
	}
	if _, err := phone.Normalize(callee); err != nil {
		return usageError{name: "--callee", msg: err.Error()}
	}
	switch {
	case maxDuration <= 0:
		return usageError{name: "--max-duration", msg: fmt.Sprintf("must be positive, got %v", maxDuration)}
	case maxDuration%time.Second != 0:
		return usageError{name: "--max-duration", msg: fmt.Sprintf("must be a whole number of seconds, got %v", maxDuration)}
	}
	return nil
}

// Package cli implements the gurulize command. Run is the whole program;
// main only wires it to the process, so tests run commands in-process.
package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit codes.
const (
	ExitOK      = 0 // success
	ExitAPI     = 1 // the provider refused or answered something unusable
	ExitUsage   = 2 // bad flags, configuration or request: nothing was sent
	ExitNetwork = 3 // the request could not be completed over the network
)

// IO is what a command reads and writes besides its arguments.
type IO struct {
	Stdout   io.Writer
	Stderr   io.Writer
	Getenv   func(string) string
	Terminal bool // Stdout is a terminal: colours are allowed
}

// IsTerminal reports whether f is a character device, as a terminal is.
func IsTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

const usage = `gurulize: Gurulize video rooms, click-to-calls and callbacks from the command line.

Usage:
  gurulize room create   --duration 45m --start now [flags]
  gurulize call register --caller 5321234567 --callee 5427654321 --max-duration 10m [flags]
  gurulize listen        [--addr 127.0.0.1:8080] [--token T] [--record FILE]
  gurulize fake          [--addr 127.0.0.1:8090] [--video-callback URL] [--voice-callback URL]
  gurulize trigger room|call SCENARIO --to URL [--time-scale N] [--duplicate] [--reorder]
  gurulize replay        FILE --to BASE_URL [--token T] [--speed N] [--duplicate] [--reorder]
  gurulize --version

Run "gurulize <command> --help" for a command's flags and examples.
Phone numbers are national numbers in digits, as the provider asks
("numerical, such as 5xxyyyzztt"): no + and no country code.

Configuration comes from flags, then from the environment: GURULIZE_USERNAME,
GURULIZE_PASSWORD, GURULIZE_VIDEO_URL, GURULIZE_VOICE_URL, GURULIZE_LANG.

Exit codes: 0 ok, 1 API error, 2 usage or validation error, 3 network error.
`

// groups are the commands that hold subcommands, with their help.
var groups = map[string]string{
	"room": `gurulize room: video rooms.

Usage:
  gurulize room create --duration 45m --start now [flags]

Run "gurulize room create --help" for its flags and examples.
`,
	"call": `gurulize call: click-to-calls.

Usage:
  gurulize call register --caller 5321234567 --callee 5427654321 --max-duration 10m [flags]

Run "gurulize call register --help" for its flags and examples.
`,
	"trigger": `gurulize trigger: play a scenario's callbacks into your endpoint.

Usage:
  gurulize trigger room SCENARIO --to URL [flags]
  gurulize trigger call SCENARIO --to URL [flags]

Run "gurulize trigger room --help" or "gurulize trigger call --help" for the
scenarios, flags and examples.
`,
}

// Run runs the gurulize command with args (without the program name) and
// returns its exit code.
func Run(ctx context.Context, sys IO, args []string) int {
	if sys.Getenv == nil {
		sys.Getenv = func(string) string { return "" }
	}
	if len(args) == 0 {
		fmt.Fprint(sys.Stderr, usage)
		return ExitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(sys.Stdout, usage)
		return ExitOK
	case "-version", "--version", "version":
		fmt.Fprintln(sys.Stdout, versionLine(buildInfo()))
		return ExitOK
	}
	cmd, rest := args[0], args[1:]
	if help, ok := groups[cmd]; ok {
		switch {
		case len(rest) == 0:
			fmt.Fprint(sys.Stderr, help)
			return ExitUsage
		case isHelp(rest[0]):
			fmt.Fprint(sys.Stdout, help)
			return ExitOK
		}
		cmd, rest = cmd+" "+rest[0], rest[1:]
	}
	switch cmd {
	case "room create":
		return roomCreate(ctx, sys, rest)
	case "call register":
		return callRegister(ctx, sys, rest)
	case "listen":
		return listen(ctx, sys, rest)
	case "fake":
		return fake(ctx, sys, rest)
	case "trigger room", "trigger call":
		return trigger(ctx, sys, strings.TrimPrefix(cmd, "trigger "), rest)
	case "replay":
		return replayCommand(ctx, sys, rest)
	}
	help := usage
	if g, ok := groups[args[0]]; ok {
		help = g
	}
	fmt.Fprintf(sys.Stderr, "gurulize: unknown command %q\n\n%s", strings.Join(args[:min(2, len(args))], " "), help)
	return ExitUsage
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

// printJSON writes v as indented JSON on stdout, links unescaped.
func printJSON(sys IO, v any) {
	enc := json.NewEncoder(sys.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

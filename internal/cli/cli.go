// Package cli implements the gurulize command. Run is the whole program;
// main only wires it to the process, so tests run commands in-process.
package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
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
	Terminal bool             // Stdout is a terminal: colours are allowed
	Now      func() time.Time // the time of --start now; nil means time.Now
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

Run "gurulize <command> --help" or "gurulize help <command>" for a command's
flags and examples.
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
	if sys.Now == nil {
		sys.Now = time.Now
	}
	if len(args) == 0 {
		fmt.Fprint(sys.Stderr, usage)
		return ExitUsage
	}
	switch args[0] {
	case "help":
		if len(args) > 1 { // "gurulize help room create" is "gurulize room create --help"
			return Run(ctx, sys, append(append([]string(nil), args[1:]...), "--help"))
		}
		fmt.Fprint(sys.Stdout, usage)
		return ExitOK
	case "-h", "-help", "--help":
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
	return unknownCommand(sys, args)
}

// commands are the command names, by group ("" for the top level), that
// "did you mean" suggests from.
var commands = map[string][]string{
	"":        {"room", "call", "listen", "fake", "trigger", "replay", "help", "version"},
	"room":    {"create"},
	"call":    {"register"},
	"trigger": {"room", "call"},
}

// unknownCommand reports a command line that names no command, with the
// closest command name when one is close, and returns ExitUsage.
func unknownCommand(sys IO, args []string) int {
	group, word, see := "", args[0], "gurulize --help"
	if _, ok := groups[args[0]]; ok && len(args) > 1 {
		group, word, see = args[0], args[1], "gurulize "+args[0]+" --help"
	}
	msg := fmt.Sprintf("gurulize: unknown command %q", strings.Join(args[:min(2, len(args))], " "))
	if group == "" {
		msg = fmt.Sprintf("gurulize: unknown command %q", args[0])
	}
	if s := suggest(word, commands[group]); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", strings.TrimSpace(group+" "+s))
	}
	fmt.Fprintf(sys.Stderr, "%s\nsee '%s'\n", msg, see)
	return ExitUsage
}

// suggest returns the name in names closest to word when it is a likely
// typo of it (one edit, or two in a name of seven letters or more; an edit
// is a letter added, removed, changed, or swapped with its neighbour), or "".
func suggest(word string, names []string) string {
	best, bestDist := "", 3
	for _, name := range names {
		d := editDistance(strings.ToLower(word), name)
		if d < bestDist && (d <= 1 || (d == 2 && len(name) >= 7)) {
			best, bestDist = name, d
		}
	}
	return best
}

// editDistance is the number of edits between a and b, in bytes: the
// Levenshtein distance, with two neighbours swapped counting as one edit.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

// printJSON writes v as indented JSON on stdout, links unescaped and
// characters a terminal would act on escaped (see escapeJSON).
func printJSON(sys IO, v any) {
	var b, out bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	_ = json.Indent(&out, escapeJSON(bytes.TrimSuffix(b.Bytes(), []byte("\n"))), "", "  ")
	out.WriteByte('\n')
	_, _ = sys.Stdout.Write(out.Bytes())
}

// Package cli implements the gurulize command. Run is the whole program;
// main only wires it to the process, so tests run commands in-process.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gurulize/gurulize-go"
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
  gurulize listen        [--addr 127.0.0.1:8080] [--token T]
  gurulize fake          [--addr 127.0.0.1:8090] [--video-callback URL] [--voice-callback URL]
  gurulize --version

Run "gurulize <command> --help" for a command's flags and examples.

Configuration comes from flags, then from the environment: GURULIZE_USERNAME,
GURULIZE_PASSWORD, GURULIZE_VIDEO_URL, GURULIZE_VOICE_URL, GURULIZE_LANG.

Exit codes: 0 ok, 1 API error, 2 usage or validation error, 3 network error.
`

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
		fmt.Fprintf(sys.Stdout, "gurulize %s\n", gurulize.Version)
		return ExitOK
	}
	cmd, rest := args[0], args[1:]
	if len(rest) > 0 && (cmd == "room" || cmd == "call") {
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
	}
	fmt.Fprintf(sys.Stderr, "gurulize: unknown command %q\n\n%s", strings.Join(args[:min(2, len(args))], " "), usage)
	return ExitUsage
}

// command is a subcommand's flag set and its help text.
type command struct {
	*flag.FlagSet
	help string
}

// newCommand returns a subcommand whose flag errors go to stderr.
func newCommand(sys IO, name, help string) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(sys.Stderr)
	fs.Usage = func() {} // printed by parse, to the right stream
	return &command{FlagSet: fs, help: help}
}

// printUsage writes the help text and the flags to w.
func (c *command) printUsage(w io.Writer) {
	fmt.Fprintf(w, "%s\n\nFlags:\n", strings.TrimSpace(c.help))
	c.SetOutput(w)
	c.PrintDefaults()
}

// parse parses args; ok is false when the command should stop with code:
// after --help (usage on stdout, 0) or a mistake (problem and usage on stderr, 2).
func (c *command) parse(sys IO, args []string) (code int, ok bool) {
	err := c.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		c.printUsage(sys.Stdout)
		return ExitOK, false
	case err != nil:
		fmt.Fprintln(sys.Stderr)
		c.printUsage(sys.Stderr)
		return ExitUsage, false
	case c.NArg() > 0:
		fmt.Fprintf(sys.Stderr, "gurulize %s: unexpected argument %q\n", c.Name(), c.Arg(0))
		return ExitUsage, false
	}
	return ExitOK, true
}

// printJSON writes v as indented JSON on stdout, links unescaped.
func printJSON(sys IO, v any) {
	enc := json.NewEncoder(sys.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// flags.go: a command's flags: parsing them, the help that lists them as
// the examples write them (--duration), errors that name them that way, and
// duration flags that ask for a unit.

package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// command is a subcommand's flag set and its help text.
type command struct {
	*flag.FlagSet
	help string
}

// newCommand returns a subcommand; parse reports its flag errors.
func newCommand(name, help string) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parse writes the errors, naming flags as --name
	fs.Usage = func() {}
	return &command{FlagSet: fs, help: help}
}

// printUsage writes the help text and the flags to w.
func (c *command) printUsage(w io.Writer) {
	fmt.Fprintf(w, "%s\n\nFlags:\n", strings.TrimSpace(c.help))
	c.VisitAll(func(f *flag.Flag) {
		kind, text := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if kind != "" {
			line += " " + kind
		}
		if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "0s" && f.DefValue != "false" {
			def := f.DefValue
			if kind == "string" {
				def = strconv.Quote(def)
			}
			text += " (default " + def + ")"
		}
		fmt.Fprintf(w, "%s\n      %s\n", line, text)
	})
}

// flagRef is a flag name as the flag package writes it in its errors: "-name".
var flagRef = regexp.MustCompile(`(defined: |flag |for |argument: )-([a-zA-Z][a-zA-Z0-9-]*)`)

// parse parses args; ok is false when the command should stop with code:
// after --help (usage on stdout, 0) or a mistake (one line saying what is
// wrong, and where the help is, on stderr, 2).
func (c *command) parse(sys IO, args []string) (code int, ok bool) {
	err := c.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		c.printUsage(sys.Stdout)
		return ExitOK, false
	case err != nil:
		return c.usageMistake(sys, flagRef.ReplaceAllString(err.Error(), "$1--$2")), false
	case c.NArg() > 0:
		return c.usageMistake(sys, fmt.Sprintf("unexpected argument %q", c.Arg(0))), false
	}
	return ExitOK, true
}

// usageMistake reports a mistake in the command line as one line, followed
// by where the command's help is, and returns ExitUsage.
func (c *command) usageMistake(sys IO, msg string) int {
	fmt.Fprintf(sys.Stderr, "gurulize %s: %s\nsee 'gurulize %s --help'\n", c.Name(), msg, c.Name())
	return ExitUsage
}

// required returns a usageError "--name is required" for the first of
// names (flag names without dashes) that the command line did not set, or
// nil when every one was set.
func (c *command) required(names ...string) error {
	set := map[string]bool{}
	c.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, name := range names {
		if !set[name] {
			return usageError{name: "--" + name, msg: "is required"}
		}
	}
	return nil
}

// durationFlag is a time.Duration flag whose error says what is missing
// when a number comes without a unit ("45" instead of "45m").
type durationFlag time.Duration

// durationVar defines a duration flag stored in p, value by default.
func (c *command) durationVar(p *time.Duration, name string, value time.Duration, usage string) {
	*p = value
	c.Var((*durationFlag)(p), name, usage)
}

func (d *durationFlag) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		if _, numErr := strconv.ParseFloat(s, 64); numErr == nil {
			return fmt.Errorf("a duration needs a unit: %[1]sm for minutes, %[1]ss for seconds", s)
		}
		return errors.New("not a duration such as 45m, 90s or 1h30m")
	}
	*d = durationFlag(v)
	return nil
}

func (d *durationFlag) String() string { return time.Duration(*d).String() }

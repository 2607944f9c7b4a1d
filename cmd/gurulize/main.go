// Command gurulize creates Gurulize video rooms, registers click-to-calls,
// listens to the provider's callbacks and runs a local fake of the APIs.
//
//	go install github.com/gurulize/gurulize-go/cmd/gurulize@latest
//	gurulize --help
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/gurulize/gurulize-go/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, cli.IO{
		Stdout:   os.Stdout,
		Stderr:   os.Stderr,
		Getenv:   os.Getenv,
		Terminal: cli.IsTerminal(os.Stdout),
	}, os.Args[1:])
	stop()
	os.Exit(code)
}

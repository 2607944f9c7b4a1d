// The commands beside the server: consume (the reference outbox consumer,
// printing each change as a line of JSON), requeue (dead letters back to
// their consumer) and migrate (change rows of the earlier summary form
// rewritten).

package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
)

// runOutboxCommand runs "consume", "requeue" or "migrate" with its flags.
func runOutboxCommand(ctx context.Context, cmd string, args []string, getenv func(string) string, stdout io.Writer, logger *slog.Logger) error {
	fs := flag.NewFlagSet("postgres "+cmd, flag.ContinueOnError)
	name := fs.String("name", "", "the consumer's name (required)")
	room := fs.String("room", "", "requeue: only the dead letters of this room")
	call := fs.String("call", "", "requeue: only the dead letters of this call")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errFlags
	}
	if *name == "" && cmd != "migrate" {
		return usageError("set -name, the consumer's name")
	}
	if *room != "" && *call != "" {
		return usageError("set -room or -call, not both")
	}
	if *call != "" {
		if _, err := strconv.ParseInt(*call, 10, 64); err != nil {
			return usageError("-call must be a call id, an integer")
		}
	}
	databaseURL := getenv(databaseURLEnv)
	if databaseURL == "" {
		return usageError("set " + databaseURLEnv + ", such as postgres://user:password@127.0.0.1:5432/db (scripts/postgres.sh start prints one)")
	}
	store, err := Open(ctx, databaseURL, logger)
	if err != nil {
		return err
	}
	defer store.Close()

	if cmd == "migrate" {
		n, err := MigrateSummaries(ctx, store)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "rewrote %d change rows into today's summary form\n", n)
		return err
	}
	if cmd == "requeue" {
		kind, key := "", ""
		switch {
		case *room != "":
			kind, key = "room", *room
		case *call != "":
			kind, key = "call", *call
		}
		n, err := Requeue(ctx, store, *name, kind, key)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "re-queued %d dead letters of %s\n", n, *name)
		return err
	}

	var mu sync.Mutex
	c, err := NewConsumer(store, ConsumerConfig{Name: *name, Logger: logger, Deliver: func(_ context.Context, ch OutboxChange) error {
		line, err := json.Marshal(ch)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		_, err = stdout.Write(append(line, '\n'))
		return err
	}})
	if err != nil {
		return err
	}
	logger.Info("consuming", "consumer", *name)
	if err := c.Run(ctx); !errors.Is(err, context.Canceled) {
		return err
	}
	logger.Info("stopped")
	return nil
}

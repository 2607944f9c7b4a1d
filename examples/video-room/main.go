// Command video-room creates a Gurulize video room and prints its links.
//
// It reads the account from GURULIZE_USERNAME and GURULIZE_PASSWORD (and,
// optionally, GURULIZE_VIDEO_URL and GURULIZE_LANG):
//
//	GURULIZE_USERNAME=… GURULIZE_PASSWORD=… go run ./examples/video-room -duration 45m -in 10m
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"time"

	"github.com/gurulize/gurulize-go"
)

func main() {
	duration := flag.Duration("duration", 30*time.Minute, "maximum meeting length (whole minutes)")
	in := flag.Duration("in", 5*time.Minute, "how long from now the meeting starts")
	byHost := flag.Bool("by-host", false, "let the host end the meeting (endHow=BY_HOST) instead of the server")
	verbose := flag.Bool("v", false, "log each request (password masked) to stderr")
	flag.Parse()

	if err := run(*duration, *in, *byHost, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "video-room:", err)
		os.Exit(1)
	}
}

func run(duration, in time.Duration, byHost, verbose bool) error {
	var opts []gurulize.Option
	if verbose {
		opts = append(opts, gurulize.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	client, err := gurulize.NewClientFromEnv(append(opts, gurulize.WithUserAgent("video-room-example/1.0"))...)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	req := gurulize.VideoRoomRequest{
		Duration: duration,
		StartAt:  time.Now().Add(in),
		EndHow:   gurulize.EndAutomatic,
		EndWhen:  gurulize.EndAfterDuration,
	}
	if byHost {
		req.EndHow = gurulize.EndByHost
	}
	room, err := client.CreateVideoRoom(ctx, req)
	var apiErr *gurulize.APIError
	switch {
	case errors.Is(err, gurulize.ErrInvalidCredentials):
		return fmt.Errorf("check GURULIZE_USERNAME and GURULIZE_PASSWORD: %w", err)
	case errors.As(err, &apiErr):
		return fmt.Errorf("the provider refused (HTTP %d): %s", apiErr.StatusCode, apiErr.Message)
	case err != nil:
		return err
	}
	// The links are bearer secrets: print them for the operator, never log them.
	fmt.Println("room: ", room.UUID)
	fmt.Println("host: ", room.HostURL)
	fmt.Println("guest:", room.GuestURL)
	return nil
}

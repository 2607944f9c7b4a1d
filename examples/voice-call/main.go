// Command voice-call registers a Gurulize click-to-call: the provider rings
// the caller, then connects the callee.
//
// It reads the account from GURULIZE_USERNAME, GURULIZE_PASSWORD and
// GURULIZE_VOICE_URL (and, optionally, GURULIZE_LANG):
//
//	GURULIZE_USERNAME=… GURULIZE_PASSWORD=… GURULIZE_VOICE_URL=… \
//	  go run ./examples/voice-call -caller 5321234567 -callee 5427654321 -max 10m
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/gurulize/gurulize-go"
)

func main() {
	caller := flag.String("caller", "", "the phone rung first, digits (spaces, '-', '.', '(' and ')' are removed)")
	callee := flag.String("callee", "", "the phone connected once the caller answers")
	maxDuration := flag.Duration("max", 10*time.Minute, "the call is cut after this long (whole seconds)")
	flag.Parse()

	if err := run(*caller, *callee, *maxDuration); err != nil {
		fmt.Fprintln(os.Stderr, "voice-call:", err)
		os.Exit(1)
	}
}

// flagOf names the flag that feeds a request field, so that an error
// speaks of what the user typed rather than of the SDK's fields; "" for a
// field no flag feeds.
func flagOf(field string) string {
	switch field {
	case "CallRequest.Caller":
		return "-caller"
	case "CallRequest.Callee":
		return "-callee"
	case "CallRequest.MaxDuration":
		return "-max"
	}
	return ""
}

func run(caller, callee string, maxDuration time.Duration) error {
	client, err := gurulize.NewClientFromEnv(gurulize.WithUserAgent("voice-call-example/1.0"))
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	reg, err := client.RegisterCall(ctx, gurulize.CallRequest{Caller: caller, Callee: callee, MaxDuration: maxDuration})
	var ve *gurulize.ValidationError
	switch {
	case errors.As(err, &ve) && flagOf(ve.Field) != "":
		return fmt.Errorf("fix %s: it %s (nothing was sent)", flagOf(ve.Field), ve.Reason)
	case errors.As(err, &ve):
		return fmt.Errorf("fix %s: %s (nothing was sent)", ve.Field, ve.Reason)
	case errors.Is(err, gurulize.ErrNoVoiceURL):
		return fmt.Errorf("set GURULIZE_VOICE_URL to the address the provider gave you")
	case err != nil:
		return err
	}
	fmt.Printf("call registered: id %d (%s)\n", reg.ID, reg.Message)
	fmt.Println("status callbacks will name this id")
	return nil
}

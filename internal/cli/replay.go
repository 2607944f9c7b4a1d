// replay.go: "gurulize replay FILE --to BASE_URL": a recording sent to your
// endpoint again; and the report of deliveries it shares with trigger.

package cli

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
)

const replayHelp = `
gurulize replay FILE: send recorded callbacks to your endpoint again.

Reads a recording written by "gurulize listen --record FILE" (one JSON object
per line; the format is documented in the gurulizetest package) and sends
each request to BASE_URL followed by its recorded path and query, with its
method, Content-Type and body, {token} replaced by --token. By default each
is sent as soon as the previous one is answered; --speed keeps the recorded
rhythm, N times faster. Prints each answer; exits 1 when the endpoint refused
any callback (not 2xx), 3 when one got no answer, and 2 for a recording it
cannot read. A last line cut short (listen stopped while writing it) is
reported with its number, and the lines before it are still sent.

Examples:
  gurulize replay callbacks.jsonl --to http://127.0.0.1:8080 --token "$TOKEN"
  gurulize replay callbacks.jsonl --to http://127.0.0.1:8080 --speed 10 --duplicate --reorder
`

func replayCommand(ctx context.Context, sys IO, args []string) int {
	fs := newCommand("replay", replayHelp)
	to := fs.String("to", "", "base URL of your endpoint, such as http://127.0.0.1:8080 (required)")
	token := fs.String("token", "", "the token that replaces {token} (default $GURULIZE_CALLBACK_TOKEN)")
	speed := fs.Float64("speed", 0, "keep the recorded rhythm, this many times faster (0: each as soon as the previous one is answered)")
	duplicate := fs.Bool("duplicate", false, "send every callback twice")
	reorder := fs.Bool("reorder", false, "send the callbacks in a shuffled order, once the last one is due")
	seed := fs.Uint64("seed", 0, "seed of the --reorder shuffle: the same seed gives the same order")
	asJSON := fs.Bool("json", false, "print one JSON object per line: the replay, each delivery, the count")
	file, code, ok := fs.parseOperand(sys, args, "FILE (a recording)")
	if !ok {
		return code
	}
	if *token == "" {
		*token = sys.Getenv("GURULIZE_CALLBACK_TOKEN")
	}
	if err := checkToken(*token); err != nil {
		return fail(sys, "replay", false, err)
	}
	target, err := endpointURL("--to", *to, false)
	if err != nil {
		return fail(sys, "replay", *asJSON, err)
	}
	if *speed < 0 || math.IsInf(*speed, 0) || math.IsNaN(*speed) {
		return fail(sys, "replay", *asJSON, usageError{name: "--speed", msg: "must be 0 or a positive number"})
	}
	recs, readErr := gurulizetest.ReadRecordingFile(file)
	if readErr != nil && (!errors.Is(readErr, gurulizetest.ErrTruncatedRecording) || len(recs) == 0) {
		return fail(sys, "replay", *asJSON, usageError{msg: recordingProblem(readErr)})
	}
	if len(recs) == 0 {
		return fail(sys, "replay", *asJSON, usageError{msg: escape(file) + " holds no recorded callback"})
	}
	if readErr != nil {
		msg := fmt.Sprintf("%s; sending the %d callback(s) before it", recordingProblem(readErr), len(recs))
		if *asJSON {
			warn(sys, "replay", true, usageError{msg: msg})
		} else {
			fmt.Fprintf(sys.Stderr, "gurulize replay: %s\n", msg)
		}
	}

	if *token == "" {
		for _, rec := range recs {
			if strings.Contains(rec.Path+rec.Query+string(rec.Body), gurulizetest.TokenPlaceholder) {
				return fail(sys, "replay", *asJSON, usageError{name: "--token", msg: "is required: the recording holds the placeholder " +
					gurulizetest.TokenPlaceholder + " (or set GURULIZE_CALLBACK_TOKEN)"})
			}
		}
	}

	p := &printer{out: sys.Stdout, json: *asJSON}
	p.line(map[string]any{"type": "replay", "file": file, "callbacks": len(recs), "to": target.Host},
		fmt.Sprintf("replay %s: %d callbacks, to %s", escape(file), len(recs), target.Host))
	rep := &deliveryReport{p: p, origin: recs[0].Time, paths: true}
	_, err = gurulizetest.ReplayTo(ctx, *to, recs, gurulizetest.ReplayOptions{
		Token: *token, Speed: *speed, Duplicate: *duplicate, Reorder: *reorder, Seed: *seed, OnDelivery: rep.add,
	})
	exit := rep.finish()
	switch {
	case err != nil:
		return fail(sys, "replay", *asJSON, err)
	case readErr != nil: // reported above
		return ExitUsage
	}
	return exit
}

// recordingProblem describes an error of ReadRecordingFile for the command
// line: the file and line, and what is wrong.
func recordingProblem(err error) string {
	var re *gurulizetest.RecordingError
	if errors.As(err, &re) {
		return fmt.Sprintf("%s, line %d: %s", escape(re.Name), re.Line, escape(re.Err.Error()))
	}
	return escape(strings.TrimPrefix(err.Error(), "gurulizetest: "))
}

// deliveryReport prints one line per delivery as it is made, then a
// count, as text or as JSON lines. With paths, each line shows the recorded
// method and path (the token as its placeholder).
type deliveryReport struct {
	p          *printer
	origin     time.Time // the first callback's time: offsets count from it
	paths      bool
	n          int
	refused    int
	unanswered int
}

// add prints the line of one delivery.
func (d *deliveryReport) add(r gurulizetest.ReplayResult) {
	d.n++
	switch {
	case r.Err != nil:
		d.unanswered++
	case !r.Delivered():
		d.refused++
	}
	var parts []string
	if d.paths {
		parts = append(parts, escape(r.Callback.Method)+" "+escape(r.Callback.Path))
	}
	if what := describe(r.Callback); what != "" {
		parts = append(parts, what)
	}
	if r.Duplicate {
		parts = append(parts, "(again)")
	}
	parts = append(parts, "-> "+answerText(r))
	offset := r.Callback.Time.Sub(d.origin).Round(time.Millisecond)
	d.p.line(deliveryJSON(r, offset, d.paths), fmt.Sprintf("%4d  %-12s  %s", r.Index+1, signed(offset), strings.Join(parts, "  ")))
}

// deliveryJSON is the JSON line of one delivery: its number from 1, its
// offset from the first callback, what it carried (a video event or a call
// status, as listen --json prints them), whether it was a duplicate, and
// the answer (status and body start, or the error when none came).
func deliveryJSON(r gurulizetest.ReplayResult, offset time.Duration, paths bool) map[string]any {
	v := map[string]any{
		"type": "delivery", "n": r.Index + 1, "offsetMs": offset.Milliseconds(), "duplicate": r.Duplicate,
		"delivered": r.Delivered(), "status": r.Status,
	}
	if paths {
		v["method"], v["path"] = r.Callback.Method, r.Callback.Path
	}
	if ev, err := gurulize.ParseVideoEvent(r.Callback.Body); err == nil {
		v["video"] = eventJSON(ev)
	} else if st, err := gurulize.ParseVoiceStatus(callbackValues(r.Callback)); err == nil {
		v["voice"] = statusJSON(st)
	}
	switch {
	case r.Err != nil:
		v["error"] = r.Err.Error()
	case !r.Delivered():
		v["answer"] = r.Answer
	}
	return v
}

// finish prints the count and returns the exit code: ExitNetwork when a
// callback got no answer, else ExitAPI when one was refused, else ExitOK.
func (d *deliveryReport) finish() int {
	d.p.line(map[string]any{"type": "summary", "deliveries": d.n, "accepted": d.accepted(), "refused": d.refused, "unanswered": d.unanswered},
		fmt.Sprintf("%d deliveries: %d accepted, %d refused, %d without an answer", d.n, d.accepted(), d.refused, d.unanswered))
	switch {
	case d.unanswered > 0:
		return ExitNetwork
	case d.refused > 0:
		return ExitAPI
	}
	return ExitOK
}

// accepted is the number of deliveries the endpoint acknowledged with a 2xx.
func (d *deliveryReport) accepted() int { return d.n - d.refused - d.unanswered }

func signed(d time.Duration) string {
	if d < 0 {
		return d.String()
	}
	return "+" + d.String()
}

// describe says what a recorded callback carries, as listen prints it: a
// room event or a call status, or "" when it is neither.
func describe(rec gurulizetest.RecordedCallback) string {
	if ev, err := gurulize.ParseVideoEvent(rec.Body); err == nil {
		parts := []string{"video", fmt.Sprintf("%-15s", escape(string(ev.Code))), "room " + escape(ev.RoomUUID), "by " + escape(string(ev.Source))}
		if ev.Reason != "" {
			parts = append(parts, "reason "+escape(string(ev.Reason)))
		}
		if ev.MeetingTotalDuration > 0 {
			parts = append(parts, "total "+ev.MeetingTotalDuration.String())
		}
		return strings.Join(parts, "  ")
	}
	if st, err := gurulize.ParseVoiceStatus(callbackValues(rec)); err == nil {
		return fmt.Sprintf("voice  %-20s  call %d  cause %s", escape(st.Code.String()), st.ID, escape(st.Cause))
	}
	return ""
}

// callbackValues are a recorded callback's query parameters and, for a
// form, its form fields: where a call status is.
func callbackValues(rec gurulizetest.RecordedCallback) url.Values {
	values, _ := url.ParseQuery(rec.Query)
	if strings.HasPrefix(rec.ContentType, "application/x-www-form-urlencoded") {
		form, _ := url.ParseQuery(string(rec.Body))
		for k, v := range form {
			values[k] = append(values[k], v...)
		}
	}
	return values
}

// answerText is the endpoint's answer to one delivery: its status, and for
// a refusal the first line of its body.
func answerText(r gurulizetest.ReplayResult) string {
	if r.Err != nil {
		return "no answer: " + escape(r.Err.Error())
	}
	text := fmt.Sprintf("%d %s", r.Status, http.StatusText(r.Status))
	if !r.Delivered() {
		line, _, _ := strings.Cut(strings.TrimSpace(r.Answer), "\n")
		if runes := []rune(line); len(runes) > 100 {
			line = string(runes[:100]) + "…"
		}
		if line != "" {
			text += ": " + escape(line)
		}
	}
	return strings.TrimSpace(text)
}

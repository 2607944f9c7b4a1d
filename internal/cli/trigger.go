// trigger.go: "gurulize trigger room|call SCENARIO --to URL": the callbacks
// of one gurulizetest scenario, sent straight to your endpoint with the
// fake's wire shapes, and each answer printed.

package cli

import (
	"context"
	"crypto/rand"
	"fmt"
	"math"
	"math/big"
	"net/url"
	"strings"

	"github.com/gurulize/gurulize-go/gurulizetest"
)

const triggerHelp = `
gurulize trigger %[1]s: play one scenario's callbacks into your endpoint.

Sends the callbacks the fake Gurulize (gurulizetest) sends for the %[1]s
scenario named, with the same wire shapes, straight to the callback URL you
give (token included): no account, no real %[1]s. Prints each delivery and
your endpoint's answer; exits 1 when the endpoint refused any callback (not
2xx), 3 when one got no answer.

%[2]s
The URL is the address you give the provider, the token as its last path
segment, as "gurulize listen" and a mux pattern such as
"%[5]s%[4]s/{token}" serve it.

Examples:
  gurulize trigger %[1]s %[3]s --to "http://127.0.0.1:8080%[4]s/$TOKEN"
  gurulize trigger %[1]s %[3]s --to "http://127.0.0.1:8080%[4]s/$TOKEN" --duplicate --reorder
  gurulize trigger %[1]s %[3]s --to "http://127.0.0.1:8080%[4]s/$TOKEN" --time-scale 60
`

func trigger(ctx context.Context, sys IO, kind string, args []string) int {
	cmd := "trigger " + kind
	example, path, method := "two-breaks", "/gurulize/video", "POST "
	if kind == "call" {
		example, path, method = "callee-busy", "/gurulize/voice", ""
	}
	fs := newCommand(cmd, fmt.Sprintf(triggerHelp, kind, scenarioTable(kind), example, path, method))
	to := fs.String("to", "", "your endpoint's callback URL, token included (required)")
	scale := fs.Float64("time-scale", 0, "play the scenario this many times faster than real time (0: every callback at once)")
	duplicate := fs.Bool("duplicate", false, "send every callback twice")
	reorder := fs.Bool("reorder", false, "send the callbacks in a shuffled order, once the last one is due")
	seed := fs.Uint64("seed", 0, "seed of the --reorder shuffle: the same seed gives the same order")
	asJSON := fs.Bool("json", false, "print one JSON object per line: the scenario, each delivery, the count, what a tracker should end with")
	start := fs.String("start", "now", "when the room starts or the call is registered: now, +10m, or an RFC 3339 time")
	var roomUUID *string
	var callID *int64
	if kind == "room" {
		roomUUID = fs.String("room", "", "the room UUID the events carry (default: a new random one)")
	} else {
		callID = fs.Int64("call", 0, "the call id the statuses carry (default: a random one)")
	}
	name, code, ok := fs.parseOperand(sys, args, "SCENARIO")
	if !ok {
		return code
	}
	if _, found := findRoomScenario(name); kind == "room" && !found {
		return fail(sys, cmd, *asJSON, usageError{msg: fmt.Sprintf("unknown scenario %q; the room scenarios are %s", name, scenarioNames("room"))})
	}
	if _, found := findCallScenario(name); kind == "call" && !found {
		return fail(sys, cmd, *asJSON, usageError{msg: fmt.Sprintf("unknown scenario %q; the call scenarios are %s", name, scenarioNames("call"))})
	}
	target, err := endpointURL("--to", *to, true)
	if err != nil {
		return fail(sys, cmd, *asJSON, err)
	}
	if *scale < 0 || math.IsInf(*scale, 0) || math.IsNaN(*scale) {
		return fail(sys, cmd, *asJSON, usageError{name: "--time-scale", msg: "must be 0 or a positive number"})
	}
	startAt, err := parseStart(*start, sys.Now())
	if err != nil {
		return fail(sys, cmd, *asJSON, err)
	}

	var recs []gurulizetest.RecordedCallback
	var subject, expected string
	var expectedJSON map[string]any
	if kind == "room" {
		sc, _ := findRoomScenario(name)
		uuid := *roomUUID
		if uuid == "" {
			uuid = newRoomUUID()
		}
		room := gurulizetest.Room{UUID: uuid, StartAt: startAt.UTC(), Duration: scenarioRoomDuration, EndHow: sc.endHow}
		recs, err = gurulizetest.RoomCallbacks(*to, room, sc.script)
		subject, expected = "room "+escape(uuid), roomOutcome(sc.want)
		want := sc.want
		want.RoomUUID = uuid
		expectedJSON = map[string]any{"type": "expected", "room": roomJSON(want)}
	} else {
		sc, _ := findCallScenario(name)
		id := *callID
		if id <= 0 {
			n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000_000))
			id = n.Int64() + 1
		}
		call := gurulizetest.Call{ID: id, RegisteredAt: startAt.UTC(), MaxDuration: scenarioCallDuration}
		recs, err = gurulizetest.CallCallbacks(*to, call, sc.script)
		subject, expected = fmt.Sprintf("call %d", id), callOutcome(sc.want)
		want := sc.want
		want.ID = id
		expectedJSON = map[string]any{"type": "expected", "call": callJSON(want)}
	}
	if err != nil {
		return fail(sys, cmd, *asJSON, usageError{name: "--to", msg: strings.TrimPrefix(err.Error(), "gurulizetest: ")})
	}

	p := &printer{out: sys.Stdout, json: *asJSON}
	header := map[string]any{"type": "trigger", "kind": kind, "scenario": name, "callbacks": len(recs), "to": target.Host}
	if kind == "room" {
		header["roomUuid"] = expectedJSON["room"].(map[string]any)["roomUuid"]
	} else {
		header["callId"] = expectedJSON["call"].(map[string]any)["id"]
	}
	p.line(header, fmt.Sprintf("%s %s: %d callbacks for %s, to %s", kind, name, len(recs), subject, target.Host))
	base := (&url.URL{Scheme: target.Scheme, User: target.User, Host: target.Host}).String()
	rep := &deliveryReport{p: p, origin: recs[0].Time}
	_, err = gurulizetest.ReplayTo(ctx, base, recs, gurulizetest.ReplayOptions{
		Speed: *scale, Duplicate: *duplicate, Reorder: *reorder, Seed: *seed, OnDelivery: rep.add,
	})
	if err != nil && ctx.Err() == nil {
		return fail(sys, cmd, *asJSON, usageError{name: "--to", msg: strings.TrimPrefix(err.Error(), "gurulizetest: ReplayTo: ")})
	}
	exit := rep.finish()
	if err != nil {
		return fail(sys, cmd, *asJSON, err)
	}
	if rep.accepted() == 0 {
		// A tracker behind the endpoint has seen nothing: the expected
		// summary would describe what did not happen.
		p.line(map[string]any{"type": "nothing-accepted", "message": "no callback was accepted"},
			fmt.Sprintf("no callback was accepted: your endpoint has nothing for %s", subject))
		return exit
	}
	p.line(expectedJSON, fmt.Sprintf("a tracker given every callback has %s: %s", subject, expected))
	return exit
}

func findRoomScenario(name string) (roomScenario, bool) {
	for _, sc := range roomScenarios {
		if sc.name == name {
			return sc, true
		}
	}
	return roomScenario{}, false
}

func findCallScenario(name string) (callScenario, bool) {
	for _, sc := range callScenarios {
		if sc.name == name {
			return sc, true
		}
	}
	return callScenario{}, false
}

// newRoomUUID returns a random version 4 UUID, as the provider's room
// UUIDs are.
func newRoomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// endpointURL checks that s, the value of flag, is an absolute http or
// https URL; with query false it must not have a query. Errors do not
// repeat s, which may hold a token.
func endpointURL(flagName, s string, query bool) (*url.URL, error) {
	if s == "" {
		return nil, usageError{name: flagName, msg: "is required"}
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usageError{name: flagName, msg: "must be an absolute http:// or https:// URL"}
	}
	if !query && u.RawQuery != "" {
		return nil, usageError{name: flagName, msg: "must not have a query: the recorded paths and queries are added to it"}
	}
	if err := checkURLToken(flagName, s); err != nil {
		return nil, err
	}
	return u, nil
}

// parseOperand parses the args of a command that takes one operand (named
// what in messages) before, between or after its flags. ok is false when
// the command should stop with code, as for command.parse.
func (c *command) parseOperand(sys IO, args []string, what string) (operand string, code int, ok bool) {
	var operands []string
	for {
		if err := c.Parse(args); err != nil {
			code, _ := c.parse(sys, args) // the same error, reported as every command does
			return "", code, false
		}
		if c.NArg() == 0 {
			break
		}
		operands = append(operands, c.Arg(0))
		args = c.Args()[1:]
	}
	switch len(operands) {
	case 0:
		return "", c.usageMistake(sys, "missing "+what), false
	case 1:
		return operands[0], ExitOK, true
	}
	return "", c.usageMistake(sys, fmt.Sprintf("unexpected argument %q", operands[1])), false
}

// validate.go: what the fake accepts: the checks on each API's parameters,
// in the order it makes them (credentials first, then missing parameters,
// then values), and the room or call a valid request asks for.

package gurulizetest

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gurulize/gurulize-go"
)

// The largest durations the fake accepts: about a year of minutes, and 68
// years of seconds.
const (
	maxMinutes = 1 << 19
	maxSeconds = 1 << 31
)

// millisecondsThreshold separates startDate values in milliseconds from ones
// in seconds: 1e11 is March 1973 as milliseconds, the year 5138 as seconds.
const millisecondsThreshold = 100_000_000_000

// checkAccount checks that both credentials are present, then that they
// name an account of the fake, and returns its username.
func (b *backend) checkAccount(v url.Values) (string, *refusal) {
	if refused := requireAll(v, "username", "password"); refused != nil {
		return "", refused
	}
	user := v.Get("username")
	if pass, ok := b.accounts[user]; !ok || pass != v.Get("password") {
		return "", &refusal{credentials: true}
	}
	return user, nil
}

// requireAll refuses the first of names that v lacks (or holds empty).
func requireAll(v url.Values, names ...string) *refusal {
	for _, name := range names {
		if v.Get(name) == "" {
			return &refusal{param: name}
		}
	}
	return nil
}

// positive reads the whole number v holds under name, which must be
// between 1 and max.
func positive(v url.Values, name string, max int64) (int64, *refusal) {
	n, err := strconv.ParseInt(v.Get(name), 10, 64)
	switch {
	case err != nil:
		return 0, &refusal{param: name, why: reasonNotNumeric}
	case n <= 0:
		return 0, &refusal{param: name, why: reasonNotPositive}
	case n > max:
		return 0, &refusal{param: name, why: reasonTooLarge}
	}
	return n, nil
}

// knownLanguage refuses a lang that is sent but is neither en nor tr.
func knownLanguage(v url.Values) *refusal {
	if _, sent := v["lang"]; sent && !gurulize.Language(v.Get("lang")).Known() {
		return &refusal{param: "lang", why: reasonUnknownLanguage}
	}
	return nil
}

// roomRequest checks a Video API query and returns the room it asks for,
// without its UUID and links.
func (b *backend) roomRequest(q url.Values) (Room, *refusal) {
	user, refused := b.checkAccount(q)
	if refused != nil {
		return Room{}, refused
	}
	if refused := requireAll(q, "durationInMinutes", "type", "startDate"); refused != nil {
		return Room{}, refused
	}
	minutes, refused := positive(q, "durationInMinutes", maxMinutes)
	if refused != nil {
		return Room{}, refused
	}
	if !strings.EqualFold(q.Get("type"), "video") {
		return Room{}, &refusal{param: "type", why: reasonUnknownType}
	}
	start, err := strconv.ParseInt(q.Get("startDate"), 10, 64)
	if err != nil {
		return Room{}, &refusal{param: "startDate", why: reasonNotNumeric}
	}
	if start < millisecondsThreshold {
		return Room{}, &refusal{param: "startDate", why: reasonNotMilliseconds}
	}
	room := Room{
		Username: user,
		Duration: time.Duration(minutes) * time.Minute,
		StartAt:  time.UnixMilli(start).UTC(),
		EndHow:   gurulize.EndHow(q.Get("endHow")),
		EndWhen:  gurulize.EndWhen(q.Get("endWhen")),
		Language: gurulize.Language(q.Get("lang")),
	}
	if _, sent := q["endHow"]; sent && !room.EndHow.Known() {
		return Room{}, &refusal{param: "endHow", why: reasonUnknownEndHow}
	}
	if _, sent := q["endWhen"]; sent && !room.EndWhen.Known() {
		return Room{}, &refusal{param: "endWhen", why: reasonUnknownEndWhen}
	}
	if refused := knownLanguage(q); refused != nil {
		return Room{}, refused
	}
	return room, nil
}

// callRequest checks a Voice API form and returns the call it asks for,
// without its id and registration time.
func (b *backend) callRequest(f url.Values) (Call, *refusal) {
	user, refused := b.checkAccount(f)
	if refused != nil {
		return Call{}, refused
	}
	if refused := requireAll(f, "caller", "callee", "duration"); refused != nil {
		return Call{}, refused
	}
	for _, name := range []string{"caller", "callee"} {
		if !allDigits(f.Get(name)) {
			return Call{}, &refusal{param: name, why: reasonNotAPhoneNumber}
		}
	}
	seconds, refused := positive(f, "duration", maxSeconds)
	if refused != nil {
		return Call{}, refused
	}
	call := Call{
		Username:    user,
		Caller:      f.Get("caller"),
		Callee:      f.Get("callee"),
		MaxDuration: time.Duration(seconds) * time.Second,
		Language:    gurulize.Language(f.Get("lang")),
	}
	if refused := knownLanguage(f); refused != nil {
		return Call{}, refused
	}
	return call, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// records.go: what the fake records (Request, Room, Call) and the copies of
// its records that Handler (and so Server) hands out.

package gurulizetest

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gurulize/gurulize-go"
)

// Request is one HTTP request the fake received, and what it answered.
type Request struct {
	API    string      // "video", "voice", or "" for any other path
	Method string      // HTTP method
	Path   string      // URL path
	Query  url.Values  // URL query
	Form   url.Values  // form-encoded body of a POST (nil otherwise)
	Header http.Header // request headers
	Status int         // HTTP status of the reply
	Reply  string      // body of the reply
}

// Room is a room the fake created.
type Room struct {
	UUID     string
	HostURL  string // link for the host, served by the fake
	GuestURL string // link for the guest, served by the fake
	Username string // the account that created it

	Duration time.Duration    // durationInMinutes
	StartAt  time.Time        // startDate, UTC
	EndHow   gurulize.EndHow  // "" when not sent
	EndWhen  gurulize.EndWhen // "" when not sent
	Language gurulize.Language

	Script string // name of the RoomScript the fake plays for it ("" without a server)
}

// Call is a call the fake registered.
type Call struct {
	ID           int64
	Username     string // the account that registered it
	Caller       string
	Callee       string
	MaxDuration  time.Duration // duration, in whole seconds
	Language     gurulize.Language
	RegisteredAt time.Time // the fake clock's time of registration, UTC

	Script string // name of the CallScript the fake plays for it ("" without a server)
}

// Copies of the records, for the exported accessors of Handler.

func (b *backend) requestLog() []Request {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Request(nil), b.requests...)
}

func (b *backend) roomList() []Room {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Room(nil), b.rooms...)
}

func (b *backend) callList() []Call {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Call(nil), b.calls...)
}

func (b *backend) findRoom(uuid string) (Room, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	i, ok := b.roomAt[uuid]
	if !ok {
		return Room{}, false
	}
	return b.rooms[i], true
}

func (b *backend) findCall(id int64) (Call, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	i, ok := b.callAt[id]
	if !ok {
		return Call{}, false
	}
	return b.calls[i], true
}

// api.go: the fake's two APIs: validating a request as the provider's
// reference describes, creating the room or registering the call, replying,
// and serving the room links it hands out.

package gurulizetest

import (
	"encoding/json"
	"fmt"
	"github.com/gurulize/gurulize-go/gurulizetest/internal/ids"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// The paths the fake serves the two APIs on.
const (
	videoPath = "/webrtc-meeting/room/create"
	voicePath = "/click2call/register"
)

// hooks lets the server choose and schedule the lifecycle of a new room or
// call before the reply is written. Both may set the Script field.
type hooks interface {
	roomCreated(r *Room)
	callRegistered(c *Call)
}

// backend validates and answers API requests and records them. It serves
// both the loopback Server and the socket-free Handler.
type backend struct {
	accounts     map[string]string
	firstAccount account
	linkBase     string // links are linkBase + "/?rop=…&urp=…"
	now          func() time.Time
	hooks        hooks // nil: no lifecycles

	mu       sync.Mutex
	requests []Request
	rooms    []Room
	calls    []Call
	roomAt   map[string]int // room UUID -> index in rooms
	callAt   map[int64]int  // call id -> index in calls
	lastID   int64
	links    map[string]roomLink // rop token -> room and role
}

type roomLink struct {
	uuid string
	role string // "host" or "guest"
}

func newBackend(accounts []account, linkBase string, now func() time.Time, h hooks) *backend {
	m := make(map[string]string, len(accounts))
	for _, a := range accounts {
		m[a.username] = a.password
	}
	return &backend{accounts: m, firstAccount: accounts[0], linkBase: linkBase, now: now, hooks: h,
		links: map[string]roomLink{}, roomAt: map[string]int{}, callAt: map[int64]int{}}
}

// maxRequestBody bounds the body the fake reads.
const maxRequestBody = 1 << 20

// reply is the JSON both APIs answer with. Field order follows the reference.
type reply struct {
	UUID     string `json:"uuid,omitempty"`
	HostURL  string `json:"hostUrl,omitempty"`
	GuestURL string `json:"guestUrl,omitempty"`
	Success  *bool  `json:"success,omitempty"`
	Message  string `json:"message,omitempty"`
	ID       int64  `json:"id,omitempty"`
}

func failure(msg string) reply {
	f := false
	return reply{Success: &f, Message: msg}
}

// serve answers r as the API named api ("video" or "voice") and records it.
func (b *backend) serve(api string, w http.ResponseWriter, r *http.Request) {
	if r.Body == nil {
		r.Body = http.NoBody
	}
	rec := Request{API: api, Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone()}
	status, body := b.answer(api, r, &rec)
	raw, _ := json.Marshal(body)
	rec.Status, rec.Reply = status, string(raw)
	b.mu.Lock()
	b.requests = append(b.requests, rec)
	b.mu.Unlock()
	if status == http.StatusMethodNotAllowed {
		if api == "video" {
			w.Header().Set("Allow", http.MethodGet)
		} else {
			w.Header().Set("Allow", http.MethodPost)
		}
	}
	writeReply(w, status, raw)
}

// writeReply writes raw as a JSON reply with status, as the provider does.
func writeReply(w http.ResponseWriter, status int, raw []byte) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(raw)))
	w.WriteHeader(status)
	_, _ = w.Write(raw)
}

func (b *backend) answer(api string, r *http.Request, rec *Request) (int, reply) {
	switch api {
	case "video":
		if r.Method != http.MethodGet {
			return http.StatusMethodNotAllowed, failure(messageMethodNotAllowed)
		}
		return b.createRoom(rec.Query)
	case "voice":
		if r.Method != http.MethodPost {
			return http.StatusMethodNotAllowed, failure(messageMethodNotAllowed)
		}
		form, problem := readForm(r)
		if problem != "" {
			return http.StatusBadRequest, failure(problem)
		}
		rec.Form = form
		return b.registerCall(form)
	}
	return http.StatusNotFound, failure(messageNotFound)
}

// readForm parses a form-encoded body (and only the body: the reference
// says POST parameters). A body it cannot use is described in problem.
func readForm(r *http.Request) (form url.Values, problem string) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		return nil, "Cannot Read Request"
	}
	if len(raw) > maxRequestBody {
		return nil, "Request Too Large"
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return url.Values{}, "" // the parameters are not where the server looks: they are all missing
	}
	form, err = url.ParseQuery(string(raw))
	if err != nil {
		return nil, "Malformed Request Body"
	}
	return form, ""
}

// fail is shorthand for a refusal: the fake answers these with HTTP 200
// and "success": false (see the package documentation).
func fail(msg string) (int, reply) { return http.StatusOK, failure(msg) }

// createRoom answers a Video API query: a new room with its links, or why
// the query is refused, in the language it asks for.
func (b *backend) createRoom(q url.Values) (int, reply) {
	room, refused := b.roomRequest(q)
	if refused != nil {
		return fail(refused.message(q.Get("lang")))
	}
	room.UUID = ids.UUID()
	hostTok, guestTok, roomTok := ids.Token(), ids.Token(), ids.Token()
	room.HostURL = b.linkBase + "/?rop=" + hostTok + "&urp=" + roomTok
	room.GuestURL = b.linkBase + "/?rop=" + guestTok + "&urp=" + roomTok
	if b.hooks != nil {
		b.hooks.roomCreated(&room)
	}
	b.mu.Lock()
	b.roomAt[room.UUID] = len(b.rooms)
	b.rooms = append(b.rooms, room)
	b.links[hostTok] = roomLink{uuid: room.UUID, role: "host"}
	b.links[guestTok] = roomLink{uuid: room.UUID, role: "guest"}
	b.mu.Unlock()
	return http.StatusOK, reply{UUID: room.UUID, HostURL: room.HostURL, GuestURL: room.GuestURL}
}

// registerCall answers a Voice API form: the new call's id, or why the form
// is refused, in the language it asks for.
func (b *backend) registerCall(f url.Values) (int, reply) {
	call, refused := b.callRequest(f)
	if refused != nil {
		return fail(refused.message(f.Get("lang")))
	}
	call.RegisteredAt = b.now().UTC()
	b.mu.Lock()
	b.lastID++
	call.ID = b.lastID
	b.mu.Unlock()
	if b.hooks != nil {
		b.hooks.callRegistered(&call)
	}
	b.mu.Lock()
	b.callAt[call.ID] = len(b.calls)
	b.calls = append(b.calls, call)
	b.mu.Unlock()
	t := true
	return http.StatusOK, reply{Success: &t, Message: messageRequestReceived, ID: call.ID}
}

// serveLink answers a GET on a room link with a short page naming the room
// and the role, so links handed out in tests lead somewhere.
func (b *backend) serveLink(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	link, ok := b.links[r.URL.Query().Get("rop")]
	b.mu.Unlock()
	status, body := http.StatusNotFound, "gurulizetest: no such room link\n"
	if ok && r.Method == http.MethodGet && r.URL.Path == "/" {
		status, body = http.StatusOK, fmt.Sprintf("gurulizetest room %s: you are the %s\n", link.uuid, link.role)
	}
	b.mu.Lock()
	b.requests = append(b.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Status: status, Reply: body})
	b.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// handler.go: Handler, the fake's two APIs as an http.Handler without a
// socket and without callbacks, and the records it keeps (shared with
// Server, which embeds it).

package gurulizetest

import (
	"net/http"
	"time"
)

// linkBase is where the room links of a Handler made by NewHandler point
// (a Server's links point at the Server).
const linkBase = "https://webrtc.gurulize.test"

// Handler answers the Video and Voice APIs as a Server does (the same
// validation, rooms, calls and records) but plays no callbacks: mount it on
// an httptest.Server, or call it from an httpmock responder (package
// gurulizetest/mock). It serves the Video API on
// /webrtc-meeting/room/create, the Voice API on /click2call/register, and
// the room links it hands out on "/?rop=…". Its methods are safe for
// concurrent use.
type Handler struct {
	be *backend
}

// NewHandler returns a Handler whose room links point at
// https://webrtc.gurulize.test. Of the options only WithAccount applies;
// the others concern callbacks and are ignored. It fails only on an option
// that fails.
func NewHandler(opts ...Option) (*Handler, error) {
	st, err := newSettings(opts)
	if err != nil {
		return nil, err
	}
	return &Handler{be: newBackend(st.accounts, linkBase, func() time.Time { return time.Now().UTC() }, nil)}, nil
}

// ServeHTTP answers r as the provider's API, or a room link, would.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == videoPath:
		h.be.serve("video", w, r)
	case r.URL.Path == voicePath:
		h.be.serve("voice", w, r)
	case r.URL.Path == "/" && r.URL.Query().Get("rop") != "":
		h.be.serveLink(w, r)
	default:
		h.be.serve("", w, r)
	}
}

// Requests returns every request the fake answered, in order, with its reply.
func (h *Handler) Requests() []Request { return h.be.requestLog() }

// Rooms returns the rooms created so far, in order.
func (h *Handler) Rooms() []Room { return h.be.roomList() }

// Calls returns the calls registered so far, in order.
func (h *Handler) Calls() []Call { return h.be.callList() }

// Room returns the room with the given UUID, in constant time.
func (h *Handler) Room(uuid string) (Room, bool) { return h.be.findRoom(uuid) }

// Call returns the call with the given id, in constant time.
func (h *Handler) Call(id int64) (Call, bool) { return h.be.findCall(id) }

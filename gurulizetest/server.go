// server.go: Server, the fake on a loopback port: starting and closing it,
// its URLs and clients, its clock, and choosing what each new room and call
// plays.

package gurulizetest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gurulize/gurulize-go"
)

// Server is a fake of both Gurulize APIs on a loopback port. It validates
// requests as the provider's reference says the real API does, creates rooms
// and registers calls, records every request, and plays each room's and
// call's lifecycle by sending the provider's callbacks to the configured
// callback URLs. All its methods are safe for concurrent use.
type Server struct {
	settings
	be     *backend
	eng    *engine
	hs     *http.Server
	served chan struct{}
	url    string

	apiTransport *http.Transport
	client       *gurulize.Client

	mu        sync.Mutex
	nextRooms []RoomScript
	nextCalls []CallScript

	closeOnce sync.Once
}

// NewServer starts a fake on a free port of 127.0.0.1 (see WithAddr). Close
// it when done; NewTestServer does that for a test.
func NewServer(opts ...Option) (*Server, error) {
	st, err := newSettings(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", st.addr)
	if err != nil {
		return nil, fmt.Errorf("gurulizetest: listening on %s: %w", st.addr, err)
	}
	s := &Server{settings: st, url: "http://" + reachable(ln.Addr()), served: make(chan struct{})}
	s.eng = newEngine(st.mode, st.scale, st.start, st.retry, s.callbackURL)
	s.be = newBackend(st.accounts, s.url, s.eng.clock, s)

	mux := http.NewServeMux()
	mux.HandleFunc(VideoPath, func(w http.ResponseWriter, r *http.Request) { s.be.serve("video", w, r) })
	mux.HandleFunc(VoicePath, func(w http.ResponseWriter, r *http.Request) { s.be.serve("voice", w, r) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" && r.URL.Query().Get("rop") != "" {
			s.be.serveLink(w, r)
			return
		}
		s.be.serve("", w, r)
	})
	s.hs = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.served)
		_ = s.hs.Serve(ln)
	}()

	s.apiTransport = &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 8}
	s.client, err = s.NewClient(st.clientOpts...)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("gurulizetest: building the client: %w", err)
	}
	return s, nil
}

// reachable returns addr as a client can dial it: an unspecified host
// (0.0.0.0 or ::) becomes 127.0.0.1.
func reachable(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return addr.String()
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
}

// NewTestServer is NewServer for a test: it fails the test if the server
// cannot start, and closes it when the test ends.
func NewTestServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := NewServer(opts...)
	if err != nil {
		t.Fatalf("gurulizetest.NewTestServer: %v", err)
		return nil
	}
	t.Cleanup(s.Close)
	return s
}

// Close cancels the callbacks not yet delivered (a delivery in progress is
// aborted), stops the server and waits for all its goroutines. Use WaitIdle
// first to let due callbacks arrive. Close may be called more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.eng.stop()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := s.hs.Shutdown(ctx); err != nil {
			_ = s.hs.Close()
		}
		<-s.served
		s.apiTransport.CloseIdleConnections()
	})
}

// URL returns the server's base URL, such as "http://127.0.0.1:41234".
func (s *Server) URL() string { return s.url }

// VideoURL returns the URL of the fake Video API (for gurulize.WithVideoURL).
func (s *Server) VideoURL() string { return s.url + VideoPath }

// VoiceURL returns the URL of the fake Voice API (for gurulize.WithVoiceURL).
func (s *Server) VoiceURL() string { return s.url + VoicePath }

// Client returns a client of the server's first account, pointed at the
// fake, with its own HTTP client and any WithClientOptions.
func (s *Server) Client() *gurulize.Client { return s.client }

// NewClient returns a new client of the server's first account pointed at
// the fake, with opts applied after the fake's own. It is how a test tries a
// client option against the fake.
func (s *Server) NewClient(opts ...gurulize.Option) (*gurulize.Client, error) {
	all := append([]gurulize.Option{
		gurulize.WithHTTPClient(&http.Client{Transport: s.apiTransport}),
		gurulize.WithVideoURL(s.VideoURL()),
		gurulize.WithVoiceURL(s.VoiceURL()),
	}, opts...)
	return gurulize.NewClient(s.accounts[0].username, s.accounts[0].password, all...)
}

// Now returns the fake's current time: the manual clock's with
// WithManualClock, otherwise the real time. Use it as the StartAt of rooms
// in tests with a manual clock.
func (s *Server) Now() time.Time { return s.eng.clock() }

// Advance moves the manual clock forward by d and returns its new time;
// callbacks whose time has come are then delivered (WaitIdle waits for
// them). Without WithManualClock it does nothing and returns the real time.
func (s *Server) Advance(d time.Duration) time.Time { return s.eng.advance(d) }

// WaitIdle waits until every callback that is due has been delivered or
// given up on: with the default clock and WithTimeScale, every callback of
// every room and call so far; with WithManualClock, those up to Now(). It
// returns an error if ctx ends first.
func (s *Server) WaitIdle(ctx context.Context) error { return s.eng.waitIdle(ctx) }

// SetVideoCallbackURL changes where room events are POSTed, for deliveries
// from now on. "" stops delivering them.
func (s *Server) SetVideoCallbackURL(u string) error {
	if err := checkCallbackURL(u); err != nil {
		return fmt.Errorf("gurulizetest: SetVideoCallbackURL: %w", err)
	}
	s.mu.Lock()
	s.videoCallback = u
	s.mu.Unlock()
	return nil
}

// SetVoiceCallbackURL changes where call statuses are sent, for deliveries
// from now on. "" stops delivering them.
func (s *Server) SetVoiceCallbackURL(u string) error {
	if err := checkCallbackURL(u); err != nil {
		return fmt.Errorf("gurulizetest: SetVoiceCallbackURL: %w", err)
	}
	s.mu.Lock()
	s.voiceCallback = u
	s.mu.Unlock()
	return nil
}

func (s *Server) callbackURL(k CallbackKind) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k == VideoCallback {
		return s.videoCallback
	}
	return s.voiceCallback
}

// SetFaults sets the delivery faults for the rooms and calls created from
// now on.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	s.faults = f
	s.mu.Unlock()
}

// NextRoomScript queues scripts for the next rooms created: the first
// created room plays the first script, and so on; then the default script
// applies again.
func (s *Server) NextRoomScript(scripts ...RoomScript) {
	s.mu.Lock()
	s.nextRooms = append(s.nextRooms, scripts...)
	s.mu.Unlock()
}

// NextCallScript queues scripts for the next calls registered, whatever
// their callee: they take precedence over magic numbers.
func (s *Server) NextCallScript(scripts ...CallScript) {
	s.mu.Lock()
	s.nextCalls = append(s.nextCalls, scripts...)
	s.mu.Unlock()
}

// PlayRoom plays script in the room uuid, in addition to what it already
// played; its offsets count from the room's startDate. It returns an error
// for a room the server did not create.
func (s *Server) PlayRoom(uuid string, script RoomScript) error {
	room, ok := s.be.findRoom(uuid)
	if !ok {
		return fmt.Errorf("gurulizetest: PlayRoom: no room %q", uuid)
	}
	s.eng.schedule(roomCallbacks(room, script, s.currentFaults()), s.currentFaults())
	return nil
}

// PlayCall plays script for the call id, in addition to what it already
// played; its offsets count from the call's registration. It returns an
// error for a call the server did not register.
func (s *Server) PlayCall(id int64, script CallScript) error {
	call, ok := s.be.findCall(id)
	if !ok {
		return fmt.Errorf("gurulizetest: PlayCall: no call %d", id)
	}
	s.eng.schedule(callCallbacks(call, script, s.currentFaults()), s.currentFaults())
	return nil
}

func (s *Server) currentFaults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// roomCreated implements hooks: it picks the room's script and schedules it.
func (s *Server) roomCreated(r *Room) {
	s.mu.Lock()
	script := s.roomScript
	if len(s.nextRooms) > 0 {
		script, s.nextRooms = s.nextRooms[0], s.nextRooms[1:]
	}
	f := s.faults
	s.mu.Unlock()
	r.Script = script.Name
	s.eng.schedule(roomCallbacks(*r, script, f), f)
}

// callRegistered implements hooks: queued script, else magic number, else
// the default.
func (s *Server) callRegistered(c *Call) {
	s.mu.Lock()
	script, queued := s.callScript, false
	if len(s.nextCalls) > 0 {
		script, s.nextCalls, queued = s.nextCalls[0], s.nextCalls[1:], true
	}
	f := s.faults
	s.mu.Unlock()
	if !queued {
		if magic, ok := ScriptForCallee(c.Callee); ok {
			script = magic
		}
	}
	c.Script = script.Name
	s.eng.schedule(callCallbacks(*c, script, f), f)
}

func roomCallbacks(room Room, script RoomScript, f Faults) []callback {
	events := script.videoEvents(room)
	out := make([]callback, len(events))
	for i, ev := range events {
		out[i] = callback{kind: VideoCallback, at: ev.at, room: room.UUID, body: ev.payload(room.UUID, f.OmitOptional)}
	}
	return out
}

func callCallbacks(call Call, script CallScript, f Faults) []callback {
	statuses := script.voiceStatuses(call)
	out := make([]callback, len(statuses))
	for i, st := range statuses {
		out[i] = callback{kind: VoiceCallback, at: st.at, call: call.ID, query: st.query(call.ID, f.OmitOptional)}
	}
	return out
}

// Requests returns every request the server received, in order, with its reply.
func (s *Server) Requests() []Request { return s.be.requestLog() }

// Rooms returns the rooms created so far, in order.
func (s *Server) Rooms() []Room { return s.be.roomList() }

// Calls returns the calls registered so far, in order.
func (s *Server) Calls() []Call { return s.be.callList() }

// Room returns the room with the given UUID.
func (s *Server) Room(uuid string) (Room, bool) { return s.be.findRoom(uuid) }

// Call returns the call with the given id.
func (s *Server) Call(id int64) (Call, bool) { return s.be.findCall(id) }

// Deliveries returns every callback delivery so far, in the order they
// finished (including failed ones and duplicates).
func (s *Server) Deliveries() []Delivery { return s.eng.recorded() }

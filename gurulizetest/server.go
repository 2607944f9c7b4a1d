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
	"time"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/internal/fakeerr"
)

// Server is a fake of both Gurulize APIs on a loopback port. It validates
// requests as the provider's reference says the real API does, creates rooms
// and registers calls, records every request, and plays each room's and
// call's lifecycle by sending the provider's callbacks to the configured
// callback URLs. All its methods are safe for concurrent use.
//
// The records (Requests, Rooms, Calls, Room, Call) come from
// the embedded Handler, which also serves the server's requests.
type Server struct {
	*Handler
	settings
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
		return nil, settingError(fakeerr.Addr, err, "gurulizetest: listening on %s: %v", st.addr, err)
	}
	s := &Server{settings: st, url: "http://" + reachable(ln.Addr()), served: make(chan struct{})}
	s.eng = newEngine(st.mode, st.scale, st.start, st.retry, s.callbackURL)
	s.Handler = &Handler{be: newBackend(st.accounts, s.url, s.eng.clock, s)}
	s.hs = &http.Server{Handler: s.Handler, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.served)
		_ = s.hs.Serve(ln)
	}()

	s.apiTransport = &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 8}
	s.client, err = gurulize.NewClient(st.accounts[0].username, st.accounts[0].password,
		gurulize.WithHTTPClient(&http.Client{Transport: s.apiTransport}),
		gurulize.WithVideoURL(s.VideoURL()),
		gurulize.WithVoiceURL(s.VoiceURL()))
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
// cannot start, and closes it when the test ends. t is a *testing.T, a
// *testing.B or anything with these three methods (the package does not
// import testing).
func NewTestServer(t interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}, opts ...Option) *Server {
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

// VideoURL returns the URL of the fake Video API (for gurulize.WithVideoURL).
func (s *Server) VideoURL() string { return s.url + videoPath }

// VoiceURL returns the URL of the fake Voice API (for gurulize.WithVoiceURL).
func (s *Server) VoiceURL() string { return s.url + voicePath }

// Client returns a client of the server's first account, pointed at the
// fake, with its own HTTP client.
func (s *Server) Client() *gurulize.Client { return s.client }

// Advance moves the manual clock forward by d and returns its new time;
// callbacks whose time has come are then delivered (WaitIdle waits for
// them). Advance(0) reads the clock: use it as the StartAt of rooms in
// tests with a manual clock. Without WithManualClock it does nothing and
// returns the real time.
func (s *Server) Advance(d time.Duration) time.Time { return s.eng.advance(d) }

// WaitIdle waits until every callback that is due has been delivered or
// given up on: with the default clock and WithTimeScale, every callback of
// every room and call so far; with WithManualClock, those up to Now(). It
// returns an error if ctx ends first.
func (s *Server) WaitIdle(ctx context.Context) error { return s.eng.waitIdle(ctx) }

func (s *Server) callbackURL(k callbackKind) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k == videoCallback {
		return s.videoCallback
	}
	return s.voiceCallback
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
// played; its offsets count from the room's startDate. A room can so send
// its callbacks several times at once, as a load test may want. It returns
// an error for a room the server did not create.
func (s *Server) PlayRoom(uuid string, script RoomScript) error {
	room, ok := s.be.findRoom(uuid)
	if !ok {
		return fmt.Errorf("gurulizetest: PlayRoom: no room %q", uuid)
	}
	f := s.currentFaults()
	s.eng.schedule(roomCallbacks(room, script, f), f)
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
	f := s.currentFaults()
	s.eng.schedule(callCallbacks(call, script, f), f)
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
		if magic, ok := scriptForCallee(c.Callee); ok {
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
		out[i] = callback{kind: videoCallback, at: ev.at, room: room.UUID, body: ev.payload(room.UUID, f.OmitOptional)}
	}
	return out
}

func callCallbacks(call Call, script CallScript, f Faults) []callback {
	statuses := script.voiceStatuses(call)
	out := make([]callback, len(statuses))
	for i, st := range statuses {
		out[i] = callback{kind: voiceCallback, at: st.at, call: call.ID, query: st.query(call.ID, f.OmitOptional)}
	}
	return out
}

// Deliveries returns every callback delivery so far, in the order they
// finished (including failed ones and duplicates).
func (s *Server) Deliveries() []Delivery { return s.eng.recorded() }

// Test helpers: a schema of its own for each test in the PostgreSQL at
// DATABASE_URL, replicas (each an http.Server with its own pool), a
// dispatcher that forwards each callback to a random replica and records the
// answer, and the comparison of what the replicas store with what an
// in-memory tracker makes of the same callbacks.

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
)

// testToken is the callback token of every replica in the tests.
const testToken = "t0ken-for-tests_0123456789"

// databaseURL returns DATABASE_URL and fails the test when it is unset:
// these tests are about a real PostgreSQL and never skip.
func databaseURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv(databaseURLEnv)
	if u == "" {
		tb.Fatal("DATABASE_URL is not set: these tests need a real PostgreSQL. Set it to a connection string, such as " +
			"postgres://user:password@127.0.0.1:5432/db?sslmode=disable, or, from the SDK repository's root, " +
			"start a throwaway one with: export DATABASE_URL=$(scripts/postgres.sh start) (see README.md)")
	}
	return u
}

// freshSchema creates an empty schema in the database at DATABASE_URL, drops
// it when the test ends, and returns DATABASE_URL with its search_path set to
// that schema, so each test starts on an empty database of its own.
func freshSchema(tb testing.TB) string {
	tb.Helper()
	base := databaseURL(tb)
	name := fmt.Sprintf("test_%s_%d", strings.ToLower(strings.NewReplacer("/", "_", "-", "_").Replace(tb.Name())), rand.Uint32())
	if len(name) > 63 {
		name = name[len(name)-63:]
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn := connect(tb, base)
	defer conn.Close(ctx)
	_, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{name}.Sanitize())
	require.NoError(tb, err)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		conn := connect(tb, base)
		defer conn.Close(ctx)
		_, err := conn.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{name}.Sanitize()+" CASCADE")
		assert.NoError(tb, err)
	})
	return withParam(base, "search_path", name)
}

// connect opens one connection to dsn, which may carry pool settings such
// as pool_max_conns, as DATABASE_URL may; it is closed when the test ends.
func connect(tb testing.TB, dsn string) *pgx.Conn {
	tb.Helper()
	cfg, err := pgxpool.ParseConfig(dsn)
	require.NoError(tb, err, "parsing DATABASE_URL")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig)
	require.NoError(tb, err, "connecting to DATABASE_URL")
	tb.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// withParam adds a run-time parameter to a connection string, a URL or
// key=value pairs.
func withParam(dsn, key, value string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err == nil {
			q := u.Query()
			q.Set(key, value)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return dsn + " " + key + "=" + value
}

// openStore opens a Store on dsn, creating the tables, and closes it when
// the test ends.
func openStore(tb testing.TB, dsn string) *Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Open(ctx, dsn, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(tb, err)
	tb.Cleanup(s.Close)
	return s
}

// logBuffer collects the log lines of the replicas of a test.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// replica is one server of the example, as main runs it: its own pool, its
// own http.Server with the example's timeouts, on a loopback port.
type replica struct {
	store *Store
	url   string
}

// startReplicas starts n replicas on dsn, logging into logs, and stops them
// when the test ends.
func startReplicas(tb testing.TB, dsn string, n int, logs io.Writer) []*replica {
	tb.Helper()
	logger := slog.New(slog.NewTextHandler(logs, nil))
	var out []*replica
	for range n {
		s := openStore(tb, dsn)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(tb, err)
		srv := newServer(routes(s, testToken, logger), logger)
		go func() { _ = srv.Serve(ln) }()
		tb.Cleanup(func() { _ = srv.Close() })
		out = append(out, &replica{store: s, url: "http://" + ln.Addr().String()})
	}
	return out
}

// answer is one callback the dispatcher forwarded, and the status the
// replica answered.
type answer struct {
	video  bool
	body   []byte // video: the JSON payload
	query  string // voice: the query string
	status int    // 0 when the replica could not be reached
}

// dispatcher is a load balancer in front of the replicas: it forwards each
// callback to a replica picked at random, answers what the replica answered,
// and records it.
type dispatcher struct {
	replicas []string
	hc       *http.Client
	url      string

	mu      sync.Mutex
	answers []answer
}

func newDispatcher(tb testing.TB, replicaURLs []string) *dispatcher {
	tb.Helper()
	d := &dispatcher{replicas: replicaURLs, hc: &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: 64},
		Timeout:   30 * time.Second,
	}}
	srv := httptest.NewServer(d)
	tb.Cleanup(srv.Close)
	tb.Cleanup(d.hc.CloseIdleConnections)
	d.url = srv.URL
	return d
}

func (d *dispatcher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	target := d.replicas[rand.IntN(len(d.replicas))] + r.URL.RequestURI()
	req, err := http.NewRequestWithContext(r.Context(), r.Method, target, bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	req.Header.Set("Content-Type", r.Header.Get("Content-Type"))
	a := answer{video: strings.HasPrefix(r.URL.Path, "/gurulize/video/"), body: body, query: r.URL.RawQuery}
	resp, err := d.hc.Do(req)
	if err != nil {
		d.record(a)
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(resp.Body)
	a.status = resp.StatusCode
	d.record(a)
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(reply)
}

func (d *dispatcher) record(a answer) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.answers = append(d.answers, a)
}

// recorded returns the callbacks forwarded so far.
func (d *dispatcher) recorded() []answer {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]answer(nil), d.answers...)
}

// statuses counts the answers by status.
func (d *dispatcher) statuses() map[int]int {
	n := map[int]int{}
	for _, a := range d.recorded() {
		n[a.status]++
	}
	return n
}

// parse decodes a recorded callback.
func (a answer) parse(tb testing.TB) (gurulize.VideoEvent, gurulize.VoiceStatus) {
	tb.Helper()
	if a.video {
		ev, err := gurulize.ParseVideoEvent(a.body)
		require.NoError(tb, err)
		return ev, gurulize.VoiceStatus{}
	}
	values, err := url.ParseQuery(a.query)
	require.NoError(tb, err)
	st, err := gurulize.ParseVoiceStatus(values)
	require.NoError(tb, err)
	return gurulize.VideoEvent{}, st
}

// fold returns what in-memory trackers make of every callback recorded.
func (d *dispatcher) fold(tb testing.TB) (*gurulize.RoomTracker, *gurulize.CallTracker) {
	tb.Helper()
	rt, ct := gurulize.NewRoomTracker(), gurulize.NewCallTracker()
	for _, a := range d.recorded() {
		ev, st := a.parse(tb)
		if a.video {
			rt.Apply(ev)
		} else {
			ct.Apply(st)
		}
	}
	return rt, ct
}

// newFake returns a fake Gurulize whose callbacks go to the dispatcher, with
// the given delivery faults, retrying each refused callback for several
// seconds as the provider would.
func newFake(tb testing.TB, d *dispatcher, faults gurulizetest.Faults) *gurulizetest.Server {
	tb.Helper()
	return gurulizetest.NewTestServer(tb,
		gurulizetest.WithVideoCallbackURL(d.url+"/gurulize/video/"+testToken),
		gurulizetest.WithVoiceCallbackURL(d.url+"/gurulize/voice/"+testToken),
		gurulizetest.WithFaults(faults),
		gurulizetest.WithCallbackRetry(gurulize.RetryPolicy{MaxAttempts: 150, MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}),
	)
}

// roomPlans are the rooms the tests create, in turn: every ready-made
// script of the fake, in the kind of room it is meant for.
var roomPlans = []struct {
	script gurulizetest.RoomScript
	endHow gurulize.EndHow
}{
	{gurulizetest.Meet(40 * time.Minute), gurulize.EndAutomatic},
	{gurulizetest.TwoBreaks(), gurulize.EndAutomatic},
	{gurulizetest.HostEnds(20 * time.Minute), gurulize.EndByHost},
	{gurulizetest.TimeRunsOut(), gurulize.EndAutomatic},
	{gurulizetest.NoShow(), gurulize.EndAutomatic},
	{gurulizetest.Silent(), gurulize.EndAutomatic},
}

// callees are the callee numbers the tests call, in turn: every scenario of
// the fake.
var callees = []struct {
	number string
	script gurulizetest.CallScript // the script the number selects
}{
	{gurulizetest.NumberAnsweredFor(90 * time.Second), gurulizetest.Answered(90 * time.Second)},
	{gurulizetest.NumberCallerHangsUpAfter(30 * time.Second), gurulizetest.CallerHangsUp(30 * time.Second)},
	{gurulizetest.NumberCallerBusy, gurulizetest.Busy(gurulize.PartyCaller)},
	{gurulizetest.NumberCalleeBusy, gurulizetest.Busy(gurulize.PartyCallee)},
	{gurulizetest.NumberCallerRejects, gurulizetest.Rejected(gurulize.PartyCaller)},
	{gurulizetest.NumberCalleeRejects, gurulizetest.Rejected(gurulize.PartyCallee)},
	{gurulizetest.NumberCallerNoAnswer, gurulizetest.NoAnswer(gurulize.PartyCaller)},
	{gurulizetest.NumberCalleeNoAnswer, gurulizetest.NoAnswer(gurulize.PartyCallee)},
	{gurulizetest.NumberCallerNotConnected, gurulizetest.NotConnected(gurulize.PartyCaller)},
	{gurulizetest.NumberCalleeNotConnected, gurulizetest.NotConnected(gurulize.PartyCallee)},
	{gurulizetest.NumberOutOfCredits, gurulizetest.OutOfCredits()},
	{"5321234567", gurulizetest.Answered(time.Minute)}, // the default script
}

// createRoom creates the i-th room of roomPlans on the fake and plays its
// script streams times in all, at once: the room's callbacks then reach the
// replicas concurrently, the first ones included.
func createRoom(tb testing.TB, fake *gurulizetest.Server, i, streams int) string {
	tb.Helper()
	plan := roomPlans[i%len(roomPlans)]
	fake.NextRoomScript(plan.script)
	room, err := fake.Client().CreateVideoRoom(context.Background(), gurulize.VideoRoomRequest{
		Duration: time.Hour,
		StartAt:  time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute),
		EndHow:   plan.endHow,
	})
	require.NoError(tb, err)
	for range streams - 1 {
		require.NoError(tb, fake.PlayRoom(room.UUID, plan.script))
	}
	return room.UUID
}

// registerCall registers the i-th call of callees on the fake and plays its
// script streams times in all, at once.
func registerCall(tb testing.TB, fake *gurulizetest.Server, i, streams int) int64 {
	tb.Helper()
	callee := callees[i%len(callees)]
	reg, err := fake.Client().RegisterCall(context.Background(), gurulize.CallRequest{
		Caller: "5320000000", Callee: callee.number, MaxDuration: 10 * time.Minute,
	})
	require.NoError(tb, err)
	for range streams - 1 {
		require.NoError(tb, fake.PlayCall(reg.ID, callee.script))
	}
	return reg.ID
}

// waitDelivered waits until the fake has delivered everything and checks
// that every callback was acknowledged in the end.
func waitDelivered(tb testing.TB, fake *gurulizetest.Server) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	require.NoError(tb, fake.WaitIdle(ctx))
	deliveries := fake.Deliveries()
	require.NotEmpty(tb, deliveries)
	for _, d := range deliveries {
		require.Emptyf(tb, d.Err, "a callback was never acknowledged: room %q call %d: status %d, %s", d.RoomUUID, d.CallID, d.Status, d.Err)
	}
}

// get fetches path from base and returns the status and body.
func get(tb testing.TB, base, path string) (int, []byte) {
	tb.Helper()
	resp, err := http.Get(base + path)
	require.NoError(tb, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(tb, err)
	return resp.StatusCode, body
}

// checkStored compares what the replicas answer for every room and call of
// the fake with what the trackers make of the callbacks: the summary, as
// encoding/json renders it, and the changes, versions 1..n without gaps
// whose last summary is the final one. A room or call the trackers do not
// know (no callback) must be unknown to the replicas too. Each read goes to
// a random replica.
func checkStored(tb testing.TB, replicaURLs []string, fake *gurulizetest.Server, rt *gurulize.RoomTracker, ct *gurulize.CallTracker) {
	tb.Helper()
	pick := func() string { return replicaURLs[rand.IntN(len(replicaURLs))] }
	for _, room := range fake.Rooms() {
		want, known := rt.Room(room.UUID)
		checkOne(tb, pick(), "/rooms/"+room.UUID, want, known)
	}
	for _, call := range fake.Calls() {
		want, known := ct.Call(call.ID)
		checkOne(tb, pick(), "/calls/"+strconv.FormatInt(call.ID, 10), want, known)
	}
}

func checkOne(tb testing.TB, base, path string, want any, known bool) {
	tb.Helper()
	status, body := get(tb, base, path)
	statusChanges, bodyChanges := get(tb, base, path+"/changes")
	if !known {
		assert.Equal(tb, http.StatusNotFound, status, path)
		assert.Equal(tb, http.StatusNotFound, statusChanges, path+"/changes")
		return
	}
	wantJSON, err := json.Marshal(want)
	require.NoError(tb, err)
	require.Equal(tb, http.StatusOK, status, path)
	assert.Equal(tb, string(wantJSON), string(body), path)

	require.Equal(tb, http.StatusOK, statusChanges, path+"/changes")
	var changes []Change[json.RawMessage]
	require.NoError(tb, json.Unmarshal(bodyChanges, &changes))
	require.NotEmpty(tb, changes, path+"/changes")
	for i, c := range changes {
		assert.Equal(tb, int64(i+1), c.Version, "%s/changes: versions 1..n without gaps", path)
	}
	assert.Equal(tb, string(wantJSON), string(changes[len(changes)-1].Summary), "%s/changes: the last is the final summary", path)
}

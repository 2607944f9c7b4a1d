package gurulizetest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
)

const sec = time.Second

func st(code int, desc, cause string, offset time.Duration) callStatus {
	return callStatus{Code: code, Desc: desc, Cause: cause, Offset: offset}
}

var (
	starting        = st(0, "CALLS_STARTING", "0", 0)
	callerConnected = st(1, "CALLER_CONNECTED", "0", 8*sec)
	calleeConnected = st(2, "CALLEE_CONNECTED", "0", 18*sec)
)

// magicNumbers is the table in the package documentation, as statuses.
var magicNumbers = []struct {
	callee string
	script string
	want   []callStatus
}{
	{gurulizetest.NumberAnsweredFor(95 * sec), "answered 1m35s, callee hangs up", []callStatus{
		starting, callerConnected, calleeConnected,
		st(12, "CALLEE_CLOSED", "16", 113*sec), st(11, "CALLER_CLOSED", "16", 113*sec),
	}},
	{gurulizetest.NumberCallerHangsUpAfter(42 * sec), "answered 42s, caller hangs up", []callStatus{
		starting, callerConnected, calleeConnected,
		st(11, "CALLER_CLOSED", "16", 60*sec), st(12, "CALLEE_CLOSED", "16", 60*sec),
	}},
	{gurulizetest.NumberCallerBusy, "caller busy", []callStatus{starting, st(3, "CALLER_BUSY", "17", 4*sec)}},
	{gurulizetest.NumberCalleeBusy, "callee busy", []callStatus{starting, callerConnected, st(4, "CALLEE_BUSY", "17", 12*sec)}},
	{gurulizetest.NumberCallerRejects, "caller rejects", []callStatus{starting, st(5, "CALLER_REJECT", "21", 6*sec)}},
	{gurulizetest.NumberCalleeRejects, "callee rejects", []callStatus{starting, callerConnected, st(6, "CALLEE_REJECT", "21", 14*sec)}},
	{gurulizetest.NumberCallerNoAnswer, "caller does not answer", []callStatus{starting, st(7, "CALLER_NOT_ANSWERED", "19", 30*sec)}},
	{gurulizetest.NumberCalleeNoAnswer, "callee does not answer", []callStatus{starting, callerConnected, st(8, "CALLEE_NOT_ANSWERED", "19", 38*sec)}},
	{gurulizetest.NumberCallerNotConnected, "caller not connected", []callStatus{starting, st(9, "CALLER_NOT_CONNECTED", "27", sec)}},
	{gurulizetest.NumberCalleeNotConnected, "callee not connected", []callStatus{starting, callerConnected, st(10, "CALLEE_NOT_CONNECTED", "27", 9*sec)}},
	{gurulizetest.NumberOutOfCredits, "out of credits", []callStatus{starting, st(13, "OUT_OF_CREDITS", "0", sec)}},
	{"5427654321", "answered 1m, callee hangs up", []callStatus{
		starting, callerConnected, calleeConnected,
		st(12, "CALLEE_CLOSED", "16", 78*sec), st(11, "CALLER_CLOSED", "16", 78*sec),
	}},
}

func TestMagicNumbers(t *testing.T) {
	t.Parallel()
	for _, tc := range magicNumbers {
		t.Run(tc.script, func(t *testing.T) {
			t.Parallel()
			sk := newSink(t)
			srv := gurulizetest.NewTestServer(t, sk.options()...)
			reg, err := srv.Client().RegisterCall(context.Background(), gurulize.CallRequest{Caller: "5321234567", Callee: tc.callee, MaxDuration: time.Hour})
			require.NoError(t, err)
			waitIdle(t, srv)
			call, ok := srv.Call(reg.ID)
			require.True(t, ok)
			assert.Equal(t, tc.script, call.Script)
			assert.Equal(t, tc.want, decodeCallStatuses(t, sk.Voice(), reg.ID, call.RegisteredAt))
		})
	}
}

func TestMagicNumberHelpers(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "5005551095", gurulizetest.NumberAnsweredFor(95*time.Second))
	assert.Equal(t, "5005551999", gurulizetest.NumberAnsweredFor(time.Hour), "clamped to 999s")
	assert.Equal(t, "5005551000", gurulizetest.NumberAnsweredFor(-time.Second), "clamped to 0s")
	assert.Equal(t, "5005552005", gurulizetest.NumberCallerHangsUpAfter(5500*time.Millisecond))
	assert.Equal(t, "caller busy", gurulizetest.Busy(gurulize.PartyCaller).Name)
	assert.Equal(t, "callee busy", gurulizetest.Busy(gurulize.PartyCallee).Name)
	assert.Equal(t, "caller busy", gurulizetest.Busy(gurulize.PartyNone).Name, "any party but the callee is the caller")
}

func TestCallWireFormat(t *testing.T) {
	t.Parallel()
	sk := newSink(t)
	start := time.Unix(1427116735, 0)
	srv := gurulizetest.NewTestServer(t,
		gurulizetest.WithManualClock(start),
		gurulizetest.WithVoiceCallbackURL(sk.srv.URL+"/voice?token=abc"))
	reg, err := srv.Client().RegisterCall(context.Background(), gurulize.CallRequest{Caller: "5321234567", Callee: gurulizetest.NumberCalleeBusy, MaxDuration: time.Minute})
	require.NoError(t, err)
	srv.Advance(time.Minute)
	waitIdle(t, srv)

	recs := sk.Voice()
	require.Len(t, recs, 3)
	assert.Equal(t, http.MethodGet, recs[1].Method)
	assert.Equal(t, "/voice", recs[1].Path)
	assert.Empty(t, recs[1].Body)
	assert.Equal(t, "token=abc&id=1&code=1&desc=CALLER_CONNECTED&cause=0&time=1427116743", recs[1].RawQuery,
		"the reference's own example, after the URL's query")
	assert.Equal(t, int64(1), reg.ID)

	ds := srv.Deliveries()
	require.Len(t, ds, 3)
	assert.NotZero(t, ds[2].CallID)
	assert.Equal(t, int64(1), ds[2].CallID)
	assert.Equal(t, time.Unix(1427116747, 0).UTC(), ds[2].At)
	assert.Equal(t, http.MethodGet, ds[2].Method)
	assert.Equal(t, sk.srv.URL+"/voice?token=abc&id=1&code=4&desc=CALLEE_BUSY&cause=17&time=1427116747", ds[2].URL)
}

func TestCallCutAtRegisteredDuration(t *testing.T) {
	t.Parallel()
	sk := newSink(t)
	srv := gurulizetest.NewTestServer(t, sk.options()...)
	reg, err := srv.Client().RegisterCall(context.Background(), gurulize.CallRequest{
		Caller: "5321234567", Callee: gurulizetest.NumberAnsweredFor(5 * time.Minute), MaxDuration: 2 * time.Minute,
	})
	require.NoError(t, err)
	waitIdle(t, srv)
	call, _ := srv.Call(reg.ID)
	assert.Equal(t, []callStatus{
		starting, callerConnected, calleeConnected,
		st(11, "CALLER_CLOSED", "16", 138*sec), st(12, "CALLEE_CLOSED", "16", 138*sec),
	}, decodeCallStatuses(t, sk.Voice(), reg.ID, call.RegisteredAt))
}

func TestCallScriptSelection(t *testing.T) {
	t.Parallel()
	sk := newSink(t)
	custom := gurulizetest.CallScript{Name: "custom", Steps: []gurulizetest.CallStep{
		{After: 3 * sec, Code: 14, Cause: "new"}, // a status the reference does not list
		{After: 0, Code: 0},
		{After: 2 * sec, Code: 1, Desc: "CALLER_CONNECTED_EARLY"},
	}}
	srv := gurulizetest.NewTestServer(t, append(sk.options(), gurulizetest.WithCallScript(gurulizetest.OutOfCredits()))...)
	ctx := context.Background()
	register := func(callee string) int64 {
		reg, err := srv.Client().RegisterCall(ctx, gurulize.CallRequest{Caller: "5321234567", Callee: callee, MaxDuration: time.Minute})
		require.NoError(t, err)
		return reg.ID
	}
	srv.NextCallScript(custom)
	first := register(gurulizetest.NumberCallerBusy) // the queued script wins over the magic number
	second := register(gurulizetest.NumberCallerBusy)
	third := register("5427654321") // the default set by WithCallScript
	waitIdle(t, srv)

	var names []string
	for _, c := range srv.Calls() {
		names = append(names, c.Script)
	}
	assert.Equal(t, []string{"custom", "caller busy", "out of credits"}, names)
	c1, _ := srv.Call(first)
	assert.Equal(t, []callStatus{
		starting,
		st(1, "CALLER_CONNECTED_EARLY", "0", 2*sec),
		st(14, "", "new", 3*sec),
	}, decodeCallStatuses(t, sk.Voice(), first, c1.RegisteredAt))
	c2, _ := srv.Call(second)
	assert.Len(t, decodeCallStatuses(t, sk.Voice(), second, c2.RegisteredAt), 2)
	c3, _ := srv.Call(third)
	assert.Equal(t, []callStatus{starting, st(13, "OUT_OF_CREDITS", "0", sec)}, decodeCallStatuses(t, sk.Voice(), third, c3.RegisteredAt))
}

// TestMagicNumbersListTheFakesTable: every number MagicNumbers lists plays
// the script it names, and every fixed magic constant is listed.
func TestMagicNumbersListTheFakesTable(t *testing.T) {
	listed := gurulizetest.MagicNumbers()
	for pattern, what := range listed {
		number := strings.Replace(pattern, "SSS", "042", 1)
		script, ok := gurulizetest.ScriptForCallee(number)
		require.True(t, ok, pattern)
		if number == pattern {
			assert.Equal(t, script.Name, what, pattern)
		} else {
			assert.Contains(t, script.Name, "answered 42s", pattern)
		}
	}
	for _, n := range []string{gurulizetest.NumberCallerBusy, gurulizetest.NumberCalleeBusy, gurulizetest.NumberCallerRejects,
		gurulizetest.NumberCalleeRejects, gurulizetest.NumberCallerNoAnswer, gurulizetest.NumberCalleeNoAnswer,
		gurulizetest.NumberCallerNotConnected, gurulizetest.NumberCalleeNotConnected, gurulizetest.NumberOutOfCredits, gurulizetest.NumberFinalStatusLost} {
		assert.Contains(t, listed, n)
	}
	assert.Equal(t, "answered, SSS seconds of talk, then the callee hangs up", listed["5005551SSS"])
	assert.Equal(t, "answered, SSS seconds of talk, then the caller hangs up", listed["5005552SSS"])
	assert.Len(t, listed, 12)
}

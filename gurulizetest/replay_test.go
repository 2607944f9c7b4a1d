package gurulizetest_test

import (
	"context"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
)

// seen is one request as an endpoint received it.
type seen struct {
	Method, Host, Path, RawQuery, ContentType, Body string
}

// recorderHandler answers each request with the status status(path) and
// keeps what it received.
type recorderHandler struct {
	mu     sync.Mutex
	got    []seen
	status func(path string) int
}

func (h *recorderHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	h.got = append(h.got, seen{r.Method, r.Host, r.URL.Path, r.URL.RawQuery, r.Header.Get("Content-Type"), string(body)})
	h.mu.Unlock()
	code := http.StatusOK
	if h.status != nil {
		code = h.status(r.URL.Path)
	}
	w.WriteHeader(code)
	_, _ = io.WriteString(w, "answer to "+r.URL.Path)
}

func (h *recorderHandler) received() []seen {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]seen(nil), h.got...)
}

// sample is a small recording with the token as its placeholder.
var sample = []gurulizetest.RecordedCallback{
	{Method: "POST", Path: "/gurulize/video/{token}", ContentType: "application/json", Body: []byte(`{"code":"JOIN"}`), Time: arrived},
	{Method: "GET", Path: "/gurulize/voice", Query: "token={token}&id=7&code=1", Time: arrived.Add(time.Second)},
	{Method: "POST", Path: "/gurulize/voice", ContentType: "application/x-www-form-urlencoded", Body: []byte("id=7&code=4&token={token}"), Time: arrived.Add(2 * time.Second)},
}

func TestReplayIntoAHandler(t *testing.T) {
	h := &recorderHandler{status: func(path string) int {
		if path == "/gurulize/voice" {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	}}
	var progress []int
	results, err := gurulizetest.Replay(context.Background(), h, sample, gurulizetest.ReplayOptions{
		Token:      "every-kind.of_char~0AZaz9", // all go into a URL as they are
		OnDelivery: func(r gurulizetest.ReplayResult) { progress = append(progress, r.Index) },
	})
	require.NoError(t, err)
	assert.Equal(t, []seen{
		{"POST", "example.com", "/gurulize/video/every-kind.of_char~0AZaz9", "", "application/json", `{"code":"JOIN"}`},
		{"GET", "example.com", "/gurulize/voice", "token=every-kind.of_char~0AZaz9&id=7&code=1", "", ""},
		{"POST", "example.com", "/gurulize/voice", "", "application/x-www-form-urlencoded", "id=7&code=4&token=every-kind.of_char~0AZaz9"},
	}, h.received())
	require.Len(t, results, 3)
	for i, r := range results {
		assert.Equal(t, i, r.Index)
		assert.Equal(t, sample[i], r.Callback, "as given, placeholder included")
		assert.False(t, r.Duplicate)
		assert.NoError(t, r.Err)
	}
	assert.Equal(t, []int{0, 1, 2}, progress, "OnDelivery after each delivery, in order")
	assert.True(t, results[0].Delivered())
	assert.Equal(t, http.StatusServiceUnavailable, results[1].Status)
	assert.Equal(t, "answer to /gurulize/voice", results[1].Answer)
	assert.False(t, results[1].Delivered())
}

func TestReplayToAURL(t *testing.T) {
	h := &recorderHandler{status: func(path string) int {
		if strings.HasSuffix(path, "/video/tk-0123456789abcdef") {
			return http.StatusOK
		}
		return http.StatusInternalServerError
	}}
	endpoint := httptest.NewServer(h)
	defer endpoint.Close()

	results, err := gurulizetest.ReplayTo(context.Background(), endpoint.URL+"/app/", sample, gurulizetest.ReplayOptions{Token: "tk-0123456789abcdef"})
	require.NoError(t, err)
	got := h.received()
	require.Len(t, got, 3)
	assert.Equal(t, "/app/gurulize/video/tk-0123456789abcdef", got[0].Path, "after the base URL's path")
	assert.Equal(t, "application/json", got[0].ContentType)
	assert.Equal(t, `{"code":"JOIN"}`, got[0].Body)
	assert.Equal(t, "token=tk-0123456789abcdef&id=7&code=1", got[1].RawQuery)
	assert.Equal(t, "id=7&code=4&token=tk-0123456789abcdef", got[2].Body)
	assert.True(t, results[0].Delivered())
	assert.Equal(t, http.StatusInternalServerError, results[1].Status)
	assert.Equal(t, "answer to /app/gurulize/voice", results[1].Answer)
}

func TestReplayToAnEndpointThatIsNotThere(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close())

	results, err := gurulizetest.ReplayTo(context.Background(), base, sample[:1], gurulizetest.ReplayOptions{Token: "s3cr3t-0123456789abc"})
	require.NoError(t, err, "a delivery that fails is in its result")
	require.Len(t, results, 1)
	assert.False(t, results[0].Delivered())
	assert.Zero(t, results[0].Status)
	require.Error(t, results[0].Err)
	assert.Contains(t, results[0].Err.Error(), "connect")
	assert.NotContains(t, results[0].Err.Error(), "s3cr3t-0123456789abc", "the URL, token included, is not in the error")
	assert.NotContains(t, results[0].Err.Error(), "/gurulize/video")
}

func TestReplayDuplicateAndReorder(t *testing.T) {
	recs := make([]gurulizetest.RecordedCallback, 6)
	for i := range recs {
		recs[i] = gurulizetest.RecordedCallback{Method: "GET", Path: "/v", Query: "n=" + string(rune('a'+i)), Time: arrived.Add(time.Duration(i) * time.Second)}
	}
	play := func(opts gurulizetest.ReplayOptions) []string {
		h := &recorderHandler{}
		_, err := gurulizetest.Replay(context.Background(), h, recs, opts)
		require.NoError(t, err)
		var order []string
		for _, s := range h.received() {
			order = append(order, s.RawQuery)
		}
		return order
	}
	inOrder := play(gurulizetest.ReplayOptions{})
	assert.Equal(t, []string{"n=a", "n=b", "n=c", "n=d", "n=e", "n=f"}, inOrder)
	assert.Equal(t, []string{"n=a", "n=a", "n=b", "n=b", "n=c", "n=c", "n=d", "n=d", "n=e", "n=e", "n=f", "n=f"},
		play(gurulizetest.ReplayOptions{Duplicate: true}))

	shuffled := play(gurulizetest.ReplayOptions{Reorder: true, Seed: 3})
	assert.NotEqual(t, inOrder, shuffled)
	assert.ElementsMatch(t, inOrder, shuffled)
	assert.Equal(t, shuffled, play(gurulizetest.ReplayOptions{Reorder: true, Seed: 3}), "the same seed, the same order")
	for seed := range uint64(50) {
		two := play(gurulizetest.ReplayOptions{Reorder: true, Seed: seed})
		assert.NotEqual(t, inOrder, two, "never the original order (seed %d)", seed)
	}
}

// Reorder with a seed gives the order the fake gives its first room.
func TestReplayReordersAsTheFake(t *testing.T) {
	t.Parallel()
	srv, video, _ := playOnce(t, gurulizetest.WithFaults(gurulizetest.Faults{Reorder: true, Seed: 11}))
	recs, err := gurulizetest.RoomCallbacks("/video", srv.Rooms()[0], gurulizetest.Meet(40*time.Minute))
	require.NoError(t, err)
	h := &recorderHandler{}
	_, err = gurulizetest.Replay(context.Background(), h, recs, gurulizetest.ReplayOptions{Reorder: true, Seed: 11})
	require.NoError(t, err)
	var fromFake, replayed []string
	for _, v := range video {
		fromFake = append(fromFake, v.Body)
	}
	for _, s := range h.received() {
		replayed = append(replayed, s.Body)
	}
	assert.Equal(t, fromFake, replayed)
}

func TestReplaySpeed(t *testing.T) {
	recs := []gurulizetest.RecordedCallback{
		{Method: "GET", Path: "/v", Time: arrived},
		{Method: "GET", Path: "/v", Time: arrived.Add(time.Second)},
		{Method: "GET", Path: "/v", Time: arrived.Add(2 * time.Second)},
	}
	began := time.Now()
	_, err := gurulizetest.Replay(context.Background(), &recorderHandler{}, recs, gurulizetest.ReplayOptions{Speed: 10})
	require.NoError(t, err)
	elapsed := time.Since(began)
	assert.GreaterOrEqual(t, elapsed, 200*time.Millisecond, "2s recorded, 10 times faster")
	assert.Less(t, elapsed, 2*time.Second)

	began = time.Now()
	_, err = gurulizetest.Replay(context.Background(), &recorderHandler{}, recs, gurulizetest.ReplayOptions{})
	require.NoError(t, err)
	assert.Less(t, time.Since(began), 150*time.Millisecond, "no waiting by default")
}

func TestReplayStopsWithTheContext(t *testing.T) {
	recs := []gurulizetest.RecordedCallback{
		{Method: "GET", Path: "/v", Time: arrived},
		{Method: "GET", Path: "/v", Time: arrived.Add(time.Hour)},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	results, err := gurulizetest.Replay(ctx, &recorderHandler{}, recs, gurulizetest.ReplayOptions{Speed: 1})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Len(t, results, 1, "the results so far")
}

func TestReplayRefusesBadInput(t *testing.T) {
	h := &recorderHandler{}
	ok := []gurulizetest.RecordedCallback{{Method: "GET", Path: "/v", Time: arrived}}
	tests := []struct {
		name string
		recs []gurulizetest.RecordedCallback
		opts gurulizetest.ReplayOptions
		want string
	}{
		{"negative speed", ok, gurulizetest.ReplayOptions{Speed: -1}, "Speed must be 0 or positive and finite"},
		{"NaN speed", ok, gurulizetest.ReplayOptions{Speed: math.NaN()}, "Speed must be 0 or positive and finite"},
		{"a placeholder without a token", sample, gurulizetest.ReplayOptions{}, "callback 0 holds the placeholder {token}: set ReplayOptions.Token"},
		{"a bad method", []gurulizetest.RecordedCallback{{Method: "", Path: "/v"}}, gurulizetest.ReplayOptions{}, `callback 0: "" is not an HTTP method`},
		{"a bad path", []gurulizetest.RecordedCallback{ok[0], {Method: "GET", Path: "v"}}, gurulizetest.ReplayOptions{}, `callback 1: "path" must start with "/"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			results, err := gurulizetest.Replay(context.Background(), h, tt.recs, tt.opts)
			assert.ErrorContains(t, err, "gurulizetest: Replay: "+tt.want)
			assert.Nil(t, results)
		})
	}
	assert.Empty(t, h.received(), "nothing was sent")

	_, err := gurulizetest.Replay(context.Background(), nil, ok, gurulizetest.ReplayOptions{})
	assert.EqualError(t, err, "gurulizetest: Replay: nil handler")
	for _, base := range []string{"ftp://127.0.0.1", "127.0.0.1:8080", "http://127.0.0.1/?token=s3cr3t", "http://user:s3cr3t@127.0.0.1/#x", "http://[::1"} {
		_, err := gurulizetest.ReplayTo(context.Background(), base, ok, gurulizetest.ReplayOptions{})
		assert.ErrorContains(t, err, "gurulizetest: ReplayTo: the base URL must be an absolute http(s) URL without a query", base)
		assert.NotContains(t, err.Error(), "s3cr3t")
	}
}

// Replay into the SDK's handler: the tracker sees a call from a recording.
func TestReplayIntoTheVoiceHandler(t *testing.T) {
	calls := gurulize.NewCallTracker()
	h := gurulize.NewVoiceStatusHandler(func(_ context.Context, st gurulize.VoiceStatus) error {
		calls.Apply(st)
		return nil
	}, gurulize.WithCallbackToken("tk-0123456789abcdef"))
	recs, err := gurulizetest.ReadRecording(strings.NewReader(
		`{"version":1,"time":"2026-12-01T12:00:00Z","method":"GET","path":"/voice/{token}","query":"id=3&code=2&time=1796126418"}` + "\n" +
			`{"version":1,"time":"2026-12-01T12:00:09Z","method":"POST","path":"/voice","query":"token={token}","contentType":"application/x-www-form-urlencoded","body":"id=3&code=12&time=1796126478"}` + "\n"))
	require.NoError(t, err)
	results, err := gurulizetest.Replay(context.Background(), h, recs, gurulizetest.ReplayOptions{Token: "tk-0123456789abcdef"})
	require.NoError(t, err)
	for _, r := range results {
		assert.Equal(t, http.StatusOK, r.Status, r.Answer)
	}
	sum, _ := calls.Call(3)
	assert.Equal(t, gurulize.OutcomeCompleted, sum.Outcome)
	assert.Equal(t, time.Minute, sum.TalkTime)
}

// TestReplayRefusesTokensTheHandlersRefuse: a token the SDK's handlers
// would not accept (one a URL changes, or a short one) is refused before
// anything is sent, with the rule in words and without the token.
func TestReplayRefusesTokensTheHandlersRefuse(t *testing.T) {
	h := &recorderHandler{}
	for _, tok := range []string{"a/b", "aaaaaaaa/bbbbbbbb", "YWJjZGVmZ2hpams+/w==", "with a space in it", "t0k3n", "0123456789abcde"} {
		for name, play := range map[string]func() error{
			"Replay": func() error {
				_, err := gurulizetest.Replay(context.Background(), h, sample, gurulizetest.ReplayOptions{Token: tok})
				return err
			},
			"ReplayTo": func() error {
				_, err := gurulizetest.ReplayTo(context.Background(), "http://127.0.0.1:1", sample, gurulizetest.ReplayOptions{Token: tok})
				return err
			},
		} {
			err := play()
			require.Error(t, err, "%s %q", name, tok)
			assert.Contains(t, err.Error(), "gurulizetest: "+name+": ReplayOptions.Token: the token ")
			assert.Contains(t, err.Error(), "a callback token must be at least 16 characters long, each a letter A-Z or a-z, a digit 0-9, or one of - . _ ~")
			assert.NotContains(t, err.Error(), tok)
		}
	}
	assert.Empty(t, h.received(), "nothing was sent")
}

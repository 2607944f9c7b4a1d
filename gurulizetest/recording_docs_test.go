// recording_docs_test.go: the recording test the README's "Developing your
// callback endpoint" shows, run as a test, and a check that the README
// quotes it exactly.

package gurulizetest_test

import (
	"context"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
)

func TestRecordedCallbacks(t *testing.T) {
	rooms := gurulize.NewRoomTracker()
	mux := http.NewServeMux() // your application's callback routes
	mux.Handle("POST /gurulize/video/{token}", gurulize.NewVideoEventHandler(
		func(_ context.Context, ev gurulize.VideoEvent) error { rooms.Apply(ev); return nil },
		gurulize.WithCallbackToken("test-token-0123456789")))
	mux.Handle("GET /gurulize/voice", gurulize.NewVoiceStatusHandler(
		func(context.Context, gurulize.VoiceStatus) error { return nil },
		gurulize.WithCallbackToken("test-token-0123456789")))

	recs, err := gurulizetest.ReadRecordingFile("testdata/recording-v1.jsonl")
	require.NoError(t, err)
	results, err := gurulizetest.Replay(context.Background(), mux, recs,
		gurulizetest.ReplayOptions{Token: "test-token-0123456789", Duplicate: true, Reorder: true})
	require.NoError(t, err)
	for _, r := range results {
		assert.True(t, r.Delivered(), "callback %d: %d %s", r.Index, r.Status, r.Answer)
	}
	sum, _ := rooms.Room("1b4e28ba-2fa1-41d2-883f-0016d3cca427")
	assert.Equal(t, 40*time.Minute, sum.Billed) // what your application made of them
}

// TestReadmeQuotesRecordedCallbacks: the Go snippet of the README's
// "Developing your callback endpoint" is TestRecordedCallbacks, exactly.
func TestReadmeQuotesRecordedCallbacks(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	section := string(readme)
	start := strings.Index(section, "\n## Developing your callback endpoint")
	require.GreaterOrEqual(t, start, 0, "the README has the section")
	section = section[start+1:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	snippets := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(section, -1)
	require.Len(t, snippets, 1)

	source, err := os.ReadFile("recording_docs_test.go")
	require.NoError(t, err)
	fn := string(source)
	fn = fn[strings.Index(fn, "func TestRecordedCallbacks("):]
	fn = fn[:strings.Index(fn, "\n}\n")+3]
	assert.Equal(t, fn, snippets[0][1])
}

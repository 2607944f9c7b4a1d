package gurulizetest_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
)

var arrived = time.Date(2026, 12, 1, 12, 0, 0, 123456789, time.UTC)

func TestRecordRequestReplacesTheTokenWhereverItIs(t *testing.T) {
	const token = "s3cr3t-T0k3n"
	tests := []struct {
		name                     string
		method, target, body     string
		wantPath, wantQuery      string
		wantBody, wantContentTyp string
	}{
		{"last path segment", "POST", "/gurulize/video/s3cr3t-T0k3n", `{"code":"JOIN"}`,
			"/gurulize/video/{token}", "", `{"code":"JOIN"}`, "application/json"},
		{"token query parameter", "GET", "/gurulize/voice?token=s3cr3t-T0k3n&id=7&code=1", "",
			"/gurulize/voice", "token={token}&id=7&code=1", "", ""},
		{"escaped in the path and the query", "GET", "/a/s3cr3t%2DT0k3n?k=s3cr3t%2DT0k3n&id=1", "",
			"/a/{token}", "k={token}&id=1", "", ""},
		{"inside other text and in a form body", "POST", "/x-s3cr3t-T0k3n-y?note=is+s3cr3t-T0k3n", "id=1&token=s3cr3t-T0k3n",
			"/x-{token}-y", "note=is+{token}", "id=1&token={token}", "application/x-www-form-urlencoded"},
		{"nowhere", "GET", "/gurulize/voice?id=7", "",
			"/gurulize/voice", "id=7", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			if tt.wantContentTyp != "" {
				r.Header.Set("Content-Type", tt.wantContentTyp)
			}
			rec := gurulizetest.RecordRequest(r, []byte(tt.body), token, arrived.In(time.FixedZone("TRT", 3*3600)))
			assert.Equal(t, tt.method, rec.Method)
			assert.Equal(t, tt.wantPath, rec.Path)
			assert.Equal(t, tt.wantQuery, rec.Query)
			assert.Equal(t, tt.wantBody, string(rec.Body))
			assert.Equal(t, tt.wantContentTyp, rec.ContentType)
			assert.Equal(t, arrived, rec.Time, "in UTC")

			var line bytes.Buffer
			require.NoError(t, gurulizetest.WriteRecording(&line, rec))
			assert.NotContains(t, line.String(), "s3cr3t", "the token is never written")
			assert.NotContains(t, line.String(), "T0k3n")
		})
	}
	// A token with characters a URL escapes is found escaped too.
	r := httptest.NewRequest("GET", "/v/t%20k%2F1?token=t+k%2F1&also=t%20k%2F1", nil)
	rec := gurulizetest.RecordRequest(r, []byte("token=t+k%2F1&raw=t k/1"), "t k/1", arrived)
	assert.Equal(t, "/v/{token}", rec.Path)
	assert.Equal(t, "token={token}&also={token}", rec.Query)
	assert.Equal(t, "token={token}&raw={token}", string(rec.Body))

	// Without a token, the request is kept as it came.
	r = httptest.NewRequest("GET", "/v/abc?token=abc", nil)
	rec = gurulizetest.RecordRequest(r, nil, "", arrived)
	assert.Equal(t, "/v/abc", rec.Path)
	assert.Equal(t, "token=abc", rec.Query)
}

func TestRecordingLineFormat(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, gurulizetest.WriteRecording(&b,
		gurulizetest.RecordedCallback{Method: "POST", Path: "/gurulize/video/{token}", ContentType: "application/json",
			Body: []byte(`{"code":"JOIN","roomUuid":"<r&d>"}`), Time: arrived},
		gurulizetest.RecordedCallback{Method: "GET", Path: "/gurulize/voice", Query: "token={token}&id=7", Time: arrived.Add(time.Second)},
		gurulizetest.RecordedCallback{Method: "POST", Path: "/bin", Body: []byte{0xff, 0x00, 'a'}, Time: arrived},
	))
	assert.Equal(t, `{"version":1,"time":"2026-12-01T12:00:00.123456789Z","method":"POST","path":"/gurulize/video/{token}","query":"","contentType":"application/json","body":"{\"code\":\"JOIN\",\"roomUuid\":\"<r&d>\"}"}
{"version":1,"time":"2026-12-01T12:00:01.123456789Z","method":"GET","path":"/gurulize/voice","query":"token={token}&id=7","contentType":"","body":""}
{"version":1,"time":"2026-12-01T12:00:00.123456789Z","method":"POST","path":"/bin","query":"","contentType":"","bodyBase64":"/wBh"}
`, b.String())
}

func TestRecordingRoundTrip(t *testing.T) {
	recs := []gurulizetest.RecordedCallback{
		{Method: "POST", Path: "/gurulize/video/{token}", ContentType: "application/json", Body: []byte(`{"code":"JOIN"}`), Time: arrived},
		{Method: "GET", Path: "/gurulize/voice", Query: "token={token}&id=7&desc=%C3%A7", Time: arrived.Add(time.Minute)},
		{Method: "POST", Path: "/bin", Body: []byte{0xff, 0x00, '\n', 'a'}, Time: arrived.Add(time.Hour)},
		{Method: "POST", Path: "/unicode", ContentType: "text/plain; charset=utf-8", Body: []byte("çağrı\u2028\x1b[2J"), Time: arrived},
	}
	var b bytes.Buffer
	require.NoError(t, gurulizetest.WriteRecording(&b, recs...))
	assert.Equal(t, 4, strings.Count(b.String(), "\n"), "one line each")
	got, err := gurulizetest.ReadRecording(&b)
	require.NoError(t, err)
	assert.Equal(t, recs, got)
}

func TestReadRecordingSkipsBlankLinesAndUnknownFields(t *testing.T) {
	in := "\n" + `{"version":1,"time":"2026-12-01T12:00:00Z","method":"GET","path":"/v","query":"id=1","later":"ignored"}` + "\n  \n" +
		`{"version":1,"time":"2026-12-01T12:00:01Z","method":"GET","path":"/v"}` // no newline at the end: a whole line still
	got, err := gurulizetest.ReadRecording(strings.NewReader(in))
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, "id=1", got[0].Query)
	assert.Nil(t, got[1].Body)
}

func TestReadRecordingErrors(t *testing.T) {
	const good = `{"version":1,"time":"2026-12-01T12:00:00Z","method":"GET","path":"/v","query":"id=1"}` + "\n"
	tests := []struct {
		name      string
		in        string
		line      int
		want      string
		truncated bool
	}{
		{"not JSON", good + "hello\n", 2, "not a recorded callback: not a JSON object", false},
		{"a JSON array", good + "[1]\n", 2, "not a recorded callback: not a JSON object", false},
		{"broken JSON in the middle", good + `{"version":1,"time":` + "\n" + good, 2, "not a recorded callback: unexpected end of JSON input", false},
		{"no version", good + `{"method":"GET","path":"/v","time":"2026-12-01T12:00:00Z"}` + "\n", 2, `not a recorded callback: no "version"`, false},
		{"a later version", `{"version":2,"time":"2026-12-01T12:00:00Z","method":"GET","path":"/v"}` + "\n", 1, "recording format version 2 is newer than this gurulizetest reads (1)", false},
		{"no method", `{"version":1,"time":"2026-12-01T12:00:00Z","path":"/v"}` + "\n", 1, `not a recorded callback: no valid "method"`, false},
		{"a method with a space", `{"version":1,"time":"2026-12-01T12:00:00Z","method":"G T","path":"/v"}` + "\n", 1, `not a recorded callback: no valid "method"`, false},
		{"a relative path", `{"version":1,"time":"2026-12-01T12:00:00Z","method":"GET","path":"v"}` + "\n", 1, `not a recorded callback: "path" must start with "/"`, false},
		{"a path with a newline", `{"version":1,"time":"2026-12-01T12:00:00Z","method":"GET","path":"/v\n"}` + "\n", 1, `not a recorded callback: "path" and "query" must not hold spaces, control characters or "#"`, false},
		{"a bad escape", `{"version":1,"time":"2026-12-01T12:00:00Z","method":"GET","path":"/v%zz"}` + "\n", 1, `not a recorded callback: "path" and "query" do not form a request URI`, false},
		{"no time", `{"version":1,"method":"GET","path":"/v"}` + "\n", 1, `not a recorded callback: no "time"`, false},
		{"a time that is not one", `{"version":1,"time":"noon","method":"GET","path":"/v"}` + "\n", 1, "not a recorded callback: parsing time", false},
		{"a time past 9999", `{"version":1,"time":"9999-12-31T23:59:59-01:00","method":"GET","path":"/v"}` + "\n", 1, `not a recorded callback: "time" is after the year 9999 in UTC`, false},
		{"two bodies", `{"version":1,"time":"2026-12-01T12:00:00Z","method":"POST","path":"/v","body":"a","bodyBase64":"YQ=="}` + "\n", 1, `not a recorded callback: both "body" and "bodyBase64"`, false},
		{"bad base64", `{"version":1,"time":"2026-12-01T12:00:00Z","method":"POST","path":"/v","bodyBase64":"%%"}` + "\n", 1, `not a recorded callback: "bodyBase64" is not base64`, false},
		{"a truncated last line", good + good + `{"version":1,"time":"2026-12-01T12:00:00Z","meth`, 3, "the line is cut short", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := gurulizetest.ReadRecording(strings.NewReader(tt.in))
			var re *gurulizetest.RecordingError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tt.line, re.Line)
			assert.Contains(t, re.Err.Error(), tt.want)
			assert.Contains(t, err.Error(), "gurulizetest: recording, line ")
			assert.Equal(t, tt.truncated, errors.Is(err, gurulizetest.ErrTruncatedRecording))
			assert.Len(t, got, tt.line-1, "the lines before it are returned")
		})
	}
}

func TestReadRecordingFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cut.jsonl")
	require.NoError(t, os.WriteFile(path, []byte(`{"version":1,"time":"2026-12-01T12:00:00Z","method":"GET","path":"/v"}`+"\n{\"vers"), 0o600))
	got, err := gurulizetest.ReadRecordingFile(path)
	assert.Len(t, got, 1)
	assert.ErrorIs(t, err, gurulizetest.ErrTruncatedRecording)
	assert.EqualError(t, err, "gurulizetest: "+path+", line 2: the line is cut short (the recording ends in the middle of it)")

	_, err = gurulizetest.ReadRecordingFile(filepath.Join(dir, "missing.jsonl"))
	assert.ErrorIs(t, err, os.ErrNotExist)
	var re *gurulizetest.RecordingError
	assert.False(t, errors.As(err, &re), "not a line's fault")
}

// TestSampleRecording reads the checked-in sample of the format, written by
// "gurulize listen --record" while "gurulize trigger" played a meeting and
// a busy call, and replays it into the SDK's handlers.
func TestSampleRecording(t *testing.T) {
	recs, err := gurulizetest.ReadRecordingFile(filepath.Join("testdata", "recording-v1.jsonl"))
	require.NoError(t, err)
	require.Len(t, recs, 10)
	assert.Equal(t, gurulizetest.RecordedCallback{
		Method: "POST", Path: "/gurulize/video/{token}", ContentType: "application/json",
		Body: []byte(`{"code":"JOIN","eventSource":"HOST","receivedTime":"1796126400000","reason":"","roomUuid":"1b4e28ba-2fa1-41d2-883f-0016d3cca427","meetingTotalDuration":"0"}`),
		Time: recs[0].Time,
	}, recs[0])
	assert.Equal(t, "token={token}&id=7&code=0&desc=CALLS_STARTING&cause=0&time=1796126400", recs[7].Query)

	rooms, calls := gurulize.NewRoomTracker(), gurulize.NewCallTracker()
	mux := http.NewServeMux()
	mux.Handle("POST /gurulize/video/{token}", gurulize.NewVideoEventHandler(func(_ context.Context, ev gurulize.VideoEvent) error {
		rooms.Apply(ev)
		return nil
	}, gurulize.WithCallbackToken("another-token-0123456789")))
	mux.Handle("GET /gurulize/voice", gurulize.NewVoiceStatusHandler(func(_ context.Context, st gurulize.VoiceStatus) error {
		calls.Apply(st)
		return nil
	}, gurulize.WithCallbackToken("another-token-0123456789")))

	results, err := gurulizetest.Replay(context.Background(), mux, recs, gurulizetest.ReplayOptions{Token: "another-token-0123456789"})
	require.NoError(t, err)
	require.Len(t, results, 10)
	for _, r := range results {
		assert.True(t, r.Delivered(), "%+v", r)
	}
	room, _ := rooms.Room("1b4e28ba-2fa1-41d2-883f-0016d3cca427")
	assert.Equal(t, 40*time.Minute, room.Billed)
	assert.Equal(t, gurulize.ReasonHangup, room.EndReason)
	call, _ := calls.Call(7)
	assert.Equal(t, gurulize.OutcomeBusy, call.Outcome)
	assert.Equal(t, gurulize.PartyCallee, call.FailedParty)
}

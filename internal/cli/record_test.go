package cli

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go/gurulizetest"
)

var arrivalRe = regexp.MustCompile(`"time":"[^"]+"`)

// TestGoldenListenRecord: "gurulize listen --record" writes what the
// trigger sends, token replaced, and nothing that lacked the token.
func TestGoldenListenRecord(t *testing.T) {
	file := filepath.Join(t.TempDir(), "callbacks.jsonl")
	base, out, stop := startListen(t, map[string]string{"GURULIZE_CALLBACK_TOKEN": "t0k3n-0123456789ab"}, "--record", file)
	at := start.Format(time.RFC3339)

	r := runCLI(t, nil, "trigger", "room", "meet", "--to", base+"/gurulize/video/t0k3n-0123456789ab", "--room", fixedRoom, "--start", at)
	require.Equal(t, ExitOK, r.code, r.stderr)
	r = runCLI(t, nil, "trigger", "call", "busy", "--to", base+"/gurulize/voice?token=t0k3n-0123456789ab", "--call", "7", "--start", at)
	require.Equal(t, ExitOK, r.code, r.stderr)
	// Refused by the handler, but with the token: recorded as it came.
	assert.Equal(t, http.StatusMethodNotAllowed, get(t, base+"/gurulize/video/t0k3n-0123456789ab?probe=1"))
	// Without the token, too large, or elsewhere: not recorded.
	assert.Equal(t, http.StatusUnauthorized, post(t, base+"/gurulize/video?token=guess", `{"code":"JOIN"}`))
	assert.Equal(t, http.StatusUnauthorized, get(t, base+"/gurulize/voice?id=1&code=0&time=1796126400"))
	assert.Equal(t, http.StatusRequestEntityTooLarge, post(t, base+"/gurulize/video/t0k3n-0123456789ab", strings.Repeat("x", recordBodyLimit+1)))
	assert.Equal(t, http.StatusNotFound, get(t, base+"/elsewhere?token=t0k3n-0123456789ab"))
	require.Equal(t, ExitOK, stop())

	assert.Contains(t, out.String(), "recording callbacks to "+file+"\n")
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "t0k3n-0123456789ab", "the token is never written")
	assert.NotContains(t, string(b), "guess")
	golden(t, "listen-record", arrivalRe.ReplaceAllString(string(b), `"time":"<arrival>"`))

	recs, err := gurulizetest.ReadRecordingFile(file)
	require.NoError(t, err)
	require.Len(t, recs, 7+2+1)
	for i := 1; i < len(recs); i++ {
		assert.False(t, recs[i].Time.Before(recs[i-1].Time), "in order of arrival")
	}
	assert.WithinDuration(t, time.Now(), recs[0].Time, time.Minute, "the arrival time, not the event's")
	if info, err := os.Stat(file); assert.NoError(t, err) {
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "readable by its owner only")
	}

	// A second run appends.
	base, _, stop = startListen(t, nil, "--record", file)
	assert.Equal(t, http.StatusOK, get(t, base+"/gurulize/voice/no-token-here?id=8&code=0&time=1796126400"))
	require.Equal(t, ExitOK, stop())
	recs, err = gurulizetest.ReadRecordingFile(file)
	require.NoError(t, err)
	require.Len(t, recs, 11)
	assert.Equal(t, "/gurulize/voice/no-token-here", recs[10].Path, "without a token, nothing to replace")
}

func TestListenRecordJSONAndErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "r.jsonl")
	_, out, stop := startListen(t, nil, "--record", file, "--json")
	require.Equal(t, ExitOK, stop())
	assert.Contains(t, out.String(), `{"file":"`+file+`","type":"recording"}`)

	r := runCLI(t, nil, "listen", "--addr", "127.0.0.1:0", "--record", filepath.Join(t.TempDir(), "no", "such", "dir", "r.jsonl"))
	assert.Equal(t, ExitUsage, r.code)
	assert.Contains(t, r.stderr, "gurulize listen: --record open ")
	assert.Contains(t, r.stderr, "no such file or directory")
}

// A write that fails is reported once, and the listener goes on serving.
func TestRecorderReportsAFailedWriteOnce(t *testing.T) {
	var errOut bytes.Buffer
	rc, err := openRecorder(filepath.Join(t.TempDir(), "r.jsonl"), "", &errOut)
	require.NoError(t, err)
	require.NoError(t, rc.Close()) // every write now fails
	served := 0
	h := rc.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { served++ }))
	for range 2 {
		req, err := http.NewRequest("GET", "http://127.0.0.1/gurulize/voice?id=1", nil)
		require.NoError(t, err)
		h.ServeHTTP(nil, req)
	}
	assert.Equal(t, 2, served)
	assert.Equal(t, 1, strings.Count(errOut.String(), "gurulize listen: --record "))
	assert.Contains(t, errOut.String(), "file already closed")
}

// TestListenRecordRefusesFilesOthersReach: a new recording is created
// readable by its owner only; an existing one is appended to only when it
// is a regular file no one else can read or change, never through a
// symbolic link; each refusal says why.
func TestListenRecordRefusesFilesOthersReach(t *testing.T) {
	dir := t.TempDir()
	listenTo := func(file string) result {
		stopped, cancel := context.WithCancel(context.Background())
		cancel() // a listen that starts stops at once
		return runCLIContext(t, stopped, nil, "listen", "--addr", "127.0.0.1:0", "--record", file)
	}

	fresh := filepath.Join(dir, "fresh.jsonl")
	r := listenTo(fresh)
	require.Equal(t, ExitOK, r.code, r.stderr)
	info, err := os.Lstat(fresh)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "created readable by its owner only")

	private := filepath.Join(dir, "private.jsonl")
	require.NoError(t, os.WriteFile(private, []byte("kept\n"), 0o600))
	r = listenTo(private)
	require.Equal(t, ExitOK, r.code, r.stderr)

	shared := filepath.Join(dir, "shared.jsonl")
	require.NoError(t, os.WriteFile(shared, []byte("kept\n"), 0o600))
	require.NoError(t, os.Chmod(shared, 0o644)) // past the umask
	r = listenTo(shared)
	assert.Equal(t, ExitUsage, r.code)
	assert.Empty(t, r.stdout, "nothing listens")
	assert.Equal(t, "gurulize listen: --record "+shared+" has mode 0644: other users can read or change it, and it would hold "+
		"the callbacks' payloads; run chmod 600 on it, or give a new file (listen creates it readable by you only)\n", r.stderr)
	require.NoError(t, os.Chmod(shared, 0o620))
	assert.Equal(t, ExitUsage, listenTo(shared).code, "writable by the group")

	// A link to a file of the owner's, private or not, is refused: listen
	// would write wherever the link points.
	target := filepath.Join(dir, "target.jsonl")
	require.NoError(t, os.WriteFile(target, []byte("kept\n"), 0o600))
	link := filepath.Join(dir, "link.jsonl")
	require.NoError(t, os.Symlink(target, link))
	r = listenTo(link)
	assert.Equal(t, ExitUsage, r.code)
	assert.Equal(t, "gurulize listen: --record "+link+" is a symbolic link: listen does not write through one "+
		"(its target may be anyone's file); give the target's own path, or a new file\n", r.stderr)
	dangling := filepath.Join(dir, "dangling.jsonl")
	require.NoError(t, os.Symlink(filepath.Join(dir, "not-yet.jsonl"), dangling))
	assert.Equal(t, ExitUsage, listenTo(dangling).code, "a link to a file not there yet")
	assert.NoFileExists(t, filepath.Join(dir, "not-yet.jsonl"), "not created through the link")

	r = listenTo(dir)
	assert.Equal(t, ExitUsage, r.code)
	assert.Equal(t, "gurulize listen: --record "+dir+" is not a regular file\n", r.stderr)

	for _, f := range []string{private, shared, target} {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		assert.Equal(t, "kept\n", string(b), "%s untouched", f)
	}
}

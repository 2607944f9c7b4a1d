// record.go: "gurulize listen --record FILE": each callback that reaches the
// callback paths with the right token is appended to FILE as one line of a
// gurulizetest recording, the token replaced by {token}.

package cli

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gurulize/gurulize-go/gurulizetest"
)

// recordBodyLimit is the largest body recorded: the callback handlers'
// default limit. A larger request is refused by the handler (413) and not
// recorded.
const recordBodyLimit = 64 << 10

// recorder appends the requests it passes on to a recording file.
type recorder struct {
	path      string
	token     string
	tokenHash [sha256.Size]byte
	errOut    io.Writer

	mu     sync.Mutex
	file   *os.File
	failed bool // a write failed and was reported
}

// openRecorder opens path for appending (creating it, readable by its owner
// only) for a listener that requires token ("" for none).
func openRecorder(path, token string, errOut io.Writer) (*recorder, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	return &recorder{path: path, token: token, tokenHash: sha256.Sum256([]byte(token)), errOut: errOut, file: f}, nil
}

// Close closes the file.
func (rc *recorder) Close() error {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.file.Close()
}

// wrap returns next with recording in front of it; a nil recorder records
// nothing.
func (rc *recorder) wrap(next http.Handler) http.Handler {
	if rc == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		at := time.Now()
		if isCallbackPath(r.URL.Path) && rc.authorized(r) {
			if r.Body == nil { // only a request built by hand has none
				r.Body = http.NoBody
			}
			body, err := io.ReadAll(io.LimitReader(r.Body, recordBodyLimit+1))
			// The handler reads the body again: what was read, then the rest.
			r.Body = readCloser{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
			if err == nil && len(body) <= recordBodyLimit {
				rc.write(gurulizetest.RecordRequest(r, body, rc.token, at))
			}
		}
		next.ServeHTTP(w, r)
	})
}

type readCloser struct {
	io.Reader
	io.Closer
}

// isCallbackPath reports whether path is one that listen serves a
// callback handler on.
func isCallbackPath(path string) bool {
	for _, base := range []string{"/gurulize/video", "/gurulize/voice"} {
		if path == base || strings.HasPrefix(path, base+"/") {
			return true
		}
	}
	return false
}

// authorized reports whether r carries the token where the handlers look
// for it (the last path segment or the token query parameter), compared in
// constant time, or whether there is no token. Requests without it are not
// recorded: they are not the provider's, and may carry someone's secret.
func (rc *recorder) authorized(r *http.Request) bool {
	if rc.token == "" {
		return true
	}
	path := strings.TrimRight(r.URL.Path, "/")
	segment := path[strings.LastIndexByte(path, '/')+1:]
	return rc.matches(segment) || rc.matches(r.URL.Query().Get("token"))
}

func (rc *recorder) matches(candidate string) bool {
	sum := sha256.Sum256([]byte(candidate))
	return candidate != "" && subtle.ConstantTimeCompare(sum[:], rc.tokenHash[:]) == 1
}

// write appends rec; the first failure is reported on errOut, and the
// listener goes on serving.
func (rc *recorder) write(rec gurulizetest.RecordedCallback) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if err := gurulizetest.WriteRecording(rc.file, rec); err != nil && !rc.failed {
		rc.failed = true
		fmt.Fprintf(rc.errOut, "gurulize listen: --record %s: %s\n", escape(rc.path), escape(strings.TrimPrefix(err.Error(), "gurulizetest: ")))
	}
}

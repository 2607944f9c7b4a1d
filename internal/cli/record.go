// record.go: "gurulize listen --record FILE": each callback that reaches the
// callback paths with the right token is appended to FILE as one line of a
// gurulizetest recording, the token replaced by {token}.

package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/gurulize/gurulize-go/gurulizetest"
	cbtoken "github.com/gurulize/gurulize-go/internal/token"
)

// recordBodyLimit is the largest body recorded: the callback handlers'
// default limit. A larger request is refused by the handler (413) and not
// recorded.
const recordBodyLimit = 64 << 10

// recorder appends the requests it passes on to a recording file.
type recorder struct {
	path    string
	token   string          // "": none required
	matcher cbtoken.Matcher // finds token in a request
	errOut  io.Writer

	mu     sync.Mutex
	file   *os.File
	failed bool // a write failed and was reported
}

// openRecorder opens path for appending for a listener that requires token
// ("" for none); see openRecordFile.
func openRecorder(path, token string, errOut io.Writer) (*recorder, error) {
	f, err := openRecordFile(path)
	if err != nil {
		return nil, err
	}
	m, _ := cbtoken.NewMatcher(token) // listen checked the token; none leaves m matching nothing, and unused
	return &recorder{path: path, token: token, matcher: m, errOut: errOut, file: f}, nil
}

// openRecordFile opens path for appending. A new file is created readable
// and writable by its owner only (0600). An existing one is refused when it
// is a symbolic link (its target may be a file of someone else's choosing),
// not a regular file, or open to other users: a recording holds the
// callbacks' payloads.
func openRecordFile(path string) (*os.File, error) {
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		// O_EXCL fails, rather than follows, a link made in the meantime.
		return os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|os.O_EXCL, 0o600)
	}
	if err != nil {
		return nil, err
	}
	if err := recordable(path, info); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, err
	}
	// What was opened must be what was checked, even if the path changed
	// in between.
	if opened, err := f.Stat(); err != nil || !os.SameFile(info, opened) {
		f.Close()
		return nil, fmt.Errorf("%s changed while it was being opened", path)
	}
	return f, nil
}

// recordable returns why listen does not append to the existing file
// path, whose Lstat is info, or nil.
func recordable(path string, info fs.FileInfo) error {
	mode := info.Mode()
	switch {
	case mode&fs.ModeSymlink != 0:
		return fmt.Errorf("%s is a symbolic link: listen does not write through one (its target may be anyone's file); give the target's own path, or a new file", path)
	case !mode.IsRegular():
		return fmt.Errorf("%s is not a regular file", path)
	// Windows has no such permission bits for Go to read.
	case runtime.GOOS != "windows" && mode.Perm()&0o066 != 0:
		return fmt.Errorf("%s has mode %04o: other users can read or change it, and it would hold the callbacks' payloads; "+
			"run chmod 600 on it, or give a new file (listen creates it readable by you only)", path, mode.Perm())
	}
	return nil
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
// for it (the same check as theirs), or whether there is no token.
// Requests without it are not recorded: they are not the provider's, and
// may carry someone's secret.
func (rc *recorder) authorized(r *http.Request) bool {
	return rc.token == "" || rc.matcher.InRequest(r.URL.Path, r.URL.Query().Get("token"))
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

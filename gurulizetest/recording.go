// recording.go: the recording format (version 1) — RecordedCallback, how a
// received request becomes one with its token redacted, and reading and
// writing recordings one JSON object per line.

package gurulizetest

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode/utf8"
)

// recordingVersion is the version of the recording format this package
// writes and reads; every line carries it. A later, incompatible format will
// have a higher number, and ReadRecording refuses lines of a version it does
// not know.
const recordingVersion = 1

// TokenPlaceholder stands for the callback token in a recording: it
// replaces the token wherever the token appeared in a recorded request, and
// Replay puts the token given in ReplayOptions back in its place.
const TokenPlaceholder = "{token}"

// ErrTruncatedRecording is matched (with errors.Is) by the error of
// ReadRecording when the last line of a recording was cut short, as when the
// process writing it was stopped in the middle of a line. The callbacks of
// the lines before it are returned with the error.
var ErrTruncatedRecording = errors.New("the line is cut short (the recording ends in the middle of it)")

// RecordedCallback is one HTTP request to a callback endpoint, as it
// arrived: one line of a recording.
type RecordedCallback struct {
	Method      string    // HTTP method, such as "POST"
	Path        string    // URL path as it was sent (escaped), starting with "/"
	Query       string    // raw query string, without the '?'; "" for none
	ContentType string    // the Content-Type header; "" for none
	Body        []byte    // the body, byte for byte; nil for none
	Time        time.Time // when the request arrived (for a generated callback: when it is due)
}

// RecordRequest returns r as a recording holds it: its method, escaped path,
// raw query, Content-Type, the given body (r's body must already have been
// read into it) and the arrival time at, in UTC.
//
// When token is not empty it is never written: a path segment or a query
// value equal to token (once unescaped), and every other occurrence of
// token in the path, the query or the body (as it is or query-escaped),
// become TokenPlaceholder. Replay with the same token sends the request
// again exactly as it arrived, for tokens of URL-safe characters and bodies
// that did not already contain the text "{token}".
func RecordRequest(r *http.Request, body []byte, token string, at time.Time) RecordedCallback {
	rec := RecordedCallback{
		Method:      r.Method,
		Path:        r.URL.EscapedPath(),
		Query:       r.URL.RawQuery,
		ContentType: r.Header.Get("Content-Type"),
		Body:        append([]byte(nil), body...),
		Time:        at.UTC(),
	}
	if rec.Path == "" {
		rec.Path = "/"
	}
	if token == "" {
		return rec
	}
	rec.Path = redactParts(rec.Path, "/", token, url.PathUnescape)
	rec.Path = replaceToken(rec.Path, token, url.PathEscape(token))
	rec.Query = redactParts(rec.Query, "&", token, func(part string) (string, error) {
		_, v, _ := strings.Cut(part, "=")
		return url.QueryUnescape(v)
	})
	rec.Query = replaceToken(rec.Query, token, url.QueryEscape(token))
	if len(body) > 0 {
		rec.Body = []byte(replaceToken(string(body), token, url.QueryEscape(token)))
	}
	return rec
}

// redactParts splits s by sep and replaces by TokenPlaceholder the value of
// each part that unescapes to token: the whole path segment, or the value
// after "=" of a query parameter.
func redactParts(s, sep, token string, unescape func(string) (string, error)) string {
	parts := strings.Split(s, sep)
	for i, part := range parts {
		if v, err := unescape(part); err != nil || v != token {
			continue
		}
		if k, _, ok := strings.Cut(part, "="); ok && sep == "&" {
			parts[i] = k + "=" + TokenPlaceholder
		} else {
			parts[i] = TokenPlaceholder
		}
	}
	return strings.Join(parts, sep)
}

// replaceToken replaces every occurrence of token, and of its escaped
// form, by TokenPlaceholder.
func replaceToken(s, token, escaped string) string {
	if escaped != token {
		s = strings.ReplaceAll(s, escaped, TokenPlaceholder)
	}
	return strings.ReplaceAll(s, token, TokenPlaceholder)
}

// recordingLine is the JSON of one line. Body is the body when it is valid
// UTF-8; any other body is in BodyBase64 (standard encoding, padded).
type recordingLine struct {
	Version     int       `json:"version"`
	Time        time.Time `json:"time"`
	Method      string    `json:"method"`
	Path        string    `json:"path"`
	Query       string    `json:"query"`
	ContentType string    `json:"contentType"`
	Body        *string   `json:"body,omitempty"`
	BodyBase64  *string   `json:"bodyBase64,omitempty"`
}

// WriteRecording writes each callback to w as one line of a recording,
// each line in a single Write call, so that a file opened for appending
// only ever ends in whole lines or in one cut-short line.
func WriteRecording(w io.Writer, recs ...RecordedCallback) error {
	for _, rec := range recs {
		line := recordingLine{
			Version: recordingVersion, Time: rec.Time.UTC(), Method: rec.Method, Path: rec.Path,
			Query: rec.Query, ContentType: rec.ContentType,
		}
		if utf8.Valid(rec.Body) {
			body := string(rec.Body)
			line.Body = &body
		} else {
			body := base64.StdEncoding.EncodeToString(rec.Body)
			line.BodyBase64 = &body
		}
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(line); err != nil {
			return fmt.Errorf("gurulizetest: writing a recording: %w", err)
		}
		if _, err := w.Write(b.Bytes()); err != nil {
			return fmt.Errorf("gurulizetest: writing a recording: %w", err)
		}
	}
	return nil
}

// RecordingError is a line of a recording that ReadRecording could not
// read. It matches ErrTruncatedRecording when the last line was cut short.
type RecordingError struct {
	Name string // the file's name for ReadRecordingFile, "" for ReadRecording
	Line int    // the line's number, counted from 1
	Err  error  // what is wrong with it
}

func (e *RecordingError) Error() string {
	where := "recording"
	if e.Name != "" {
		where = e.Name
	}
	return fmt.Sprintf("gurulizetest: %s, line %d: %v", where, e.Line, e.Err)
}

// Unwrap returns what is wrong with the line.
func (e *RecordingError) Unwrap() error { return e.Err }

// ReadRecording reads a recording: one RecordedCallback per line, as
// WriteRecording and "gurulize listen --record" write them. Blank lines are
// skipped; fields it does not know are ignored.
//
// A line that is not a recorded callback of a version it reads (not a JSON
// object, no "version", a newer version, no method, a path not starting
// with "/", a missing or malformed time, a body given twice) stops the
// reading with a *RecordingError naming the line. The callbacks of the lines
// before it are returned with the error, so that a recording whose last
// line was cut short (ErrTruncatedRecording) can still be played.
func ReadRecording(r io.Reader) ([]RecordedCallback, error) {
	var recs []RecordedCallback
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		raw, readErr := br.ReadBytes('\n')
		if readErr != nil && readErr != io.EOF {
			return recs, &RecordingError{Line: n, Err: readErr}
		}
		if line := bytes.TrimSpace(raw); len(line) > 0 {
			if readErr == io.EOF && cutShort(line) {
				return recs, &RecordingError{Line: n, Err: ErrTruncatedRecording}
			}
			rec, err := parseRecordingLine(line)
			if err != nil {
				return recs, &RecordingError{Line: n, Err: err}
			}
			recs = append(recs, rec)
		}
		if readErr == io.EOF {
			return recs, nil
		}
	}
}

// ReadRecordingFile reads the recording in the file at path (see
// ReadRecording). An error naming a line is a *RecordingError whose Name is
// path.
func ReadRecordingFile(path string) ([]RecordedCallback, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("gurulizetest: %w", err)
	}
	defer f.Close()
	recs, err := ReadRecording(f)
	var re *RecordingError
	if errors.As(err, &re) {
		re.Name = path
	}
	return recs, err
}

// cutShort reports whether line is the beginning of a JSON value that
// ends too early.
func cutShort(line []byte) bool {
	var v any
	err := json.NewDecoder(bytes.NewReader(line)).Decode(&v)
	return errors.Is(err, io.ErrUnexpectedEOF)
}

// errNotRecorded describes a line that is not a recorded callback.
func errNotRecorded(why string) error { return errors.New("not a recorded callback: " + why) }

func parseRecordingLine(b []byte) (RecordedCallback, error) {
	if b[0] != '{' {
		return RecordedCallback{}, errNotRecorded("not a JSON object")
	}
	var line recordingLine
	if err := json.Unmarshal(b, &line); err != nil {
		return RecordedCallback{}, errNotRecorded(err.Error())
	}
	switch {
	case line.Version == 0:
		return RecordedCallback{}, errNotRecorded(`no "version"`)
	case line.Version > recordingVersion:
		return RecordedCallback{}, fmt.Errorf("recording format version %d is newer than this gurulizetest reads (%d)", line.Version, recordingVersion)
	case line.Version < 0:
		return RecordedCallback{}, errNotRecorded(fmt.Sprintf(`"version" %d`, line.Version))
	case !validMethod(line.Method):
		return RecordedCallback{}, errNotRecorded(`no valid "method"`)
	case line.Time.IsZero():
		return RecordedCallback{}, errNotRecorded(`no "time"`)
	case line.Time.UTC().Year() > 9999:
		return RecordedCallback{}, errNotRecorded(`"time" is after the year 9999 in UTC`)
	case line.Body != nil && line.BodyBase64 != nil:
		return RecordedCallback{}, errNotRecorded(`both "body" and "bodyBase64"`)
	}
	if err := checkRequestURI(line.Path, line.Query); err != nil {
		return RecordedCallback{}, errNotRecorded(err.Error())
	}
	rec := RecordedCallback{
		Method: line.Method, Path: line.Path, Query: line.Query, ContentType: line.ContentType, Time: line.Time.UTC(),
	}
	switch {
	case line.Body != nil && *line.Body != "":
		rec.Body = []byte(*line.Body)
	case line.BodyBase64 != nil && *line.BodyBase64 != "":
		body, err := base64.StdEncoding.DecodeString(*line.BodyBase64)
		if err != nil {
			return RecordedCallback{}, errNotRecorded(`"bodyBase64" is not base64`)
		}
		rec.Body = body
	}
	return rec, nil
}

// validMethod reports whether m is an HTTP method token.
func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if c <= ' ' || c >= 0x7f || strings.ContainsRune(`()<>@,;:\"/[]?={}`, c) {
			return false
		}
	}
	return true
}

// checkRequestURI reports why path and query cannot be sent as they are.
func checkRequestURI(path, query string) error {
	switch {
	case !strings.HasPrefix(path, "/"):
		return errors.New(`"path" must start with "/"`)
	case strings.ContainsAny(path+query, " #") || strings.ContainsFunc(path+query, func(r rune) bool { return r < ' ' || r == 0x7f }):
		return errors.New(`"path" and "query" must not hold spaces, control characters or "#"`)
	}
	if _, err := url.ParseRequestURI(path + "?" + query); err != nil {
		return errors.New(`"path" and "query" do not form a request URI`)
	}
	return nil
}

package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/gurulize/gurulize-go"
)

// clientFlags are the flags every API command takes. Each falls back to its
// environment variable.
type clientFlags struct {
	username     string
	passwordFile string
	videoURL     string
	voiceURL     string
	lang         string
	timeout      time.Duration
	insecure     bool
	json         bool
}

func (f *clientFlags) register(fs *command) {
	fs.StringVar(&f.username, "username", "", "account username (default $GURULIZE_USERNAME)")
	fs.StringVar(&f.passwordFile, "password-file", "", "file holding the account password (default $GURULIZE_PASSWORD)")
	fs.StringVar(&f.videoURL, "video-url", "", "room-creation endpoint (default $GURULIZE_VIDEO_URL, then "+gurulize.DefaultVideoURL+")")
	fs.StringVar(&f.voiceURL, "voice-url", "", "click-to-call endpoint the provider gave you (default $GURULIZE_VOICE_URL)")
	fs.StringVar(&f.lang, "lang", "", "language of the provider's messages: en or tr (default $GURULIZE_LANG)")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "time limit of each attempt")
	fs.BoolVar(&f.insecure, "insecure-http", false, "allow http:// endpoints on non-loopback hosts")
	fs.BoolVar(&f.json, "json", false, "print the result as JSON")
}

// client builds a client from the flags, then the environment.
func (f *clientFlags) client(sys IO) (*gurulize.Client, error) {
	pick := func(flagValue, env string) string {
		if flagValue != "" {
			return flagValue
		}
		return sys.Getenv(env)
	}
	username := pick(f.username, "GURULIZE_USERNAME")
	if username == "" {
		return nil, usageError{flag: "--username", msg: "is required (or set " + "GURULIZE_USERNAME" + ")"}
	}
	password := sys.Getenv("GURULIZE_PASSWORD")
	if f.passwordFile != "" {
		b, err := os.ReadFile(f.passwordFile)
		if err != nil {
			return nil, usageError{flag: "--password-file", msg: err.Error()}
		}
		password = strings.TrimRight(string(b), "\r\n")
	}
	if password == "" {
		return nil, usageError{flag: "--password-file", msg: "is required (or set " + "GURULIZE_PASSWORD" + ")"}
	}
	opts := []gurulize.Option{gurulize.WithUserAgent("gurulize-cli/" + gurulize.Version), gurulize.WithTimeout(f.timeout)}
	if f.insecure {
		opts = append(opts, gurulize.WithInsecureHTTP())
	}
	if v := pick(f.videoURL, "GURULIZE_VIDEO_URL"); v != "" {
		opts = append(opts, gurulize.WithVideoURL(v))
	}
	if v := pick(f.voiceURL, "GURULIZE_VOICE_URL"); v != "" {
		opts = append(opts, gurulize.WithVoiceURL(v))
	}
	if v := pick(f.lang, "GURULIZE_LANG"); v != "" {
		opts = append(opts, gurulize.WithLanguage(gurulize.Language(v)))
	}
	return gurulize.NewClient(username, password, opts...)
}

// usageError is a mistake in the command line, naming the flag.
type usageError struct {
	flag string
	msg  string
}

func (e usageError) Error() string { return e.flag + ": " + e.msg }

// flagNames maps the SDK's field and setting names to the flags that feed them.
var flagNames = map[string]string{
	"VideoRoomRequest.Duration": "--duration",
	"VideoRoomRequest.StartAt":  "--start",
	"VideoRoomRequest.EndHow":   "--end-how",
	"VideoRoomRequest.EndWhen":  "--end-when",
	"VideoRoomRequest.Language": "--lang",
	"CallRequest.Caller":        "--caller",
	"CallRequest.Callee":        "--callee",
	"CallRequest.MaxDuration":   "--max-duration",
	"CallRequest.Language":      "--lang",
	"username":                  "--username",
	"password":                  "--password-file",
	"WithVideoURL":              "--video-url",
	"GURULIZE_VIDEO_URL":        "--video-url",
	"WithVoiceURL":              "--voice-url",
	"GURULIZE_VOICE_URL":        "--voice-url",
	"WithLanguage":              "--lang",
	"GURULIZE_LANG":             "--lang",
	"WithTimeout":               "--timeout",
}

// failure is an error as the command reports it.
type failure struct {
	Code    int    `json:"code"`
	Kind    string `json:"kind"`
	Flag    string `json:"flag,omitempty"`
	Status  int    `json:"status,omitempty"`
	Param   string `json:"param,omitempty"`
	Message string `json:"message"`
}

func classify(err error) failure {
	var (
		ue  usageError
		ve  *gurulize.ValidationError
		api *gurulize.APIError
	)
	switch {
	case errors.As(err, &ue):
		return failure{Code: ExitUsage, Kind: "usage", Flag: ue.flag, Message: ue.msg}
	case errors.As(err, &ve):
		return failure{Code: ExitUsage, Kind: "usage", Flag: flagNames[ve.Field], Message: ve.Reason}
	case errors.Is(err, gurulize.ErrNoVoiceURL):
		return failure{Code: ExitUsage, Kind: "usage", Flag: "--voice-url", Message: "is required (or set " + "GURULIZE_VOICE_URL" + ")"}
	case errors.As(err, &api):
		return failure{Code: ExitAPI, Kind: "api", Status: api.StatusCode, Param: api.Param, Message: strings.TrimPrefix(api.Error(), "gurulize: ")}
	case errors.Is(err, context.Canceled):
		return failure{Code: ExitNetwork, Kind: "interrupted", Message: err.Error()}
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return failure{Code: ExitNetwork, Kind: "network", Message: err.Error()}
	}
	return failure{Code: ExitNetwork, Kind: "network", Message: err.Error()}
}

// fail reports err on stderr, as JSON when asked, and returns the exit code.
func fail(sys IO, cmd string, asJSON bool, err error) int {
	f := classify(err)
	if asJSON {
		_ = json.NewEncoder(sys.Stderr).Encode(map[string]failure{"error": f})
		return f.Code
	}
	if f.Flag != "" {
		fmt.Fprintf(sys.Stderr, "gurulize %s: %s %s\n", cmd, f.Flag, f.Message)
	} else {
		fmt.Fprintf(sys.Stderr, "gurulize %s: %s\n", cmd, f.Message)
	}
	return f.Code
}

// printJSON writes v as indented JSON on stdout, links unescaped.
func printJSON(sys IO, v any) {
	enc := json.NewEncoder(sys.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// parseStart reads --start: "now", "+10m" (from now), or an RFC 3339 time.
func parseStart(s string, now time.Time) (time.Time, error) {
	switch {
	case s == "" || s == "now":
		return now, nil
	case strings.HasPrefix(s, "+"):
		d, err := time.ParseDuration(s[1:])
		if err != nil || d < 0 {
			return time.Time{}, usageError{flag: "--start", msg: fmt.Sprintf("%q is not a duration from now such as +10m", s)}
		}
		return now.Add(d), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, usageError{flag: "--start", msg: fmt.Sprintf("%q is not now, +<duration> or an RFC 3339 time such as 2026-12-01T15:00:00+03:00", s)}
	}
	return t, nil
}

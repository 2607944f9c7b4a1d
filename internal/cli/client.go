// client.go: the flags every API command takes (account, endpoints,
// language, timeout, --json) and the client built from them and the
// environment.

package cli

import (
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
		return nil, usageError{flag: "--username", msg: "is required (or set GURULIZE_USERNAME)"}
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
		return nil, usageError{flag: "--password-file", msg: "is required (or set GURULIZE_PASSWORD)"}
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

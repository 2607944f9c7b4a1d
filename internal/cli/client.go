// client.go: the flags every API command takes (account, endpoints,
// language, timeout, --json) and the client built from them and the
// environment.

package cli

import (
	"errors"
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
	fs.durationVar(&f.timeout, "timeout", 30*time.Second, "time limit of each attempt, a `duration`")
	fs.BoolVar(&f.insecure, "insecure-http", false, "allow http:// endpoints on non-loopback hosts")
	fs.BoolVar(&f.json, "json", false, "print the result as JSON")
}

// client builds a client from the flags, then the environment. A setting
// the SDK refuses is reported as a usageError naming the flag or the
// environment variable its value came from.
func (f *clientFlags) client(sys IO) (*gurulize.Client, error) {
	from := map[string]string{"WithTimeout": "--timeout"} // SDK setting -> its source
	pick := func(setting, flagName, flagValue, env string) string {
		if flagValue != "" {
			from[setting] = flagName
			return flagValue
		}
		from[setting] = env
		return sys.Getenv(env)
	}
	username := pick("username", "--username", f.username, "GURULIZE_USERNAME")
	if username == "" {
		return nil, usageError{name: "--username", msg: "is required (or set GURULIZE_USERNAME)"}
	}
	password := sys.Getenv("GURULIZE_PASSWORD")
	from["password"] = "GURULIZE_PASSWORD"
	if f.passwordFile != "" {
		b, err := os.ReadFile(f.passwordFile)
		if err != nil {
			return nil, usageError{name: "--password-file", msg: err.Error()}
		}
		password = strings.TrimRight(string(b), "\r\n")
		from["password"] = "--password-file"
	}
	if password == "" {
		return nil, usageError{name: "--password-file", msg: "is required (or set GURULIZE_PASSWORD)"}
	}
	opts := []gurulize.Option{gurulize.WithUserAgent("gurulize-cli/" + gurulize.Version), gurulize.WithTimeout(f.timeout)}
	if f.insecure {
		opts = append(opts, gurulize.WithInsecureHTTP())
	}
	if v := pick("WithVideoURL", "--video-url", f.videoURL, "GURULIZE_VIDEO_URL"); v != "" {
		opts = append(opts, gurulize.WithVideoURL(v))
	}
	if v := pick("WithVoiceURL", "--voice-url", f.voiceURL, "GURULIZE_VOICE_URL"); v != "" {
		opts = append(opts, gurulize.WithVoiceURL(v))
	}
	if v := pick("WithLanguage", "--lang", f.lang, "GURULIZE_LANG"); v != "" {
		opts = append(opts, gurulize.WithLanguage(gurulize.Language(v)))
	}
	c, err := gurulize.NewClient(username, password, opts...)
	// A setting NewClient cannot use names the option ("WithVideoURL") or
	// "username" / "password": say which flag or variable it came from.
	var ve *gurulize.ValidationError
	if errors.As(err, &ve) {
		return nil, usageError{name: from[ve.Field], msg: cliWording.Replace(ve.Reason)}
	}
	return c, err
}

// cliWording rewrites the SDK's advice, which names Go options, in the
// command's terms.
var cliWording = strings.NewReplacer(
	"WithInsecureHTTP()", "--insecure-http",
	"WithInsecureHTTP", "--insecure-http",
	"pass credentials to NewClient", "give them with --username and --password-file",
)

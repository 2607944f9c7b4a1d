// This file holds the Client, its options and its constructors.

package gurulize

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/gurulize/gurulize-go/internal/redact"
)

// Version is the SDK's version, sent in every User-Agent.
const Version = "0.1.0"

// DefaultVideoURL is the Video API's room-creation endpoint.
const DefaultVideoURL = "https://webrtc.gurulize.com/webrtc-meeting/room/create"

// Language selects the language of the provider's messages.
type Language string

// The languages the provider supports.
const (
	English Language = "en"
	Turkish Language = "tr"
)

// Known reports whether l is one of the languages the provider documents.
func (l Language) Known() bool { return l == English || l == Turkish }

// Client calls the Gurulize Video and Voice APIs. Build one with NewClient or
// NewClientFromEnv; it is immutable and safe for concurrent use. Building one
// is cheap (no goroutine, no connection): a client per tenant, or per
// request, is fine, and clients without WithHTTPClient share one connection
// pool. Printing a Client, by any fmt verb or a reflection-based printer such
// as testify's diffs, never shows its credentials.
type Client struct {
	videoURL   *url.URL
	voiceURL   *url.URL // nil: RegisterCall returns ErrNoVoiceURL
	lang       Language
	userAgent  string
	uaHeader   []string     // {userAgent}, shared by every request's header (see attempt)
	httpClient *http.Client // nil: the shared pool (see pool.go)
	timeout    time.Duration
	logger     *slog.Logger // nil: nothing is logged
	retry      RetryPolicy
	insecure   bool
	observer   *Observer // nil: nothing is reported (see WithObserver)

	// secrets returns the credentials and their redactor. They live in a
	// closure, where no reflection-based printer (fmt's %v of a Client
	// value, testify's diffs, spew) can reach them.
	secrets func() secrets
}

// secrets are what a Client must never show.
type secrets struct {
	username, password string
	redactor           func() *redact.Redactor // tells text that holds the password in any form; built when first needed
}

// Option configures a Client. An option given an invalid value makes
// NewClient return a *ValidationError naming it, matching ErrInvalidConfig.
type Option func(*Client) error

// configError reports a setting NewClient cannot use.
func configError(setting, reason string) error {
	return &ValidationError{Field: setting, Reason: reason, kind: ErrInvalidConfig}
}

// setting returns an option that applies set, or, when invalid, fails with
// a *ValidationError naming the setting and saying why.
func setting[T any](name string, invalid bool, why string, set func(T)) func(T) error {
	return func(v T) error {
		if invalid {
			return configError(name, why)
		}
		set(v)
		return nil
	}
}

// WithHTTPClient sends every request through hc (its Transport, Jar and
// Timeout, read on every request), so httpmock.ActivateNonDefault(hc)
// intercepts them. Redirects to another host are never followed, whatever
// hc.CheckRedirect says. Without it, every Client in the process shares one
// connection pool: a clone of http.DefaultTransport, taken on the first
// request, that keeps up to 100 idle connections per host instead of 2;
// once http.DefaultTransport has been replaced, as httpmock.Activate()
// does, requests go through the replacement.
func WithHTTPClient(hc *http.Client) Option {
	return setting("WithHTTPClient", hc == nil, "client is nil", func(c *Client) { c.httpClient = hc })
}

// WithVideoURL sets the Video API's room-creation endpoint; the default is
// DefaultVideoURL. It must be absolute https, or http on a loopback host
// (or anywhere with WithInsecureHTTP).
func WithVideoURL(rawURL string) Option {
	return func(c *Client) (err error) {
		c.videoURL, err = parseEndpoint("WithVideoURL", rawURL)
		return err
	}
}

// WithVoiceURL sets the Voice API's endpoint, which the provider gives each
// customer. There is no default: without it RegisterCall returns
// ErrNoVoiceURL. The same rules as WithVideoURL apply.
func WithVoiceURL(rawURL string) Option {
	return func(c *Client) (err error) {
		c.voiceURL, err = parseEndpoint("WithVoiceURL", rawURL)
		return err
	}
}

// WithLanguage sets the language of the provider's messages for every
// request that does not set its own; "" restores the default, which sends
// none (the provider answers in English).
//
// Only English messages are documented: in Turkish an error is still an
// *APIError with the message verbatim and Param set from the parameter it
// names in parentheses, but ErrMissingParameter, ErrInvalidParameter and
// ErrInvalidCredentials (but for HTTP 401 and 403) match only the English
// messages. Use Turkish for messages people read, not for errors your code
// acts on.
func WithLanguage(l Language) Option {
	return setting("WithLanguage", l != "" && !l.Known(), fmt.Sprintf("%q is not a supported language (want %q or %q)", string(l), English, Turkish),
		func(c *Client) { c.lang = l })
}

// WithUserAgent puts the application's product token (such as "myapp/1.2"),
// which must be printable ASCII, in front of the SDK's own in the
// User-Agent header.
func WithUserAgent(ua string) Option {
	ua = strings.TrimSpace(ua)
	bad := strings.IndexFunc(ua, func(r rune) bool { return r < 0x20 || r > 0x7e })
	why := "is empty"
	if bad >= 0 {
		why = fmt.Sprintf("contains %q; only printable ASCII is allowed", []rune(ua[bad:])[0])
	}
	return setting("WithUserAgent", ua == "" || bad >= 0, why, func(c *Client) { c.userAgent = ua })
}

// WithTimeout bounds each attempt of a request: connecting, sending and
// reading the whole reply. Retries get a fresh timeout each; the context
// passed to the call bounds them all. The default is 30 seconds.
func WithTimeout(d time.Duration) Option {
	return setting("WithTimeout", d <= 0, fmt.Sprintf("must be positive, got %v", d), func(c *Client) { c.timeout = d })
}

// WithLogger logs one debug record per attempt: method, URL with the
// username and password masked, status, latency, attempt number, and for a
// failed attempt the error and why it is or is not retried ("retry").
// Bodies, and so room links, are never logged. The default logs nothing.
func WithLogger(l *slog.Logger) Option {
	return setting("WithLogger", l == nil, "logger is nil", func(c *Client) { c.logger = l })
}

// WithInsecureHTTP allows http:// endpoints on hosts other than loopback.
// The video URL carries the password in its query string, so use this only
// on networks you trust.
func WithInsecureHTTP() Option {
	return func(c *Client) error {
		c.insecure = true
		return nil
	}
}

// NewClient returns a Client for the account username/password. Both must be
// non-empty. Options are applied in order; the first invalid one, or an
// http:// endpoint on a non-loopback host without WithInsecureHTTP, makes it
// return a *ValidationError naming the setting, matching ErrInvalidConfig.
func NewClient(username, password string, opts ...Option) (*Client, error) {
	if username == "" {
		return nil, configError("username", "is empty")
	}
	if password == "" {
		return nil, configError("password", "is empty")
	}
	s := secrets{username: username, password: password, redactor: sync.OnceValue(func() *redact.Redactor { return redact.New(password) })}
	videoURL, _ := url.Parse(DefaultVideoURL)
	c := &Client{
		videoURL: videoURL,
		timeout:  30 * time.Second,
		retry:    DefaultRetryPolicy(),
		secrets:  func() secrets { return s },
	}
	for i, opt := range opts {
		if opt == nil {
			return nil, configError(fmt.Sprintf("option %d", i), "is nil")
		}
		if err := opt(c); err != nil {
			if errors.Is(err, ErrInvalidConfig) {
				return nil, err
			}
			return nil, configError(fmt.Sprintf("option %d", i), s.redactor().Text(err.Error()))
		}
	}
	for i, u := range []*url.URL{c.videoURL, c.voiceURL} {
		if u != nil && u.Scheme == "http" && !c.insecure && !isLoopback(u.Hostname()) {
			return nil, configError([]string{"WithVideoURL", "WithVoiceURL"}[i],
				fmt.Sprintf("http:// is only allowed on loopback hosts (got %q); use https, or WithInsecureHTTP", u.Host))
		}
	}
	c.userAgent = strings.TrimSpace(c.userAgent + " gurulize-go/" + Version + " go/" + strings.TrimPrefix(runtime.Version(), "go"))
	c.uaHeader = []string{c.userAgent}
	return c, nil
}

// NewClientFromEnv is NewClient with the credentials from GURULIZE_USERNAME
// and GURULIZE_PASSWORD, and, when set, the video URL, voice URL and language
// from GURULIZE_VIDEO_URL, GURULIZE_VOICE_URL and GURULIZE_LANG. Options in
// opts are applied after the environment, so they win. An invalid variable
// is a *ValidationError naming it.
func NewClientFromEnv(opts ...Option) (*Client, error) {
	var envOpts []Option
	for _, v := range []struct {
		name string
		opt  func(string) Option
	}{
		{"GURULIZE_VIDEO_URL", WithVideoURL},
		{"GURULIZE_VOICE_URL", WithVoiceURL},
		{"GURULIZE_LANG", func(s string) Option { return WithLanguage(Language(s)) }},
	} {
		if value := os.Getenv(v.name); value != "" {
			envOpts = append(envOpts, fromEnv(v.name, v.opt(value)))
		}
	}
	for _, name := range []string{"GURULIZE_USERNAME", "GURULIZE_PASSWORD"} {
		if os.Getenv(name) == "" {
			return nil, configError(name, "is not set")
		}
	}
	return NewClient(os.Getenv("GURULIZE_USERNAME"), os.Getenv("GURULIZE_PASSWORD"), append(envOpts, opts...)...)
}

// fromEnv names the variable, not the option, in the error of opt.
func fromEnv(name string, opt Option) Option {
	return func(c *Client) error {
		err := opt(c)
		var ve *ValidationError
		if errors.As(err, &ve) {
			return configError(name, ve.Reason)
		}
		return err
	}
}

// String describes the client: its endpoints, with the username and the
// password masked.
func (c *Client) String() string {
	if c == nil || c.secrets == nil {
		return "gurulize.Client(nil)"
	}
	red := c.secrets().redactor()
	voice := "none"
	if c.voiceURL != nil {
		voice = red.URL(c.voiceURL, "username", "password")
	}
	return fmt.Sprintf("gurulize.Client{username: %s, password: %s, video: %s, voice: %s}",
		redact.Mask, redact.Mask, red.URL(c.videoURL, "username", "password"), voice)
}

func parseEndpoint(setting, raw string) (*url.URL, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, configError(setting, "is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, configError(setting, "is not a valid URL: "+err.Error())
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, configError(setting, fmt.Sprintf("scheme must be https or http, got %q", u.Scheme))
	case u.Hostname() == "":
		return nil, configError(setting, "has no host")
	case u.User != nil:
		return nil, configError(setting, "must not carry user information; pass credentials to NewClient")
	case u.Fragment != "":
		return nil, configError(setting, "must not have a fragment")
	}
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// errNotBuilt is returned by the calls of a Client that NewClient did not build.
var errNotBuilt = configError("Client", "not built by NewClient or NewClientFromEnv")

// ready rejects a Client that NewClient did not build, and a nil context.
func (c *Client) ready(ctx context.Context) error {
	switch {
	case c == nil || c.secrets == nil:
		return errNotBuilt
	case ctx == nil:
		return errors.New("gurulize: nil context")
	}
	return nil
}

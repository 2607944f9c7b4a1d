package gurulize

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gurulize/gurulize-go/internal/lenient"
	"github.com/gurulize/gurulize-go/internal/redact"
)

// Version is the SDK's version, sent in every User-Agent.
const Version = "0.1.0"

// DefaultVideoURL is the Video API's room-creation endpoint.
const DefaultVideoURL = "https://webrtc.gurulize.com/webrtc-meeting/room/create"

// DefaultTimeout bounds each attempt of a request (connect, send, and read the
// whole reply) unless WithTimeout says otherwise.
const DefaultTimeout = 30 * time.Second

// MaxResponseBytes is the largest reply body the client reads; a larger one is
// an *APIError matching ErrUnexpectedResponse.
const MaxResponseBytes = 1 << 20

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
// NewClientFromEnv; it is immutable and safe for concurrent use, and printing
// it never shows the password.
type Client struct {
	cfg *config // behind a pointer: printing a Client value shows an address, never a field
}

// encodedAuth holds the credentials and fixed parameters of each call,
// encoded once.
type encodedAuth struct {
	video string // "password=…&type=video&username=…"
	voice string // "password=…&username=…"
}

type config struct {
	username   string
	videoURL   *url.URL
	voiceURL   *url.URL // nil: RegisterCall returns ErrNoVoiceURL
	lang       Language
	userAgent  string
	httpClient *http.Client // nil: defaultClient, on transport

	transport     *defaultTransport // used when httpClient is nil
	defaultClient *http.Client
	checkRedirect func(*http.Request, []*http.Request) error // for httpClient
	timeout       time.Duration
	logger        *slog.Logger // nil: nothing is logged
	retry         RetryPolicy
	insecure      bool

	redactor  *redact.Redactor
	auth      *encodedAuth // behind a second pointer: even a %s of an unexported Client field prints only its address
	videoBase string       // video URL without its query, plus "?" and any query it had, "&"-terminated

	videoOptions map[videoOptions]string // every combination, encoded once
	callOptions  map[Language]string     // every language, encoded once

	voiceURLString string

	headers struct{ userAgent, accept, form []string } // see attempt
}

// Option configures a Client. An option given an invalid value makes
// NewClient return a *ConfigError naming it.
type Option func(*config) error

// WithHTTPClient sends every request through hc (its Transport, Jar and
// Timeout, looked up on every request), so httpmock.ActivateNonDefault(hc)
// intercepts them. Redirects to another host are never followed, whatever
// hc.CheckRedirect says.
//
// Without it, requests go through http.DefaultTransport: while that is the
// *http.Transport the client found on its first request, through a clone of
// it (taken then) with a larger idle pool (100 connections per host instead
// of 2, so concurrent callers reuse their connections); once it has been
// replaced, as httpmock.Activate() does, through the replacement, looked up
// on every request.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return &ConfigError{Setting: "WithHTTPClient", Reason: "client is nil"}
		}
		c.httpClient = hc
		return nil
	}
}

// WithVideoURL sets the Video API's room-creation endpoint. The default is
// DefaultVideoURL. The URL must be absolute https, or http on a loopback
// host (or anywhere with WithInsecureHTTP).
func WithVideoURL(rawURL string) Option {
	return func(c *config) error {
		u, err := parseEndpoint("WithVideoURL", rawURL)
		if err != nil {
			return err
		}
		c.videoURL = u
		return nil
	}
}

// WithVoiceURL sets the Voice API's endpoint, which the provider gives each
// customer. There is no default: without it RegisterCall returns
// ErrNoVoiceURL. The same rules as WithVideoURL apply.
func WithVoiceURL(rawURL string) Option {
	return func(c *config) error {
		u, err := parseEndpoint("WithVoiceURL", rawURL)
		if err != nil {
			return err
		}
		c.voiceURL = u
		return nil
	}
}

// WithLanguage sets the language of the provider's messages for every
// request that does not set its own. The default sends none, and the
// provider answers in English. Only English and Turkish are accepted; ""
// restores the default.
func WithLanguage(l Language) Option {
	return func(c *config) error {
		if l != "" && !l.Known() {
			return &ConfigError{Setting: "WithLanguage", Reason: fmt.Sprintf("%q is not a supported language (want %q or %q)", string(l), English, Turkish)}
		}
		c.lang = l
		return nil
	}
}

// WithUserAgent puts the application's product token (such as "myapp/1.2")
// in front of the SDK's own in the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *config) error {
		ua = strings.TrimSpace(ua)
		if ua == "" {
			return &ConfigError{Setting: "WithUserAgent", Reason: "is empty"}
		}
		for _, r := range ua {
			if r < 0x20 || r == 0x7f || r > 0x7e {
				return &ConfigError{Setting: "WithUserAgent", Reason: fmt.Sprintf("contains %q; only printable ASCII is allowed", r)}
			}
		}
		c.userAgent = ua
		return nil
	}
}

// WithTimeout bounds each attempt of a request: connecting, sending and
// reading the whole reply. Retries get a fresh timeout each; the context
// passed to the call bounds them all. The default is DefaultTimeout (30s).
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return &ConfigError{Setting: "WithTimeout", Reason: fmt.Sprintf("must be positive, got %v", d)}
		}
		c.timeout = d
		return nil
	}
}

// WithLogger logs one debug record per attempt: method, URL with the password
// masked, status, latency, attempt number and any error. Bodies, and so room
// links, are never logged. The default logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return &ConfigError{Setting: "WithLogger", Reason: "logger is nil"}
		}
		c.logger = l
		return nil
	}
}

// WithInsecureHTTP allows http:// endpoints on hosts other than loopback.
// The video URL carries the password in its query string, so use this only
// on networks you trust.
func WithInsecureHTTP() Option {
	return func(c *config) error {
		c.insecure = true
		return nil
	}
}

// NewClient returns a Client for the account username/password. Both must be
// non-empty. Options are applied in order; the first invalid one, or an
// http:// endpoint on a non-loopback host without WithInsecureHTTP, makes it
// return a *ConfigError.
func NewClient(username, password string, opts ...Option) (*Client, error) {
	if username == "" {
		return nil, &ConfigError{Setting: "username", Reason: "is empty"}
	}
	if password == "" {
		return nil, &ConfigError{Setting: "password", Reason: "is empty"}
	}
	videoURL, err := url.Parse(DefaultVideoURL)
	if err != nil {
		return nil, err
	}
	c := &config{
		username: username,
		videoURL: videoURL,
		timeout:  DefaultTimeout,
		retry:    defaultRetryPolicy,
		redactor: redact.New(password),
	}
	for i, opt := range opts {
		if opt == nil {
			return nil, &ConfigError{Setting: fmt.Sprintf("option %d", i), Reason: "is nil"}
		}
		if err := opt(c); err != nil {
			var ce *ConfigError
			if errors.As(err, &ce) {
				return nil, err
			}
			return nil, &ConfigError{Setting: fmt.Sprintf("option %d", i), Reason: c.redactor.String(err.Error())}
		}
	}
	if !c.insecure {
		if err := requireSecure("WithVideoURL", c.videoURL); err != nil {
			return nil, err
		}
		if c.voiceURL != nil {
			if err := requireSecure("WithVoiceURL", c.voiceURL); err != nil {
				return nil, err
			}
		}
	}
	c.userAgent = userAgent(c.userAgent)
	c.headers.userAgent = []string{c.userAgent}
	c.headers.accept = []string{"application/json"}
	c.headers.form = []string{"application/x-www-form-urlencoded"}
	if c.httpClient == nil {
		c.transport = &defaultTransport{}
		c.defaultClient = &http.Client{Transport: c.transport, CheckRedirect: sameHostRedirects(nil)}
	} else {
		hc := c.httpClient
		c.checkRedirect = sameHostRedirects(func(req *http.Request, via []*http.Request) error {
			if hc.CheckRedirect != nil { // read per redirect: the caller may set it later
				return hc.CheckRedirect(req, via)
			}
			return nil
		})
	}
	c.auth = &encodedAuth{}
	if c.auth.video, err = encodeQuery(videoAuth{Username: username, Password: password, Type: "video"}); err != nil {
		return nil, err
	}
	if c.auth.voice, err = encodeQuery(voiceAuth{Username: username, Password: password}); err != nil {
		return nil, err
	}
	if c.videoOptions, err = encodeVideoOptions(); err != nil {
		return nil, err
	}
	if c.callOptions, err = encodeCallOptions(); err != nil {
		return nil, err
	}
	c.videoBase = baseURL(c.videoURL)
	if c.voiceURL != nil {
		c.voiceURLString = c.voiceURL.String()
	}
	return &Client{cfg: c}, nil
}

// Environment variables NewClientFromEnv reads.
const (
	EnvUsername = "GURULIZE_USERNAME"
	EnvPassword = "GURULIZE_PASSWORD"
	EnvVideoURL = "GURULIZE_VIDEO_URL"
	EnvVoiceURL = "GURULIZE_VOICE_URL"
	EnvLanguage = "GURULIZE_LANG"
)

// NewClientFromEnv is NewClient with the credentials from GURULIZE_USERNAME
// and GURULIZE_PASSWORD, and, when set, the video URL, voice URL and language
// from GURULIZE_VIDEO_URL, GURULIZE_VOICE_URL and GURULIZE_LANG. Options in
// opts are applied after the environment, so they win.
func NewClientFromEnv(opts ...Option) (*Client, error) {
	var envOpts []Option
	if v := os.Getenv(EnvVideoURL); v != "" {
		envOpts = append(envOpts, fromEnv(EnvVideoURL, WithVideoURL(v)))
	}
	if v := os.Getenv(EnvVoiceURL); v != "" {
		envOpts = append(envOpts, fromEnv(EnvVoiceURL, WithVoiceURL(v)))
	}
	if v := os.Getenv(EnvLanguage); v != "" {
		envOpts = append(envOpts, fromEnv(EnvLanguage, WithLanguage(Language(v))))
	}
	user, pass := os.Getenv(EnvUsername), os.Getenv(EnvPassword)
	if user == "" {
		return nil, &ConfigError{Setting: EnvUsername, Reason: "is not set"}
	}
	if pass == "" {
		return nil, &ConfigError{Setting: EnvPassword, Reason: "is not set"}
	}
	return NewClient(user, pass, append(envOpts, opts...)...)
}

// fromEnv renames the setting of a failing option after its variable.
func fromEnv(name string, opt Option) Option {
	return func(c *config) error {
		err := opt(c)
		var ce *ConfigError
		if errors.As(err, &ce) {
			return &ConfigError{Setting: name, Reason: ce.Reason}
		}
		return err
	}
}

// String describes the client without its password.
func (c *Client) String() string {
	if c == nil {
		return "gurulize.Client(nil)"
	}
	return c.describe()
}

// GoString is String, so %#v does not print the fields.
func (c *Client) GoString() string { return c.String() }

// Format prints String for every verb, so no verb prints the fields. It has
// a value receiver so that a Client value, not only a *Client, is covered.
func (c Client) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, c.describe()) }

func (c Client) describe() string {
	if c.cfg == nil {
		return "gurulize.Client(nil)"
	}
	voice := "none"
	if c.cfg.voiceURL != nil {
		voice = c.cfg.redactor.URL(c.cfg.voiceURL, "password")
	}
	return fmt.Sprintf("gurulize.Client{username: %q, password: %s, video: %s, voice: %s}",
		c.cfg.username, redact.Mask, c.cfg.redactor.URL(c.cfg.videoURL, "password"), voice)
}

func parseEndpoint(setting, raw string) (*url.URL, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, &ConfigError{Setting: setting, Reason: "is empty"}
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		reason := err.Error()
		if errors.As(err, &ue) {
			reason = ue.Err.Error()
		}
		return nil, &ConfigError{Setting: setting, Reason: "is not a valid URL: " + reason}
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, &ConfigError{Setting: setting, Reason: fmt.Sprintf("scheme must be https or http, got %q", u.Scheme)}
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, &ConfigError{Setting: setting, Reason: "has no host"}
	}
	if u.User != nil {
		return nil, &ConfigError{Setting: setting, Reason: "must not carry user information; pass credentials to NewClient"}
	}
	if u.Fragment != "" {
		return nil, &ConfigError{Setting: setting, Reason: "must not have a fragment"}
	}
	return u, nil
}

func requireSecure(setting string, u *url.URL) error {
	if u.Scheme == "https" || isLoopback(u.Hostname()) {
		return nil
	}
	return &ConfigError{Setting: setting, Reason: fmt.Sprintf("http:// is only allowed on loopback hosts (got %q); use https, or WithInsecureHTTP", u.Host)}
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func userAgent(app string) string {
	ua := "gurulize-go/" + Version + " go/" + strings.TrimPrefix(runtime.Version(), "go")
	if app != "" {
		ua = app + " " + ua
	}
	return ua
}

// baseURL returns u without its query, plus "?", plus its query and "&" if
// it had one: the prefix the per-call query is appended to.
func baseURL(u *url.URL) string {
	c := *u
	c.RawQuery, c.ForceQuery = "", false
	s := c.String() + "?"
	if u.RawQuery != "" {
		s += u.RawQuery + "&"
	}
	return s
}

// errNoClient is returned by the calls of a Client not built by NewClient.
var errNoClient = &ConfigError{Setting: "Client", Reason: "not built by NewClient or NewClientFromEnv"}

// check rejects a nil context and a Client that NewClient did not build.
func (c *Client) check(ctx context.Context) error {
	if c == nil || c.cfg == nil {
		return errNoClient
	}
	if ctx == nil {
		return &ValidationError{Field: "ctx", Reason: "is nil"}
	}
	return nil
}

// apiRequest is one call to either API, fully encoded. url and body hold the
// password: they never leave do except through the redactor.
type apiRequest struct {
	method string
	url    string
	body   string // form-encoded; "" for GET
}

// apiReply is the union of both APIs' documented JSON replies.
type apiReply struct {
	Success  *bool         `json:"success"`
	Message  string        `json:"message"`
	ID       lenient.Int64 `json:"id"`
	UUID     string        `json:"uuid"`
	HostURL  string        `json:"hostUrl"`
	GuestURL string        `json:"guestUrl"`

	status int // HTTP status of the reply
}

// do is the one request path: it sends r with a fresh per-attempt timeout,
// retries what is provably safe to retry, reads the reply through the size
// limit, decodes it, and turns every failure into a redacted error.
func (c *Client) do(ctx context.Context, r *apiRequest) (*apiReply, error) {
	policy := c.cfg.retry
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			// Not even a test transport that ignores the context sends anything now.
			return nil, &url.Error{Op: opName(r.method), URL: c.redactURL(r.url), Err: err}
		}
		reply, retry, err := c.attempt(ctx, r, attempt)
		if err == nil {
			return reply, nil
		}
		if !retry.ok || attempt >= policy.MaxAttempts || ctx.Err() != nil {
			return nil, err
		}
		if werr := sleep(ctx, policy.wait(attempt, retry.after)); werr != nil {
			// A *url.Error, like every other end by the context; it wraps
			// only the context's error, so that errors.As does not take a
			// cancellation for the attempt's *APIError.
			last := err
			var ue *url.Error
			if errors.As(err, &ue) {
				last = ue.Err // the URL is said once, outside
			}
			return nil, &url.Error{Op: opName(r.method), URL: c.redactURL(r.url),
				Err: fmt.Errorf("gave up waiting to retry after attempt %d (%s): %w", attempt, last, werr)}
		}
	}
}

// retryAdvice says whether a failed attempt may be repeated, and how long the
// server asked us to wait (0: not said).
type retryAdvice struct {
	ok    bool
	after time.Duration
}

func (c *Client) attempt(ctx context.Context, r *apiRequest, n int) (*apiReply, retryAdvice, error) {
	cfg := c.cfg
	actx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	var tr connTrace
	actx = httptrace.WithClientTrace(actx, tr.clientTrace())

	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(actx, r.method, r.url, body)
	if err != nil {
		// Only a URL that cannot be parsed gets here; its text holds the password.
		return nil, retryAdvice{}, &url.Error{Op: opName(r.method), URL: c.redactURL(r.url), Err: cfg.redactor.Error(err)}
	}
	// The header values are slices made once per client and shared by every
	// request, saving an allocation each; nothing writes into them (a
	// RoundTripper must not modify the request, and Header.Set replaces a
	// slice rather than writing into it).
	req.Header["User-Agent"] = cfg.headers.userAgent
	req.Header["Accept"] = cfg.headers.accept
	if r.body != "" {
		req.Header["Content-Type"] = cfg.headers.form
		// Without GetBody, net/http cannot rewind the body, so its HTTP/2
		// transport cannot resend the POST after a stream reset.
		req.GetBody = nil
	} else {
		forbidReplay(req)
	}

	start := time.Now()
	resp, err := cfg.client().Do(req)
	if err != nil {
		err = c.transportError(req, err)
		c.log(ctx, req, n, 0, start, err)
		return nil, retryAdvice{ok: (tr.neverConnected() || unprocessed(err)) && ctx.Err() == nil}, err
	}
	raw, err := readBody(resp.Body)
	resp.Body.Close()
	if err != nil && !errors.Is(err, errTooLarge) {
		err = c.transportError(req, err)
		c.log(ctx, req, n, resp.StatusCode, start, err)
		return nil, retryAdvice{}, err
	}
	reply, apiErr := c.decode(resp.StatusCode, raw, err != nil, undecodedCoding(resp))
	if apiErr != nil {
		c.log(ctx, req, n, resp.StatusCode, start, apiErr)
		advice := retryAdvice{}
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
			advice = retryAdvice{ok: true, after: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
		}
		return nil, advice, apiErr
	}
	c.log(ctx, req, n, resp.StatusCode, start, nil)
	return reply, retryAdvice{}, nil
}

// decode turns a reply into an *apiReply, or an *APIError for a non-2xx
// status, a body that is not the documented JSON, or "success": false.
// coding is the reply's content coding when the HTTP client left it encoded.
func (c *Client) decode(status int, raw []byte, tooLarge bool, coding string) (*apiReply, *APIError) {
	if tooLarge {
		return nil, unexpectedResponse(status, fmt.Sprintf("reply is larger than %d bytes", MaxResponseBytes))
	}
	if coding != "" {
		msg := fmt.Sprintf("reply has Content-Encoding %q, which the client did not ask for and does not decode", coding)
		if status < 200 || status > 299 {
			return nil, newAPIError(status, msg) // a 401 still matches ErrInvalidCredentials
		}
		return nil, unexpectedResponse(status, msg)
	}
	reply := &apiReply{status: status}
	jsonErr := json.Unmarshal(raw, reply)
	if status < 200 || status > 299 {
		msg := reply.Message
		if jsonErr != nil || msg == "" {
			msg = c.excerpt(raw)
		}
		return nil, newAPIError(status, c.cfg.redactor.String(msg))
	}
	if jsonErr != nil {
		return nil, unexpectedResponse(status, "reply is not the documented JSON ("+describeJSONError(jsonErr)+"): "+c.excerpt(raw))
	}
	if reply.Success != nil && !*reply.Success {
		return nil, newAPIError(status, c.cfg.redactor.String(reply.Message))
	}
	return reply, nil
}

// undecodedCoding returns the content coding of a reply body that is still
// encoded, or "". net/http asks for gzip and decodes it by itself (then
// resp.Uncompressed is set, and the size limit counts decoded bytes); a
// reply encoded although the request did not ask for it, as when the
// caller's transport sets DisableCompression, is reported as such rather
// than quoted as unreadable JSON.
func undecodedCoding(resp *http.Response) string {
	coding := strings.TrimSpace(resp.Header.Get("Content-Encoding"))
	if resp.Uncompressed || coding == "" || strings.EqualFold(coding, "identity") {
		return ""
	}
	return coding
}

// describeJSONError says what is wrong with a reply in the reply's terms,
// without naming the SDK's internal types.
func describeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || err.Error() == "unexpected end of JSON input":
		return "it ends early"
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Sprintf("field %q has the wrong type: JSON %s", typ.Field, typ.Value)
	case errors.As(err, &typ):
		return fmt.Sprintf("JSON %s where an object was expected", typ.Value)
	default:
		return "a field has the wrong type"
	}
}

// excerptBytes is how much of an unexpected body an error quotes.
const excerptBytes = 200

// excerpt returns a short, printable, redacted quotation of a body.
func (c *Client) excerpt(raw []byte) string {
	if len(bytes.TrimSpace(raw)) == 0 {
		return "(empty body)"
	}
	// Make the body printable first: dropping invalid UTF-8 and turning
	// control characters into spaces can join the parts of a secret, so
	// redaction comes after both.
	s := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(string(raw), ""))
	// Redact the whole body before cutting it, so no prefix of a secret
	// survives: the password, and the query of every link, which in a room
	// reply holds the room's access token. Errors are logged, and room links
	// must never reach a log.
	s = redact.Queries(c.cfg.redactor.String(strings.TrimSpace(s)))
	cut := len(s) > excerptBytes
	if cut {
		s = strings.TrimSpace(strings.ToValidUTF8(s[:excerptBytes], "")) + "…" // the cut may split a character
	}
	return strconv.Quote(s)
}

var errTooLarge = errors.New("reply too large")

// readBody reads at most MaxResponseBytes. A longer body returns errTooLarge
// and is not drained: closing it drops the connection instead of reading an
// unbounded stream.
func readBody(body io.Reader) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(body, MaxResponseBytes+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > MaxResponseBytes {
		return nil, errTooLarge
	}
	return raw, nil
}

// transportError redacts an error from the HTTP client: its URL and message
// carry the query string, and so the password.
func (c *Client) transportError(req *http.Request, err error) error {
	red := c.cfg.redactor
	op := opName(req.Method)
	var ue *url.Error
	if errors.As(err, &ue) {
		op = ue.Op
		err = ue.Err
	}
	return &url.Error{Op: op, URL: red.URL(req.URL, "password"), Err: red.Error(err)}
}

// redactURL returns a request URL with the password parameter and every
// occurrence of the password masked.
func (c *Client) redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return c.cfg.redactor.String(raw)
	}
	return c.cfg.redactor.URL(u, "password")
}

func opName(method string) string {
	if method == "" {
		return "Get"
	}
	return method[:1] + strings.ToLower(method[1:])
}

// log writes one debug record for an attempt, when a logger is configured.
func (c *Client) log(ctx context.Context, req *http.Request, attempt, status int, start time.Time, err error) {
	l := c.cfg.logger
	if l == nil || !l.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", req.Method),
		slog.String("url", c.cfg.redactor.URL(req.URL, "password")),
		slog.Int("attempt", attempt),
		slog.Duration("latency", time.Since(start)),
	}
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", c.cfg.redactor.String(err.Error())))
	}
	l.LogAttrs(ctx, slog.LevelDebug, "gurulize request", attrs...)
}

// client returns the *http.Client for one request: a copy of the caller's
// (so its Transport, Jar and Timeout are read now) with a redirect policy
// that never leaves the original host, or the client's own on the default
// transport.
func (c *config) client() *http.Client {
	if c.httpClient == nil {
		return c.defaultClient
	}
	hc := *c.httpClient
	hc.CheckRedirect = c.checkRedirect
	return &hc
}

// idleConnsPerHost is the idle-connection pool per host of the default
// transport: enough for 64 concurrent callers to keep their connections,
// where http.DefaultTransport keeps 2 and opens a new one for most calls.
const idleConnsPerHost = 100

// defaultTransport is the RoundTripper of a Client built without
// WithHTTPClient. On the client's first request it clones
// http.DefaultTransport, when that is an *http.Transport, with a larger idle
// pool (same proxy, TLS and timeout settings, as they are then), and sends
// through the clone as long as http.DefaultTransport is still the transport
// it cloned. Once http.DefaultTransport has been replaced — httpmock.Activate(),
// instrumentation — it sends through the replacement, looked up on every
// request.
type defaultTransport struct {
	pool atomic.Pointer[transportPool]
}

// transportPool is a clone of base with a larger idle pool.
type transportPool struct {
	base  *http.Transport
	tuned *http.Transport
}

func (t *defaultTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	cur := http.DefaultTransport
	p := t.pool.Load()
	if p == nil {
		ht, ok := cur.(*http.Transport)
		if !ok || ht == nil {
			return cur.RoundTrip(req)
		}
		tuned := ht.Clone()
		tuned.MaxIdleConnsPerHost = max(ht.MaxIdleConnsPerHost, idleConnsPerHost)
		tuned.MaxIdleConns = max(ht.MaxIdleConns, idleConnsPerHost)
		t.pool.CompareAndSwap(nil, &transportPool{base: ht, tuned: tuned})
		p = t.pool.Load()
	}
	// Comparing interfaces of different dynamic types is false, never a
	// panic, whatever type the replacement is.
	if cur == http.RoundTripper(p.base) {
		return p.tuned.RoundTrip(req)
	}
	return cur.RoundTrip(req)
}

// CloseIdleConnections closes the idle keep-alive connections of the
// client's transport: its own default one, or the one given with
// WithHTTPClient. Call it when a client is no longer needed; a Client that
// stays in use needs no care.
func (c *Client) CloseIdleConnections() {
	if c == nil || c.cfg == nil {
		return
	}
	if c.cfg.httpClient != nil {
		c.cfg.httpClient.CloseIdleConnections()
		return
	}
	if p := c.cfg.transport.pool.Load(); p != nil {
		p.tuned.CloseIdleConnections()
	}
}

// unreplayable is the body of a request that has none (the room-creation
// GET). net/http's Transport silently sends a request again, on a new
// connection, when a reused keep-alive connection breaks before the reply
// begins and the request is "replayable": no body (or one it can rewind) and
// a method such as GET. By then the server may have acted on it, and a second
// GET makes a second room. A body the Transport cannot rewind makes the
// request not replayable, as a POST already is; being empty, it adds nothing
// to what is sent. The cost: a 307 or 308 redirect of such a request is not
// followed (net/http would have to replay it), and comes back as an *APIError.
type unreplayable struct{}

// forbidReplay gives a request without a body the unreplayable one, with the
// identity transfer encoding: without it net/http would start a goroutine
// and a timer on every request to find out whether the body is really empty
// (see transferWriter.probeRequestBody) before sending it without one.
// TestRoomRequestOnTheWire checks that the GET still goes out with no body,
// no Content-Length and no Transfer-Encoding.
func forbidReplay(req *http.Request) {
	req.Body = unreplayable{}
	req.TransferEncoding = []string{"identity"}
}

func (unreplayable) Read([]byte) (int, error) { return 0, io.EOF }
func (unreplayable) Close() error             { return nil }

// WriteTo writes nothing; it spares io.Copy its 32 KiB buffer.
func (unreplayable) WriteTo(io.Writer) (int64, error) { return 0, nil }

// sameHostRedirects follows a redirect only to the same scheme and host, and
// at most 10 of them, as net/http does; then next, if any, has its say. Any
// other redirect is returned to the caller as the 3xx reply it is. A followed
// redirect that has no body gets an unreplayable one, as the first request did.
func sameHostRedirects(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != via[0].URL.Scheme || req.URL.Host != via[0].URL.Host {
			return http.ErrUseLastResponse
		}
		if req.Body == nil || req.Body == http.NoBody {
			forbidReplay(req)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
}

// unprocessedRe matches the error net/http's HTTP/2 transport returns when
// it would have resent a request it cannot rewind after the server said it
// did not process it: a REFUSED_STREAM reset, or a GOAWAY that excludes the
// stream. net/http exposes no type for either, only this text.
var unprocessedRe = regexp.MustCompile(`http2: Transport: cannot retry err \[(stream error: stream ID \d+; REFUSED_STREAM; received from peer|http2: Transport received Server's graceful shutdown GOAWAY)\]`)

// unprocessed reports whether err says the server did not process the
// request (see unprocessedRe), which makes it safe to send again.
func unprocessed(err error) bool { return unprocessedRe.MatchString(err.Error()) }

// connTrace records whether the transport set out to get a connection for an
// attempt and whether it ever got one. An attempt that asked for a connection
// (GetConn) but never got one (GotConn) — refused, DNS failure, TLS handshake
// failure, timeout while connecting — cannot have sent a byte of the request,
// so it is safe to repeat. A transport that reports neither (a test double)
// proves nothing, and its errors are not retried. Only these two hooks are
// set: they need no per-request network tracing, which keeps the trace cheap.
// The hooks may run on other goroutines.
type connTrace struct {
	getConn atomic.Bool
	gotConn atomic.Bool
}

func (t *connTrace) clientTrace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		GetConn: func(string) { t.getConn.Store(true) },
		GotConn: func(httptrace.GotConnInfo) { t.gotConn.Store(true) },
	}
}

func (t *connTrace) neverConnected() bool { return t.getConn.Load() && !t.gotConn.Load() }

package otelgurulize_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
	"github.com/gurulize/gurulize-go/otelgurulize"
)

// TestNoSecretInTelemetry runs everything the package records, against the
// fake Gurulize and a loopback provider that misbehaves, then sweeps every
// span name, attribute, event, status description, link and metric
// attribute for the password, the callback token and the room links.
func TestNoSecretInTelemetry(t *testing.T) {
	tel := newTelemetry(t, otelgurulize.WithPropagators(propagation.TraceContext{}))
	ctx := context.Background()
	var links []string // the fake's room links, secrets too

	// Callbacks, to handlers that link each callback's span to the span
	// that created its room.
	var created sync.Map // room UUID → trace.SpanContext
	srv := callbackServer(t, tel,
		func(ctx context.Context, ev gurulize.VideoEvent) error {
			if sc, ok := created.Load(ev.RoomUUID); ok {
				trace.SpanFromContext(ctx).AddLink(trace.Link{SpanContext: sc.(trace.SpanContext)})
			}
			return nil
		},
		func(context.Context, gurulize.VoiceStatus) error { return nil })

	// The fake: a room and a call, and all their callbacks.
	fake := gurulizetest.NewTestServer(t,
		gurulizetest.WithAccount(testUser, testPassword),
		gurulizetest.WithManualClock(time.Time{}),
		gurulizetest.WithVideoCallbackURL(srv.URL+"/gurulize/video/"+testToken),
		gurulizetest.WithVoiceCallbackURL(srv.URL+"/gurulize/voice?token="+url.QueryEscape(testToken)))
	c, err := gurulize.NewClient(testUser, testPassword, gurulize.WithVideoURL(fake.VideoURL()), gurulize.WithVoiceURL(fake.VoiceURL()),
		otelgurulize.ClientOption(tel.opts...))
	require.NoError(t, err)
	room, err := c.CreateVideoRoom(ctx, gurulize.VideoRoomRequest{Duration: 30 * time.Minute, StartAt: fake.Advance(0).Add(time.Minute)})
	require.NoError(t, err)
	links = append(links, room.HostURL, room.GuestURL)
	calls := tel.ended("gurulize.CreateVideoRoom")
	require.Len(t, calls, 1)
	created.Store(room.UUID, calls[0].SpanContext())
	_, err = c.RegisterCall(ctx, validCall())
	require.NoError(t, err)
	fake.Advance(time.Hour) // the meeting and the call play out
	require.NoError(t, fake.WaitIdle(ctx))
	require.NotEmpty(t, fake.Deliveries())
	for _, d := range fake.Deliveries() {
		require.Empty(t, d.Err, "%+v", d)
	}

	// A provider that is busy once, then echoes the password back in every
	// form in a refusal, in a 500 and in a body that is not JSON.
	echo := url.QueryEscape(testPassword) + " " + testPassword + " " + strconv.Quote(testPassword)
	p := newProvider(t,
		reply(http.StatusServiceUnavailable, "busy", "Retry-After", "1"),
		reply(http.StatusOK, roomJSON),
		reply(http.StatusOK, `{"success":false,"message":`+strconv.Quote("Invalid Parameter (password): "+echo)+`}`),
		reply(http.StatusInternalServerError, `{"message":`+strconv.Quote(echo+" "+hostLink)+`}`),
		reply(http.StatusOK, "<html>"+echo+" "+guestLink+"</html>"))
	pc := tel.client(t, p.videoURL(), p.voiceURL(), gurulize.WithRetry(gurulize.RetryPolicy{MaxAttempts: 1}))
	pc2 := tel.client(t, p.videoURL(), p.voiceURL())
	_, err = pc2.CreateVideoRoom(ctx, validRoom()) // 503, then 200
	require.NoError(t, err)
	_, err = pc.RegisterCall(ctx, validCall())
	require.ErrorIs(t, err, gurulize.ErrInvalidParameter)
	_, err = pc.CreateVideoRoom(ctx, validRoom())
	require.Error(t, err)
	_, err = pc.CreateVideoRoom(ctx, validRoom())
	require.ErrorIs(t, err, gurulize.ErrUnexpectedResponse)

	// Callbacks carrying the token where it does not belong, and refused ones.
	post(t, srv.URL+"/gurulize/video/"+testToken+"?token="+testToken+"&again="+testToken, videoBody)
	post(t, srv.URL+"/gurulize/video/"+url.PathEscape(testToken)+"/?token="+url.QueryEscape(testToken), `{"code":`)
	get(t, srv.URL+"/gurulize/voice?token="+testToken+"&id=1&code=2&time=1597154400&desc="+testToken)
	get(t, srv.URL+"/gurulize/voice?token=wrong&"+testToken+"="+testToken)
	get(t, srv.URL+"/gurulize/voice?token="+testToken+"&bad=%zz")

	// Every kind of record is there to be swept.
	require.NotEmpty(t, tel.ended("gurulize.CreateVideoRoom"))
	require.NotEmpty(t, tel.ended("gurulize.RegisterCall"))
	require.NotEmpty(t, tel.ended("GET"))
	require.NotEmpty(t, tel.ended("POST"))
	linked := 0
	for _, s := range tel.spans.Ended() {
		linked += len(s.Links())
	}
	require.NotZero(t, linked, "callback spans carry links")

	secrets := []string{testPassword, testToken, hostLink, guestLink}
	for _, l := range append(links, hostLink, guestLink) {
		u, err := url.Parse(l)
		require.NoError(t, err)
		for _, vs := range u.Query() {
			secrets = append(secrets, vs...)
		}
	}
	recorded := tel.everything(t)
	require.Greater(t, len(recorded), 100)
	for _, secret := range secrets {
		for _, form := range encodings(secret) {
			for _, s := range recorded {
				if strings.Contains(s, form) {
					t.Errorf("recorded %q holds a secret (%q as %q)", s, secret, form)
				}
			}
		}
	}
	joined := strings.Join(recorded, "\n")
	assert.Contains(t, joined, "password=REDACTED")
	assert.Contains(t, joined, "url.path=/gurulize/video/REDACTED")
}

// encodings returns the forms a secret can take in text: as it is,
// percent-encoded (either hex case, query and path style), quoted in Go
// and JSON, escaped in HTML, in base64 and in hex.
func encodings(s string) []string {
	j, _ := json.Marshal(s)
	forms := []string{
		s,
		url.QueryEscape(s), url.PathEscape(s),
		strings.Trim(strconv.Quote(s), `"`), strings.Trim(strconv.QuoteToASCII(s), `"`),
		strings.Trim(string(j), `"`),
		html.EscapeString(s),
		base64.StdEncoding.EncodeToString([]byte(s)), base64.RawStdEncoding.EncodeToString([]byte(s)),
		base64.URLEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s)),
		hex.EncodeToString([]byte(s)), strings.ToUpper(hex.EncodeToString([]byte(s))),
	}
	lower := regexp.MustCompile(`%[0-9A-F]{2}`)
	for _, f := range forms[1:3] {
		forms = append(forms, lower.ReplaceAllStringFunc(f, strings.ToLower))
	}
	return forms
}

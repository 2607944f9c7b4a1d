package gurulizetest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
)

// apiReply is the JSON the fake answers with.
type apiReply struct {
	Success  *bool  `json:"success"`
	Message  string `json:"message"`
	ID       int64  `json:"id"`
	UUID     string `json:"uuid"`
	HostURL  string `json:"hostUrl"`
	GuestURL string `json:"guestUrl"`
}

func do(t *testing.T, req *http.Request) (int, apiReply) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var r apiReply
	require.NoError(t, json.Unmarshal(raw, &r), string(raw))
	assert.Equal(t, "application/json;charset=UTF-8", resp.Header.Get("Content-Type"))
	return resp.StatusCode, r
}

func validVideoQuery() url.Values {
	return url.Values{
		"username":          {gurulizetest.DefaultUsername},
		"password":          {gurulizetest.DefaultPassword},
		"durationInMinutes": {"50"},
		"type":              {"video"},
		"startDate":         {"1597148937000"},
		"endHow":            {"AUTOMATIC"},
		"endWhen":           {"END_TIME"},
		"lang":              {"en"},
	}
}

func validVoiceForm() url.Values {
	return url.Values{
		"username": {gurulizetest.DefaultUsername},
		"password": {gurulizetest.DefaultPassword},
		"caller":   {"5321234567"},
		"callee":   {"5427654321"},
		"duration": {"600"},
		"lang":     {"en"},
	}
}

func TestVideoValidation(t *testing.T) {
	t.Parallel()
	srv := gurulizetest.NewTestServer(t, gurulizetest.WithRoomScript(gurulizetest.Silent()))
	cases := []struct {
		name   string
		change func(url.Values)
		want   string // "" means the room is created
	}{
		{"valid", func(url.Values) {}, ""},
		{"type written as in the parameter list", func(q url.Values) { q.Set("type", "Video") }, ""},
		{"optional fields absent", func(q url.Values) { q.Del("endHow"); q.Del("endWhen"); q.Del("lang") }, ""},
		{"no username", func(q url.Values) { q.Del("username") }, "Missing Parameter (username)"},
		{"no password", func(q url.Values) { q.Del("password") }, "Missing Parameter (password)"},
		{"missing parameters are reported before credentials", func(q url.Values) { q.Set("username", "nobody"); q.Del("password") }, "Missing Parameter (password)"},
		{"unknown user", func(q url.Values) { q.Set("username", "nobody") }, "User Information Is Invalid"},
		{"wrong password", func(q url.Values) { q.Set("password", "wrong") }, "User Information Is Invalid"},
		{"credentials before other parameters", func(q url.Values) { q.Set("password", "wrong"); q.Del("type") }, "User Information Is Invalid"},
		{"no duration", func(q url.Values) { q.Del("durationInMinutes") }, "Missing Parameter (durationInMinutes)"},
		{"duration not a number", func(q url.Values) { q.Set("durationInMinutes", "50m") }, "Invalid Parameter (durationInMinutes): Must be numerical"},
		{"duration zero", func(q url.Values) { q.Set("durationInMinutes", "0") }, "Invalid Parameter (durationInMinutes): Must be positive"},
		{"duration too large", func(q url.Values) { q.Set("durationInMinutes", "9999999999") }, "Invalid Parameter (durationInMinutes): Too large"},
		{"no type", func(q url.Values) { q.Del("type") }, "Missing Parameter (type)"},
		{"type not video", func(q url.Values) { q.Set("type", "audio") }, "Invalid Parameter (type): Must be video"},
		{"no startDate", func(q url.Values) { q.Del("startDate") }, "Missing Parameter (startDate)"},
		{"startDate in seconds", func(q url.Values) { q.Set("startDate", "1597148937") }, "Invalid Parameter (startDate): Must be Unix time in milliseconds, not seconds"},
		{"startDate not a number", func(q url.Values) { q.Set("startDate", "2020-08-11T12:28:57Z") }, "Invalid Parameter (startDate): Must be numerical"},
		{"unknown endHow", func(q url.Values) { q.Set("endHow", "WHENEVER") }, "Invalid Parameter (endHow): Must be AUTOMATIC or BY_HOST"},
		{"empty endHow", func(q url.Values) { q.Set("endHow", "") }, "Invalid Parameter (endHow): Must be AUTOMATIC or BY_HOST"},
		{"unknown endWhen", func(q url.Values) { q.Set("endWhen", "NEVER") }, "Invalid Parameter (endWhen): Must be END_TIME or END_OF_DURATION"},
		{"unknown lang", func(q url.Values) { q.Set("lang", "de") }, "Invalid Parameter (lang): Must be en or tr"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := validVideoQuery()
			tc.change(q)
			req, err := http.NewRequest(http.MethodGet, srv.VideoURL()+"?"+q.Encode(), nil)
			require.NoError(t, err)
			status, r := do(t, req)
			assert.Equal(t, http.StatusOK, status)
			if tc.want != "" {
				require.NotNil(t, r.Success)
				assert.False(t, *r.Success)
				assert.Equal(t, tc.want, r.Message)
				assert.Empty(t, r.UUID)
				return
			}
			assert.Nil(t, r.Success, "a created room's reply is only uuid and links, as in the reference")
			assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, r.UUID)
			assert.True(t, strings.HasPrefix(r.HostURL, baseURL(srv)+"/?rop="), r.HostURL)
			assert.True(t, strings.HasPrefix(r.GuestURL, baseURL(srv)+"/?rop="), r.GuestURL)
			assert.NotEqual(t, r.HostURL, r.GuestURL)
		})
	}
}

func TestVideoOnlyGET(t *testing.T) {
	t.Parallel()
	srv := gurulizetest.NewTestServer(t)
	req, err := http.NewRequest(http.MethodPost, srv.VideoURL(), strings.NewReader(validVideoQuery().Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	status, r := do(t, req)
	assert.Equal(t, http.StatusMethodNotAllowed, status)
	assert.Equal(t, "Method Not Allowed", r.Message)
	assert.Empty(t, srv.Rooms())
}

func TestVoiceValidation(t *testing.T) {
	t.Parallel()
	srv := gurulizetest.NewTestServer(t, gurulizetest.WithCallScript(gurulizetest.CallScript{Name: "nothing"}))
	cases := []struct {
		name   string
		change func(url.Values)
		want   string
	}{
		{"valid", func(url.Values) {}, ""},
		{"no lang", func(f url.Values) { f.Del("lang") }, ""},
		{"no username", func(f url.Values) { f.Del("username") }, "Missing Parameter (username)"},
		{"no password", func(f url.Values) { f.Del("password") }, "Missing Parameter (password)"},
		{"wrong password", func(f url.Values) { f.Set("password", "nope") }, "User Information Is Invalid"},
		{"no caller", func(f url.Values) { f.Del("caller") }, "Missing Parameter (caller)"},
		{"no callee", func(f url.Values) { f.Del("callee") }, "Missing Parameter (callee)"},
		{"no duration", func(f url.Values) { f.Del("duration") }, "Missing Parameter (duration)"},
		{"caller with spaces", func(f url.Values) { f.Set("caller", "532 123 45 67") }, "Invalid Parameter (caller): Not a phone number"},
		{"caller with a plus", func(f url.Values) { f.Set("caller", "+905321234567") }, "Invalid Parameter (caller): Not a phone number"},
		{"callee letters", func(f url.Values) { f.Set("callee", "CALLME") }, "Invalid Parameter (callee): Not a phone number"},
		{"duration with a unit", func(f url.Values) { f.Set("duration", "10m") }, "Invalid Parameter (duration): Must be numerical"},
		{"duration negative", func(f url.Values) { f.Set("duration", "-5") }, "Invalid Parameter (duration): Must be positive"},
		{"duration too large", func(f url.Values) { f.Set("duration", "99999999999") }, "Invalid Parameter (duration): Too large"},
		{"unknown lang", func(f url.Values) { f.Set("lang", "fr") }, "Invalid Parameter (lang): Must be en or tr"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := validVoiceForm()
			tc.change(f)
			req, err := http.NewRequest(http.MethodPost, srv.VoiceURL(), strings.NewReader(f.Encode()))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			status, r := do(t, req)
			assert.Equal(t, http.StatusOK, status)
			require.NotNil(t, r.Success)
			if tc.want != "" {
				assert.False(t, *r.Success)
				assert.Equal(t, tc.want, r.Message)
				assert.Zero(t, r.ID)
				return
			}
			assert.True(t, *r.Success)
			assert.Equal(t, "Request Received", r.Message)
			assert.Positive(t, r.ID)
		})
	}
}

// TestTurkishMessages: a request with lang=tr is refused in the fake's own
// Turkish, naming the parameter in parentheses as the English messages do,
// so a client's non-English path can be tested. Without lang, or with an
// unknown one, the fake answers in English.
func TestTurkishMessages(t *testing.T) {
	t.Parallel()
	srv := gurulizetest.NewTestServer(t, gurulizetest.WithRoomScript(gurulizetest.Silent()))
	video := func(change func(url.Values)) string {
		q := validVideoQuery()
		q.Set("lang", "tr")
		change(q)
		req, err := http.NewRequest(http.MethodGet, srv.VideoURL()+"?"+q.Encode(), nil)
		require.NoError(t, err)
		_, r := do(t, req)
		return r.Message
	}
	voice := func(change func(url.Values)) string {
		f := validVoiceForm()
		f.Set("lang", "tr")
		change(f)
		req, err := http.NewRequest(http.MethodPost, srv.VoiceURL(), strings.NewReader(f.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		_, r := do(t, req)
		return r.Message
	}
	for _, tc := range []struct{ got, want string }{
		{video(func(q url.Values) { q.Del("username") }), "Eksik parametre (username)"},
		{video(func(q url.Values) { q.Set("password", "wrong") }), "Kullanıcı bilgileri geçersiz"},
		{video(func(q url.Values) { q.Del("startDate") }), "Eksik parametre (startDate)"},
		{video(func(q url.Values) { q.Set("durationInMinutes", "50m") }), "Geçersiz parametre (durationInMinutes): Sayısal olmalı"},
		{video(func(q url.Values) { q.Set("durationInMinutes", "0") }), "Geçersiz parametre (durationInMinutes): Sıfırdan büyük olmalı"},
		{video(func(q url.Values) { q.Set("durationInMinutes", "9999999999") }), "Geçersiz parametre (durationInMinutes): Çok büyük"},
		{video(func(q url.Values) { q.Set("type", "audio") }), "Geçersiz parametre (type): video olmalı"},
		{video(func(q url.Values) { q.Set("startDate", "1597148937") }), "Geçersiz parametre (startDate): Saniye değil, milisaniye cinsinden Unix zamanı olmalı"},
		{video(func(q url.Values) { q.Set("endHow", "WHENEVER") }), "Geçersiz parametre (endHow): AUTOMATIC veya BY_HOST olmalı"},
		{video(func(q url.Values) { q.Set("endWhen", "NEVER") }), "Geçersiz parametre (endWhen): END_TIME veya END_OF_DURATION olmalı"},
		{video(func(q url.Values) { q.Set("lang", "de"); q.Del("username") }), "Missing Parameter (username)"},
		{voice(func(f url.Values) { f.Del("password") }), "Eksik parametre (password)"},
		{voice(func(f url.Values) { f.Set("username", "nobody") }), "Kullanıcı bilgileri geçersiz"},
		{voice(func(f url.Values) { f.Set("caller", "+905321234567") }), "Geçersiz parametre (caller): Telefon numarası değil"},
		{voice(func(f url.Values) { f.Del("lang"); f.Del("callee") }), "Missing Parameter (callee)"},
		{voice(func(url.Values) {}), "Request Received"},
	} {
		assert.Equal(t, tc.want, tc.got)
	}

	// Through the SDK: an *APIError with the message verbatim.
	client, err := newClient(srv, gurulize.WithLanguage(gurulize.Turkish))
	require.NoError(t, err)
	_, err = client.RegisterCall(context.Background(), gurulize.CallRequest{Caller: "5321234567", Callee: "5427654321", MaxDuration: 10 * time.Minute})
	require.NoError(t, err)
	bad, err := gurulize.NewClient("nobody", "pw", gurulize.WithVoiceURL(srv.VoiceURL()), gurulize.WithLanguage(gurulize.Turkish))
	require.NoError(t, err)
	_, err = bad.RegisterCall(context.Background(), gurulize.CallRequest{Caller: "5321234567", Callee: "5427654321", MaxDuration: 10 * time.Minute})
	var apiErr *gurulize.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "Kullanıcı bilgileri geçersiz", apiErr.Message)
}

func TestVoiceOnlyPOSTForm(t *testing.T) {
	t.Parallel()
	srv := gurulizetest.NewTestServer(t)

	// GET, even with every parameter in the query.
	req, err := http.NewRequest(http.MethodGet, srv.VoiceURL()+"?"+validVoiceForm().Encode(), nil)
	require.NoError(t, err)
	status, r := do(t, req)
	assert.Equal(t, http.StatusMethodNotAllowed, status)
	assert.Equal(t, "Method Not Allowed", r.Message)

	// POST with the parameters in the query, not the body: the server reads the body.
	req, err = http.NewRequest(http.MethodPost, srv.VoiceURL()+"?"+validVoiceForm().Encode(), strings.NewReader(""))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	_, r = do(t, req)
	assert.Equal(t, "Missing Parameter (username)", r.Message)

	// POST with a JSON body.
	raw, _ := json.Marshal(map[string]string{"username": gurulizetest.DefaultUsername})
	req, err = http.NewRequest(http.MethodPost, srv.VoiceURL(), strings.NewReader(string(raw)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	_, r = do(t, req)
	assert.Equal(t, "Missing Parameter (username)", r.Message)

	assert.Empty(t, srv.Calls())
	require.Len(t, srv.Requests(), 3)
	assert.Equal(t, http.StatusMethodNotAllowed, srv.Requests()[0].Status)
}

func TestUnknownPath(t *testing.T) {
	t.Parallel()
	srv := gurulizetest.NewTestServer(t)
	req, err := http.NewRequest(http.MethodGet, baseURL(srv)+"/elsewhere", nil)
	require.NoError(t, err)
	status, r := do(t, req)
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, "Not Found", r.Message)
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "", reqs[0].API)
	assert.Equal(t, "/elsewhere", reqs[0].Path)
}

// The SDK client against the fake: the fake's replies classify as the
// provider's documented errors.
func TestClientErrorsAgainstFake(t *testing.T) {
	t.Parallel()
	srv := gurulizetest.NewTestServer(t, gurulizetest.WithAccount("acme", "right"))
	ctx := context.Background()

	c, err := gurulize.NewClient("acme", "wrong", gurulize.WithVideoURL(srv.VideoURL()), gurulize.WithVoiceURL(srv.VoiceURL()))
	require.NoError(t, err)
	_, err = c.CreateVideoRoom(ctx, roomAt(time.Now(), time.Hour, ""))
	assert.ErrorIs(t, err, gurulize.ErrInvalidCredentials)
	_, err = c.RegisterCall(ctx, gurulize.CallRequest{Caller: "5321234567", Callee: "5427654321", MaxDuration: time.Minute})
	assert.ErrorIs(t, err, gurulize.ErrInvalidCredentials)
	var apiErr *gurulize.APIError
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, "User Information Is Invalid", apiErr.Message)

	_, err = srv.Client().RegisterCall(ctx, gurulize.CallRequest{Caller: "5321234567", Callee: "5427654321", MaxDuration: time.Minute})
	assert.NoError(t, err, "Client uses the first account")
}

func TestAccounts(t *testing.T) {
	t.Parallel()
	srv := gurulizetest.NewTestServer(t, gurulizetest.WithAccount("first", "one"), gurulizetest.WithAccount("second", "two"))
	ctx := context.Background()
	for _, acct := range [][2]string{{"first", "one"}, {"second", "two"}} {
		c, err := gurulize.NewClient(acct[0], acct[1], gurulize.WithVideoURL(srv.VideoURL()))
		require.NoError(t, err)
		_, err = c.CreateVideoRoom(ctx, roomAt(time.Now(), time.Hour, ""))
		assert.NoError(t, err, acct[0])
	}
	c, err := gurulize.NewClient(gurulizetest.DefaultUsername, gurulizetest.DefaultPassword, gurulize.WithVideoURL(srv.VideoURL()))
	require.NoError(t, err)
	_, err = c.CreateVideoRoom(ctx, roomAt(time.Now(), time.Hour, ""))
	assert.ErrorIs(t, err, gurulize.ErrInvalidCredentials, "WithAccount replaces the default account")
	rooms := srv.Rooms()
	require.Len(t, rooms, 2)
	assert.Equal(t, "first", rooms[0].Username)
	assert.Equal(t, "second", rooms[1].Username)
}

func TestRoomRecordsAndLinks(t *testing.T) {
	t.Parallel()
	srv := gurulizetest.NewTestServer(t)
	start := time.Date(2030, 5, 6, 7, 8, 9, 0, time.FixedZone("TRT", 3*3600))
	turkish, err := newClient(srv, gurulize.WithLanguage(gurulize.Turkish))
	require.NoError(t, err)
	room, err := turkish.CreateVideoRoom(context.Background(), gurulize.VideoRoomRequest{
		Duration: 45 * time.Minute, StartAt: start, EndHow: gurulize.EndByHost, EndWhen: gurulize.EndAfterDuration,
	})
	require.NoError(t, err)

	got, ok := srv.Room(room.UUID)
	require.True(t, ok)
	assert.Equal(t, gurulizetest.Room{
		UUID: room.UUID, HostURL: room.HostURL, GuestURL: room.GuestURL, Username: gurulizetest.DefaultUsername,
		Duration: 45 * time.Minute, StartAt: start.UTC(), EndHow: gurulize.EndByHost, EndWhen: gurulize.EndAfterDuration,
		Language: gurulize.Turkish, Script: "meet 40m",
	}, got)
	assert.Equal(t, []gurulizetest.Room{got}, srv.Rooms())
	_, ok = srv.Room("no-such-room")
	assert.False(t, ok)

	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "video", reqs[0].API)
	assert.Equal(t, http.MethodGet, reqs[0].Method)
	assert.Equal(t, "/webrtc-meeting/room/create", reqs[0].Path)
	assert.Equal(t, gurulizetest.DefaultPassword, reqs[0].Query.Get("password"))
	assert.Equal(t, strconv.FormatInt(start.UnixMilli(), 10), reqs[0].Query.Get("startDate"))
	assert.Contains(t, reqs[0].Header.Get("User-Agent"), "gurulize-go/")
	assert.Equal(t, http.StatusOK, reqs[0].Status)
	assert.Contains(t, reqs[0].Reply, room.UUID)

	for link, role := range map[string]string{room.HostURL: "host", room.GuestURL: "guest"} {
		resp, err := http.Get(link)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "gurulizetest room "+room.UUID+": you are the "+role+"\n", string(body))
	}
	resp, err := http.Get(baseURL(srv) + "/?rop=forged")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestCallRecordsAndIDs(t *testing.T) {
	t.Parallel()
	srv := gurulizetest.NewTestServer(t, gurulizetest.WithManualClock(time.Unix(1427116700, 500_000_000)))
	ctx := context.Background()
	for i := int64(1); i <= 3; i++ {
		reg, err := srv.Client().RegisterCall(ctx, gurulize.CallRequest{Caller: "(532) 123-45-67", Callee: gurulizetest.NumberCalleeBusy, MaxDuration: 90 * time.Second})
		require.NoError(t, err)
		assert.Equal(t, i, reg.ID, "ids increment from 1")
		assert.Equal(t, "Request Received", reg.Message)
	}
	got, ok := srv.Call(2)
	require.True(t, ok)
	assert.Equal(t, gurulizetest.Call{
		ID: 2, Username: gurulizetest.DefaultUsername, Caller: "5321234567", Callee: gurulizetest.NumberCalleeBusy,
		MaxDuration: 90 * time.Second, RegisteredAt: time.Unix(1427116700, 500_000_000).UTC(), Script: "callee busy",
	}, got)
	assert.Len(t, srv.Calls(), 3)
	_, ok = srv.Call(4)
	assert.False(t, ok)

	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, "voice", reqs[0].API)
	assert.Equal(t, http.MethodPost, reqs[0].Method)
	assert.Equal(t, "90", reqs[0].Form.Get("duration"))
	assert.Equal(t, "application/x-www-form-urlencoded", reqs[0].Header.Get("Content-Type"))
}

func TestVoiceBodyProblems(t *testing.T) {
	t.Parallel()
	srv := gurulizetest.NewTestServer(t)
	for body, want := range map[string]string{
		"username=%zz":                           "Malformed Request Body",
		"caller=" + strings.Repeat("5", 1<<20+1): "Request Too Large",
	} {
		req, err := http.NewRequest(http.MethodPost, srv.VoiceURL(), strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		status, r := do(t, req)
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Equal(t, want, r.Message)
	}
	assert.Empty(t, srv.Calls())
}

func TestServerNewClient(t *testing.T) {
	t.Parallel()
	srv := gurulizetest.NewTestServer(t)
	c, err := newClient(srv, gurulize.WithLanguage(gurulize.Turkish), gurulize.WithUserAgent("tests/1.0"))
	require.NoError(t, err)
	_, err = c.RegisterCall(context.Background(), gurulize.CallRequest{Caller: "5321234567", Callee: "5427654321", MaxDuration: time.Minute})
	require.NoError(t, err)
	call, ok := srv.Call(1)
	require.True(t, ok)
	assert.Equal(t, gurulize.Turkish, call.Language)
	assert.True(t, strings.HasPrefix(srv.Requests()[0].Header.Get("User-Agent"), "tests/1.0 gurulize-go/"))
}

func TestNewHandlerErrors(t *testing.T) {
	t.Parallel()
	_, err := gurulizetest.NewHandler(nil)
	assert.ErrorContains(t, err, "nil Option")
	_, err = gurulizetest.NewHandler(gurulizetest.WithAccount("", ""))
	assert.ErrorContains(t, err, "WithAccount")
}

func TestWithAddr(t *testing.T) {
	t.Parallel()
	// An unspecified host is reported as 127.0.0.1, which clients can dial.
	srv := gurulizetest.NewTestServer(t, gurulizetest.WithAddr(":0"))
	assert.True(t, strings.HasPrefix(baseURL(srv), "http://127.0.0.1:"), baseURL(srv))
	assert.NotContains(t, baseURL(srv), ":0/")
	_, err := srv.Client().CreateVideoRoom(context.Background(), gurulize.VideoRoomRequest{Duration: time.Hour, StartAt: srv.Advance(0)})
	require.NoError(t, err)

	// A fixed address is used as given.
	taken := gurulizetest.NewTestServer(t)
	addr := strings.TrimPrefix(baseURL(taken), "http://")
	_, err = gurulizetest.NewServer(gurulizetest.WithAddr(addr))
	assert.ErrorContains(t, err, "listening on "+addr)

	_, err = gurulizetest.NewServer(gurulizetest.WithAddr("no-port"))
	assert.ErrorContains(t, err, "WithAddr")
}

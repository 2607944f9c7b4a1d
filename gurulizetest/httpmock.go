// httpmock.go: the fake without a socket: Mock, httpmock responders with the
// same validation and records, and single canned answers.

package gurulizetest

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/gurulize/gurulize-go"
)

// MockVoiceURL is the voice URL a Mock answers on: the provider gives each
// customer its own, so the mock needs one of its own. Point the client at it
// with gurulize.WithVoiceURL(gurulizetest.MockVoiceURL).
const MockVoiceURL = "https://voice.gurulize.test" + VoicePath

// MockLinkBase is where the room links a Mock hands out point.
const MockLinkBase = "https://webrtc.gurulize.test"

// Mock is the fake's API, validation and records without a socket: httpmock
// responders for unit tests that must not open one. It creates rooms and
// registers calls exactly as a Server does, but plays no callbacks. Its
// methods are safe for concurrent use.
type Mock struct {
	be *backend
	mt *httpmock.MockTransport
}

// RegisterResponders registers a Mock on mt for GET gurulize.DefaultVideoURL
// and POST MockVoiceURL, and returns it. Of the options only WithAccount
// applies; the others concern callbacks and are ignored. Use
// httpmock.DefaultTransport as mt after httpmock.Activate(), or a transport
// of your own with httpmock.ActivateNonDefault or an *http.Client.
func RegisterResponders(mt *httpmock.MockTransport, opts ...Option) (*Mock, error) {
	if mt == nil {
		return nil, errors.New("gurulizetest: RegisterResponders: nil MockTransport")
	}
	st, err := newSettings(opts)
	if err != nil {
		return nil, err
	}
	m := &Mock{be: newBackend(st.accounts, MockLinkBase, func() time.Time { return time.Now() }, nil), mt: mt}
	mt.RegisterResponder(http.MethodGet, gurulize.DefaultVideoURL, m.VideoResponder())
	mt.RegisterResponder(http.MethodPost, MockVoiceURL, m.VoiceResponder())
	return m, nil
}

// VideoResponder returns the responder that answers as the Video API, to
// register on a URL of your choice.
func (m *Mock) VideoResponder() httpmock.Responder { return m.responder("video") }

// VoiceResponder returns the responder that answers as the Voice API, to
// register on a URL of your choice.
func (m *Mock) VoiceResponder() httpmock.Responder { return m.responder("voice") }

func (m *Mock) responder(api string) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		m.be.serve(api, rec, req)
		resp := rec.Result()
		resp.Request = req
		return resp, nil
	}
}

// NewClient returns a client of the mock's first account that sends its
// requests through the mock's transport, with gurulize.DefaultVideoURL and
// MockVoiceURL, and opts applied after those.
func (m *Mock) NewClient(opts ...gurulize.Option) (*gurulize.Client, error) {
	a := m.be.firstAccount
	all := append([]gurulize.Option{
		gurulize.WithHTTPClient(&http.Client{Transport: m.mt}),
		gurulize.WithVoiceURL(MockVoiceURL),
	}, opts...)
	return gurulize.NewClient(a.username, a.password, all...)
}

// Requests returns every request the mock answered, in order, with its reply.
func (m *Mock) Requests() []Request { return m.be.requestLog() }

// Rooms returns the rooms created so far, in order.
func (m *Mock) Rooms() []Room { return m.be.roomList() }

// Calls returns the calls registered so far, in order.
func (m *Mock) Calls() []Call { return m.be.callList() }

// Room returns the room with the given UUID.
func (m *Mock) Room(uuid string) (Room, bool) { return m.be.findRoom(uuid) }

// Call returns the call with the given id.
func (m *Mock) Call(id int64) (Call, bool) { return m.be.findCall(id) }

// Single-reply responders, for tests that want one precise answer.

// RoomCreatedResponder answers as the Video API does on success: uuid (a
// fresh random one for each request if uuid is "") with host and guest
// links under MockLinkBase.
func RoomCreatedResponder(uuid string) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		id := uuid
		if id == "" {
			id = newUUID()
		}
		tok := newToken()
		return jsonResponse(req, http.StatusOK, reply{
			UUID:     id,
			HostURL:  MockLinkBase + "/?rop=" + newToken() + "&urp=" + tok,
			GuestURL: MockLinkBase + "/?rop=" + newToken() + "&urp=" + tok,
		}), nil
	}
}

// CallRegisteredResponder answers as the Voice API does on success:
// {"success":true,"message":"Request Received","id":id}.
func CallRegisteredResponder(id int64) httpmock.Responder {
	t := true
	return func(req *http.Request) (*http.Response, error) {
		return jsonResponse(req, http.StatusOK, reply{Success: &t, Message: MessageRequestReceived, ID: id}), nil
	}
}

// FailureResponder answers {"success":false,"message":message} with HTTP
// 200, as the provider answers a request it refuses.
func FailureResponder(message string) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		return jsonResponse(req, http.StatusOK, failure(message)), nil
	}
}

// MissingParameterResponder answers "Missing Parameter (name)".
func MissingParameterResponder(name string) httpmock.Responder {
	return FailureResponder(MissingParameterMessage(name))
}

// InvalidParameterResponder answers "Invalid Parameter (name): why", such
// as InvalidParameterResponder("caller", ReasonNotAPhoneNumber).
func InvalidParameterResponder(name, why string) httpmock.Responder {
	return FailureResponder(InvalidParameterMessage(name, why))
}

// InvalidCredentialsResponder answers "User Information Is Invalid".
func InvalidCredentialsResponder() httpmock.Responder {
	return FailureResponder(MessageInvalidCredentials)
}

func jsonResponse(req *http.Request, status int, body reply) *http.Response {
	raw, _ := json.Marshal(body)
	rec := httptest.NewRecorder()
	writeReply(rec, status, raw)
	resp := rec.Result()
	resp.Request = req
	return resp
}

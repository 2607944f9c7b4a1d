// Package mock puts the fake Gurulize of package gurulizetest behind
// httpmock, for unit tests that must not open a socket: RegisterResponders
// registers the fake's two APIs on an httpmock.MockTransport, and
// RoomCreatedResponder, CallRegisteredResponder and FailureResponder give
// single canned answers. It is a package of its own so that importing
// gurulizetest does not import httpmock.
package mock

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"

	"github.com/jarcoal/httpmock"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
	"github.com/gurulize/gurulize-go/gurulizetest/internal/ids"
)

// VoiceURL is the voice URL a Mock answers on: the provider gives each
// customer its own, so the mock needs one of its own. Point a client at it
// with gurulize.WithVoiceURL(mock.VoiceURL). The Video API is answered on
// gurulize.DefaultVideoURL.
const VoiceURL = "https://voice.gurulize.test/click2call/register"

// linkBase is where the room links of the single-reply responders point.
const linkBase = "https://webrtc.gurulize.test"

// RegisterResponders registers the fake's two APIs on mt, GET
// gurulize.DefaultVideoURL and POST VoiceURL, and returns the
// gurulizetest.Handler behind them: it creates rooms and registers calls
// exactly as a gurulizetest.Server does, and keeps the same records
// (Requests, Rooms, Calls, Room, Call), but plays no callbacks. Point a
// client at it with gurulize.WithHTTPClient(&http.Client{Transport: mt}) and
// gurulize.WithVoiceURL(VoiceURL). Of the options only
// gurulizetest.WithAccount applies. Use httpmock.DefaultTransport as mt
// after httpmock.Activate(), or a transport of your own with
// httpmock.ActivateNonDefault or an *http.Client. It fails on a nil mt or
// an option that fails.
func RegisterResponders(mt *httpmock.MockTransport, opts ...gurulizetest.Option) (*gurulizetest.Handler, error) {
	if mt == nil {
		return nil, errors.New("gurulizetest/mock: RegisterResponders: nil MockTransport")
	}
	h, err := gurulizetest.NewHandler(opts...)
	if err != nil {
		return nil, err
	}
	mt.RegisterResponder(http.MethodGet, gurulize.DefaultVideoURL, responder(h, "/webrtc-meeting/room/create"))
	mt.RegisterResponder(http.MethodPost, VoiceURL, responder(h, "/click2call/register"))
	return h, nil
}

// responder serves a request through the handler as if it had come to path.
func responder(h http.Handler, path string) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		in := req.Clone(req.Context())
		in.URL.Path, in.URL.RawPath = path, ""
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, in)
		resp := rec.Result()
		resp.Request = req
		return resp, nil
	}
}

// reply is the JSON both APIs answer with, fields in the reference's order.
type reply struct {
	UUID     string `json:"uuid,omitempty"`
	HostURL  string `json:"hostUrl,omitempty"`
	GuestURL string `json:"guestUrl,omitempty"`
	Success  *bool  `json:"success,omitempty"`
	Message  string `json:"message,omitempty"`
	ID       int64  `json:"id,omitempty"`
}

// RoomCreatedResponder answers as the Video API does on success: uuid (a
// fresh random one for each request if uuid is "") with host and guest
// links under https://webrtc.gurulize.test.
func RoomCreatedResponder(uuid string) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		id := uuid
		if id == "" {
			id = ids.UUID()
		}
		tok := ids.Token()
		return jsonResponse(req, reply{
			UUID:     id,
			HostURL:  linkBase + "/?rop=" + ids.Token() + "&urp=" + tok,
			GuestURL: linkBase + "/?rop=" + ids.Token() + "&urp=" + tok,
		}), nil
	}
}

// CallRegisteredResponder answers as the Voice API does on success:
// {"success":true,"message":"Request Received","id":id}.
func CallRegisteredResponder(id int64) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		t := true
		return jsonResponse(req, reply{Success: &t, Message: "Request Received", ID: id}), nil
	}
}

// FailureResponder answers {"success":false,"message":message} with HTTP
// 200, as the provider answers a request it refuses: for example
// FailureResponder("Missing Parameter (callee)"), FailureResponder("Invalid
// Parameter (caller): Not a phone number") or
// FailureResponder("User Information Is Invalid").
func FailureResponder(message string) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		f := false
		return jsonResponse(req, reply{Success: &f, Message: message}), nil
	}
}

func jsonResponse(req *http.Request, body reply) *http.Response {
	raw, _ := json.Marshal(body)
	rec := httptest.NewRecorder()
	rec.Header().Set("Content-Type", "application/json;charset=UTF-8")
	rec.Header().Set("Content-Length", strconv.Itoa(len(raw)))
	rec.WriteHeader(http.StatusOK)
	_, _ = rec.Write(raw)
	resp := rec.Result()
	resp.Request = req
	return resp
}

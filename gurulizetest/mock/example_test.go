package mock_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
	"github.com/gurulize/gurulize-go/gurulizetest/mock"
)

// Unit tests that must not open a socket use the same fake through httpmock.
func ExampleRegisterResponders() {
	mt := httpmock.NewMockTransport()
	m, err := mock.RegisterResponders(mt)
	if err != nil {
		fmt.Println(err)
		return
	}
	client, err := gurulize.NewClient(gurulizetest.DefaultUsername, gurulizetest.DefaultPassword,
		gurulize.WithHTTPClient(&http.Client{Transport: mt}), gurulize.WithVoiceURL(mock.VoiceURL))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = client.RegisterCall(context.Background(), gurulize.CallRequest{
		Caller: "5321234567", Callee: "5427654321", MaxDuration: time.Minute,
	})
	fmt.Println(err, len(m.Calls()), m.Calls()[0].Callee)
	// Output: <nil> 1 5427654321
}

// Responders with one canned answer test how code handles each documented error.
func ExampleFailureResponder() {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodPost, mock.VoiceURL, mock.FailureResponder("Missing Parameter (callee)"))
	client, err := gurulize.NewClient("acme", "correct-horse",
		gurulize.WithHTTPClient(&http.Client{Transport: mt}),
		gurulize.WithVoiceURL(mock.VoiceURL))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = client.RegisterCall(context.Background(), gurulize.CallRequest{
		Caller: "5321234567", Callee: "5427654321", MaxDuration: time.Minute,
	})
	fmt.Println(err)
	// Output: gurulize: API error (HTTP 200): Missing Parameter (callee)
}

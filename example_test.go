package gurulize_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"time"

	"github.com/gurulize/gurulize-go"
)

// fakeGurulize stands in for the provider in the examples: it prints what it
// receives (password aside) and answers like the documented API.
func fakeGurulize() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.Method {
		case http.MethodGet:
			q := r.URL.Query()
			fmt.Printf("provider got GET %s durationInMinutes=%s startDate=%s type=%s endHow=%s\n",
				r.URL.Path, q.Get("durationInMinutes"), q.Get("startDate"), q.Get("type"), q.Get("endHow"))
			_, _ = io.WriteString(w, `{"uuid":"444f4061-3494-4e60-a552-c4316ac6702d",`+
				`"hostUrl":"https://webrtc.gurulize.com/?rop=V_US2qRjrTFn&urp=host",`+
				`"guestUrl":"https://webrtc.gurulize.com/?rop=GFPyacAAOrPc&urp=guest"}`)
		case http.MethodPost:
			body, _ := io.ReadAll(r.Body)
			form, _ := url.ParseQuery(string(body))
			fmt.Printf("provider got POST %s caller=%s callee=%s duration=%s\n",
				r.URL.Path, form.Get("caller"), form.Get("callee"), form.Get("duration"))
			if form.Get("callee") == "0000000000" {
				_, _ = io.WriteString(w, `{"success":false,"message":"Invalid Parameter (callee): Not a phone number"}`)
				return
			}
			_, _ = io.WriteString(w, `{"success":true,"message":"Request Received","id":2}`)
		}
	}))
}

func ExampleClient_CreateVideoRoom() {
	provider := fakeGurulize()
	defer provider.Close()

	client, err := gurulize.NewClient("acme", "s3cret",
		gurulize.WithVideoURL(provider.URL+"/webrtc-meeting/room/create"))
	if err != nil {
		log.Fatal(err)
	}
	istanbul := time.FixedZone("TRT", 3*60*60)
	room, err := client.CreateVideoRoom(context.Background(), gurulize.VideoRoomRequest{
		Duration: 50 * time.Minute,
		StartAt:  time.Date(2020, 8, 11, 15, 28, 57, 0, istanbul),
		EndHow:   gurulize.EndAutomatic,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("room:", room.UUID)
	// Output:
	// provider got GET /webrtc-meeting/room/create durationInMinutes=50 startDate=1597148937000 type=video endHow=AUTOMATIC
	// room: 444f4061-3494-4e60-a552-c4316ac6702d
}

func ExampleClient_RegisterCall() {
	provider := fakeGurulize()
	defer provider.Close()

	client, err := gurulize.NewClient("acme", "s3cret",
		gurulize.WithVoiceURL(provider.URL+"/c2c"))
	if err != nil {
		log.Fatal(err)
	}
	reg, err := client.RegisterCall(context.Background(), gurulize.CallRequest{
		Caller:      "(532) 123 45 67",
		Callee:      "542-765-43-21",
		MaxDuration: 10 * time.Minute,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("call %d: %s\n", reg.ID, reg.Message)
	// Output:
	// provider got POST /c2c caller=5321234567 callee=5427654321 duration=600
	// call 2: Request Received
}

func ExampleAPIError() {
	provider := fakeGurulize()
	defer provider.Close()

	client, err := gurulize.NewClient("acme", "s3cret", gurulize.WithVoiceURL(provider.URL+"/c2c"))
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.RegisterCall(context.Background(), gurulize.CallRequest{
		Caller: "5321234567", Callee: "0000000000", MaxDuration: time.Minute,
	})
	var apiErr *gurulize.APIError
	if errors.Is(err, gurulize.ErrInvalidParameter) && errors.As(err, &apiErr) {
		fmt.Printf("the provider rejected %q: %s\n", apiErr.Param, apiErr.Message)
	}
	// Output:
	// provider got POST /c2c caller=5321234567 callee=0000000000 duration=60
	// the provider rejected "callee": Invalid Parameter (callee): Not a phone number
}

func ExampleValidationError() {
	client, err := gurulize.NewClient("acme", "s3cret", gurulize.WithVoiceURL("https://voice.example.com/c2c"))
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.RegisterCall(context.Background(), gurulize.CallRequest{
		Caller: "+90 532 123 45 67", Callee: "5427654321", MaxDuration: time.Minute,
	})
	var ve *gurulize.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Field, "->", ve.Reason)
	}
	fmt.Println(errors.Is(err, gurulize.ErrInvalidRequest))
	// Output:
	// CallRequest.Caller -> has '+' at offset 0: send the national number in digits, such as 5321234567, without + or a country code
	// true
}

func ExampleNewClient() {
	client, err := gurulize.NewClient("acme", "s3cret",
		gurulize.WithVoiceURL("https://voice.example.com/c2c"),
		gurulize.WithLanguage(gurulize.Turkish),
		gurulize.WithTimeout(10*time.Second),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client) // printing a client shows neither the username nor the password

	_, err = gurulize.NewClient("acme", "s3cret", gurulize.WithVoiceURL("http://voice.example.com/c2c"))
	fmt.Println(err)
	// Output:
	// gurulize.Client{username: REDACTED, password: REDACTED, video: https://webrtc.gurulize.com/webrtc-meeting/room/create, voice: https://voice.example.com/c2c}
	// gurulize: invalid WithVoiceURL: http:// is only allowed on loopback hosts (got "voice.example.com"); use https, or WithInsecureHTTP
}

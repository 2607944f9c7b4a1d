// endpoints.go: what the GURULIZE_* environment points the quickstart at:
// the real API with a real account, or a fake, and how it says so.

package main

import (
	"fmt"
	"net"
	"net/url"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
)

// endpoints are the APIs the environment points at, and what they are.
type endpoints struct {
	video, voice string // the URLs; voice is "" when not set
	fake         bool   // gurulizetest's test account: a fake, not the provider
	local        bool   // every URL is on a loopback host: not the provider
}

func endpointsFrom(getenv func(string) string) endpoints {
	e := endpoints{video: getenv("GURULIZE_VIDEO_URL"), voice: getenv("GURULIZE_VOICE_URL")}
	if e.video == "" {
		e.video = gurulize.DefaultVideoURL
	}
	e.fake = getenv("GURULIZE_USERNAME") == gurulizetest.DefaultUsername && getenv("GURULIZE_PASSWORD") == gurulizetest.DefaultPassword
	e.local = isLoopback(e.video) && (e.voice == "" || isLoopback(e.voice))
	return e
}

// real reports whether the endpoints are the provider's, with a real account.
func (e endpoints) real() bool { return !e.fake && !e.local }

// describe says where the requests go.
func (e endpoints) describe() string {
	voice := e.voice
	if voice == "" {
		voice = "none (GURULIZE_VOICE_URL is not set)"
	}
	what := "the Gurulize API, with your account"
	switch {
	case e.fake:
		what = "a fake Gurulize (gurulizetest's test account), not the real API"
	case e.local:
		what = "a server on this machine, not the real Gurulize API"
	}
	return fmt.Sprintf("GURULIZE_USERNAME is set: talking to %s.\n  video API: %s\n  voice API: %s\n", what, e.video, voice)
}

// isLoopback reports whether rawURL names localhost or a loopback address.
func isLoopback(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	if u.Hostname() == "localhost" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}

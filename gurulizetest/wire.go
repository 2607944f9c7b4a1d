// wire.go: the callbacks as the provider sends them: a room event's JSON
// body and a call status's query string, built here from the fake's own
// values.

package gurulizetest

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gurulize/gurulize-go"
)

// videoEvent is one room callback before encoding.
type videoEvent struct {
	at     time.Time
	code   gurulize.VideoEventCode
	source gurulize.EventSource
	reason gurulize.EndReason
	total  time.Duration
}

// videoPayload is a room event's JSON body: the fields in the reference's
// order, every number a string (receivedTime in Unix milliseconds,
// meetingTotalDuration in milliseconds). A nil Reason or
// MeetingTotalDuration is left out.
type videoPayload struct {
	Code                 string  `json:"code"`
	EventSource          string  `json:"eventSource"`
	ReceivedTime         string  `json:"receivedTime"`
	Reason               *string `json:"reason,omitempty"`
	RoomUUID             string  `json:"roomUuid"`
	MeetingTotalDuration *string `json:"meetingTotalDuration,omitempty"`
}

// payload encodes ev as the provider does. With sparse, reason and
// meetingTotalDuration are left out where they carry nothing (the reference
// says they appear only for some codes); otherwise they are always sent.
func (ev videoEvent) payload(room string, sparse bool) []byte {
	p := videoPayload{
		Code:         string(ev.code),
		EventSource:  string(ev.source),
		ReceivedTime: strconv.FormatInt(ev.at.UnixMilli(), 10),
		RoomUUID:     room,
	}
	if reason := string(ev.reason); !sparse || reason != "" {
		p.Reason = &reason
	}
	if !sparse || ev.total != 0 || ev.code == gurulize.EventMeetingEnded {
		total := strconv.FormatInt(ev.total.Milliseconds(), 10)
		p.MeetingTotalDuration = &total
	}
	b, _ := json.Marshal(p) // cannot fail: strings only
	return b
}

// voiceStatus is one call callback before encoding.
type voiceStatus struct {
	at    time.Time
	code  gurulize.VoiceStatusCode
	desc  string
	cause string
}

// query encodes st as the provider does, in the reference's order: id,
// code, desc, cause, time (Unix seconds). With sparse, desc and cause are
// left out.
func (st voiceStatus) query(id int64, sparse bool) string {
	var b strings.Builder
	b.WriteString("id=" + strconv.FormatInt(id, 10))
	b.WriteString("&code=" + strconv.Itoa(int(st.code)))
	if !sparse {
		b.WriteString("&desc=" + url.QueryEscape(st.desc))
		b.WriteString("&cause=" + url.QueryEscape(st.cause))
	}
	b.WriteString("&time=" + strconv.FormatInt(st.at.Unix(), 10))
	return b.String()
}

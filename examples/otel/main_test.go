package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go/gurulizetest"
)

// span is the part of the stdout exporter's JSON a test reads.
type span struct {
	Name        string
	SpanKind    int
	SpanContext struct{ TraceID, SpanID string }
	Parent      struct{ TraceID, SpanID string }
	Attributes  []struct {
		Key   string
		Value struct{ Value any }
	}
	Links []struct {
		SpanContext struct{ TraceID, SpanID string }
	}
}

func (s span) attr(key string) any {
	for _, a := range s.Attributes {
		if a.Key == key {
			return a.Value.Value
		}
	}
	return nil
}

func TestRun(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))

	var spans []span
	sc := bufio.NewScanner(bytes.NewReader(out.Bytes()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "{") {
			var s span
			require.NoError(t, json.Unmarshal([]byte(line), &s), line)
			spans = append(spans, s)
		}
	}
	byName := map[string][]span{}
	for _, s := range spans {
		byName[s.Name] = append(byName[s.Name], s)
	}
	require.Len(t, byName["schedule consultation"], 1)
	app := byName["schedule consultation"][0]
	require.Len(t, byName["gurulize.CreateVideoRoom"], 1)
	require.Len(t, byName["gurulize.RegisterCall"], 1)
	create := byName["gurulize.CreateVideoRoom"][0]
	assert.Equal(t, app.SpanContext.SpanID, create.Parent.SpanID)
	uuid, _ := create.attr("gurulize.room.uuid").(string)
	require.NotEmpty(t, uuid)
	callID := byName["gurulize.RegisterCall"][0].attr("gurulize.call.id")
	require.NotNil(t, callID)

	const client, server = 3, 2 // the exporter's numbering of span kinds
	videoCallbacks, voiceCallbacks := 0, 0
	for _, s := range append(byName["GET"], byName["POST"]...) {
		switch {
		case s.SpanKind == client && s.Name == "GET":
			assert.Contains(t, s.attr("url.full"), "password=REDACTED")
		case s.SpanKind == client: // the call's credentials are in its body
		case s.SpanKind == server && s.Name == "POST":
			videoCallbacks++
			assert.Equal(t, "/gurulize/video/REDACTED", s.attr("url.path"))
			assert.Equal(t, uuid, s.attr("gurulize.room.uuid"), "the callback names the room as its creation does")
			require.Len(t, s.Links, 1, "a room's callback links to the span that created it")
			assert.Equal(t, app.SpanContext, s.Links[0].SpanContext)
		case s.SpanKind == server:
			voiceCallbacks++
			assert.Equal(t, "/gurulize/voice/REDACTED", s.attr("url.path"))
			assert.Equal(t, callID, s.attr("gurulize.call.id"))
		}
	}
	assert.GreaterOrEqual(t, videoCallbacks, 5, "JOIN, JOIN, ROOM_ACTIVATED, MEETING_STARTED, MEETING_ENDED, LEFT…")
	assert.GreaterOrEqual(t, voiceCallbacks, 4)

	text := out.String()
	assert.NotContains(t, text, gurulizetest.DefaultPassword)
	assert.NotContains(t, text, "rop=", "no room link")
	assert.Contains(t, text, `gurulize.room.uuid="`+uuid+`"`)
}

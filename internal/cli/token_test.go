package cli

import (
	"context"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
)

// ruleInWords is how the commands say what a token must be.
const ruleInWords = "a callback token must be at least 16 characters long, each a letter A-Z or a-z, " +
	"a digit 0-9, or one of - . _ ~ (the characters a URL carries verbatim)"

// badTokens are tokens the SDK's handlers refuse: listen would print a URL
// for them that then answers 401.
var badTokens = map[string]string{
	"a/b":                         "the token has a character that is not allowed at byte 2",
	"aaaaaaaa/bbbbbbbb":           "the token has a character that is not allowed at byte 9",
	"YWJjZGVmZ2hpamtsbW5vcA+/w==": "the token has a character that is not allowed at byte 23",
	"a token with spaces in it":   "the token has a character that is not allowed at byte 2",
	"t0k3n":                       "the token is 5 characters long",
}

// TestListenRefusesTokensTheHandlersRefuse: from --token or the
// environment, a token a URL would change, or a short one, is refused
// before anything listens, with the rule in words and without the token.
func TestListenRefusesTokensTheHandlersRefuse(t *testing.T) {
	stopped, cancel := context.WithCancel(context.Background())
	cancel() // a listen that starts stops at once
	file := filepath.Join(t.TempDir(), "r.jsonl")
	for tok, why := range badTokens {
		for _, r := range []result{
			runCLIContext(t, stopped, nil, "listen", "--addr", "127.0.0.1:0", "--token", tok, "--record", file),
			runCLIContext(t, stopped, map[string]string{"GURULIZE_CALLBACK_TOKEN": tok}, "listen", "--addr", "127.0.0.1:0"),
		} {
			assert.Equal(t, ExitUsage, r.code, tok)
			assert.Empty(t, r.stdout, "nothing listens, no URL is printed")
			assert.Equal(t, "gurulize listen: --token (or GURULIZE_CALLBACK_TOKEN) is refused: "+why+": "+ruleInWords+"\n", r.stderr)
			assert.NotContains(t, r.stderr, tok)
		}
		r := runCLIContext(t, stopped, nil, "listen", "--addr", "127.0.0.1:0", "--token", tok, "--json")
		assert.Equal(t, ExitUsage, r.code)
		assert.Contains(t, r.stderr, `"flag":"--token"`)
		assert.Contains(t, r.stderr, ruleInWords)
	}
	assert.NoFileExists(t, file, "a refused listen records nothing")
}

// TestReplayRefusesTokensTheHandlersRefuse: replay puts the token in the
// URLs it sends to, and refuses the ones listen and the handlers refuse.
func TestReplayRefusesTokensTheHandlersRefuse(t *testing.T) {
	_, file := writeRecording(t, sampleLines(t)[0])
	for tok, why := range badTokens {
		for _, r := range []result{
			runCLI(t, nil, "replay", file, "--to", "http://127.0.0.1:1", "--token", tok),
			runCLI(t, map[string]string{"GURULIZE_CALLBACK_TOKEN": tok}, "replay", file, "--to", "http://127.0.0.1:1"),
		} {
			assert.Equal(t, ExitUsage, r.code, tok)
			assert.Empty(t, r.stdout, "nothing was sent")
			assert.Equal(t, "gurulize replay: --token (or GURULIZE_CALLBACK_TOKEN) is refused: "+why+": "+ruleInWords+"\n", r.stderr)
		}
	}
}

// TestTriggerAndFakeRefuseTokenParametersTheHandlersRefuse: a callback URL
// whose token parameter the handlers would refuse can only get 401; trigger
// and fake say so before sending anything.
func TestTriggerAndFakeRefuseTokenParametersTheHandlersRefuse(t *testing.T) {
	stopped, cancel := context.WithCancel(context.Background())
	cancel() // a fake that starts stops at once
	for tok, why := range badTokens {
		u := "http://127.0.0.1:1/gurulize/voice?token=" + url.QueryEscape(tok)
		r := runCLI(t, nil, "trigger", "call", "busy", "--to", u)
		assert.Equal(t, ExitUsage, r.code, tok)
		assert.Empty(t, r.stdout, "nothing was sent")
		assert.Equal(t, "gurulize trigger call: --to has a token parameter that is refused: "+why+": "+ruleInWords+"\n", r.stderr)

		for _, flagName := range []string{"--video-callback", "--voice-callback"} {
			r = runCLIContext(t, stopped, nil, "fake", "--addr", "127.0.0.1:0", flagName, u)
			assert.Equal(t, ExitUsage, r.code, tok)
			assert.Empty(t, r.stdout, "the fake did not start")
			assert.Equal(t, "gurulize fake: "+flagName+" has a token parameter that is refused: "+why+": "+ruleInWords+"\n", r.stderr)
		}
	}
	// A token in the path is not told apart from other segments; a good
	// token parameter passes.
	r := runCLIContext(t, stopped, nil, "fake", "--addr", "127.0.0.1:0", "--voice-callback", "http://127.0.0.1:1/gurulize/voice?token=t0k3n-0123456789ab")
	assert.Equal(t, ExitOK, r.code, r.stderr)
}

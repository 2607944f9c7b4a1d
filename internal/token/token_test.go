package token

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheck(t *testing.T) {
	valid := []string{
		"0123456789abcdef",               // exactly MinLength
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ",     // capitals
		"a-b.c_d~e-f.g_h~",               // every punctuation allowed
		strings.Repeat("z", 4096),        // no upper bound
		"Zm9vYmFyYmF6cXV4LWJhc2U2NHVybA", // base64url without padding
	}
	for _, tok := range valid {
		assert.NoError(t, Check(tok), "%q", tok)
	}
	invalid := []struct{ name, tok, want string }{
		{"empty", "", "the token is empty"},
		{"15 characters", "0123456789abcde", "the token is 15 characters long"},
		{"slash", "aaaaaaaa/bbbbbbbb", "not allowed at byte 9"},
		{"base64 plus", "aaaaaaaa+bbbbbbbb", "not allowed at byte 9"},
		{"base64 padding", "aaaaaaaabbbbbbbb==", "not allowed at byte 17"},
		{"space", "aaaaaaaa bbbbbbbb", "not allowed at byte 9"},
		{"percent", "aaaaaaaa%41bbbbbbbb", "not allowed at byte 9"},
		{"query", "aaaaaaaa?bbbbbbbb", "not allowed"},
		{"ampersand", "aaaaaaaa&bbbbbbbb", "not allowed"},
		{"hash", "aaaaaaaa#bbbbbbbb", "not allowed"},
		{"non-ASCII", "aaaaaaaaébbbbbbbb", "not allowed at byte 9"},
		{"control", "aaaaaaaa\x00bbbbbbbb", "not allowed"},
		{"short and slashed", "a/b", "not allowed at byte 2"},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.tok)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.True(t, strings.HasSuffix(err.Error(), Rule), "the error ends with the rule in words: %s", err)
			if tt.tok != "" {
				assert.NotContains(t, err.Error(), tt.tok, "the error never shows the token")
			}
		})
	}
}

func TestRuleInWords(t *testing.T) {
	for _, part := range []string{"at least 16 characters", "A-Z", "a-z", "0-9", "- . _ ~"} {
		assert.Contains(t, Rule, part)
	}
}

func TestNew(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		tok := New()
		assert.Len(t, tok, 43)
		assert.NoError(t, Check(tok))
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		require.NoError(t, err)
		assert.Len(t, raw, 32)
		assert.False(t, seen[tok], "a token came twice")
		seen[tok] = true
	}
}

func TestMatcher(t *testing.T) {
	const tok = "s3cr3t-T0ken_value"
	m, err := NewMatcher(tok)
	require.NoError(t, err)
	cases := []struct {
		path, param string
		want        bool
	}{
		{"/hooks/" + tok, "", true},
		{"/hooks/" + tok + "/", "", true},
		{"/" + tok, "", true},
		{"/hooks", tok, true},
		{"/hooks/wrong", tok, true},
		{"/hooks/" + tok + "x", "", false},
		{"/hooks/x" + tok, "", false},
		{"/" + tok + "/hooks", "", false},
		{"/hooks", tok + " ", false},
		{"/hooks", "", false},
		{"/", "", false},
		{"", "", false},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, m.InRequest(c.path, c.param), "path %q param %q", c.path, c.param)
	}

	_, err = NewMatcher("short")
	assert.ErrorContains(t, err, Rule)
	var zero Matcher
	assert.False(t, zero.InRequest("/", ""), "the zero Matcher matches nothing")
	assert.False(t, zero.InRequest("/x", "x"))
}

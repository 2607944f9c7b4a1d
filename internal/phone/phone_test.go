package phone

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		{in: "5321234567", want: "5321234567"},
		{in: "532 123 45 67", want: "5321234567"},
		{in: "(532) 123-45.67", want: "5321234567"},
		{in: "0", want: "0"},
		{in: "", wantErr: "is required"},
		{in: " - . ( ) ", wantErr: "has no digits"},
		{in: "+905321234567", wantErr: `has '+' at offset 0: send the national number in digits, such as 5321234567, without + or a country code`},
		{in: "+90 532 123 45 67", wantErr: `without + or a country code`},
		{in: "\uFFFD", wantErr: "has '\uFFFD' at offset 0"},
		{in: "532123456x", wantErr: `has 'x' at offset 9`},
		{in: "53٢", wantErr: `has '٢' at offset 2`},
		{in: "532\n", wantErr: `has '\n' at offset 3`},
		{in: "532\xff", wantErr: "invalid UTF-8 byte at offset 3"},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.in)
		if tt.wantErr != "" {
			require.Error(t, err, "input %q", tt.in)
			assert.Contains(t, err.Error(), tt.wantErr, "input %q", tt.in)
			assert.Empty(t, got)
			continue
		}
		require.NoError(t, err, "input %q", tt.in)
		assert.Equal(t, tt.want, got, "input %q", tt.in)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"5321234567", "(532) 123-45.67", "+90 532", "", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Normalize(s)
		if err != nil {
			assert.Empty(t, got)
			assert.True(t, utf8.ValidString(err.Error()), "error text must be valid UTF-8")
			return
		}
		require.NotEmpty(t, got)
		assert.Equal(t, strings.Trim(got, "0123456789"), "", "only digits survive")
		again, err := Normalize(got)
		require.NoError(t, err)
		assert.Equal(t, got, again, "normalizing is idempotent")
		assert.LessOrEqual(t, len(got), len(s))
	})
}

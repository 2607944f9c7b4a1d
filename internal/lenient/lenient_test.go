package lenient

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInt64UnmarshalJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Int64
		wantErr bool
	}{
		{in: `2`, want: Int64{Value: 2, Set: true}},
		{in: `"2"`, want: Int64{Value: 2, Set: true}},
		{in: `"1600938359259"`, want: Int64{Value: 1600938359259, Set: true}},
		{in: `-7`, want: Int64{Value: -7, Set: true}},
		{in: `"9223372036854775807"`, want: Int64{Value: 1<<63 - 1, Set: true}},
		{in: `"-9223372036854775808"`, want: Int64{Value: -1 << 63, Set: true}},
		{in: `null`, want: Int64{}},
		{in: `""`, want: Int64{}},
		{in: `"9223372036854775808"`, wantErr: true},
		{in: `2.5`, wantErr: true},
		{in: `1e3`, wantErr: true},
		{in: `"12s"`, wantErr: true},
		{in: `" 12"`, wantErr: true},
		{in: `"+12"`, wantErr: true},
		{in: `"-"`, wantErr: true},
		{in: `true`, wantErr: true},
		{in: `[1]`, wantErr: true},
		{in: `{}`, wantErr: true},
	}
	for _, tt := range tests {
		var got struct {
			N Int64 `json:"n"`
		}
		err := json.Unmarshal([]byte(`{"n":`+tt.in+`}`), &got)
		if tt.wantErr {
			assert.Error(t, err, "input %s", tt.in)
			continue
		}
		require.NoError(t, err, "input %s", tt.in)
		assert.Equal(t, tt.want, got.N, "input %s", tt.in)
	}
}

func TestInt64UnmarshalJSONDirect(t *testing.T) {
	t.Parallel()
	var n Int64
	assert.ErrorIs(t, n.UnmarshalJSON(nil), ErrNotInteger)
	assert.ErrorIs(t, n.UnmarshalJSON([]byte(`"`)), ErrNotInteger)
	assert.ErrorIs(t, n.UnmarshalJSON([]byte(`"12`)), ErrNotInteger)
}

func FuzzParseInt(f *testing.F) {
	for _, s := range []string{"0", "-1", "1600938359259", "9223372036854775807", "-9223372036854775808", "1e3", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseInt([]byte(s))
		want, werr := strconv.ParseInt(s, 10, 64)
		if werr != nil || (len(s) > 0 && s[0] == '+') {
			assert.Error(t, err, "input %q", s)
			return
		}
		// strconv accepts leading zeros beyond 19 digits; we do not.
		if err != nil {
			assert.Greater(t, len(s), 19, "input %q rejected: %v", s, err)
			return
		}
		assert.Equal(t, want, got)
		assert.Equal(t, s == strconv.FormatInt(got, 10), s == strconv.FormatInt(want, 10))
	})
}

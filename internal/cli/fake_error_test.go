package cli

import (
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFakeNamesTheFlag: a setting gurulizetest refuses is reported with the
// flag that holds it, from the error's typed setting.
func TestFakeNamesTheFlag(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"fake", "--addr", "nonsense"}, "gurulize fake: --addr address nonsense: missing port in address\n"},
		{[]string{"fake", "--addr", taken.Addr().String()}, "gurulize fake: --addr " + taken.Addr().String() + " is already in use (by another program, or another gurulize): choose another port with --addr, such as --addr 127.0.0.1:0 (any free port; the one taken is printed)\n"},
		{[]string{"fake", "--addr", "127.0.0.1:0", "--video-callback", "ftp://example.com/x"}, "gurulize fake: --video-callback \"ftp://example.com/x\" is not an absolute http(s) URL\n"},
		{[]string{"fake", "--addr", "127.0.0.1:0", "--voice-callback", "/relative"}, "gurulize fake: --voice-callback \"/relative\" is not an absolute http(s) URL\n"},
	} {
		r := runCLI(t, nil, tc.args...)
		assert.Equal(t, ExitUsage, r.code, "%v", tc.args)
		assert.Equal(t, tc.want, r.stderr, "%v", tc.args)
	}
}

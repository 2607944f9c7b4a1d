package gurulizetest_test

import (
	"errors"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go/gurulizetest"
	"github.com/gurulize/gurulize-go/internal/fakeerr"
)

// TestSettingErrorsAreTyped: a setting NewServer cannot use comes back as a
// *fakeerr.Error naming the setting, which is how the command finds its flag.
func TestSettingErrorsAreTyped(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()
	for _, tc := range []struct {
		opt  gurulizetest.Option
		want fakeerr.Setting
		text string
	}{
		{gurulizetest.WithAddr("nonsense"), fakeerr.Addr, `gurulizetest: WithAddr("nonsense"): address nonsense: missing port in address`},
		{gurulizetest.WithAddr(taken.Addr().String()), fakeerr.Addr, "gurulizetest: listening on " + taken.Addr().String() + ": listen tcp " + taken.Addr().String() + ": bind: address already in use"},
		{gurulizetest.WithVideoCallbackURL("ftp://x/"), fakeerr.VideoCallbackURL, `gurulizetest: WithVideoCallbackURL: "ftp://x/" is not an absolute http(s) URL`},
		{gurulizetest.WithVoiceCallbackURL("/v"), fakeerr.VoiceCallbackURL, `gurulizetest: WithVoiceCallbackURL: "/v" is not an absolute http(s) URL`},
	} {
		_, err := gurulizetest.NewServer(tc.opt)
		var fe *fakeerr.Error
		require.True(t, errors.As(err, &fe), "%v", err)
		assert.Equal(t, tc.want, fe.Setting)
		assert.EqualError(t, err, tc.text)
		assert.NotNil(t, errors.Unwrap(err))
	}
}

// Callbacks the database can never store are answered 400, once and for
// all, with a log record; the port scripts/postgres.sh picked is outside the
// kernel's ephemeral range.

package main

import (
	"context"
	"encoding/base64"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

// A room id holding a NUL character (text and jsonb cannot) and one of 3 kB
// that does not compress (too long for the primary key's index) pass the SDK's parsing but can
// never be stored: 400 on every delivery, a warning with the database's
// reason, nothing stored, and the next callback is stored as usual.
func TestUnstorableCallbacksAnswer400(t *testing.T) {
	s := openStore(t, freshSchema(t))
	var logs logBuffer
	u := testServer(t, s, &logs) + "/gurulize/video/" + testToken
	body := func(room string) string {
		return `{"code":"JOIN","eventSource":"HOST","receivedTime":"1600938359259","roomUuid":"` + room + `"}`
	}
	// 3 kB that do not compress: base64 of pseudo-random bytes.
	random := make([]byte, 2250)
	rng := rand.NewChaCha8([32]byte{1})
	_, _ = rng.Read(random)
	long := base64.RawURLEncoding.EncodeToString(random)
	for _, room := range []string{`nul\u0000room`, long} {
		for range 2 {
			assert.Equal(t, http.StatusBadRequest, post(t, u, body(room)), room[:3])
		}
	}
	assert.Equal(t, 4, strings.Count(logs.String(), `level=WARN msg="callback refused: it can never be stored"`), logs.String())
	assert.Contains(t, logs.String(), "status=400")
	assert.NotContains(t, logs.String(), "status=500")

	err := s.SaveVideoEvent(context.Background(), videoEvent("nul\x00room", gurulize.EventJoin, gurulize.SourceHost, 0))
	assert.ErrorIs(t, err, errUnstorable)
	assert.NotErrorIs(t, err, gurulize.ErrRetryLater)
	assert.Equal(t, err, setAside(context.Background(), err), "without refuseUnstorable in front, the error stays (500)")

	var n int
	require.NoError(t, s.pool.QueryRow(context.Background(), `SELECT count(*) FROM gurulize_rooms`).Scan(&n))
	assert.Zero(t, n, "nothing stored")
	assert.Equal(t, http.StatusOK, post(t, u, body("room-1")))
}

// scripts/postgres.sh picks a port below the first port the kernel gives to
// outgoing connections, so none can take it while the server restarts.
func TestScriptPortIsOutsideTheEphemeralRange(t *testing.T) {
	restartCommand(t) // DATABASE_URL is the server scripts/postgres.sh started
	cfg, err := pgxpool.ParseConfig(databaseURL(t))
	require.NoError(t, err)
	low := 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		low, err = strconv.Atoi(strings.Fields(string(b))[0])
		require.NoError(t, err)
	}
	assert.Less(t, int(cfg.ConnConfig.Port), low)
	assert.Less(t, int(cfg.ConnConfig.Port), 32768)
}

// How many changes per second the outbox consumer delivers, with 1 and 3
// consumers of one name. See BENCHMARKS.md for the command and figures.

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
)

// BenchmarkOutbox writes b.N changes (8 per room, summaries of a real
// meeting's size) straight into the change table, then starts N consumers
// of one name with a Deliver that does nothing, and measures until every
// change is delivered.
func BenchmarkOutbox(b *testing.B) {
	for _, n := range []int{1, 3} {
		b.Run(fmt.Sprintf("consumers=%d", n), func(b *testing.B) {
			dsn := freshSchema(b)
			s := openStore(b, dsn)
			summary, err := json.Marshal(gurulize.RoomSummary{RoomUUID: "bench-room", Activated: true, Meetings: 1,
				Billed: 40 * time.Minute, Ended: true, EndReason: gurulize.ReasonHangup, HostPresent: true,
				ActivatedAt: t0, LastEndedAt: t0.Add(40 * time.Minute), FirstEventAt: t0, LastEventAt: t0.Add(41 * time.Minute)})
			require.NoError(b, err)
			_, err = s.pool.Exec(context.Background(), `INSERT INTO gurulize_room_changes (room_uuid, version, summary)
				SELECT 'bench-room-' || (i / 8), i % 8 + 1, $2::jsonb FROM generate_series(0, $1 - 1) AS i`, b.N, summary)
			require.NoError(b, err)
			var delivered atomic.Int64
			deliver := func(context.Context, OutboxChange) error { delivered.Add(1); return nil }
			b.ResetTimer()
			start := time.Now()
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			for range n {
				c, err := NewConsumer(openStore(b, dsn), ConsumerConfig{Name: "bench", Deliver: deliver, PollInterval: 50 * time.Millisecond})
				require.NoError(b, err)
				go func() { _ = c.Run(ctx); done <- struct{}{} }()
			}
			waitFor(b, "every change is delivered", func() bool { return delivered.Load() >= int64(b.N) })
			elapsed := time.Since(start)
			b.StopTimer()
			cancel()
			for range n {
				<-done
			}
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "changes/s")
			require.Equal(b, int64(b.N), delivered.Load(), "each change once")
		})
	}
}

package gurulize_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gurulize/gurulize-go"
)

// BenchmarkTrackerApplyWaitDuringScan fills a RoomTracker with 1M expected
// rooms, 1% of them overdue, then runs a scan while one goroutine keeps
// applying events, and reports the longest single Apply (max-apply-ms, the
// target is under 10) and the longest scan (scan-ms). The scans:
// ForgetBefore (each iteration scans every room and keeps them; the last
// one forgets all 1M, rebuilding the tracker's maps), Overdue, and Idle, no
// scan but 100 ms of applying: what the machine's scheduling alone costs.
// The fill takes seconds and is done once per scan. Under -short (CI runs
// every benchmark once that way) it holds 10,000 rooms, so that it only
// proves it still runs: the figures come from the full size.
func BenchmarkTrackerApplyWaitDuringScan(b *testing.B) {
	n := 1_000_000
	if testing.Short() {
		n = 10_000
	}
	start := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	now := start.Add(time.Duration(n/100) * time.Second)
	uuids := make([]string, n)
	for i := range uuids {
		uuids[i] = fmt.Sprintf("room-%07d", i)
	}
	scans := []struct {
		name string
		run  func(tr *gurulize.RoomTracker, before, filled time.Time, last bool)
	}{
		{"ForgetBefore", func(tr *gurulize.RoomTracker, before, filled time.Time, last bool) {
			if last {
				before = filled
			}
			tr.ForgetBefore(before)
		}},
		{"Overdue", func(tr *gurulize.RoomTracker, _, _ time.Time, _ bool) { tr.Overdue(now, 0) }},
		{"Idle", func(*gurulize.RoomTracker, time.Time, time.Time, bool) { time.Sleep(100 * time.Millisecond) }},
	}
	for _, scan := range scans {
		b.Run(scan.name, func(b *testing.B) {
			before := time.Now()
			tr := gurulize.NewRoomTracker()
			for i, uuid := range uuids {
				at := start.Add(time.Duration(i) * time.Second)
				tr.Expect(&gurulize.VideoRoom{UUID: uuid}, gurulize.VideoRoomRequest{StartAt: at, Duration: time.Minute})
				tr.Apply(gurulize.VideoEvent{Code: gurulize.EventMeetingStarted, Source: gurulize.SourceHost, RoomUUID: uuid, ReceivedAt: at})
			}
			filled := time.Now().Add(time.Millisecond)
			time.Sleep(2 * time.Millisecond)

			var longest, scanTook time.Duration
			applies := 0
			b.ResetTimer()
			for iter := range b.N {
				done := make(chan time.Duration)
				go func() {
					t := time.Now()
					scan.run(tr, before, filled, iter == b.N-1)
					done <- time.Since(t)
				}()
				for scanning := true; scanning; applies++ {
					select {
					case took := <-done:
						scanTook, scanning = max(scanTook, took), false
					default:
					}
					ev := gurulize.VideoEvent{Code: gurulize.EventMeetingEnded, Source: gurulize.SourceGuest,
						RoomUUID: uuids[(applies*7919)%n], ReceivedAt: start.Add(time.Duration(applies) * time.Millisecond)}
					t := time.Now()
					tr.Apply(ev)
					longest = max(longest, time.Since(t))
				}
			}
			b.ReportMetric(float64(longest)/float64(time.Millisecond), "max-apply-ms")
			b.ReportMetric(float64(scanTook)/float64(time.Millisecond), "scan-ms")
			b.ReportMetric(float64(applies)/float64(b.N), "applies/op")
		})
	}
}

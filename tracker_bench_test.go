package gurulize_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gurulize/gurulize-go"
)

// BenchmarkTrackerApplyWaitDuringScan fills a RoomTracker with 1M rooms, a
// tenth of them overdue, then runs a scan (ForgetBefore dropping every room,
// or Overdue, or, for comparison, nothing for 3 s: Idle) while one
// goroutine keeps applying events, and reports the longest single Apply
// (max-apply-ms, the target is under 10) and the scan's duration (scan-ms). Run it with -benchtime=1x: one iteration takes
// seconds.
func BenchmarkTrackerApplyWaitDuringScan(b *testing.B) {
	const n = 1_000_000
	start := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	now := start.Add(time.Duration(n/10) * time.Second)
	scans := []struct {
		name string
		run  func(tr *gurulize.RoomTracker, filled time.Time)
	}{
		{"ForgetBefore", func(tr *gurulize.RoomTracker, filled time.Time) { tr.ForgetBefore(filled) }},
		{"Overdue", func(tr *gurulize.RoomTracker, _ time.Time) { tr.Overdue(now, 0) }},
		// No scan: the longest Apply the machine gives anyway, for comparison.
		{"Idle", func(*gurulize.RoomTracker, time.Time) { time.Sleep(3 * time.Second) }},
	}
	uuids := make([]string, n)
	for i := range uuids {
		uuids[i] = fmt.Sprintf("room-%07d", i)
	}
	for _, scan := range scans {
		b.Run(scan.name, func(b *testing.B) {
			var longest, scanTook time.Duration
			applies := 0
			for range b.N {
				b.StopTimer()
				tr := gurulize.NewRoomTracker()
				for i, uuid := range uuids {
					at := start.Add(time.Duration(i) * time.Second)
					tr.Expect(&gurulize.VideoRoom{UUID: uuid}, gurulize.VideoRoomRequest{StartAt: at, Duration: time.Minute})
					tr.Apply(gurulize.VideoEvent{Code: gurulize.EventMeetingStarted, Source: gurulize.SourceHost, RoomUUID: uuid, ReceivedAt: at})
				}
				filled := time.Now().Add(time.Millisecond)
				time.Sleep(2 * time.Millisecond)
				b.StartTimer()

				done := make(chan time.Duration)
				go func() {
					t := time.Now()
					scan.run(tr, filled)
					done <- time.Since(t)
				}()
				for i := 0; ; i++ {
					select {
					case took := <-done:
						scanTook = max(scanTook, took)
						goto next
					default:
					}
					ev := gurulize.VideoEvent{Code: gurulize.EventMeetingEnded, Source: gurulize.SourceGuest,
						RoomUUID: uuids[(i*7919)%n], ReceivedAt: start.Add(time.Duration(i) * time.Millisecond)}
					t := time.Now()
					tr.Apply(ev)
					longest = max(longest, time.Since(t))
					applies++
				}
			next:
			}
			b.ReportMetric(float64(longest)/float64(time.Millisecond), "max-apply-ms")
			b.ReportMetric(float64(scanTook)/float64(time.Millisecond), "scan-ms")
			b.ReportMetric(float64(applies)/float64(b.N), "applies/op")
		})
	}
}

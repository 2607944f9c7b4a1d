// Command loadgen posts distinct video room callbacks to one or more servers
// of the example for a fixed time, from a fixed number of keep-alive
// clients, and prints how many were answered 200 per second, and its own
// CPU time per callback. Every callback
// is a change: each room gets the events of one meeting, in order, and the
// callbacks in flight together are for different rooms. scripts/postgres-perf.sh
// runs it; by hand:
//
//	go run ./loadgen -urls http://127.0.0.1:8080 -token "$GURULIZE_CALLBACK_TOKEN" -clients 8 -duration 10s
//
// With -sizes it prints instead the size in bytes of a room's stored state
// and summary after its meeting, as the example stores them: the sizes of
// the JSON documents the database floor writes.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gurulize/gurulize-go"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
		}
		os.Exit(2)
	}
}

// step is one callback of a meeting, relative to the room's start.
type step struct {
	code, source, reason string
	after, total         time.Duration
}

// meeting is the events of one room, in the order the provider sends them;
// each changes the room's state.
var meeting = []step{
	{"JOIN", "HOST", "", 0, 0},
	{"JOIN", "GUEST", "", 30 * time.Second, 0},
	{"ROOM_ACTIVATED", "GUEST", "", 30*time.Second + time.Millisecond, 0},
	{"MEETING_STARTED", "GUEST", "", 30*time.Second + 2*time.Millisecond, 0},
	{"MEETING_ENDED", "GUEST", "HANGUP", 40*time.Minute + 30*time.Second, 40 * time.Minute},
	{"LEFT", "GUEST", "", 40*time.Minute + 30*time.Second + time.Millisecond, 0},
	{"LEFT", "HOST", "", 40*time.Minute + 35*time.Second, 0},
	{"JOIN", "HOST", "", 41 * time.Minute, 0},
}

// roomsAtOnce is how many rooms the callbacks go round: callback n is for
// room n%roomsAtOnce of its block, so callbacks in flight together are for
// different rooms, and each room's events come in order.
const roomsAtOnce = 1000

var start = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// body returns the n-th callback of the run whose rooms are named prefix-….
func body(prefix string, n int64) []byte {
	block, i := n/(roomsAtOnce*int64(len(meeting))), n%(roomsAtOnce*int64(len(meeting)))
	room, e := block*roomsAtOnce+i%roomsAtOnce, meeting[i/roomsAtOnce]
	b := make([]byte, 0, 192)
	b = append(b, `{"code":"`...)
	b = append(b, e.code...)
	b = append(b, `","eventSource":"`...)
	b = append(b, e.source...)
	b = append(b, `","receivedTime":"`...)
	b = strconv.AppendInt(b, start.Add(e.after).UnixMilli(), 10)
	b = append(b, `","roomUuid":"`...)
	b = append(b, prefix...)
	b = append(b, '-')
	b = strconv.AppendInt(b, room, 10)
	b = append(b, '"')
	if e.reason != "" {
		b = append(b, `,"reason":"`...)
		b = append(b, e.reason...)
		b = append(b, '"')
	}
	if e.total != 0 {
		b = append(b, `,"meetingTotalDuration":"`...)
		b = strconv.AppendInt(b, e.total.Milliseconds(), 10)
		b = append(b, '"')
	}
	return append(b, '}')
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	urls := fs.String("urls", "", "the servers, comma-separated; callback n goes to server n%len")
	token := fs.String("token", "", "the servers' callback token")
	clients := fs.Int("clients", 8, "callbacks in flight at once, each on a kept-alive connection")
	duration := fs.Duration("duration", 10*time.Second, "how long to send")
	prefix := fs.String("prefix", "load-"+strconv.FormatInt(time.Now().UnixNano(), 36), "the rooms' names begin with it; give each run its own")
	sizes := fs.Bool("sizes", false, "print the sizes of a room's stored state and summary after its meeting, and stop")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *sizes {
		return printSizes(stdout)
	}
	if *urls == "" || *token == "" || *clients < 1 || *duration <= 0 {
		return errors.New("set -urls, -token, -clients of 1 or more and a positive -duration")
	}
	targets := strings.Split(*urls, ",")
	for i := range targets {
		targets[i] = strings.TrimRight(targets[i], "/") + "/gurulize/video/" + *token
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *clients, MaxConnsPerHost: *clients}}
	defer hc.CloseIdleConnections()

	ctx, cancel := context.WithTimeout(ctx, *duration)
	defer cancel()
	var next, ok atomic.Int64
	var failure atomic.Value
	var wg sync.WaitGroup
	began := time.Now()
	for range *clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				n := next.Add(1) - 1
				req, err := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodPost,
					targets[n%int64(len(targets))], bytes.NewReader(body(*prefix, n)))
				if err != nil {
					failure.Store(err.Error())
					return
				}
				req.Header.Set("Content-Type", "application/json")
				resp, err := hc.Do(req)
				if err != nil {
					failure.Store(err.Error())
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					failure.Store(fmt.Sprintf("callback %d answered %d", n, resp.StatusCode))
					return
				}
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(began)
	if msg := failure.Load(); msg != nil {
		return errors.New(msg.(string))
	}
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return err
	}
	cpu := time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
	_, err := fmt.Fprintf(stdout, "%d callbacks in %.2fs: %.0f callbacks/s, %.0f µs of CPU per callback\n",
		ok.Load(), elapsed.Seconds(), float64(ok.Load())/elapsed.Seconds(), float64(cpu.Microseconds())/float64(max(ok.Load(), 1)))
	return err
}

// printSizes prints "STATE SUMMARY": the bytes of a room's state and
// summary after the meeting, as encoding/json writes them.
func printSizes(stdout io.Writer) error {
	var st gurulize.RoomState
	for n := range int64(len(meeting)) {
		ev, err := gurulize.ParseVideoEvent(body("sizes", n*roomsAtOnce))
		if err != nil {
			return err
		}
		st.Apply(ev)
	}
	state, err := json.Marshal(st)
	if err != nil {
		return err
	}
	summary, err := json.Marshal(st.Summary())
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%d %d\n", len(state), len(summary))
	return err
}

// The server as it runs by hand: its settings, and three processes started
// at the same moment on an empty database, fed by the fake Gurulize, then
// stopped with SIGTERM.

package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go/gurulizetest"
)

// runMainEnv, set to 1, makes the test binary run main instead of the tests:
// that is how the tests start the server as a process of its own.
const runMainEnv = "EXAMPLE_POSTGRES_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestRunSettings(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	ctx := context.Background()

	err := run(ctx, nil, env(nil), logger)
	var usage usageError
	require.ErrorAs(t, err, &usage)
	assert.Contains(t, err.Error(), "DATABASE_URL")
	assert.Contains(t, err.Error(), "scripts/postgres.sh start")

	err = run(ctx, nil, env(map[string]string{databaseURLEnv: "postgres://127.0.0.1/db"}), logger)
	require.ErrorAs(t, err, &usage)
	assert.Contains(t, err.Error(), "GURULIZE_CALLBACK_TOKEN")

	assert.ErrorIs(t, run(ctx, []string{"-h"}, env(nil), logger), flag.ErrHelp)
	assert.ErrorIs(t, run(ctx, []string{"-port", "1"}, env(nil), logger), errFlags)

	err = run(ctx, nil, env(map[string]string{
		databaseURLEnv: "postgres://app:s3cret@127.0.0.1:notaport/db", tokenEnv: testToken,
	}), logger)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cret")
}

// server is the example running as a process of its own.
type server struct {
	cmd    *exec.Cmd
	addr   chan string
	mu     sync.Mutex
	stderr strings.Builder
	done   chan struct{} // closed once stderr is read to the end
}

func (s *server) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

var listening = regexp.MustCompile(`msg=listening addr=(\S+)`)

// startProcess starts the example with DATABASE_URL dsn, listening on a free
// loopback port.
func startProcess(t *testing.T, dsn string) *server {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), runMainEnv+"=1", databaseURLEnv+"="+dsn, tokenEnv+"="+testToken)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	s := &server{cmd: cmd, addr: make(chan string, 1), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			s.mu.Lock()
			s.stderr.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				s.addr <- "http://" + m[1]
			}
		}
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return s
}

// Three servers started at the same moment on an empty database, as a
// deployment starts its replicas: each creates the tables it needs, then
// they store the callbacks of the fake (each delivered twice, in shuffled
// order, to a random server) as one tracker would fold them, and stop
// cleanly on SIGTERM.
func TestThreeServersStartAtOnce(t *testing.T) {
	dsn := freshSchema(t)
	var servers []*server
	for range 3 {
		servers = append(servers, startProcess(t, dsn))
	}
	var urls []string
	for _, s := range servers {
		select {
		case u := <-s.addr:
			urls = append(urls, u)
		case <-time.After(60 * time.Second):
			t.Fatalf("a server did not start listening:\n%s", s.output())
		}
	}

	d := newDispatcher(t, urls)
	fake := newFake(t, d, gurulizetest.Faults{Duplicate: true, Reorder: true, Seed: 3})
	for i := range 12 {
		createRoom(t, fake, i, 2)
		registerCall(t, fake, i, 2)
	}
	waitDelivered(t, fake)
	rt, ct := d.fold(t)
	checkStored(t, urls, fake, rt, ct)

	// Close the load balancer's idle connections first: a connection it
	// opened and never used would hold each server's Shutdown for 5s.
	d.hc.CloseIdleConnections()
	for _, s := range servers {
		require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	}
	for _, s := range servers {
		<-s.done
		err := s.cmd.Wait()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Errorf("exit status %d:\n%s", exit.ExitCode(), s.output())
			continue
		}
		require.NoError(t, err)
		assert.Contains(t, s.output(), "msg=stopped")
		assert.NotContains(t, s.output(), "level=ERROR")
		assertNoPassword(t, dsn, s.output())
	}
}

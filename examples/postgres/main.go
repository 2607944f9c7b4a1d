// Command postgres receives the Gurulize video room and voice status callbacks
// on any number of replicas behind a load balancer, and keeps each room's and
// call's state in PostgreSQL, so that no update is lost and every change is
// recorded once, whichever replica a callback reaches, however often and in
// whatever order the provider delivers it.
//
// From the repository root:
//
//	export DATABASE_URL=$(scripts/postgres.sh start)   # a throwaway PostgreSQL on loopback
//	export GURULIZE_CALLBACK_TOKEN=$(openssl rand -hex 24)
//	cd examples/postgres && go run . -addr 127.0.0.1:8080
//
// Start as many replicas as you like, at once if you like, each with its own
// -addr: each creates the tables if they do not exist. Then give the provider
// these addresses (behind HTTPS in production):
//
//	https://your.host/gurulize/video/<token>   video room events (POST, JSON)
//	https://your.host/gurulize/voice/<token>   call statuses (GET query or POST form)
//
// With GURULIZE_USERNAME and GURULIZE_PASSWORD set, the server also creates
// rooms and registers calls for the application (POST /rooms, POST /calls;
// see createRoutes), recording each as expected, and lists what is overdue
// (GET /overdue?grace=10m). A callback for a room or call it did not create
// is stored with the flag unexpected.
//
// Read what is stored at GET /rooms/{uuid}, /rooms/{uuid}/changes,
// /calls/{id} and /calls/{id}/changes (see routes). Each callback is one
// conditional write of the state with its change row, one statement when
// the row is new or the replica remembers it, two when another replica
// wrote it last (see Store.saveOnce); a callback answered 200 is committed, and while the
// database is unavailable callbacks are answered 503, so the provider may
// deliver them again. A callback the database can never store (a NUL
// character, an id too long for an index) is answered 400 and logged, so the
// provider stops delivering it. SIGINT or SIGTERM stops the server
// gracefully: requests in flight are finished.
//
// The outbox of changes has a reference consumer to copy (see Consumer and
// outbox.go): each change to your function at least once, in version order
// per room or call, from any number of replicas. Two commands run it:
//
//	go run . consume -name printer                           # every change to standard output, a JSON line each, until SIGINT
//	go run . requeue -name printer [-room UUID | -call ID]   # the consumer's dead letters delivered again
//
// Change rows written before the SDK's summaries had a JSON form of their
// own ("Billed":1800000000000, nanoseconds under Go field names) are read in
// today's form ("billedMs":1800000); once every replica runs this version,
// "go run . migrate" rewrites them, so that SQL on the summaries sees one
// form.
//
// Spans go to OpenTelemetry's global tracer provider, through otelgurulize;
// install one in main to export them. A callback's span links to the span
// that created its room or call, whose traceparent the create path stores
// with the row (see tracing.go and the README's "Tracing").
//
// scripts/postgres-perf.sh measures the server beside PostgreSQL's own
// limit (pgbench); see BENCHMARKS.md.
//
// The tests run several replicas against a real PostgreSQL, the one at
// DATABASE_URL; one of them restarts it with scripts/postgres.sh restart, so
// it must be the server that script started:
//
//	cd examples/postgres && go test -race ./...
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/otelgurulize"
)

// The environment variables the server reads.
const (
	databaseURLEnv = "DATABASE_URL"            // PostgreSQL connection string, URL or key=value
	tokenEnv       = "GURULIZE_CALLBACK_TOKEN" // the secret last segment of the callback addresses
	usernameEnv    = "GURULIZE_USERNAME"       // when set, the create routes are served (see createRoutes), with the client gurulize.NewClientFromEnv makes
)

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, logger)
	stop()
	var usage usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.As(err, &usage), errors.Is(err, errFlags):
		fmt.Fprintln(os.Stderr, "postgres:", err)
		os.Exit(2)
	default:
		logger.Error("stopped", "error", err)
		os.Exit(1)
	}
}

// usageError is a missing setting.
type usageError string

func (e usageError) Error() string { return string(e) }

// errFlags marks command-line flags the flag package refused (it has
// printed why).
var errFlags = errors.New("invalid flags")

// run serves until ctx ends, then shuts down gracefully.
func run(ctx context.Context, args []string, getenv func(string) string, logger *slog.Logger) error {
	if len(args) > 0 && (args[0] == "consume" || args[0] == "requeue" || args[0] == "migrate") {
		return runOutboxCommand(ctx, args[0], args[1:], getenv, os.Stdout, logger)
	}
	fs := flag.NewFlagSet("postgres", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errFlags
	}
	databaseURL, token := getenv(databaseURLEnv), getenv(tokenEnv)
	if databaseURL == "" {
		return usageError("set " + databaseURLEnv + ", such as postgres://user:password@127.0.0.1:5432/db (scripts/postgres.sh start prints one)")
	}
	if token == "" {
		return usageError("set " + tokenEnv + " to a long random string of letters, digits, '-' and '_'")
	}

	store, err := Open(ctx, databaseURL, logger)
	if err != nil {
		return err
	}
	defer store.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	// Spans and metrics go to OpenTelemetry's global providers: no-ops,
	// costing next to nothing, until main installs an SDK's (see README).
	mux := routes(store, token, logger, otelgurulize.HandlerOption())
	if getenv(usernameEnv) != "" {
		client, err := gurulize.NewClientFromEnv(otelgurulize.ClientOption())
		if err != nil {
			return err
		}
		createRoutes(mux, store, client, logger, nil)
	}
	logger.Info("listening", "addr", ln.Addr().String())
	if err := serve(ctx, ln, newServer(mux, logger)); err != nil {
		return err
	}
	logger.Info("stopped")
	return nil
}

// serve runs srv on ln until ctx is done, then shuts it down, giving
// requests in flight up to 10 seconds to finish.
func serve(ctx context.Context, ln net.Listener, srv *http.Server) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// The HTTP routes: the SDK's callback handlers, which store each callback,
// and the reads of what is stored.

package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gurulize/gurulize-go"
)

// newServer returns a server with the timeouts the SDK's README recommends
// for callback endpoints, so slow or idle clients cannot hold connections
// open.
func newServer(h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,  // the request line and headers
		ReadTimeout:       10 * time.Second, // the whole request, body included
		WriteTimeout:      15 * time.Second, // from the end of the headers to the end of the reply
		IdleTimeout:       60 * time.Second, // between requests on a kept-alive connection
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// routes mounts the callback handlers behind token and the reads:
//
//	POST     /gurulize/video/{token}  a room event; 200 once stored, 503 while the database is unavailable,
//	                                  400 for one it can never store (see refuseUnstorable)
//	GET|POST /gurulize/voice/{token}  a call status; the same
//	GET      /rooms/{uuid}            the room's gurulize.RoomSummary, 404 if unknown
//	GET      /rooms/{uuid}/changes    [{"version": n, "summary": {…}}, …], oldest first; 404 if unknown
//	GET      /calls/{id}              the call's gurulize.CallSummary, 404 if unknown
//	GET      /calls/{id}/changes      as for rooms
//
// Summaries are JSON as encoding/json renders the SDK's types. The reads
// have no authentication of their own: keep them on a private network, or
// behind your own.
//
// The callback handlers take extra's options too, such as
// otelgurulize.HandlerOption: when a callback's span is recording, it gets a
// span link to the span that created its room or call, if this server
// created it (see linkCreation).
func routes(s *Store, token string, logger *slog.Logger, extra ...gurulize.HandlerOption) *http.ServeMux {
	opts := append([]gurulize.HandlerOption{gurulize.WithCallbackToken(token), gurulize.WithCallbackLogger(logger)}, extra...)
	mux := http.NewServeMux()
	video := func(ctx context.Context, ev gurulize.VideoEvent) error {
		err := s.SaveVideoEvent(ctx, ev)
		if err == nil {
			s.linkCreation(ctx, rooms, ev.RoomUUID)
		}
		return setAside(ctx, err)
	}
	voice := func(ctx context.Context, st gurulize.VoiceStatus) error {
		err := s.SaveVoiceStatus(ctx, st)
		if err == nil {
			s.linkCreation(ctx, calls, st.ID)
		}
		return setAside(ctx, err)
	}
	mux.Handle("POST /gurulize/video/{token}", refuseUnstorable(gurulize.NewVideoEventHandler(video, opts...), logger))
	mux.Handle("/gurulize/voice/{token}", refuseUnstorable(gurulize.NewVoiceStatusHandler(voice, opts...), logger)) // GET or POST; other methods get 405

	mux.HandleFunc("GET /rooms/{uuid}", func(w http.ResponseWriter, r *http.Request) {
		sum, ok, err := s.Room(r.Context(), r.PathValue("uuid"))
		reply(w, r, logger, sum, ok, err)
	})
	mux.HandleFunc("GET /rooms/{uuid}/changes", func(w http.ResponseWriter, r *http.Request) {
		list, err := s.RoomChanges(r.Context(), r.PathValue("uuid"))
		reply(w, r, logger, list, len(list) > 0, err)
	})
	mux.HandleFunc("GET /calls/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, ok := callID(w, r)
		if !ok {
			return
		}
		sum, ok, err := s.Call(r.Context(), id)
		reply(w, r, logger, sum, ok, err)
	})
	mux.HandleFunc("GET /calls/{id}/changes", func(w http.ResponseWriter, r *http.Request) {
		id, ok := callID(w, r)
		if !ok {
			return
		}
		list, err := s.CallChanges(r.Context(), id)
		reply(w, r, logger, list, len(list) > 0, err)
	})
	return mux
}

// callID reads the {id} of a call route, answering 400 when it is not an
// integer.
func callID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.Error(w, "call id must be an integer", http.StatusBadRequest)
		return 0, false
	}
	return id, true
}

// reply answers v as JSON, 404 when !found, 503 when the database is
// unavailable and 500 for any other error.
func reply(w http.ResponseWriter, r *http.Request, logger *slog.Logger, v any, found bool, err error) {
	if err != nil {
		status := http.StatusInternalServerError
		if unavailable(err) {
			status = http.StatusServiceUnavailable
		}
		logger.ErrorContext(r.Context(), "read failed", "path", r.URL.Path, "status", status, "error", err)
		http.Error(w, http.StatusText(status), status)
		return
	}
	if !found {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

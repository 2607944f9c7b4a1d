// The create path: the application creates rooms and registers calls with
// the SDK's client, and stores each as expected before answering, so that a
// callback for anything else is flagged unexpected, and one that never
// comes shows as overdue.

package main

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/otelgurulize"
)

// createRoutes mounts, for an application's own use (keep them private):
//
//	POST /rooms  {"startAt": RFC 3339, "durationMinutes": n, "endHow": "…", "endWhen": "…"}
//	             201 {"uuid": "…", "hostUrl": "…", "guestUrl": "…"}
//	POST /calls  {"caller": "…", "callee": "…", "maxDurationSeconds": n}
//	             201 {"id": n}
//	GET  /overdue?grace=10m  {"rooms": [RoomSummary…], "calls": [CallSummary…]}, as of now
//
// A request the SDK refuses before sending is answered 400 with its
// message, a refusal or failure of the provider 502; a room or call the
// provider created but the database could not record is answered 503 and
// logged as an error with its id, for someone to record again (ExpectRoom,
// ExpectCall) before it shows as unexpected.
//
// Each create runs in a span of tp ("create video room", "register call";
// the global provider when tp is nil), the child of the request's trace
// context (see startCreation), with gurulize.room.uuid or gurulize.call.id
// once the provider answered. Its traceparent is stored with the row, so
// that the callbacks' spans link to it. Give client
// otelgurulize.ClientOption to have the SDK's spans under it.
func createRoutes(mux *http.ServeMux, s *Store, client *gurulize.Client, logger *slog.Logger, tp trace.TracerProvider) {
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	tracer := tp.Tracer("github.com/gurulize/gurulize-go/examples/postgres")
	mux.HandleFunc("POST /rooms", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			StartAt         time.Time        `json:"startAt"`
			DurationMinutes int64            `json:"durationMinutes"`
			EndHow          gurulize.EndHow  `json:"endHow"`
			EndWhen         gurulize.EndWhen `json:"endWhen"`
		}
		if !readJSON(w, r, &in) {
			return
		}
		req := gurulize.VideoRoomRequest{StartAt: in.StartAt, Duration: time.Duration(in.DurationMinutes) * time.Minute,
			EndHow: in.EndHow, EndWhen: in.EndWhen}
		ctx, span := startCreation(r, tracer, "create video room")
		defer span.End()
		room, err := client.CreateVideoRoom(ctx, req)
		if err != nil {
			span.SetStatus(codes.Error, otelgurulize.ErrorType(err))
			providerError(w, r, logger, err)
			return
		}
		span.SetAttributes(attribute.String(otelgurulize.AttrRoomUUID, room.UUID))
		if err := s.ExpectRoom(ctx, room, req); err != nil {
			span.SetStatus(codes.Error, "not recorded")
			logger.ErrorContext(ctx, "room created but not recorded as expected", "room_uuid", room.UUID, "error", err)
			http.Error(w, "room created but not recorded: "+room.UUID, http.StatusServiceUnavailable)
			return
		}
		writeJSON(w, http.StatusCreated, map[string]string{"uuid": room.UUID, "hostUrl": room.HostURL, "guestUrl": room.GuestURL})
	})
	mux.HandleFunc("POST /calls", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Caller             string `json:"caller"`
			Callee             string `json:"callee"`
			MaxDurationSeconds int64  `json:"maxDurationSeconds"`
		}
		if !readJSON(w, r, &in) {
			return
		}
		req := gurulize.CallRequest{Caller: in.Caller, Callee: in.Callee, MaxDuration: time.Duration(in.MaxDurationSeconds) * time.Second}
		ctx, span := startCreation(r, tracer, "register call")
		defer span.End()
		reg, err := client.RegisterCall(ctx, req)
		if err != nil {
			span.SetStatus(codes.Error, otelgurulize.ErrorType(err))
			providerError(w, r, logger, err)
			return
		}
		span.SetAttributes(attribute.Int64(otelgurulize.AttrCallID, reg.ID))
		if err := s.ExpectCall(ctx, reg, req); err != nil {
			span.SetStatus(codes.Error, "not recorded")
			logger.ErrorContext(ctx, "call registered but not recorded as expected", "call_id", reg.ID, "error", err)
			http.Error(w, "call registered but not recorded: "+strconv.FormatInt(reg.ID, 10), http.StatusServiceUnavailable)
			return
		}
		writeJSON(w, http.StatusCreated, map[string]int64{"id": reg.ID})
	})
	mux.HandleFunc("GET /overdue", func(w http.ResponseWriter, r *http.Request) {
		grace, err := time.ParseDuration(r.URL.Query().Get("grace"))
		if err != nil || grace < 0 {
			http.Error(w, "grace must be a duration such as 10m", http.StatusBadRequest)
			return
		}
		now := time.Now()
		rs, err := s.OverdueRooms(r.Context(), now, grace)
		if err == nil {
			var cs []gurulize.CallSummary
			cs, err = s.OverdueCalls(r.Context(), now, grace)
			reply(w, r, logger, map[string]any{"rooms": rs, "calls": cs}, true, err)
			return
		}
		reply(w, r, logger, nil, true, err)
	})
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		http.Error(w, "the body must be the documented JSON: "+err.Error(), http.StatusBadRequest)
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, _ := json.Marshal(v) // maps of strings and numbers
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// providerError answers a failed create: 400 for a request the SDK refused
// before sending, 502 otherwise.
func providerError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	var invalid *gurulize.ValidationError
	if errors.As(err, &invalid) {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	logger.ErrorContext(r.Context(), "the provider did not create it", "error", err)
	http.Error(w, "the provider did not create it: "+err.Error(), http.StatusBadGateway)
}

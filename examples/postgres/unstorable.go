// Callbacks the database can never store (a NUL character, an id too long
// for its index): answered 400 with a log record, so that the provider stops
// delivering them, instead of 500 on every delivery.

package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
)

// asideKey is the context key of the *error a callback function sets aside
// for refuseUnstorable.
type asideKey struct{}

// setAside returns err, unless it marks a callback the database can never
// store and the request came through refuseUnstorable: then it keeps err for
// refuseUnstorable and returns nil, so that the SDK's handler writes its
// 200, which refuseUnstorable turns into a 400. Without refuseUnstorable in
// front, err is returned and the handler answers 500.
func setAside(ctx context.Context, err error) error {
	aside, ok := ctx.Value(asideKey{}).(*error)
	if !ok || !errors.Is(err, errUnstorable) {
		return err
	}
	*aside = err
	return nil
}

// refuseUnstorable wraps a callback handler whose function goes through
// setAside: a callback set aside is answered 400 "callback cannot be stored"
// and logged as a warning with the database's reason.
func refuseUnstorable(h http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var aside error
		h.ServeHTTP(&asideWriter{ResponseWriter: w, aside: &aside, r: r, logger: logger},
			r.WithContext(context.WithValue(r.Context(), asideKey{}, &aside)))
	})
}

// asideWriter replaces the 200 of a callback set aside by a 400.
type asideWriter struct {
	http.ResponseWriter
	aside  *error
	r      *http.Request
	logger *slog.Logger
}

func (w *asideWriter) WriteHeader(status int) {
	if *w.aside == nil || status != http.StatusOK {
		w.ResponseWriter.WriteHeader(status)
		return
	}
	http.Error(w.ResponseWriter, "callback cannot be stored", http.StatusBadRequest)
	w.logger.WarnContext(w.r.Context(), "callback refused: it can never be stored",
		"method", w.r.Method, "status", http.StatusBadRequest, "error", (*w.aside).Error())
}

// Unwrap lets http.ResponseController reach the server's writer, as the
// callback handlers need to flush their reply to a function that called
// runtime.Goexit.
func (w *asideWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *asideWriter) Write(p []byte) (int, error) {
	if *w.aside != nil {
		return len(p), nil // the 400 is written
	}
	return w.ResponseWriter.Write(p)
}

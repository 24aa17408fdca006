// Package api serves the public port: health endpoints for the kubelet and the items resource.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"

	"go-service/internal/store"
)

const (
	// MaxBodyBytes caps request bodies; larger ones get 413 before they are read into memory.
	MaxBodyBytes = 64 << 10
	// dbTimeout bounds each request's database work, below the chart's readiness timeoutSeconds (2s) for pings.
	dbTimeout   = 3 * time.Second
	pingTimeout = time.Second
	maxName     = 200
	maxPage     = 100
)

// Items is the storage the handlers need (store.Items in production, a fake in unit tests).
type Items interface {
	Create(ctx context.Context, name string) (store.Item, error)
	Get(ctx context.Context, id int64) (store.Item, error)
	List(ctx context.Context, after int64, limit int) ([]store.Item, error)
	Delete(ctx context.Context, id int64) error
}

// API holds the handlers' dependencies and the lifecycle flags the probes report.
type API struct {
	Items Items
	Ping  func(context.Context) error
	Log   *slog.Logger
	// Info is returned by GET / (mode, url, revision).
	Info map[string]string

	started  atomic.Bool
	draining atomic.Bool
}

// MarkStarted is called once migrations are applied: the startup probe passes from then on.
func (a *API) MarkStarted() { a.started.Store(true) }

// MarkDraining fails readiness after SIGTERM, so nothing new is routed here while in-flight requests finish.
func (a *API) MarkDraining() { a.draining.Store(true) }

// Routes returns the public mux. Health paths are the chart's probes (values.yaml probes.*); /healthz is the
// conventional alias of /livez.
func (a *API) Routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /livez", a.live)
	mux.HandleFunc("GET /healthz", a.live)
	mux.HandleFunc("GET /startupz", a.startup)
	mux.HandleFunc("GET /readyz", a.ready)
	mux.HandleFunc("GET /{$}", a.info)
	mux.HandleFunc("POST /v1/items", a.create)
	mux.HandleFunc("GET /v1/items", a.list)
	mux.HandleFunc("GET /v1/items/{id}", a.get)
	mux.HandleFunc("DELETE /v1/items/{id}", a.delete)
	return mux
}

func (a *API) live(w http.ResponseWriter, _ *http.Request) { writeText(w, http.StatusOK, "ok") }

func (a *API) startup(w http.ResponseWriter, _ *http.Request) {
	if a.started.Load() {
		writeText(w, http.StatusOK, "ok")
		return
	}
	// The reason is in the logs only: this port is public behind the Ingress.
	writeText(w, http.StatusServiceUnavailable, "starting")
}

func (a *API) ready(w http.ResponseWriter, r *http.Request) {
	switch {
	case a.draining.Load():
		writeText(w, http.StatusServiceUnavailable, "draining")
	case !a.started.Load():
		writeText(w, http.StatusServiceUnavailable, "starting")
	default:
		ctx, cancel := context.WithTimeout(r.Context(), pingTimeout)
		defer cancel()
		if err := a.Ping(ctx); err != nil {
			a.Log.Warn("readiness: database unavailable", "err", err)
			writeText(w, http.StatusServiceUnavailable, "database unavailable")
			return
		}
		writeText(w, http.StatusOK, "ok")
	}
}

func (a *API) info(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, a.Info) }

type createRequest struct {
	Name string `json:"name"`
}

func (a *API) create(w http.ResponseWriter, r *http.Request) {
	var req createRequest
	if status, msg := decodeJSON(w, r, &req); status != 0 {
		writeError(w, status, msg)
		return
	}
	name := strings.TrimSpace(req.Name)
	if n := utf8.RuneCountInString(name); n == 0 || n > maxName {
		writeError(w, http.StatusUnprocessableEntity, fmt.Sprintf("name must be 1 to %d characters", maxName))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), dbTimeout)
	defer cancel()
	it, err := a.Items.Create(ctx, name)
	if err != nil {
		a.storeError(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/v1/items/%d", it.ID))
	writeJSON(w, http.StatusCreated, it)
}

func (a *API) get(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), dbTimeout)
	defer cancel()
	it, err := a.Items.Get(ctx, id)
	if err != nil {
		a.storeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, it)
}

func (a *API) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	after, err := queryInt(q.Get("after"), 0, 0, 1<<62)
	if err != nil {
		writeError(w, http.StatusBadRequest, "after: "+err.Error())
		return
	}
	limit, err := queryInt(q.Get("limit"), 50, 1, maxPage)
	if err != nil {
		writeError(w, http.StatusBadRequest, "limit: "+err.Error())
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), dbTimeout)
	defer cancel()
	items, err := a.Items.List(ctx, after, int(limit))
	if err != nil {
		a.storeError(w, r, err)
		return
	}
	if items == nil {
		items = []store.Item{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (a *API) delete(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), dbTimeout)
	defer cancel()
	if err := a.Items.Delete(ctx, id); err != nil {
		a.storeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// unavailableClasses are SQLSTATE classes that mean the server is going away or cannot serve now, not that the
// query was wrong: 08 connection exception, 53 insufficient resources, 57 operator intervention (shutdown, restart).
var unavailableClasses = []string{"08", "53", "57"}

// storeError maps storage errors: a missing row is 404, an error in the query is 500, and anything else (refused
// connection, TLS failure, timeout, a server shutting down) means the database is unavailable: 503, so clients retry.
func (a *API) storeError(w http.ResponseWriter, r *http.Request, err error) {
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "item not found")
	case errors.As(err, &pgErr) && !slices.Contains(unavailableClasses, pgErr.Code[:min(2, len(pgErr.Code))]):
		a.Log.Error("database error", "route", r.Pattern, "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
	default:
		a.Log.Error("database unavailable", "route", r.Pattern, "err", err)
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, "database unavailable, retry later")
	}
}

// decodeJSON reads exactly one JSON object with known fields from a body of at most MaxBodyBytes. It returns a
// status and message on failure, or 0.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) (int, string) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return http.StatusUnsupportedMediaType, "Content-Type must be application/json"
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", MaxBodyBytes)
	case err != nil:
		return http.StatusBadRequest, "invalid JSON body: " + err.Error()
	}
	return 0, ""
}

func pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		writeError(w, http.StatusBadRequest, "id must be a positive integer")
		return 0, false
	}
	return id, true
}

func queryInt(s string, def, lo, hi int64) (int64, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("must be an integer from %d to %d", lo, hi)
	}
	return n, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeText(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg + "\n"))
}

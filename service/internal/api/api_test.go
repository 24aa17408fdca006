package api

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"go-service/internal/store"
)

// fakeItems is an in-memory Items; err, when set, is returned by every call (a database that is down).
type fakeItems struct {
	mu    sync.Mutex
	items map[int64]store.Item
	next  int64
	err   error
}

func (f *fakeItems) Create(_ context.Context, name string) (store.Item, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return store.Item{}, f.err
	}
	f.next++
	it := store.Item{ID: f.next, Name: name, CreatedAt: time.Unix(0, 0)}
	f.items[it.ID] = it
	return it, nil
}

func (f *fakeItems) Get(_ context.Context, id int64) (store.Item, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return store.Item{}, f.err
	}
	it, ok := f.items[id]
	if !ok {
		return it, store.ErrNotFound
	}
	return it, nil
}

func (f *fakeItems) List(context.Context, int64, int) ([]store.Item, error) { return nil, f.err }

func (f *fakeItems) Delete(_ context.Context, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.items[id]; !ok {
		return store.ErrNotFound
	}
	delete(f.items, id)
	return nil
}

type fixture struct {
	api     *API
	items   *fakeItems
	metrics *Metrics
	handler http.Handler
	pingErr error
}

func newFixture() *fixture {
	f := &fixture{items: &fakeItems{items: map[int64]store.Item{}}}
	f.api = &API{
		Items: f.items,
		Ping:  func(context.Context) error { return f.pingErr },
		Log:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Info:  map[string]string{"mode": "alpha"},
	}
	f.api.MarkStarted()
	f.metrics = NewMetrics(prometheus.NewRegistry())
	f.handler = f.metrics.Instrument(f.api.Routes())
	return f
}

func (f *fixture) do(method, path, contentType, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	return rec
}

func expect(t *testing.T, rec *httptest.ResponseRecorder, status int, bodyContains string) {
	t.Helper()
	if rec.Code != status || !strings.Contains(rec.Body.String(), bodyContains) {
		t.Fatalf("got %d %q, want %d containing %q", rec.Code, rec.Body.String(), status, bodyContains)
	}
}

func TestItemsCRUD(t *testing.T) {
	f := newFixture()
	rec := f.do("POST", "/v1/items", "application/json", `{"name":"  first  "}`)
	expect(t, rec, http.StatusCreated, `"name":"first"`)
	if loc := rec.Header().Get("Location"); loc != "/v1/items/1" {
		t.Fatalf("Location %q", loc)
	}
	expect(t, f.do("GET", "/v1/items/1", "", ""), http.StatusOK, `"id":1`)
	expect(t, f.do("DELETE", "/v1/items/1", "", ""), http.StatusNoContent, "")
	expect(t, f.do("GET", "/v1/items/1", "", ""), http.StatusNotFound, "item not found")
	expect(t, f.do("GET", "/v1/items", "", ""), http.StatusOK, `{"items":[]}`)
}

func TestBadInputGetsClearErrors(t *testing.T) {
	f := newFixture()
	huge := `{"name":"` + strings.Repeat("x", MaxBodyBytes) + `"}`
	for _, c := range []struct {
		name, method, path, contentType, body string
		status                                int
		msg                                   string
	}{
		{"malformed JSON", "POST", "/v1/items", "application/json", `{"name":`, 400, "invalid JSON body"},
		{"unknown field", "POST", "/v1/items", "application/json", `{"nam":"x"}`, 400, `unknown field \"nam\"`},
		{"two values", "POST", "/v1/items", "application/json", `{"name":"a"}{"name":"b"}`, 400, "more than one JSON value"},
		{"wrong type", "POST", "/v1/items", "application/json", `{"name":1}`, 400, "invalid JSON body"},
		{"oversized body", "POST", "/v1/items", "application/json", huge, 413, "request body larger than 65536 bytes"},
		{"not JSON", "POST", "/v1/items", "text/plain", `{"name":"a"}`, 415, "Content-Type must be application/json"},
		{"empty name", "POST", "/v1/items", "application/json", `{"name":"   "}`, 422, "name must be 1 to 200 characters"},
		{"long name", "POST", "/v1/items", "application/json", `{"name":"` + strings.Repeat("é", 201) + `"}`, 422, "name must be"},
		{"bad id", "GET", "/v1/items/abc", "", "", 400, "id must be a positive integer"},
		{"zero id", "DELETE", "/v1/items/0", "", "", 400, "id must be a positive integer"},
		{"bad limit", "GET", "/v1/items?limit=1000", "", "", 400, "limit: must be an integer from 1 to 100"},
		{"bad after", "GET", "/v1/items?after=-1", "", "", 400, "after: must be an integer"},
		{"unknown route", "GET", "/nope", "", "", 404, ""},
		{"wrong method", "PUT", "/v1/items", "", "", 405, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			expect(t, f.do(c.method, c.path, c.contentType, c.body), c.status, c.msg)
		})
	}
}

func TestDatabaseDownIs503AndPostgresErrorsAre500(t *testing.T) {
	f := newFixture()
	f.items.err = errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")
	rec := f.do("POST", "/v1/items", "application/json", `{"name":"a"}`)
	expect(t, rec, http.StatusServiceUnavailable, "database unavailable, retry later")
	if rec.Header().Get("Retry-After") == "" {
		t.Fatal("503 without Retry-After")
	}
	expect(t, f.do("GET", "/v1/items", "", ""), http.StatusServiceUnavailable, "database unavailable")
	f.items.err = &pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"}
	expect(t, f.do("GET", "/v1/items/1", "", ""), http.StatusServiceUnavailable, "database unavailable")
	f.items.err = &pgconn.PgError{Code: "42P01", Message: "relation does not exist"}
	rec = f.do("GET", "/v1/items/1", "", "")
	expect(t, rec, http.StatusInternalServerError, "internal error")
	if strings.Contains(rec.Body.String(), "relation") {
		t.Fatal("a Postgres error leaked into the response")
	}
}

func TestProbes(t *testing.T) {
	f := newFixture()
	expect(t, f.do("GET", "/livez", "", ""), 200, "ok")
	expect(t, f.do("GET", "/healthz", "", ""), 200, "ok")
	expect(t, f.do("GET", "/startupz", "", ""), 200, "ok")
	expect(t, f.do("GET", "/readyz", "", ""), 200, "ok")
	f.pingErr = errors.New("down")
	expect(t, f.do("GET", "/readyz", "", ""), 503, "database unavailable")
	expect(t, f.do("GET", "/livez", "", ""), 200, "ok") // a database outage must not restart pods
	f.pingErr = nil
	f.api.MarkDraining()
	expect(t, f.do("GET", "/readyz", "", ""), 503, "draining")

	g := newFixture()
	g.api.started.Store(false)
	expect(t, g.do("GET", "/startupz", "", ""), 503, "starting")
	expect(t, g.do("GET", "/readyz", "", ""), 503, "starting")
	expect(t, g.do("GET", "/livez", "", ""), 200, "ok")
}

func TestMetricsLabelRoutesByPattern(t *testing.T) {
	f := newFixture()
	f.do("POST", "/v1/items", "application/json", `{"name":"a"}`)
	f.do("GET", "/v1/items/1", "", "")
	f.do("GET", "/v1/items/2", "", "")
	f.do("GET", "/no/such/path/123", "", "")
	f.do("BREW", "/v1/items", "", "")
	for _, c := range []struct {
		code, method, route string
		want                float64
	}{
		{"201", "POST", "/v1/items", 1},
		{"200", "GET", "/v1/items/{id}", 1},
		{"404", "GET", "/v1/items/{id}", 1},
		{"404", "GET", "unmatched", 1},
		{"405", "OTHER", "unmatched", 1},
	} {
		got := testutil.ToFloat64(f.metrics.requests.WithLabelValues(c.code, c.method, c.route))
		if got != c.want {
			t.Errorf("http_requests_total{code=%q,method=%q,route=%q} = %v, want %v", c.code, c.method, c.route, got, c.want)
		}
	}
	if n := testutil.CollectAndCount(f.metrics.duration, "http_request_duration_seconds"); n != 5 {
		t.Errorf("http_request_duration_seconds has %d series, want 5", n)
	}
}

package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the request metrics the alerting rules are written against.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewMetrics registers http_requests_total and http_request_duration_seconds, labelled {code, method, route}.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	labels := []string{"code", "method", "route"}
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total",
			Help: "HTTP requests served, by status code, method and route pattern.",
		}, labels),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by status code, method and route pattern.",
			Buckets: prometheus.DefBuckets,
		}, labels),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// methods bounds the method label; anything else counts as OTHER.
var methods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

// Instrument wraps a ServeMux. The route label is the matched pattern (bounded cardinality, ids stay out of it);
// requests that match no pattern share the route "unmatched".
func (m *Metrics) Instrument(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		mux.ServeHTTP(rec, r) // sets r.Pattern on this request when a pattern matches
		route := "unmatched"
		if r.Pattern != "" {
			route = r.Pattern[strings.IndexByte(r.Pattern, ' ')+1:] // "GET /v1/items/{id}" -> "/v1/items/{id}"
		}
		method := r.Method
		if !methods[method] {
			method = "OTHER"
		}
		labels := prometheus.Labels{"code": strconv.Itoa(rec.status), "method": method, "route": route}
		m.requests.With(labels).Inc()
		m.duration.With(labels).Observe(time.Since(start).Seconds())
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wroteHeader {
		s.status, s.wroteHeader = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wroteHeader = true
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

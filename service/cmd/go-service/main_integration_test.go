//go:build integration

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go-service/internal/pgtest"
)

// syncBuffer collects the service's log lines from its goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

type service struct {
	base    string
	metrics string
	logs    *syncBuffer
	stop    context.CancelFunc
	done    chan error
}

func start(t *testing.T) *service {
	dir, ca := pgtest.Env(t)
	port, metricsPort := freePort(t), freePort(t)
	env := map[string]string{
		"APP_MODE": "alpha", "APP_URL": "https://go-service.example.com", "LOG_LEVEL": "info",
		"PORT": strconv.Itoa(port), "METRICS_PORT": strconv.Itoa(metricsPort),
		"DB_CREDENTIALS_DIR": dir, "PGSSLMODE": "verify-full", "PGSSLROOTCERT": ca,
	}
	for k, v := range env {
		t.Setenv(k, v) // pgx reads PGSSLMODE and PGSSLROOTCERT from the process environment
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &service{
		base:    fmt.Sprintf("http://127.0.0.1:%d", port),
		metrics: fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort),
		logs:    &syncBuffer{}, stop: cancel, done: make(chan error, 1),
	}
	go func() { s.done <- run(ctx, func(k string) string { return env[k] }, s.logs) }()
	t.Cleanup(func() {
		cancel()
		<-s.done
	})
	s.waitFor(t, "/startupz", 200, 30*time.Second)
	return s
}

func (s *service) get(path string) (int, string) {
	resp, err := http.Get(s.base + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (s *service) waitFor(t *testing.T, path string, status int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		code, body := s.get(path)
		if code == status {
			return
		}
		select {
		case err := <-s.done:
			t.Fatalf("the service exited: %v\nlogs:\n%s", err, s.logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d %q after %s, want %d\nlogs:\n%s", path, code, body, within, status, s.logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func post(url, body string) (int, string) {
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The service through its HTTP API against the real database, including the database going away and coming back.
func TestServiceSurvivesTheDatabaseGoingDown(t *testing.T) {
	s := start(t)
	if code, body := post(s.base+"/v1/items", `{"name":"kept"}`); code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	if code, _ := s.get("/readyz"); code != 200 {
		t.Fatalf("readyz %d with the database up", code)
	}

	pgtest.Stop(t)
	restarted := false
	defer func() {
		if !restarted {
			pgtest.Start(t)
		}
	}()
	if code, body := post(s.base+"/v1/items", `{"name":"lost"}`); code != 503 ||
		!strings.Contains(body, "database unavailable") {
		t.Fatalf("create with the database down: %d %s", code, body)
	}
	if code, _ := s.get("/v1/items"); code != 503 {
		t.Fatalf("list with the database down: %d", code)
	}
	s.waitFor(t, "/readyz", 503, 5*time.Second)
	if code, _ := s.get("/livez"); code != 200 {
		t.Fatal("liveness failed with the database down: the kubelet would restart healthy pods")
	}

	pgtest.Start(t)
	restarted = true
	s.waitFor(t, "/readyz", 200, 10*time.Second)
	if code, body := s.get("/v1/items?limit=100"); code != 200 || !strings.Contains(body, `"name":"kept"`) {
		t.Fatalf("list after the restart: %d %s", code, body)
	}
	select {
	case err := <-s.done:
		t.Fatalf("the process stopped: %v", err)
	default:
	}
}

func TestMetricsCountRequestsAndCarryTheRevision(t *testing.T) {
	s := start(t)
	s.get("/v1/items/999999999")
	resp, err := http.Get(s.metrics)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		`http_requests_total{code="404",method="GET",route="/v1/items/{id}"} 1`,
		`http_request_duration_seconds_bucket{code="404",method="GET",route="/v1/items/{id}",le="+Inf"} 1`,
		`go_service_build_info{revision="unknown"} 1`,
		"go_memstats_heap_alloc_bytes",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestShutdownDrainsInFlightRequests(t *testing.T) {
	s := start(t)
	// A request in flight when SIGTERM arrives: its body is still being sent.
	body, sender := io.Pipe()
	result := make(chan string, 1)
	go func() {
		req, _ := http.NewRequest("POST", s.base+"/v1/items", body)
		req.Header.Set("Content-Type", "application/json")
		resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
		if err != nil {
			result <- err.Error()
			return
		}
		defer resp.Body.Close()
		result <- resp.Status
	}()
	fmt.Fprint(sender, `{"name":"in `)
	time.Sleep(200 * time.Millisecond)
	s.stop()
	time.Sleep(300 * time.Millisecond)
	select {
	case err := <-s.done:
		t.Fatalf("exited with a request in flight: %v", err)
	default:
	}
	if code, _ := s.get("/livez"); code != 0 {
		t.Fatalf("a new connection was served during the drain: %d", code)
	}
	fmt.Fprint(sender, `flight"}`)
	sender.Close()
	if got := <-result; got != "201 Created" {
		t.Fatalf("in-flight request: %s", got)
	}
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("drain: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no exit within the drain window")
	}
	s.done <- nil // for the cleanup
	if !strings.Contains(s.logs.String(), `"msg":"stopped"`) {
		t.Fatalf("no stop log:\n%s", s.logs.String())
	}
}

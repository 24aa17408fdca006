// Command go-service is the platform's reference service: the contract charts/go-service deploys.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"go-service/internal/api"
	"go-service/internal/config"
	"go-service/internal/store"
)

// revision is the source commit, set at build time: -ldflags "-X main.revision=<git sha>".
var revision = "unknown"

func main() {
	stop, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	if err := run(stop, os.Getenv, os.Stdout); err != nil {
		slog.New(slog.NewJSONHandler(os.Stderr, nil)).Error("exiting", "err", err)
		cancel()
		os.Exit(1)
	}
}

// run serves until stop is done (SIGTERM), then drains.
func run(stop context.Context, getenv func(string) string, out io.Writer) error {
	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	log := slog.New(slog.NewJSONHandler(out, &slog.HandlerOptions{Level: cfg.LogLevel})).
		With("app_mode", cfg.Mode, "revision", revision)

	poolCfg, err := store.PoolConfig(cfg.CredentialsDir)
	if err != nil {
		return err
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), poolCfg) // connects lazily: a down database is not fatal
	if err != nil {
		return err
	}
	defer pool.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	buildInfo := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "go_service_build_info",
		Help: "Always 1; the revision label is the source commit the binary was built from.",
	}, []string{"revision"})
	buildInfo.WithLabelValues(revision).Set(1)
	reg.MustRegister(buildInfo)

	a := &api.API{
		Items: store.Items{Pool: pool},
		Ping:  pool.Ping,
		Log:   log,
		Info:  map[string]string{"service": "go-service", "mode": cfg.Mode, "url": cfg.URL.String(), "revision": revision},
	}
	public := newServer(api.NewMetrics(reg).Instrument(a.Routes()), log)
	metricsMux := http.NewServeMux()
	metricsMux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	metrics := newServer(metricsMux, log)

	// Bind both ports before reporting start, so a taken port is a startup error, not a silent half-service. All
	// interfaces: the kubelet, the ALB and Prometheus reach the pod IP; the NetworkPolicy decides who may.
	publicLn, err := net.Listen("tcp", ":"+strconv.Itoa(cfg.Port)) // #nosec G102 -- see above
	if err != nil {
		return err
	}
	metricsLn, err := net.Listen("tcp", ":"+strconv.Itoa(cfg.MetricsPort)) // #nosec G102 -- see above
	if err != nil {
		return err
	}
	log.Info("starting",
		"url", cfg.URL.String(), "port", cfg.Port, "metrics_port", cfg.MetricsPort,
		"gomemlimit", debug.SetMemoryLimit(-1), "gomaxprocs", runtime.GOMAXPROCS(0),
		"shutdown_timeout_seconds", cfg.ShutdownTimeout.Seconds())

	serveErr := make(chan error, 2)
	go func() { serveErr <- public.Serve(publicLn) }()
	go func() { serveErr <- metrics.Serve(metricsLn) }()
	go migrate(stop, pool, a, log)

	select {
	case err := <-serveErr:
		return fmt.Errorf("server stopped: %w", err)
	case <-stop.Done():
	}

	// SIGTERM arrives after the chart's preStop sleep, once endpoints and the ALB have stopped routing here.
	started := time.Now()
	log.Info("draining", "timeout_seconds", cfg.ShutdownTimeout.Seconds())
	a.MarkDraining()
	ctx, done := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer done()
	err = errors.Join(public.Shutdown(ctx), metrics.Shutdown(ctx))
	if err != nil {
		return fmt.Errorf("drain did not finish within %s: %w", cfg.ShutdownTimeout, err)
	}
	log.Info("stopped", "drain_seconds", time.Since(started).Seconds())
	return nil
}

// migrate applies migrations, retrying with backoff while the database is unreachable; the startup probe passes
// once they are in. The chart's startup window (30 x 2s) then decides when a pod that never gets there restarts.
func migrate(ctx context.Context, pool *pgxpool.Pool, a *api.API, log *slog.Logger) {
	for wait := 250 * time.Millisecond; ; wait = min(2*wait, 5*time.Second) {
		applied, err := store.Migrate(ctx, pool)
		if err == nil {
			log.Info("database ready", "migrations_applied", applied)
			a.MarkStarted()
			return
		}
		log.Warn("database not ready, retrying", "err", err, "retry_in", wait.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

func newServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// Package config reads the service's settings from the environment, exactly as charts/go-service provides them:
// the ConfigMap (APP_MODE, APP_URL, LOG_LEVEL, PORT, METRICS_PORT, PGSSLMODE) and the Deployment's env
// (DB_CREDENTIALS_DIR, PGSSLROOTCERT; GOMEMLIMIT is read by the Go runtime itself).
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Modes are the chart's app_mode values (components/service.ts maps the stack prod to "production").
var Modes = []string{"alpha", "beta", "uat", "production"}

// sslModes the service accepts: the chart's interface is verify-full; verify-ca is the only other mode that
// authenticates the server. Weaker modes would send the password to whoever answers.
var sslModes = []string{"verify-full", "verify-ca"}

// Config is the validated runtime configuration.
type Config struct {
	Mode           string
	URL            *url.URL
	LogLevel       slog.Level
	Port           int
	MetricsPort    int
	CredentialsDir string
	// ShutdownTimeout bounds the drain after SIGTERM. The chart's preStop sleep (10s) runs before SIGTERM inside
	// terminationGracePeriodSeconds (30s), which leaves 20s; 15s keeps a margin. The contract test checks it.
	ShutdownTimeout time.Duration
}

// Load reads and validates the environment; it reports every problem at once.
func Load(getenv func(string) string) (*Config, error) {
	var errs []error
	fail := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{key}, args...)...))
	}
	c := &Config{Mode: getenv("APP_MODE"), CredentialsDir: getenv("DB_CREDENTIALS_DIR"), ShutdownTimeout: 15 * time.Second}

	if !slices.Contains(Modes, c.Mode) {
		fail("APP_MODE", "%q is not one of %s", c.Mode, strings.Join(Modes, ", "))
	}
	if u, err := url.Parse(getenv("APP_URL")); err != nil || u.Scheme != "https" || u.Host == "" {
		fail("APP_URL", "%q is not an https URL", getenv("APP_URL"))
	} else {
		c.URL = u
	}
	if err := c.LogLevel.UnmarshalText([]byte(getenv("LOG_LEVEL"))); err != nil {
		fail("LOG_LEVEL", "%q is not one of debug, info, warn, error", getenv("LOG_LEVEL"))
	}
	c.Port = port(getenv, "PORT", fail)
	c.MetricsPort = port(getenv, "METRICS_PORT", fail)
	if c.Port != 0 && c.Port == c.MetricsPort {
		fail("METRICS_PORT", "must differ from PORT (%d)", c.Port)
	}
	if c.CredentialsDir == "" {
		fail("DB_CREDENTIALS_DIR", "not set (the directory holding the database Secret's files)")
	} else if st, err := os.Stat(c.CredentialsDir); err != nil || !st.IsDir() {
		fail("DB_CREDENTIALS_DIR", "%q is not a readable directory", c.CredentialsDir)
	}
	// The driver reads PGSSLMODE and PGSSLROOTCERT itself; checked here so a weak or missing mode fails at start.
	if mode := getenv("PGSSLMODE"); !slices.Contains(sslModes, mode) {
		fail("PGSSLMODE", "%q is not one of %s", mode, strings.Join(sslModes, ", "))
	}
	if root := getenv("PGSSLROOTCERT"); root == "" {
		fail("PGSSLROOTCERT", "not set (the CA that signed the database's server certificate)")
	} else if _, err := os.Stat(root); err != nil {
		fail("PGSSLROOTCERT", "%q is not readable", root)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

func port(getenv func(string) string, key string, fail func(string, string, ...any)) int {
	p, err := strconv.Atoi(getenv(key))
	if err != nil || p < 1 || p > 65535 {
		fail(key, "%q is not a port (1-65535)", getenv(key))
		return 0
	}
	return p
}

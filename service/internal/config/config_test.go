package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(t *testing.T, overrides map[string]string) func(string) string {
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.crt")
	if err := os.WriteFile(ca, []byte("test"), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{
		"APP_MODE": "production", "APP_URL": "https://api.example.com", "LOG_LEVEL": "warn",
		"PORT": "8080", "METRICS_PORT": "9090", "DB_CREDENTIALS_DIR": dir,
		"PGSSLMODE": "verify-full", "PGSSLROOTCERT": ca,
	}
	for k, v := range overrides {
		vars[k] = v
	}
	return func(k string) string { return vars[k] }
}

func TestLoadReadsTheChartsEnvironment(t *testing.T) {
	c, err := Load(env(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Mode != "production" || c.URL.Host != "api.example.com" || c.Port != 8080 || c.MetricsPort != 9090 ||
		c.LogLevel.String() != "WARN" || c.ShutdownTimeout != 15*time.Second {
		t.Fatalf("unexpected config %+v", c)
	}
}

func TestLoadReportsEveryProblemAtOnce(t *testing.T) {
	_, err := Load(env(t, map[string]string{
		"APP_MODE": "prod", "APP_URL": "http://x", "LOG_LEVEL": "loud", "PORT": "0", "METRICS_PORT": "x",
		"DB_CREDENTIALS_DIR": "/nonexistent", "PGSSLMODE": "require", "PGSSLROOTCERT": "",
	}))
	if err == nil {
		t.Fatal("invalid environment accepted")
	}
	for _, want := range []string{
		`APP_MODE: "prod" is not one of alpha, beta, uat, production`,
		`APP_URL: "http://x" is not an https URL`,
		`LOG_LEVEL: "loud"`,
		`PORT: "0" is not a port`,
		`METRICS_PORT: "x" is not a port`,
		`DB_CREDENTIALS_DIR: "/nonexistent" is not a readable directory`,
		`PGSSLMODE: "require" is not one of verify-full, verify-ca`,
		`PGSSLROOTCERT: not set`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestLoadRejectsOnePortForBoth(t *testing.T) {
	if _, err := Load(env(t, map[string]string{"METRICS_PORT": "8080"})); err == nil ||
		!strings.Contains(err.Error(), "METRICS_PORT: must differ from PORT (8080)") {
		t.Fatalf("got %v", err)
	}
}

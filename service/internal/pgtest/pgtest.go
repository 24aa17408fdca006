// Package pgtest gives integration tests the real PostgreSQL that scripts/service/test.sh starts (TLS only, a
// private port). Integration tests build with -tags integration and fail, never skip, without it.
package pgtest

import (
	"os"
	"os/exec"
	"testing"
)

// Env returns the test database's settings, exported by scripts/service/postgres.sh.
func Env(t testing.TB) (credentialsDir, ca string) {
	t.Helper()
	credentialsDir, ca = os.Getenv("PGTEST_CREDENTIALS_DIR"), os.Getenv("PGTEST_CA")
	if credentialsDir == "" || ca == "" {
		t.Fatal("PGTEST_CREDENTIALS_DIR and PGTEST_CA are not set: run the integration tests with npm run test:service")
	}
	return credentialsDir, ca
}

// VerifyFull points the driver at the test CA with verify-full, as the chart does.
func VerifyFull(t testing.TB) string {
	dir, ca := Env(t)
	t.Setenv("PGSSLMODE", "verify-full")
	t.Setenv("PGSSLROOTCERT", ca)
	return dir
}

// Stop stops the server; Start brings it back (the scripts written by postgres.sh).
func Stop(t testing.TB)  { run(t, "PGTEST_STOP") }
func Start(t testing.TB) { run(t, "PGTEST_START") }

func run(t testing.TB, key string) {
	t.Helper()
	// #nosec G204 G702 -- test-only: the script scripts/service/postgres.sh wrote for this run.
	if out, err := exec.Command(os.Getenv(key)).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", key, err, out)
	}
}

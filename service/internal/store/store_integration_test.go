//go:build integration

package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"go-service/internal/pgtest"
)

func connect(t *testing.T, dir string) *pgxpool.Pool {
	t.Helper()
	cfg, err := PoolConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func TestMigrationsAreIdempotentUnderConcurrentReplicas(t *testing.T) {
	pool := connect(t, pgtest.VerifyFull(t))
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 { // four pods starting at once
		wg.Go(func() {
			_, err := Migrate(context.Background(), pool)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := pool.QueryRow(t.Context(), "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil || n != 1 {
		t.Fatalf("schema_migrations rows %d, err %v", n, err)
	}
	if applied, err := Migrate(t.Context(), pool); err != nil || len(applied) != 0 {
		t.Fatalf("second run applied %v, err %v", applied, err)
	}
}

func TestItemsAgainstPostgres(t *testing.T) {
	pool := connect(t, pgtest.VerifyFull(t))
	if _, err := Migrate(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	s := Items{Pool: pool}
	a, err := s.Create(t.Context(), "alpha")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.Create(t.Context(), "beta")
	got, err := s.Get(t.Context(), a.ID)
	if err != nil || got.Name != "alpha" || got.CreatedAt.IsZero() {
		t.Fatalf("get: %+v %v", got, err)
	}
	page, err := s.List(t.Context(), a.ID, 10)
	if err != nil || len(page) == 0 || page[0].ID != b.ID {
		t.Fatalf("list after %d: %+v %v", a.ID, page, err)
	}
	if err := s.Delete(t.Context(), a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(t.Context(), a.ID); err != ErrNotFound {
		t.Fatalf("get deleted: %v", err)
	}
	if err := s.Delete(t.Context(), a.ID); err != ErrNotFound {
		t.Fatalf("delete deleted: %v", err)
	}
	// The table enforces what the API validates, in case another writer forgets.
	if _, err := s.Create(t.Context(), strings.Repeat("x", 201)); err == nil {
		t.Fatal("a 201-character name was stored")
	}
}

// verify-full is really exercised: the wrong CA, or a host the certificate does not name, is refused.
func TestVerifyFullRefusesAnUnverifiedServer(t *testing.T) {
	dir := pgtest.VerifyFull(t)
	other := t.TempDir()
	for _, key := range credentialKeys {
		b, _ := os.ReadFile(filepath.Join(dir, key))
		os.WriteFile(filepath.Join(other, key), b, 0o600)
	}
	os.WriteFile(filepath.Join(other, "host"), []byte("127.0.0.1"), 0o600) // the certificate names only localhost
	if err := connect(t, other).Ping(t.Context()); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("connected to a host the certificate does not name: %v", err)
	}

	wrongCA := filepath.Join(t.TempDir(), "ca.crt")
	os.WriteFile(wrongCA, unrelatedCA(t), 0o600)
	t.Setenv("PGSSLROOTCERT", wrongCA)
	if err := connect(t, dir).Ping(t.Context()); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("connected with the wrong CA: %v", err)
	}
}

func TestWrongPasswordIsRefused(t *testing.T) {
	dir := pgtest.VerifyFull(t)
	other := t.TempDir()
	for _, key := range credentialKeys {
		b, _ := os.ReadFile(filepath.Join(dir, key))
		os.WriteFile(filepath.Join(other, key), b, 0o600)
	}
	os.WriteFile(filepath.Join(other, "password"), []byte("wrong"), 0o600)
	if err := connect(t, other).Ping(t.Context()); err == nil || !strings.Contains(err.Error(), "password authentication failed") {
		t.Fatalf("wrong password: %v", err)
	}
}

package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeCredentials(t *testing.T, values map[string]string) string {
	dir := t.TempDir()
	for k, v := range values {
		if err := os.WriteFile(filepath.Join(dir, k), []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestPoolConfigFromSecretFiles(t *testing.T) {
	t.Setenv("PGSSLMODE", "verify-full")
	t.Setenv("PGSSLROOTCERT", "")
	dir := writeCredentials(t, map[string]string{
		"host": "db-rw.database.svc\n", "port": "5433", "dbname": "app", "username": "o'brien", "password": `p'w\x`,
	})
	cfg, err := PoolConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	cc := cfg.ConnConfig
	if cc.Host != "db-rw.database.svc" || cc.Port != 5433 || cc.Database != "app" || cc.User != "o'brien" {
		t.Fatalf("unexpected %s:%d/%s as %s", cc.Host, cc.Port, cc.Database, cc.User)
	}
	// verify-full: TLS checks the certificate against the host from the Secret.
	if cc.TLSConfig == nil || cc.TLSConfig.ServerName != "db-rw.database.svc" || cc.TLSConfig.InsecureSkipVerify {
		t.Fatalf("TLS not verify-full for the Secret's host: %+v", cc.TLSConfig)
	}
	if err := cfg.BeforeConnect(t.Context(), cc); err != nil || cc.Password != `p'w\x` {
		t.Fatalf("password %q, err %v", cc.Password, err)
	}
	// A rotated Secret: the kubelet rewrites the file, the next connection uses it.
	if err := os.WriteFile(filepath.Join(dir, "password"), []byte("rotated"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := cfg.BeforeConnect(t.Context(), cc); err != nil || cc.Password != "rotated" {
		t.Fatalf("password after rotation %q, err %v", cc.Password, err)
	}
}

func TestPoolConfigNamesTheMissingFile(t *testing.T) {
	dir := writeCredentials(t, map[string]string{"host": "h", "port": "5432", "dbname": "app", "password": "x"})
	_, err := PoolConfig(dir)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "username")) {
		t.Fatalf("got %v", err)
	}
}

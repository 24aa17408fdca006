// Package store owns the Postgres connection, the embedded migrations and the items table.
package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Files of the CloudNativePG application Secret (`<cluster>-app`) that the chart mounts in DB_CREDENTIALS_DIR.
var credentialKeys = []string{"host", "port", "dbname", "username", "password"}

// PoolConfig builds the pool settings from the mounted Secret's files. TLS comes from PGSSLMODE and PGSSLROOTCERT,
// which pgx reads from the environment like libpq; the host from the file is what verify-full checks the
// certificate against. The password is re-read for every new connection, so a rotated Secret (kubelet refreshes
// the mounted files) takes effect without a restart.
func PoolConfig(dir string) (*pgxpool.Config, error) {
	v := map[string]string{}
	for _, key := range credentialKeys {
		b, err := readCredential(dir, key)
		if err != nil {
			return nil, err
		}
		v[key] = strings.TrimSpace(string(b))
		if v[key] == "" {
			return nil, fmt.Errorf("database credentials: %s is empty", filepath.Join(dir, key))
		}
	}
	dsn := fmt.Sprintf("host=%s port=%s dbname=%s user=%s application_name=go-service",
		quote(v["host"]), quote(v["port"]), quote(v["dbname"]), quote(v["username"]))
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("database credentials: %w", err)
	}
	cfg.BeforeConnect = func(_ context.Context, cc *pgx.ConnConfig) error {
		b, err := readCredential(dir, "password")
		if err != nil {
			return err
		}
		cc.Password = strings.TrimRight(string(b), "\r\n")
		return nil
	}
	return cfg, nil
}

// readCredential reads one key of the mounted Secret, confined to its directory (os.Root: the kubelet's `..data`
// symlinks resolve inside it; nothing can point the service elsewhere).
func readCredential(dir, key string) ([]byte, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("database credentials: %w", err)
	}
	defer root.Close()
	b, err := root.ReadFile(key)
	if err != nil {
		return nil, fmt.Errorf("database credentials: %s: %w", filepath.Join(dir, key), err)
	}
	return b, nil
}

// quote makes a libpq key/value literal: single quotes, with backslash and quote escaped.
func quote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

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
		b, err := os.ReadFile(filepath.Join(dir, key))
		if err != nil {
			return nil, fmt.Errorf("database credentials: %w", err)
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
	passwordFile := filepath.Join(dir, "password")
	cfg.BeforeConnect = func(_ context.Context, cc *pgx.ConnConfig) error {
		b, err := os.ReadFile(passwordFile)
		if err != nil {
			return fmt.Errorf("database credentials: %w", err)
		}
		cc.Password = strings.TrimRight(string(b), "\r\n")
		return nil
	}
	return cfg, nil
}

// quote makes a libpq key/value literal: single quotes, with backslash and quote escaped.
func quote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

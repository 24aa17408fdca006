#!/usr/bin/env bash
# Sourced by scripts/service/*.sh: a throwaway PostgreSQL (Debian's `postgresql` package) on a private port and data
# directory, serving TLS only with a CA and server certificate generated here, so clients exercise verify-full.
# `pg_start DIR` exports:
#   PGTEST_CREDENTIALS_DIR  files host, port, dbname, username, password (the CloudNativePG app Secret's keys)
#   PGTEST_CA               the CA certificate (the CloudNativePG `<cluster>-ca` Secret's ca.crt)
#   PGTEST_STOP / PGTEST_START  commands that stop and restart the server (the "database is down" tests)
# `pg_stop` stops it; the caller removes DIR. Postgres refuses to run as root: as root, the server runs as the
# package's `postgres` user.

pg_install() {
  if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || ! command -v openssl >/dev/null; then
    echo "postgres: installing Debian's postgresql and openssl packages"
    [[ $EUID -eq 0 ]] || { echo "postgres: run as root or install postgresql and openssl" >&2; return 1; }
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql openssl >/dev/null
  fi
  PG_BIN="$(dirname "$(compgen -G "/usr/lib/postgresql/*/bin/initdb" | sort -V | tail -1)")"
  echo "postgres: $("$PG_BIN/postgres" --version)"
}

# Runs a command as the database's OS user.
pg_as() {
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A free loopback port: connecting fails (bash's /dev/tcp) when nothing listens.
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

pg_certs() {
  local tls="$1"
  mkdir -p "$tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=go-service test CA" -keyout "$tls/ca.key" -out "$tls/ca.crt" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
    -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial -days 2 \
    -extfile <(printf 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n') \
    -out "$tls/server.crt" 2>/dev/null
  chmod 600 "$tls/server.key"
}

pg_start() {
  local dir="$1"
  pg_install
  PG_DIR="$dir/postgres"
  mkdir -p "$PG_DIR/socket"
  pg_certs "$PG_DIR/tls"
  local password port
  password="$(openssl rand -hex 16)"
  port="$(free_port)"
  [[ $EUID -eq 0 ]] && chown -R postgres: "$PG_DIR" && chmod 755 "$dir"
  pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth-local=trust --auth-host=reject >/dev/null
  # TCP only over TLS with a password; the superuser only over the private socket.
  cat >"$PG_DIR/data/pg_hba.conf" <<HBA
local     all  postgres            trust
hostssl   all  app       localhost scram-sha-256
HBA
  PG_OPTS="-p $port -k $PG_DIR/socket -c listen_addresses=localhost -c ssl=on -c ssl_cert_file=$PG_DIR/tls/server.crt -c ssl_key_file=$PG_DIR/tls/server.key -c fsync=off"
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -o "$PG_OPTS" -w start >/dev/null
  pg_as "$PG_BIN/psql" -h "$PG_DIR/socket" -p "$port" -U postgres -qAt -v ON_ERROR_STOP=1 <<SQL
CREATE ROLE app LOGIN PASSWORD '$password';
CREATE DATABASE app OWNER app;
SQL
  export PGTEST_CREDENTIALS_DIR="$dir/credentials" PGTEST_CA="$PG_DIR/tls/ca.crt"
  mkdir -p "$PGTEST_CREDENTIALS_DIR"
  printf localhost >"$PGTEST_CREDENTIALS_DIR/host"
  printf '%s' "$port" >"$PGTEST_CREDENTIALS_DIR/port"
  printf app >"$PGTEST_CREDENTIALS_DIR/dbname"
  printf app >"$PGTEST_CREDENTIALS_DIR/username"
  printf '%s' "$password" >"$PGTEST_CREDENTIALS_DIR/password"
  # Stop/start helpers for tests that take the database away and bring it back.
  local as=""
  [[ $EUID -eq 0 ]] && as="runuser -u postgres --"
  printf '#!/bin/sh\nexec %s %q -D %q -m fast -w stop\n' "$as" "$PG_BIN/pg_ctl" "$PG_DIR/data" >"$dir/pg-stop"
  printf '#!/bin/sh\nexec %s %q -D %q -l %q -o %q -w start\n' "$as" "$PG_BIN/pg_ctl" "$PG_DIR/data" "$PG_DIR/log" "$PG_OPTS" >"$dir/pg-start"
  chmod +x "$dir/pg-stop" "$dir/pg-start"
  export PGTEST_STOP="$dir/pg-stop" PGTEST_START="$dir/pg-start"
  echo "postgres: running on localhost:$port (TLS, data in $PG_DIR/data)"
}

pg_stop() {
  [[ -n "${PG_DIR:-}" && -f "$PG_DIR/data/postmaster.pid" ]] || return 0
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
}

#!/usr/bin/env bash
# npm run test:service: go vet, unit tests with -race, integration tests against a real PostgreSQL (TLS,
# verify-full) and the chart contract test for every environment.
# Postgres runs on a private port and data directory under a temp dir, removed on every exit path.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=postgres.sh
source "$root/scripts/service/postgres.sh"
command -v go >/dev/null || { echo "test:service: Go 1.26+ is required on PATH" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/go-service-test.XXXXXX")"
cleanup() {
  pg_stop
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
started=$SECONDS
step() { echo "test:service [$((SECONDS - started))s] $*"; }

cd "$root/service"
step "go vet"
go vet ./...
go vet -tags integration ./...
step "unit tests (go test -race)"
go test -race -count=1 ./...

step "starting PostgreSQL"
pg_start "$work"
step "integration tests against PostgreSQL (go test -race -tags integration)"
go test -race -count=1 -tags integration ./...

revision="$(git -C "$root" rev-parse HEAD)"
step "building the binary at $revision"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.revision=$revision" -o "$work/go-service" ./cmd/go-service

step "chart tools"
bash "$root/scripts/install-chart-tools.sh" >/dev/null
step "contract test: each environment's rendered pod runs the binary"
cd "$root"
GO_SERVICE_BIN="$work/go-service" GO_SERVICE_REVISION="$revision" npx mocha --config .mocharc.service.json
step "done"

#!/usr/bin/env bash
# npm run test:service: go vet, unit tests with -race, integration tests against a real PostgreSQL (TLS,
# verify-full), the image built twice (one digest), and the chart contract test for every environment against
# the image's binary.
# Postgres runs on a private port and data directory under a temp dir, removed on every exit path.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=postgres.sh
source "$root/scripts/service/postgres.sh"
me=test:service
bin="$root/.tools/bin"
# shellcheck source=../lib/go-tools.sh
source "$root/scripts/lib/go-tools.sh"
require_go

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
step "gofmt"
unformatted="$(gofmt -l .)"
[[ -z "$unformatted" ]] || { echo "test:service: gofmt needed:" $unformatted >&2; exit 1; }
step "unit tests (go test -race)"
go test -race -count=1 ./...

step "starting PostgreSQL"
pg_start "$work"
step "integration tests against PostgreSQL (go test -race -tags integration)"
go test -race -count=1 -tags integration ./...

revision="$(git -C "$root" rev-parse HEAD)"
step "building the image at $revision, twice"
digest="$(bash "$root/scripts/service/build-image.sh" "$work/image")"
again="$(bash "$root/scripts/service/build-image.sh" "$work/image-again")"
[[ "$digest" == "$again" ]] || { echo "test:service: two builds of one commit gave $digest and $again" >&2; exit 1; }
diff -r "$work/image/oci" "$work/image-again/oci"
step "reproducible: both builds are $digest"

step "chart tools"
bash "$root/scripts/install-chart-tools.sh" >/dev/null
step "contract test: each environment's rendered pod runs the image's binary"
cd "$root"
GO_SERVICE_BIN="$work/image/bin/$(go env GOARCH)" GO_SERVICE_REVISION="$revision" \
  npx mocha --config .mocharc.service.json
step "done"

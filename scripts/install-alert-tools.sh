#!/usr/bin/env bash
# Installs promtool and amtool into .tools/bin with `go install` at the versions pinned in
# scripts/chart-tools.versions (Go module proxy only). Idempotent: a stamp per tool records module@version, and
# Go's module and build caches make a rebuild after a bump incremental. helm (for rendering the chart's rules)
# comes from scripts/install-chart-tools.sh.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=chart-tools.versions
source "$root/scripts/chart-tools.versions"
bin="$root/.tools/bin"
started=$SECONDS
me=install-alert-tools
# shellcheck source=lib/go-tools.sh
source "$root/scripts/lib/go-tools.sh"
require_go

install_tool amtool github.com/prometheus/alertmanager/cmd/amtool "$ALERTMANAGER_VERSION"

# `go install github.com/prometheus/prometheus/cmd/promtool@<v>` is refused: Prometheus's go.mod has a replace
# directive. So build it inside the downloaded module (its own go.mod and go.sum, no go.work). remove_all_sd drops
# the service-discovery plugins, which rule checks and rule unit tests never use (plugins/*.go build tags).
want="github.com/prometheus/prometheus/cmd/promtool@$PROMETHEUS_VERSION"
if [[ -x "$bin/promtool" && "$(cat "$bin/.promtool.version" 2>/dev/null)" == "$want" ]]; then
  echo "install-alert-tools: promtool $PROMETHEUS_VERSION present"
else
  echo "install-alert-tools: building $want from the module (first build: several minutes)"
  dir="$(module_dir "github.com/prometheus/prometheus@$PROMETHEUS_VERSION")"
  (cd "$dir" && GOWORK=off GOFLAGS= GOBIN="$bin" go install -trimpath -tags remove_all_sd ./cmd/promtool)
  echo "$want" >"$bin/.promtool.version"
fi
echo "install-alert-tools: ready in $((SECONDS - started))s ($bin)"

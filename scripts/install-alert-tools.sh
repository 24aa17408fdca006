#!/usr/bin/env bash
# Installs promtool and amtool into .tools/bin with `go install` at the versions pinned in
# scripts/chart-tools.versions (Go module proxy only), and argo-condition: Argo Rollouts' own condition evaluator
# (utils/evaluate at ARGO_ROLLOUTS_VERSION) behind a small main, for the AnalysisTemplate's success conditions. Idempotent: a stamp per tool records module@version, and
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
# argo-condition: stdin [{"condition": "...", "result": ["0.5", "NaN"]}], stdout [{"ok": bool, "error": "..."}],
# exactly as the controller evaluates a Prometheus metric's successCondition.
want="github.com/argoproj/argo-rollouts@$ARGO_ROLLOUTS_VERSION utils/evaluate"
if [[ -x "$bin/argo-condition" && "$(cat "$bin/.argo-condition.version" 2>/dev/null)" == "$want" ]]; then
  echo "install-alert-tools: argo-condition $ARGO_ROLLOUTS_VERSION present"
else
  echo "install-alert-tools: building argo-condition on $want (first build: a few minutes)"
  wrapper="$root/.tools/argo-condition"
  rm -rf "$wrapper" && mkdir -p "$wrapper"
  printf 'module platform.local/argo-condition\n\ngo 1.24\n\nrequire github.com/argoproj/argo-rollouts %s\n' \
    "$ARGO_ROLLOUTS_VERSION" >"$wrapper/go.mod"
  cat >"$wrapper/main.go" <<'GO'
package main

import (
	"encoding/json"
	"os"
	"strconv"

	"github.com/argoproj/argo-rollouts/utils/evaluate"
)

type check struct {
	Condition string   `json:"condition"`
	Result    []string `json:"result"`
}

type outcome struct {
	OK    bool   `json:"ok"`
	Error string `json:"error"`
}

func main() {
	var checks []check
	if err := json.NewDecoder(os.Stdin).Decode(&checks); err != nil {
		panic(err)
	}
	out := make([]outcome, 0, len(checks))
	for _, c := range checks {
		result := make([]float64, 0, len(c.Result))
		for _, r := range c.Result {
			f, err := strconv.ParseFloat(r, 64)
			if err != nil {
				panic(err)
			}
			result = append(result, f)
		}
		ok, err := evaluate.EvalCondition(result, c.Condition)
		o := outcome{OK: ok}
		if err != nil {
			o.Error = err.Error()
		}
		out = append(out, o)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		panic(err)
	}
}
GO
  (cd "$wrapper" && go mod tidy && go build -trimpath -o "$bin/argo-condition" .)
  echo "$want" >"$bin/.argo-condition.version"
fi
echo "install-alert-tools: ready in $((SECONDS - started))s ($bin)"

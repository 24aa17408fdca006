#!/usr/bin/env bash
# Installs the chart test tools into .tools/bin with `go install` and builds offline JSON schemas for
# kubeconform into .tools/schemas. Versions live in scripts/chart-tools.versions; everything comes from the
# Go module proxy (no GitHub, no other downloads). Idempotent: a stamp per tool records module@version, so a
# rerun only rebuilds what changed; Go's default module and build caches keep rebuilds fast.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=chart-tools.versions
source "$root/scripts/chart-tools.versions"
tools="$root/.tools"
bin="$tools/bin"
started=$SECONDS

command -v go >/dev/null || { echo "install-chart-tools: Go 1.26+ is required on PATH" >&2; exit 1; }
mkdir -p "$bin"

install_tool() {
  local name="$1" want="$2@$3" stamp="$bin/.$1.version"
  if [[ -x "$bin/$name" && "$(cat "$stamp" 2>/dev/null)" == "$want" ]]; then
    echo "install-chart-tools: $name $3 present"
    return
  fi
  local started=$SECONDS
  echo "install-chart-tools: go install $want (a first build takes minutes; Go's build cache makes rebuilds fast)"
  GOBIN="$bin" go install -trimpath "$want"
  echo "$want" >"$stamp"
  echo "install-chart-tools: $name built in $((SECONDS - started))s"
}

install_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION"
install_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION"
install_tool kube-score github.com/zegl/kube-score/cmd/kube-score "$KUBE_SCORE_VERSION"

# Module source directory in the Go module cache (downloads the module zip on first use).
module_dir() {
  go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p'
}

schemas="$tools/schemas"
generator="$root/test/charts/generate-schemas.ts"
want="kubernetes=$KUBERNETES_VERSION prometheus-operator=$PROMETHEUS_OPERATOR_VERSION argo-rollouts=$ARGO_ROLLOUTS_VERSION generator=$(sha256sum "$generator" | cut -c1-16)"
if [[ "$(cat "$schemas/.stamp" 2>/dev/null)" == "$want" ]]; then
  echo "install-chart-tools: schemas present ($want)"
else
  echo "install-chart-tools: generating schemas ($want)"
  k8s="$(module_dir "k8s.io/kubernetes@$KUBERNETES_VERSION")"
  operator="$(module_dir "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION")"
  rm -rf "$schemas.tmp" "$schemas"
  (cd "$root" && node --require ts-node/register/transpile-only "$generator" \
    "$k8s/api/openapi-spec/swagger.json" "$operator/example/prometheus-operator-crd" "$schemas.tmp")
  # Argo Rollouts CRDs (Rollout, AnalysisTemplate, …) from the controller's module, at the chart's appVersion.
  argo="$(module_dir "github.com/argoproj/argo-rollouts@$ARGO_ROLLOUTS_VERSION")"
  (cd "$root" && node --require ts-node/register/transpile-only \
    -e 'console.log(`generate-schemas: ${require("./test/charts/generate-schemas.ts").fromCrds(process.argv[1], process.argv[2])} Argo Rollouts CRD versions`)' \
    "$argo/manifests/crds" "$schemas.tmp/crds")
  echo "$want" >"$schemas.tmp/.stamp"
  mv "$schemas.tmp" "$schemas"
fi

echo "install-chart-tools: ready in $((SECONDS - started))s ($bin)"

# --- workflow lint (deployments helper): actionlint for .github/workflows, run by test/workflows.test.ts ---
install_tool actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION"

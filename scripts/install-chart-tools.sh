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
me=install-chart-tools
# shellcheck source=lib/go-tools.sh
source "$root/scripts/lib/go-tools.sh"
require_go

install_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION"
install_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION"
install_tool kube-score github.com/zegl/kube-score/cmd/kube-score "$KUBE_SCORE_VERSION"

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

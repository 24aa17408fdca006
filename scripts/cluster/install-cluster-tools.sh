#!/usr/bin/env bash
# Builds the real Kubernetes control plane for test/cluster into .tools/cluster: kube-apiserver, kube-scheduler and
# kube-controller-manager from the k8s.io/kubernetes module (through a generated wrapper module, because
# k8s.io/kubernetes replaces its k8s.io/* staging modules with ./staging paths that only exist in its own repo), kwok
# with its stage configs, and etcd from its Go module at the version Kubernetes requires. Idempotent: a stamp per
# piece records what built it, and Go's module and build caches make a rebuild after a stamp change a relink
# (seconds), not a compile (about 9 minutes cold).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../chart-tools.versions
source "$root/scripts/chart-tools.versions"
out="$root/.tools/cluster"
bin="$out/bin"
started=$SECONDS
log() { echo "install-cluster-tools: $* ($((SECONDS - started))s)"; }

me=install-cluster-tools
# shellcheck source=../lib/go-tools.sh
source "$root/scripts/lib/go-tools.sh"
require_go

# --- kube-apiserver, kube-scheduler, kube-controller-manager ---
k8s_cmds=(kube-apiserver kube-scheduler kube-controller-manager)
minor="${KUBERNETES_VERSION#v1.}"
minor="${minor%%.*}"
staging="v0.${KUBERNETES_VERSION#v1.}"
# Version stamping: without it the apiserver reports v0.0.0-master and helm refuses charts with a kubeVersion range.
pkg=k8s.io/component-base/version
ldflags="-s -w -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
want="kubernetes=$KUBERNETES_VERSION staging=$staging ldflags=$ldflags"
stamp="$bin/.kubernetes.stamp"
have_all=true
for cmd in "${k8s_cmds[@]}"; do [[ -x "$bin/$cmd" ]] || have_all=false; done
if $have_all && [[ "$(cat "$stamp" 2>/dev/null)" == "$want" ]]; then
  log "kubernetes $KUBERNETES_VERSION present"
else
  log "downloading k8s.io/kubernetes@$KUBERNETES_VERSION"
  k8s="$(module_dir "k8s.io/kubernetes@$KUBERNETES_VERSION")"
  wrapper="$out/k8s-wrapper"
  rm -rf "$wrapper" && mkdir -p "$wrapper"
  {
    echo "module platform.local/cluster-tools"
    echo
    sed -n 's/^go \(.*\)$/go \1/p' "$k8s/go.mod"
    echo
    echo "tool ("
    for cmd in "${k8s_cmds[@]}"; do echo "	k8s.io/kubernetes/cmd/$cmd"; done
    echo ")"
    echo
    echo "require k8s.io/kubernetes $KUBERNETES_VERSION"
    echo
    echo "replace ("
    # Every `k8s.io/x => ./staging/src/k8s.io/x` line of upstream's go.mod becomes `k8s.io/x => k8s.io/x v0.M.P`.
    sed -n 's#^[[:space:]]*\(k8s.io/[^ ]*\) => \./staging/.*$#	\1 => \1 '"$staging"'#p' "$k8s/go.mod"
    echo ")"
  } >"$wrapper/go.mod"
  log "wrapper module with $(grep -c ' => ' "$wrapper/go.mod") staging replacements; go mod tidy"
  (cd "$wrapper" && go mod tidy)
  log "go build ${k8s_cmds[*]} (about 9 minutes on 2 cores with a cold Go build cache, seconds when warm)"
  pkgs=()
  for cmd in "${k8s_cmds[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$cmd"); done
  (cd "$wrapper" && go build -v -trimpath -ldflags "$ldflags" -o "$bin/" "${pkgs[@]}" 2>&1 |
    awk '{ n++ } n % 200 == 0 { printf "install-cluster-tools: compiled %d packages, now %s\n", n, $0; fflush() }')
  for cmd in "${k8s_cmds[@]}"; do [[ -x "$bin/$cmd" ]] || { echo "install-cluster-tools: $cmd not built" >&2; exit 1; }; done
  echo "$want" >"$stamp"
  log "built $("$bin/kube-apiserver" --version)"
fi

# --- kwok and its stage configs ---
stamp="$bin/.kwok.stamp"
want="sigs.k8s.io/kwok@$KWOK_VERSION stages=fast,heartbeat"
if [[ -x "$bin/kwok" && -d "$out/kwok-stages" && "$(cat "$stamp" 2>/dev/null)" == "$want" ]]; then
  log "kwok $KWOK_VERSION present"
else
  log "go install sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  GOBIN="$bin" go install -trimpath "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  kwok_src="$(module_dir "sigs.k8s.io/kwok@$KWOK_VERSION")"
  rm -rf "$out/kwok-stages" && mkdir -p "$out/kwok-stages"
  # fast: nodes Ready and pods Running/Ready at once, and pods deleted on graceful delete. heartbeat: node status
  # updates, without which the node-lifecycle controller taints every node unreachable after ~50s. (Not the lease
  # variant as well: status heartbeats are enough for the node-lifecycle controller.)
  for dir in node/fast node/heartbeat pod/fast; do
    for f in "$kwok_src/kustomize/stage/$dir"/*.yaml; do
      [[ "$(basename "$f")" == kustomization.yaml ]] && continue
      cp "$f" "$out/kwok-stages/${dir//\//-}-$(basename "$f")"
    done
  done
  chmod -R u+w "$out/kwok-stages"
  echo "$want" >"$stamp"
  log "kwok ready with stages: $(cd "$out/kwok-stages" && echo *)"
fi

# --- prometheus-operator CRDs: the chart's ServiceMonitor (kube-prometheus-stack installs them in the clusters) ---
stamp="$out/crds/.stamp"
want="prometheus-operator@$PROMETHEUS_OPERATOR_VERSION"
if [[ "$(cat "$stamp" 2>/dev/null)" == "$want" ]]; then
  log "CRDs present ($want)"
else
  operator="$(module_dir "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION")"
  rm -rf "$out/crds" && mkdir -p "$out/crds"
  cp "$operator"/example/prometheus-operator-crd/*.yaml "$out/crds/"
  chmod -R u+w "$out/crds"
  echo "$want" >"$stamp"
  log "CRDs from $want"
fi

# --- etcd: the server module Kubernetes itself requires, through a wrapper main (its go.mod replaces its sibling
# modules with ../ paths, so `go install` refuses it) ---
k8s="$(module_dir "k8s.io/kubernetes@$KUBERNETES_VERSION")"
etcd_version="$(sed -n 's#^[[:space:]]*go.etcd.io/etcd/server/v3 \(v[^ ]*\).*#\1#p' "$k8s/go.mod")"
if [[ -z "$etcd_version" ]]; then
  echo "install-cluster-tools: no go.etcd.io/etcd/server/v3 in k8s.io/kubernetes@$KUBERNETES_VERSION's go.mod" >&2
  exit 1
fi
stamp="$bin/.etcd.stamp"
want="go.etcd.io/etcd/server/v3@$etcd_version"
if [[ -x "$bin/etcd" && "$(cat "$stamp" 2>/dev/null)" == "$want" ]]; then
  log "etcd $etcd_version present"
else
  wrapper="$out/etcd-wrapper"
  rm -rf "$wrapper" && mkdir -p "$wrapper"
  printf 'module platform.local/etcd\n\ngo 1.24\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$etcd_version" \
    >"$wrapper/go.mod"
  cat >"$wrapper/main.go" <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  log "go build etcd $etcd_version (a minute cold)"
  (cd "$wrapper" && go mod tidy && go build -trimpath -ldflags "-s -w" -o "$bin/etcd" .)
  echo "$want" >"$stamp"
  log "built $("$bin/etcd" --version | head -1)"
fi

log "ready ($bin)"

#!/usr/bin/env bash
# Builds the service's OCI image (linux/amd64 and linux/arm64: the node groups' AMI types) from the checked-out
# commit: static binaries (CGO off, -trimpath, no VCS stamping; the revision via -ldflags), then
# service/cmd/build-image writes an OCI layout to <out-dir>/oci and prints the index digest; the binaries stay in
# <out-dir>/bin/<arch> (the contract test runs the one it can). No Docker, no base image.
#   build-image.sh <out-dir> [<registry/repository:tag> to push]
# Timestamps come from the commit, so two builds of one commit give one digest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:?usage: build-image.sh <out-dir> [push-reference]}"
push="${2:-}"
revision="$(git -C "$root" rev-parse HEAD)"
epoch="$(git -C "$root" log -1 --format=%ct)"
source_url="${GITHUB_SERVER_URL:+$GITHUB_SERVER_URL/$GITHUB_REPOSITORY}"

bin="$out/bin"
mkdir -p "$bin"
cd "$root/service"
args=()
for arch in amd64 arm64; do
  echo "build-image: go build linux/$arch" >&2
  CGO_ENABLED=0 GOOS=linux GOARCH="$arch" go build -trimpath -buildvcs=false \
    -ldflags "-s -w -buildid= -X main.revision=$revision" -o "$bin/$arch" ./cmd/go-service
  args+=(-binary "linux/$arch=$bin/$arch")
done
go run ./cmd/build-image -revision "$revision" -source "$source_url" -epoch "$epoch" -out "$out/oci" \
  ${push:+-push "$push"} "${args[@]}"

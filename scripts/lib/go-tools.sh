# shellcheck shell=bash
# Sourced by the install scripts. Needs $me (the script's name, for messages) and $bin (where tools go).

# helm v3.21's go.mod, the newest of the tools', declares go 1.26: an older toolchain fails deep inside a build.
require_go() {
  command -v go >/dev/null || { echo "$me: Go 1.26+ is required on PATH" >&2; exit 1; }
  local v
  v="$(go env GOVERSION)"
  v="${v#go}"
  local major="${v%%.*}" rest="${v#*.}"
  local minor="${rest%%[!0-9]*}"
  if ((major < 1 || (major == 1 && minor < 26))); then
    echo "$me: Go 1.26+ is required on PATH, found go$v" >&2
    exit 1
  fi
  mkdir -p "$bin"
}

# install_tool NAME MODULE/PATH VERSION: `go install` once per module@version; a stamp beside the binary records it,
# so a rerun skips it and a version bump rebuilds (incrementally, from Go's module and build caches).
install_tool() {
  local name="$1" want="$2@$3" stamp="$bin/.$1.version"
  if [[ -x "$bin/$name" && "$(cat "$stamp" 2>/dev/null)" == "$want" ]]; then
    echo "$me: $name $3 present"
    return
  fi
  local started=$SECONDS
  echo "$me: go install $want (a first build takes minutes; Go's build cache makes rebuilds fast)"
  GOBIN="$bin" go install -trimpath "$want"
  echo "$want" >"$stamp"
  echo "$me: $name built in $((SECONDS - started))s"
}

# module_dir MODULE@VERSION: its source directory in the Go module cache (downloads the module zip on first use).
module_dir() {
  go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p'
}

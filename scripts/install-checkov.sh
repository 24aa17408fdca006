#!/usr/bin/env bash
# Installs Checkov (PyPI, pinned in scripts/chart-tools.versions) into a virtualenv at .tools/checkov. Idempotent:
# a stamp records the version, so a rerun does nothing; pip's cache makes a reinstall fast.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=chart-tools.versions
source "$root/scripts/chart-tools.versions"
venv="$root/.tools/checkov"
stamp="$venv/.version"
started=$SECONDS

if [[ -x "$venv/bin/checkov" && "$(cat "$stamp" 2>/dev/null)" == "$CHECKOV_VERSION" ]]; then
  echo "install-checkov: checkov $CHECKOV_VERSION present"
  exit 0
fi
command -v python3 >/dev/null || { echo "install-checkov: python3 (3.9+) is required" >&2; exit 1; }
if ! python3 -c "import ensurepip, venv" 2>/dev/null; then
  # Debian splits venv out of python3; CI runs as root on Debian.
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "install-checkov: installing python3-venv (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
  else
    echo "install-checkov: python3 venv is missing (Debian: apt-get install python3-venv)" >&2
    exit 1
  fi
fi
echo "install-checkov: creating $venv and installing checkov==$CHECKOV_VERSION from PyPI"
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --disable-pip-version-check --quiet "checkov==$CHECKOV_VERSION"
echo "$CHECKOV_VERSION" >"$stamp"
echo "install-checkov: ready in $((SECONDS - started))s"

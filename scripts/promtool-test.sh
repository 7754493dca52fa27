#!/usr/bin/env bash
# Checks and unit-tests Vigil's Prometheus alert rules (deploy/observability/) with promtool:
#   promtool check rules  deploy/observability/vigil-rules.yaml
#   promtool test rules   deploy/observability/vigil-rules.test.yaml
# promtool comes from Debian's `prometheus` package, installed here if missing (as root, or with sudo
# without a password). Exit 0: all pass; 1: a check or test failed; 3: promtool is not here and could not
# be installed (ObservabilityTest then skips, saying so).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OBS=$ROOT/deploy/observability

if ! command -v promtool >/dev/null 2>&1; then
  sudo=()
  if [[ $(id -u) != 0 ]]; then
    if sudo -n true 2>/dev/null; then sudo=(sudo -n); else
      echo "promtool-test: promtool missing and not root (no passwordless sudo) to install Debian's prometheus package" >&2
      exit 3
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "promtool-test: promtool missing and no apt-get to install Debian's prometheus package" >&2
    exit 3
  fi
  echo "promtool-test: installing Debian's prometheus package (for promtool)" >&2
  if ! { "${sudo[@]}" apt-get install -y -q --no-install-recommends prometheus >/dev/null 2>&1 \
      || { "${sudo[@]}" apt-get update -q >/dev/null 2>&1 \
           && "${sudo[@]}" apt-get install -y -q --no-install-recommends prometheus >/dev/null 2>&1; }; }; then
    echo "promtool-test: could not install Debian's prometheus package" >&2
    exit 3
  fi
  command -v promtool >/dev/null 2>&1 || { echo "promtool-test: prometheus installed but no promtool on PATH" >&2; exit 3; }
fi

promtool --version 2>&1 | head -1
cd "$OBS" || exit 1
promtool check rules vigil-rules.yaml || exit 1
promtool test rules vigil-rules.test.yaml || exit 1

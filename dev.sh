#!/usr/bin/env bash
# One door for a fresh Debian/Ubuntu machine:
#   ./dev.sh app    install what is missing, then start the app (http://localhost:8501)
#   ./dev.sh test   install what is missing, then run ruff and the whole test suite
# Installs apt packages (graphviz, a Bengali font; chromium for the browser tests)
# and a virtualenv in .venv with the pinned requirements.
set -euo pipefail
cd "$(dirname "$0")"

# packages.txt is the one list (Community Cloud and the Dockerfile read it too)
mapfile -t APT_APP < <(grep -v "^#" packages.txt | grep .)
APT_TEST=(chromium haproxy)  # haproxy: the deploy test (deploy/haproxy.cfg)
PY=${PYTHON:-python3}

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "==> apt-get install ${missing[*]}"
  $sudo apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

venv() {
  local req=$1
  if ! "$PY" -m venv --help >/dev/null 2>&1; then apt_install python3-venv; fi
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  # Reinstall only when the requirements change (a stamp holds their hash).
  local stamp=".venv/.stamp-$(basename "$req")"
  local want
  want=$(cat "$req" requirements.txt | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "==> pip install -r $req"
    # PIP_RETRIES=0: where the CPU-only torch index (for Community Cloud) is out of
    # reach, fail over to the other indexes at once instead of retrying each package.
    PIP_RETRIES=0 .venv/bin/python -m pip install -q --disable-pip-version-check -r "$req"
    echo "$want" > "$stamp"
  fi
}

case "${1:-}" in
  app)
    apt_install "${APT_APP[@]}"
    venv requirements.txt
    # the file watcher is off in .streamlit/config.toml (a class's server); on here,
    # so an edited file shows on the next rerun
    exec .venv/bin/python -m streamlit run app.py --server.fileWatcherType auto "${@:2}"
    ;;
  test)
    apt_install "${APT_APP[@]}" "${APT_TEST[@]}"
    venv requirements-dev.txt
    .venv/bin/ruff check .
    exec .venv/bin/python -m pytest "${@:2}"
    ;;
  *)
    echo "usage: ./dev.sh app | test" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# Installs everything Placebook needs on a fresh Debian machine, from the lock files.
# Usage: scripts/setup.sh [--browser]   (--browser adds Debian's Chromium for browser tests)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# Django 6 needs Python 3.12 or newer. Debian 12's python3 is 3.11, so look for a newer one
# (python3.13, python3.12, or a pyenv build) before giving up with a clear message.
find_python() {
  local candidate
  for candidate in python3.14 python3.13 python3.12 python3 \
      "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3 /root/.pyenv/versions/3.1[2-9]*/bin/python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
        "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  say "Installing Debian packages: $*"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

PYTHON=$(find_python) || {
  echo "Placebook needs Python 3.12 or newer (Django 6). Install it (e.g. pyenv install 3.12) and run again." >&2
  exit 1
}

if ! command -v uv >/dev/null 2>&1; then
  say "Installing uv (Python package manager)"
  python3 -m pip install --quiet uv 2>/dev/null || "$PYTHON" -m pip install --quiet uv
fi
command -v npm >/dev/null 2>&1 || apt_install nodejs npm

say "Installing Python packages from uv.lock with $("$PYTHON" --version)"
uv sync --frozen --python "$PYTHON" --quiet

say "Installing front-end packages from package-lock.json and building the stylesheet"
npm ci --no-audit --no-fund --loglevel=error
npm run --silent build:css

[ -f .env ] || { cp dotenv-sample .env; say "Made .env from dotenv-sample"; }

if [ "${1:-}" = "--browser" ] && ! command -v chromium >/dev/null 2>&1; then
  apt_install chromium chromium-driver
fi

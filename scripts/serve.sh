#!/usr/bin/env bash
# Serves Placebook with its background worker; stopping the server stops the worker too.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${1:-8000}
uv run python manage.py db_worker &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT
echo "Placebook is at http://127.0.0.1:$port/"
uv run python manage.py runserver "127.0.0.1:$port"

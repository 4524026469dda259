#!/usr/bin/env bash
# `npm run bench`: every benchmark, then one report of them (bench/results/latest.md and latest.json).
# The report names any bench that did not run this time (the DynamoDB Local ones need Java) instead of
# showing an older figure. Exits non-zero when a bench failed; the report is written either way.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BENCH_SINCE="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
export BENCH_SINCE
status=0
for bench in ingest platforms dispatch bundles cli; do
  npm run --silent "bench:$bench" || status=1
done
bash scripts/ddb-local.sh --capacity-only --ci-optional || status=1
npm run --silent bench:report || status=1
exit $status

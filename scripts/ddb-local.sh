#!/usr/bin/env bash
# `npm run test:ddb-local`: the storage integration tests (tests/integration)
# against the official DynamoDB Local instead of dynalite, then the capacity
# benchmark (bench/capacity.ts) against the same engine; with --capacity-only
# (`npm run bench`), the capacity, sweep and digest benchmarks (bench/sweeps.ts,
# bench/digest.ts) only.
#
# DynamoDB Local comes from the npm package amplify-dynamodb-simulator (its
# emulator/ folder is AWS's DynamoDB Local distribution), pinned below and
# checked against its registry integrity, cached in .cache/ddb-local.
#
# Usage: scripts/ddb-local.sh [--ci-optional] [--capacity-only | --bench <file>] [-- <vitest args>]
#   --ci-optional    without java, print "skipped: no java" and exit 0 (else exit 1)
#   --capacity-only  skip the tests; bench:capacity, bench:sweeps, then bench:digest (what
#                    `npm run bench` uses). With DYNAMODB_ENDPOINT already set, runs against it
#                    without Java.
#   --bench <file>   skip the tests; run only bench/<file>.ts against the engine (bench:fanout).
set -euo pipefail

# amplify-dynamodb-simulator 2.9.30 (npm "latest") ships DynamoDB Local 1.25.1,
# the newest in that package; the emulator/ of 2.9.27 is byte-identical.
PINNED_VERSION=2.9.30
PINNED_INTEGRITY='sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ=='
START_TIMEOUT_SECONDS=60

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache/ddb-local"
EMULATOR="$CACHE/emulator"

optional=0
capacity_only=0
only_bench=""
vitest_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --ci-optional | --optional) optional=1 ;;
    --capacity-only) capacity_only=1 ;;
    --bench) shift; only_bench="${1:?--bench needs a benchmark file name}" ;;
    --) shift; vitest_args=("$@"); break ;;
    -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "ddb-local: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done

cd "$ROOT"
now_ms() { date +%s%3N; }
began=$(now_ms)
say() { echo "ddb-local: $*"; }
since() { echo "$(( ($(now_ms) - $1) / 1000 )).$(( ($(now_ms) - $1) % 1000 / 100 ))s"; }

if [[ $capacity_only -eq 1 && -n "${DYNAMODB_ENDPOINT:-}" ]]; then
  say "DYNAMODB_ENDPOINT is set; bench:capacity, bench:sweeps and bench:digest against $DYNAMODB_ENDPOINT"
  npm run --silent bench:capacity
  npm run --silent bench:sweeps
  exec npm run --silent bench:digest
fi

if ! command -v java > /dev/null 2>&1; then
  if [[ $optional -eq 1 ]]; then
    say "skipped: no java (DynamoDB Local is a Java program; install a Java runtime, 17 recommended, to run it)"
    exit 0
  fi
  say "java is not installed. DynamoDB Local needs a Java runtime (17 recommended)" >&2
  say "(e.g. apt-get install openjdk-17-jre-headless, or brew install openjdk)." >&2
  say "Run with --ci-optional to skip instead of failing." >&2
  exit 1
fi

# 1. The engine: reuse the cache when it holds the pinned version.
fetch_started=$(now_ms)
if [[ -f "$EMULATOR/DynamoDBLocal.jar" && -d "$EMULATOR/DynamoDBLocal_lib" \
  && "$(cat "$CACHE/VERSION" 2> /dev/null)" == "$PINNED_VERSION" ]]; then
  say "DynamoDB Local from cache ($CACHE, amplify-dynamodb-simulator@$PINNED_VERSION)"
else
  say "fetching amplify-dynamodb-simulator@$PINNED_VERSION (about 57 MB) into $CACHE …"
  rm -rf "$CACHE"
  mkdir -p "$CACHE"
  tarball="$CACHE/$(npm pack "amplify-dynamodb-simulator@$PINNED_VERSION" --pack-destination "$CACHE" --silent | tail -n 1)"
  actual="$(node -e "const d=require('fs').readFileSync(process.argv[1]);console.log('sha512-'+require('crypto').createHash('sha512').update(d).digest('base64'))" "$tarball")"
  if [[ "$actual" != "$PINNED_INTEGRITY" ]]; then
    rm -rf "$CACHE"
    say "integrity mismatch for amplify-dynamodb-simulator@$PINNED_VERSION: expected $PINNED_INTEGRITY, got $actual" >&2
    exit 1
  fi
  tar xzf "$tarball" -C "$CACHE" --strip-components=1 package/emulator
  rm -f "$tarball"
  if [[ ! -f "$EMULATOR/DynamoDBLocal.jar" || ! -d "$EMULATOR/DynamoDBLocal_lib" ]]; then
    say "the package has no emulator/DynamoDBLocal.jar and DynamoDBLocal_lib/; its layout changed" >&2
    exit 1
  fi
  echo "$PINNED_VERSION" > "$CACHE/VERSION"
  say "fetched in $(since "$fetch_started")"
fi

# 2. Start it on a free loopback port; always stop it on the way out.
port="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
endpoint="http://127.0.0.1:$port"
log="$CACHE/dynamodb-local.log"
java_pid=""
stop_java() {
  if [[ -n "$java_pid" ]] && kill -0 "$java_pid" 2> /dev/null; then
    kill "$java_pid" 2> /dev/null || true
    for _ in $(seq 1 50); do kill -0 "$java_pid" 2> /dev/null || break; sleep 0.1; done
    kill -9 "$java_pid" 2> /dev/null || true
    wait "$java_pid" 2> /dev/null || true
  fi
}
trap stop_java EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_started=$(now_ms)
# -sharedDb: without it DynamoDB Local keeps one database per access key and
# region, and the code reaches the table under two regions (infra/local/dynamo.ts
# ensureTable uses "local", tests/support/dynamo.ts createDb uses "us-east-1").
DDB_LOCAL_TELEMETRY=0 java -Djava.library.path="$EMULATOR/DynamoDBLocal_lib" -jar "$EMULATOR/DynamoDBLocal.jar" \
  -inMemory -sharedDb -disableTelemetry -port "$port" > "$log" 2>&1 &
java_pid=$!
deadline=$(( $(date +%s) + START_TIMEOUT_SECONDS ))
until (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; do
  if ! kill -0 "$java_pid" 2> /dev/null; then
    say "DynamoDB Local exited during startup; its log ($log):" >&2
    cat "$log" >&2
    exit 1
  fi
  if [[ $(date +%s) -ge $deadline ]]; then
    say "DynamoDB Local did not open port $port within ${START_TIMEOUT_SECONDS}s; its log ($log):" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.1
done
say "DynamoDB Local $(sed -n 's/^Version:[[:space:]]*//p' "$log") listening at $endpoint (pid $java_pid, up in $(since "$start_started"))"

status=0

if [[ -n "$only_bench" ]]; then
  DYNAMODB_ENDPOINT="$endpoint" npx tsx "bench/$only_bench.ts" || status=$?
  say "bench/$only_bench.ts: exit $status, total $(since "$began")"
  exit $status
fi

# 3. The conformance run of the storage integration tests.
tests_result="not run (--capacity-only)"
if [[ $capacity_only -eq 0 ]]; then
  if [[ -n "$(find tests/integration -name '*.test.ts' -print -quit 2> /dev/null)" ]]; then
    tests_started=$(now_ms)
    say "npx vitest run tests/integration against DynamoDB Local …"
    # The fuzz tests' bodies are about parsers, which npm test has already fuzzed in full: a tenth of them
    # here checks the engine-dependent part (a refused request writes nothing) on the official engine.
    if HEARTH_TEST_DYNAMODB_ENDPOINT="$endpoint" FUZZ_RUNS="${FUZZ_RUNS:-1000}" FUZZ_WRITES="${FUZZ_WRITES:-50}" \
      npx vitest run tests/integration "${vitest_args[@]}"; then
      tests_result="passed in $(since "$tests_started")"
    else
      status=1
      tests_result="FAILED in $(since "$tests_started")"
    fi
  else
    tests_result="none: tests/integration has no *.test.ts yet (nothing was checked)"
    say "warning: $tests_result" >&2
  fi
fi

# Run one benchmark script against the engine; its result line goes to REPLY.
run_bench() {
  local started
  started=$(now_ms)
  if DYNAMODB_ENDPOINT="$endpoint" npm run --silent "$1"; then
    REPLY="done in $(since "$started")"
  else
    status=1
    REPLY="FAILED in $(since "$started")"
  fi
}

# 4. The capacity figures, from the same engine.
run_bench bench:capacity
bench_result=$REPLY

# 5. The sweeps' reads at two community sizes, and a digest's reads and time against the plain
#    Query (--capacity-only: `npm run bench`), same engine.
sweeps_result=""
digest_result=""
if [[ $capacity_only -eq 1 ]]; then
  run_bench bench:sweeps
  sweeps_result=$REPLY
  run_bench bench:digest
  digest_result=$REPLY
fi

say "tests: $tests_result"
say "bench:capacity: $bench_result"
[[ -z "$sweeps_result" ]] || say "bench:sweeps: $sweeps_result"
[[ -z "$digest_result" ]] || say "bench:digest: $digest_result"
say "total $(since "$began")"
exit $status

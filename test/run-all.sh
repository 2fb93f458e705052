#!/usr/bin/env bash
# The one test command (npm test, .ci/run): installs what the tests need, starts the services
# rungs 5–6 need, runs every test, stops what it started. Rung 7 (a real Dagger engine) runs only
# where `dagger` works and says loudly when it is skipped.
#   bash test/run-all.sh                 everything
#   bash test/run-all.sh test/unit       just some paths (setup still runs)
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)
[ -d node_modules/@dagger.io/dagger ] || npm ci --no-audit --no-fund
bash test/setup.sh
# long-running services (start/stop subcommands), stopped on exit whatever happens
SERVICES=()
[ -f test/setup/buildkit.sh ] && SERVICES+=(test/setup/buildkit.sh)
stop_services() { for s in "${SERVICES[@]}"; do bash "$s" stop || true; done; }
trap stop_services EXIT
for s in "${SERVICES[@]}"; do bash "$s" start; done

echo "== typecheck"
npx tsc -p tsconfig.json --noEmit
echo "== build the package export (dist/)"
npm run --silent build:lib

mkdir -p test/.out
rm -f test/.out/vitest-*.json
# the real registries' logs (rung 5), kept for a failure's post-mortem (helpers/registry.ts)
rm -rf test/.out/registry-logs
export REGISTRY_LOG_DIR="$PWD/test/.out/registry-logs"
fail=0
if [ $# -gt 0 ]; then
  npx vitest run --reporter=default --reporter=json --outputFile.json=test/.out/vitest-args.json "$@" || fail=1
else
  echo "== vitest: fast rungs (unit, SDK contract, API surface) in parallel"
  npx vitest run --reporter=default --reporter=json --outputFile.json=test/.out/vitest-fast.json \
    --exclude 'test/real/**' --exclude 'test/buildkit/**' --exclude 'test/registry/**' --exclude 'test/e2e/**' || fail=1
  echo "== vitest: real toolchains, registry, BuildKit, engine E2E (one file at a time: 2 cores)"
  npx vitest run --no-file-parallelism --reporter=default --reporter=json --outputFile.json=test/.out/vitest-heavy.json \
    test/real test/buildkit test/registry test/e2e || fail=1
fi
node test/support/summary.mjs test/.out/vitest-*.json || fail=1
echo "== all tests done in $(( $(date +%s) - t0 ))s"
exit $fail

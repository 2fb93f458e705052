#!/usr/bin/env bash
# The one test command (npm test; .ci/run runs it with CI=true). It runs the test ladder on one of
# two routes, and says which before it changes anything:
#
#   direct  CI=true, or MULTIARCH_TEST_HOST=direct: THIS machine is disposable (CI, a fresh test
#           VM). test/setup.sh installs what rungs 4–6 need system-wide (apt packages, dpkg foreign
#           architectures, Rust std under /usr/lib/rustlib, binfmt, dockerd), then every rung runs
#           here. Fastest (measured costs per route: README "Tests").
#   root    everywhere else (a contributor's workstation): rungs 1–3 (and 7) run here and need
#           nothing beyond `npm ci`; rungs 4–6 (test/real, test/registry, test/buildkit) and the
#           CI-template tests (test/ci: actionlint, gitlab-ci-local, shellcheck, git, rsync) run inside
#           a disposable Debian bookworm root (test/setup/root-lib.sh) with its own packages,
#           dockerd and caches in $MULTIARCH_ROOT_CACHE (default /var/cache/multiarch-root). This
#           machine needs root and debootstrap; it keeps its packages, foreign architectures,
#           /usr/lib/rustlib and processes.
#           MULTIARCH_TEST_HOST=root chooses it explicitly.
#
#   bash test/run-all.sh                 everything
#   bash test/run-all.sh test/unit …     just those paths (setup only when a path needs it)
#   bash test/run-all.sh --dry-run       print the route and what it would install/start, and where
#   bash test/run-all.sh --status        the state of the test environment (both routes)
# Rung 7 (a real Dagger engine) runs only where `dagger` works, and says loudly when it is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
t0=$(date +%s)
# The files that need what test/setup.sh installs: rungs 4–6, and the CI-template tests (test/ci runs
# the templates with third-party tools that setup's ci group installs; the fresh-machine rehearsal
# showed them failing when they ran beside setup instead of after it).
HEAVY_RE='^(\./)?test/(real|buildkit|registry|ci)(/|$)'
HEAVY_DEFAULT=(test/ci test/real test/buildkit test/registry)
ROOT_TAG=test

ROUTE=${MULTIARCH_TEST_HOST:-}
if [ -z "$ROUTE" ]; then case ${CI:-} in true | 1) ROUTE=direct ;; *) ROUTE=root ;; esac; fi
case $ROUTE in direct | root) ;; *) echo "MULTIARCH_TEST_HOST must be direct or root, not '$ROUTE'" >&2; exit 2 ;; esac

ACTION=test IN_ROOT=no paths=()
for a in "$@"; do
  case $a in
    --dry-run | --plan) ACTION=plan ;;
    --status) ACTION=status ;;
    --in-root) IN_ROOT=yes ;; # internal: the heavy half, inside the disposable root
    *) paths+=("$a") ;;
  esac
done
fast_paths=() heavy_paths=()
for p in "${paths[@]}"; do if [[ $p =~ $HEAVY_RE ]]; then heavy_paths+=("$p"); else fast_paths+=("$p"); fi; done
if [ ${#paths[@]} -eq 0 ]; then heavy_paths=("${HEAVY_DEFAULT[@]}"); fi
need_heavy=$([ ${#heavy_paths[@]} -gt 0 ] && echo yes || echo no)

. test/setup/root-lib.sh
TEST_ROOT=$ROOT_CACHE/test-root/root

plan() {
  if [ $ROUTE = direct ]; then
    echo "route: direct — this machine is treated as disposable (${CI:+CI=$CI}${MULTIARCH_TEST_HOST:+MULTIARCH_TEST_HOST=$MULTIARCH_TEST_HOST}); every rung runs here"
    [ $need_heavy = yes ] && SETUP_PLAN_ONLY=1 bash test/setup.sh plan | sed 's/^/  /'
    [ $need_heavy = yes ] && echo "  during the tests: dockerd (started for the BuildKit rung, stopped at the end)"
  else
    echo "route: disposable root — rungs 1–3 and 7 run on this machine (node_modules only); rungs 4–6 and test/ci in a Debian $ROOT_SUITE root"
    echo "  on this machine: nothing is installed; debootstrap, chroot and mounts in private namespaces (as root)"
    if [ $need_heavy = yes ]; then
      if [ -d "$TEST_ROOT/usr" ]; then echo "  root: $TEST_ROOT (exists; packages, Rust std and base images inside it are reused)"
      else echo "  root: $TEST_ROOT — made now: debootstrap --variant=minbase $ROOT_SUITE + this machine's apt sources, node, npm (~1 min), then test/setup.sh inside it installs rungs 4–6's tools (the first time: apt, a Rust std build of ~16 CPU-minutes and the base images — tens of minutes on 2 cores; ~9 GB)"; fi
      mountpoint -q /proc/sys/fs/binfmt_misc && [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] && [ -e /proc/sys/fs/binfmt_misc/qemu-arm ] ||
        echo "  kernel (global): qemu-aarch64 and qemu-arm binfmt handlers registered for the session (emulated arm64 steps; the Node rung's arm64/armhf node starting esbuild's binary), each removed again afterwards if it was not there"
      echo "  processes: a dockerd + containerd inside the root, on a bridge of its own ($ROOT_BRIDGE, made for the session and deleted after it; --iptables=false: no iptables rules); the session's PID namespace ends them"
    fi
  fi
}

status() {
  echo "route now: $ROUTE"
  echo "== direct route (this machine)"
  SETUP_PLAN_ONLY=1 bash test/setup.sh status 2>/dev/null | sed 's/^/  /' || true
  echo "== disposable root ($ROOT_CACHE, $(du -sh "$ROOT_CACHE" 2>/dev/null | cut -f1 || echo absent))"
  if [ -d "$TEST_ROOT/usr" ]; then
    echo "  test root: $TEST_ROOT"
    chroot "$TEST_ROOT" /usr/bin/env -i PATH=/usr/bin:/bin bash -c 'echo "  rustc in the root: $(/usr/bin/rustc --version 2>/dev/null || echo none)"; echo "  foreign architectures in the root: $(dpkg --print-foreign-architectures | paste -sd" " -)"' 2>/dev/null || true
    [ -f "$TEST_ROOT/var/cache/multiarch-test/state/summary.txt" ] && { echo "  last setup in the root:"; sed 's/^/    /' "$TEST_ROOT/var/cache/multiarch-test/state/summary.txt"; }
  else
    echo "  test root: not made yet"
  fi
  [ -f "$ROOT_CACHE/rehearsals.txt" ] && { echo "  last rehearsals (test/fresh-machine.sh):"; tail -3 "$ROOT_CACHE/rehearsals.txt" | sed 's/^/    /'; }
  return 0
}

if [ $ACTION = plan ]; then plan; exit 0; fi
if [ $ACTION = status ]; then status; exit 0; fi

mkdir -p test/.out
# the real registries' logs (rung 5), kept for a failure's post-mortem (helpers/registry.ts); the
# heavy half in the root sets the same path (this checkout is mounted at the same place there)
export REGISTRY_LOG_DIR="$PWD/test/.out/registry-logs"
typecheck() {
  echo "== typecheck"
  npx tsc -p tsconfig.json --noEmit || return 1
  echo "== build the package export (dist/)"
  npm run --silent build:lib
}
# rungs 1–3 (in parallel, vitest's default) and rung 7: nothing to install
light() {
  local f=0
  typecheck || f=1
  if [ ${#paths[@]} -gt 0 ]; then
    [ ${#fast_paths[@]} -eq 0 ] && return $f
    npx vitest run --reporter=default --reporter=json --outputFile.json=test/.out/vitest-args.json "${fast_paths[@]}" || f=1
    return $f
  fi
  echo "== vitest: fast rungs (unit, SDK contract, API surface) in parallel"
  npx vitest run --reporter=default --reporter=json --outputFile.json=test/.out/vitest-fast.json \
    --exclude 'test/real/**' --exclude 'test/buildkit/**' --exclude 'test/registry/**' --exclude 'test/ci/**' --exclude 'test/e2e/**' || f=1
  echo "== vitest: rung 7, real Dagger engine (test/e2e)"
  npx vitest run --no-file-parallelism --reporter=default --reporter=json --outputFile.json=test/.out/vitest-e2e.json test/e2e || f=1
  return $f
}
# rungs 4–6 on this machine: setup, the services they need, one file at a time, services stopped
heavy_here() {
  bash test/setup.sh || { echo "rungs 4–6 NOT run: test/setup.sh failed (its message above)"; return 1; }
  local s f=0 services=(test/setup/buildkit.sh)
  stop_services() { for s in "${services[@]}"; do bash "$s" stop || true; done; }
  trap stop_services EXIT
  for s in "${services[@]}"; do bash "$s" start || f=1; done
  # Two lanes, each one file at a time: the real toolchains (CPU: compilers, qemu) beside the
  # registry, BuildKit and CI-template tests (much of it waiting: fault timeouts, dockerd, apt in
  # emulated RUN steps). MULTIARCH_TEST_SERIAL=1: one lane.
  local real=() other=() p
  for p in "${heavy_paths[@]}"; do if [[ $p =~ ^(\./)?test/real(/|$) ]]; then real+=("$p"); else other+=("$p"); fi; done
  if [ "${MULTIARCH_TEST_SERIAL:-}" = 1 ] || [ ${#real[@]} -eq 0 ] || [ ${#other[@]} -eq 0 ]; then
    echo "== vitest: real toolchains, registry, BuildKit, CI templates (one file at a time)"
    npx vitest run --no-file-parallelism --reporter=default --reporter=json --outputFile.json=test/.out/vitest-heavy.json "${heavy_paths[@]}" || f=1
  else
    echo "== vitest: real toolchains (lines prefixed [real]) beside registry, BuildKit, CI templates ([svc]); one file at a time in each"
    npx vitest run --no-file-parallelism --reporter=default --reporter=json --outputFile.json=test/.out/vitest-heavy.json "${real[@]}" > >(sed -u 's/^/[real] /') 2>&1 &
    local lane=$!
    npx vitest run --no-file-parallelism --reporter=default --reporter=json --outputFile.json=test/.out/vitest-heavy-svc.json "${other[@]}" > >(sed -u 's/^/[svc] /') 2>&1 || f=1
    wait "$lane" || f=1
  fi
  stop_services
  trap - EXIT
  return $f
}
# rungs 4–6 in the disposable root
heavy_in_root() {
  local base binfmt bridge f=0
  base=$(root_make_base) || return 1
  if [ ! -d "$TEST_ROOT/usr" ]; then
    rsay "making the test root $TEST_ROOT from $(basename "$base")"
    root_extract "$base" "$TEST_ROOT"
    basename "$base" >"$ROOT_CACHE/test-root/base"
  elif [ "$(cat "$ROOT_CACHE/test-root/base" 2>/dev/null)" != "$(basename "$base")" ]; then
    rsay "note: the test root was made from $(cat "$ROOT_CACHE/test-root/base" 2>/dev/null); the clean root is now $(basename "$base") (apt sources or node changed). Remove $ROOT_CACHE/test-root to start afresh."
  fi
  binfmt=$(root_binfmt_before)
  bridge=$(root_bridge_up)
  trap 'root_bridge_down "$bridge"; root_binfmt_restore "$binfmt"' EXIT
  trap 'exit 130' INT; trap 'exit 143' TERM # (so that the EXIT trap runs on Ctrl-C or kill too)
  ROOT_ENV=(MULTIARCH_TEST_HOST=direct ${CI:+CI=$CI} ${MULTIARCH_BUILDKIT_COLD:+MULTIARCH_BUILDKIT_COLD=$MULTIARCH_BUILDKIT_COLD} ${MULTIARCH_RUST_SWEEP:+MULTIARCH_RUST_SWEEP=$MULTIARCH_RUST_SWEEP})
  rsay "rungs 4–6 in the root ($TEST_ROOT; this checkout bind-mounted at $REPO)"
  root_run "$TEST_ROOT" "$REPO" "$REPO" "bash test/run-all.sh --in-root ${heavy_paths[*]}" || f=1
  root_bridge_down "$bridge"
  root_binfmt_restore "$binfmt"
  trap - EXIT
  return $f
}

[ -d node_modules/@dagger.io/dagger ] || npm ci --no-audit --no-fund

# the heavy half inside the root (run-all.sh calls itself there)
if [ $IN_ROOT = yes ]; then
  rm -f test/.out/vitest-heavy.json test/.out/vitest-heavy-svc.json
  heavy_here
  exit $?
fi

rm -f test/.out/vitest-*.json
rm -rf test/.out/registry-logs
echo "== test route"
plan
fail=0
heavy=none
if [ $need_heavy = yes ]; then
  if [ $ROUTE = direct ]; then heavy=heavy_here
  elif [ "$(id -u)" != 0 ] || ! command -v debootstrap >/dev/null; then
    echo "rungs 4–6 (${heavy_paths[*]}) will NOT run: the disposable root needs root and debootstrap on this machine." >&2
    echo "  run: sudo -E npm test   (or, on a disposable machine: MULTIARCH_TEST_HOST=direct npm test)" >&2
    fail=1
  else heavy=heavy_in_root; fi
fi
# Rungs 4–6 (setup first) run alongside rungs 1–3 unless MULTIARCH_TEST_SERIAL=1: much of their
# time is waiting (apt, qemu runs one thread, dockerd), so both halves share the cores well. They
# run at a lower CPU priority (nice 10): rungs 1–3 have the short timeouts (120 s hooks), rungs
# 4–6 long ones. Their output is prefixed with [4-6]. (Serial gives undisturbed "cold build s"
# columns in test/.out.)
if [ $heavy != none ] && [ "${MULTIARCH_TEST_SERIAL:-}" != 1 ]; then
  echo "== rungs 4–6 start now (setup, then tests; lines prefixed [4-6]) while rungs 1–3 and 7 run"
  (renice -n 10 -p $BASHPID >/dev/null; $heavy) > >(sed -u 's/^/[4-6] /') 2>&1 &
  hpid=$!
  light </dev/null 2>&1 | cat || fail=1
  wait "$hpid" || fail=1
  wait
else
  light || fail=1
  if [ $heavy != none ]; then $heavy || fail=1; fi
fi

shopt -s nullglob
reports=(test/.out/vitest-*.json)
if [ ${#reports[@]} -gt 0 ]; then node test/support/summary.mjs "${reports[@]}" || fail=1; else echo "no test report" >&2; fail=1; fi
echo "== all tests done in $(($(date +%s) - t0))s (route: $ROUTE)"
exit $fail

#!/usr/bin/env bash
# Install everything rungs 4–6 need on THIS machine (the direct route: CI and disposable machines;
# test/run-all.sh runs it when CI=true or MULTIARCH_TEST_HOST=direct, or inside the disposable
# root elsewhere). Debian 12, as root. Idempotent: a second run installs and builds nothing.
#
#   bash test/setup.sh [install]   install what is missing, then print one summary line per part
#   bash test/setup.sh plan        print what install would install/start/build, change nothing
#   bash test/setup.sh status      the state of the test environment on this machine
#
# Parts (seconds of each in the closing summary):
#   packages   every apt group (go, rust, registry, buildkit, ci) in one apt-get run; if that fails,
#              group by group, so one group that cannot be had leaves the others installed
#   foreign    packages of other architectures, as `pkg:arch=<version every arch has>` pins, each
#              with a fallback that needs no foreign package (libc6:arm64 -> arm64 sysroot,
#              musl-dev:<arch> -> musl built from source)
#   rust-std   std for every Rust target, compiled from rust-web-src (cached; Debian's
#              libstd-rust-web-dev:<arch> where dpkg has it at rustc's version), + musl objects
#   images     the BuildKit base images (debootstrap), in parallel with rust-std, both started as
#              soon as their packages (installed first, on their own) are there
#   npm-tools  the CI-template tools (npm, outside the repository), in parallel too
#   node-roots the Node rung's target roots (bookworm runtime .debs + the official node, no
#              emulation) and its arm64 build root, binfmt for qemu-aarch64/qemu-arm, in parallel too
# A part that fails prints ONE message (package, architecture, versions apt sees, fix) and the
# others still run; setup then exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
export SETUP_RUN_ID=${SETUP_RUN_ID:-$$}
SETUP_TAG=setup
. test/setup/lib.sh
AREAS=(go rust node registry buildkit ci)

plan() {
  local missing=() g a n
  for a in rust-compiler "${AREAS[@]}"; do
    if [ $a = rust-compiler ]; then g=$(SETUP_PLAN_ONLY=1 bash test/setup/rust.sh compiler 2>/dev/null || true)
    else g=$(SETUP_PLAN_ONLY=1 SETUP_TAG=$a bash "test/setup/$a.sh" packages 2>/dev/null || true); fi
    g=${g#*=}
    # shellcheck disable=SC2086
    n=$(missing_of ${g//,/ } | wc -l)
    [ "$n" = 0 ] || missing+=("$a: $n")
  done
  echo "Test environment of this machine (direct route; caches in $CACHE_ROOT):"
  if [ ${#missing[@]} -gt 0 ]; then echo "  apt: install Debian packages (${missing[*]}) — system-wide, with apt-get"
  else echo "  apt: all packages present"; fi
  for a in go rust node buildkit ci; do SETUP_TAG=$a bash "test/setup/$a.sh" plan 2>/dev/null | sed 's/^/  /' || true; done
}

status() {
  echo "route: direct (this machine); cache: $CACHE_ROOT ($(du -sh "$CACHE_ROOT" 2>/dev/null | cut -f1))"
  echo "dpkg foreign architectures: $(dpkg --print-foreign-architectures | paste -sd' ' - | sed 's/^$/none/')"
  echo "binfmt: $(binfmt_state)"
  echo "dockerd: $(/usr/bin/docker info >/dev/null 2>&1 && echo running || echo 'not running')"
  echo "arm64 glibc for Go: $(cat "$STATE/arm64-sysroot" 2>/dev/null || echo 'not set up')"
  bash test/setup/rust.sh status 2>/dev/null || true
  SETUP_TAG=node bash test/setup/node.sh status 2>/dev/null || true
  [ -f "$SUMMARY" ] && { echo "last setup:"; sed 's/^/  /' "$SUMMARY"; }
  return 0
}

install() {
  [ "$(id -u)" = 0 ] || die "test/setup.sh installs Debian packages and system-wide tools: run it as root (or use the disposable root: see README)"
  local t0 t failed=() groups=() a g bad
  t0=$(now)
  : >"$SUMMARY"
  plan | sed 's/^/  /' >&2

  # 1. packages (dpkg holds one lock: these are serial). First, on their own, the Rust compiler and
  #    the BuildKit group (docker.io, debootstrap, qemu), so that the two long parts — the std
  #    builds (CPU) and the base images (debootstrap, emulated RUN steps) — run while everything
  #    else installs.
  t=$(now)
  local pids=() names=() std_pid="" early=() bad_early=""
  # MULTIARCH_SETUP_SKIP="images npm-tools": leave parts out (the skew rehearsal only checks apt)
  for a in ${MULTIARCH_SETUP_SKIP:-}; do say "skipping part $a (MULTIARCH_SETUP_SKIP)"; done
  skip() { case " ${MULTIARCH_SETUP_SKIP:-} " in *" $1 "*) return 0 ;; esac; return 1; }
  has() { case " ${failed[*]} " in *" $1 "*) return 1 ;; esac; }
  if g=$(SETUP_TAG=rust bash test/setup/rust.sh compiler); then early+=("$g"); else failed+=(rust); fi
  if g=$(SETUP_TAG=buildkit bash test/setup/buildkit.sh packages); then early+=("$g"); else failed+=(buildkit); fi
  if [ ${#early[@]} -gt 0 ]; then bad_early=$(apt_groups "${early[@]}") || true; fi
  for g in $bad_early; do failed+=("${g/#rust-compiler/rust}"); done
  if has rust; then
    ( t=$(now); if bash test/setup/rust.sh std; then st=$(bash test/setup/rust.sh status); part_done rust-std "$t" ok "std in /usr/lib/rustlib: $(grep -c 'std: built' <<<"$st") targets compiled from rust-web-src (or from the cache), $(grep -c 'std: debian' <<<"$st") Debian's libstd-rust-web-dev:<arch>"
      else part_done rust-std "$t" FAIL "(message above)"; exit 1; fi ) &
    std_pid=$!
  fi
  if has buildkit && ! skip images; then
    ( t=$(now); if bash test/setup/buildkit.sh prepare >/dev/null; then part_done images "$t" ok "local/{debian,golang,node,node-dev}:bookworm-{amd64,arm64} in dockerd's store (dockerd stopped again unless it was running)"
      else part_done images "$t" FAIL "(message above)"; exit 1; fi ) &
    pids+=($!); names+=(images)
  fi
  for a in "${AREAS[@]}"; do
    [ "$a" = buildkit ] && continue # installed above
    g=$(SETUP_TAG=$a bash "test/setup/$a.sh" packages) || { failed+=("$a"); continue; }
    groups+=("$g")
  done
  if bad=$(apt_groups "${groups[@]}") && [ -z "$bad_early" ]; then
    part_done packages "$t" ok "$(printf '%s ' "${early[@]%%=*}" "${groups[@]%%=*}")"
  else
    # shellcheck disable=SC2206
    failed+=($bad)
    part_done packages "$t" FAIL "groups that could not be installed: $bad_early $bad (message above)"
  fi

  # 2. foreign architectures (pinned, each with its fallback)
  t=$(now)
  local fs=ok
  if has go; then bash test/setup/go.sh foreign || { fs=FAIL; failed+=(go); }; fi
  if has rust; then bash test/setup/rust.sh foreign || { fs=FAIL; failed+=(rust); }; fi
  part_done foreign "$t" $fs "dpkg foreign architectures: $(dpkg --print-foreign-architectures | paste -sd' ' - | sed 's/^$/none/'); arm64 glibc: $(cat "$STATE/arm64-sysroot" 2>/dev/null || echo -); musl-dev: $(cd "$STATE" && for f in musl-dev-*; do [ -f "$f" ] && printf '%s=%s ' "${f#musl-dev-}" "$(cat "$f")"; done)"

  # 3. the long parts, in parallel: Rust std and base images (both running since step 1) || node
  #    roots || npm tools (network); then the musl objects
  if has node && ! skip node-roots; then
    ( t=$(now); if SETUP_TAG=node bash test/setup/node.sh prepare >"$LOGS/node-roots.log" 2>&1; then part_done node-roots "$t" ok "qemu-aarch64/qemu-arm binfmt, node roots for arm64 and armhf, the arm64 build root ($CACHE_ROOT/node)"
      else tail -3 "$LOGS/node-roots.log" >&2; part_done node-roots "$t" FAIL "(log $LOGS/node-roots.log)"; exit 1; fi ) &
    pids+=($!); names+=(node-roots)
  fi
  if has ci && ! skip npm-tools; then
    ( t=$(now); if bash test/setup/ci.sh install >"$LOGS/npm-tools.log" 2>&1; then part_done npm-tools "$t" ok "$(tail -1 "$LOGS/npm-tools.log")"
      else tail -3 "$LOGS/npm-tools.log" >&2; part_done npm-tools "$t" FAIL "(log $LOGS/npm-tools.log)"; exit 1; fi ) &
    pids+=($!); names+=(npm-tools)
  fi
  if [ -n "$std_pid" ]; then
    wait "$std_pid" || failed+=(rust-std)
    if has rust && has rust-std; then
      t=$(now)
      if bash test/setup/rust.sh musl; then part_done rust-musl "$t" ok "musl self-contained objects + unwind check under qemu"
      else part_done rust-musl "$t" FAIL "(message above)"; failed+=(rust-musl); fi
    fi
  fi
  local i
  for i in "${!pids[@]}"; do wait "${pids[$i]}" || failed+=("${names[$i]}"); done

  echo "== setup summary ($(secs "$t0") s in all; logs in $LOGS)" >&2
  sed 's/^/  /' "$SUMMARY" >&2
  if [ ${#failed[@]} -gt 0 ]; then
    echo "setup: FAILED: ${failed[*]} (the message above names the package, the architecture and the fix)" >&2
    return 1
  fi
}

case ${1:-install} in
  install) install ;;
  plan) SETUP_PLAN_ONLY=1 plan ;;
  status) SETUP_PLAN_ONLY=1 status ;;
  *) echo "usage: $0 [install|plan|status]" >&2; exit 2 ;;
esac

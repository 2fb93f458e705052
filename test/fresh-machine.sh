#!/usr/bin/env bash
# Fresh-machine rehearsal: the README's test command in a clean Debian bookworm root, so a missing
# install step or a mirror skew shows here before it shows on somebody's fresh machine or in CI.
# Not part of .ci/run (it takes as long as a first run: about 22 minutes on 2 cores).
#
#   bash test/fresh-machine.sh            clean root (debootstrap minbase + the host's apt sources
#                                         + the host's node/npm), a clean copy of HEAD (git archive),
#                                         then exactly `npm ci && npm test` with CI=true; prints the
#                                         duration
#   bash test/fresh-machine.sh --warm     the same command again in the root the last run left
#                                         (the warm-rerun time)
#   bash test/fresh-machine.sh --skew[=KIND]
#                                         setup only (`npm ci && bash test/setup.sh`, without the
#                                         BuildKit images and npm tools, which no apt skew touches), in
#                                         a clean root whose apt sees a skewed mirror; the Rust std
#                                         compiled by the previous rehearsal is reused when it is for
#                                         the same compiler (its cache is keyed by it); KIND:
#                                           fallback   (default) libc6:arm64 and musl-dev:armhf exist
#                                                      only at versions other than the host's
#                                                      (pinned away), and the arm64 bookworm-security
#                                                      index is hidden: setup must finish through
#                                                      the fallbacks
#                                           rust       cargo-web 1.96 hidden: setup must pick the
#                                                      newest version all of the Rust trio have
#                                           group      shellcheck (CI-template tools' group) is
#                                                      pinned away: every other group must still
#                                                      install, setup ends naming shellcheck
#                                           impossible every rustc-web is pinned away: setup must
#                                                      stop with ONE message naming it
#   bash test/fresh-machine.sh --shell    a shell in the last root (mounts as in a run)
#   bash test/fresh-machine.sh --clean    remove the rehearsal root (the clean-root tar stays)
#
# Root and caches: $MULTIARCH_ROOT_CACHE (default /var/cache/multiarch-root), outside the
# repository; see test/setup/root-lib.sh for what a session in the root shares with the host.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
ROOT_TAG=fresh-machine
# a bridge and subnet of its own, apart from the root route's (root-lib.sh): a rehearsal can run
# while `npm test` runs
MULTIARCH_ROOT_BRIDGE=${MULTIARCH_REHEARSAL_BRIDGE:-multiarch-br1}
MULTIARCH_ROOT_BRIDGE_CIDR=${MULTIARCH_REHEARSAL_BRIDGE_CIDR:-10.213.214.1/24}
. "$REPO/test/setup/root-lib.sh"

MODE=fresh SKEW=""
for a in "$@"; do
  case $a in
    --warm) MODE=warm ;;
    --skew) MODE=skew SKEW=fallback ;;
    --skew=*) MODE=skew SKEW=${a#--skew=} ;;
    --shell) MODE=shell ;;
    --clean) MODE=clean ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) rdie "unknown argument $a (see --help)" ;;
  esac
done
case $SKEW in "" | fallback | rust | group | impossible) ;; *) rdie "unknown --skew kind $SKEW (fallback, rust, group, impossible)" ;; esac

DIR=$ROOT_CACHE/rehearsal
ROOT=$DIR/root
MNT=/work/multiarch

if [ $MODE = clean ]; then rm -rf "$DIR"; rsay "removed $DIR"; exit 0; fi
root_need_host

skew_files() { # writes the apt pins / source changes of a skew KIND into the root
  local p=$ROOT/etc/apt/preferences.d/multiarch-skew hostlibc musl
  hostlibc=$(chroot "$ROOT" dpkg-query -W -f='${Version}' libc6); musl=$(apt-cache policy musl-dev 2>/dev/null | awk '/Candidate:/ { print $2 }')
  case $1 in
    fallback)
      printf 'Package: libc6:arm64\nPin: version %s\nPin-Priority: -1\n\nPackage: musl-dev:armhf musl:armhf\nPin: version %s\nPin-Priority: -1\n' "$hostlibc" "$musl" >"$p"
      # hide the arm64 index of bookworm-security (as the mirror did for i386, armhf, ppc64el)
      sed -i '/^URIs: .*debian-security/a Architectures: amd64 armhf armel i386 ppc64el s390x' "$ROOT/etc/apt/sources.list.d/debian.sources"
      ;;
    rust)
      printf 'Package: cargo-web\nPin: version 1.96*\nPin-Priority: -1\n' >"$p" ;;
    group)
      printf 'Package: shellcheck\nPin: version *\nPin-Priority: -1\n' >"$p" ;;
    impossible)
      printf 'Package: rustc-web\nPin: version *\nPin-Priority: -1\n' >"$p" ;;
  esac
  rsay "skew '$1': $(tr '\n' ' ' <"$p")"
}

if [ $MODE = fresh ] || [ $MODE = skew ]; then
  [ -z "$(git -C "$REPO" status --porcelain --untracked-files=no)" ] || rsay "note: uncommitted changes are NOT in the rehearsal (it runs a clean copy of HEAD $(git -C "$REPO" rev-parse --short HEAD))"
  t=$(date +%s)
  base=$(root_make_base)
  if [ $MODE = skew ] && [ -d "$ROOT/var/cache/multiarch-test/rust/std" ]; then
    rm -rf "$DIR/std-cache"; mv "$ROOT/var/cache/multiarch-test/rust/std" "$DIR/std-cache"
  fi
  rsay "fresh root from $(basename "$base") in $ROOT"
  root_extract "$base" "$ROOT"
  if [ $MODE = skew ] && [ -d "$DIR/std-cache" ]; then
    mkdir -p "$ROOT/var/cache/multiarch-test/rust" && mv "$DIR/std-cache" "$ROOT/var/cache/multiarch-test/rust/std"
    rsay "reusing the previous rehearsal's compiled Rust std (used only if the compiler is the same)"
  fi
  mkdir -p "$ROOT$MNT"
  git -C "$REPO" archive --format=tar HEAD | tar -C "$ROOT$MNT" -x
  HEAD_RUN=$(git -C "$REPO" rev-parse --short HEAD) # archived just above; the checkout may move on during the run
  echo "$HEAD_RUN" >"$DIR/head"
  rsay "project: git archive of HEAD $HEAD_RUN in $MNT ($(($(date +%s) - t)) s so far)"
  [ $MODE = skew ] && skew_files "$SKEW"
elif [ ! -d "$ROOT$MNT" ]; then
  rdie "no rehearsal root at $ROOT: run bash test/fresh-machine.sh first"
fi

ROOT_ENV=(CI=true ${MULTIARCH_RUST_SWEEP:+MULTIARCH_RUST_SWEEP=$MULTIARCH_RUST_SWEEP})
case $MODE in
  fresh | warm) CMD="npm ci && npm test" ;;
  skew) CMD="npm ci --no-audit --no-fund && bash test/setup.sh"; ROOT_ENV+=("MULTIARCH_SETUP_SKIP=images npm-tools") ;;
  shell) CMD="bash -i" ;;
esac

binfmt=$(root_binfmt_before)
bridge=$(root_bridge_up)
trap 'root_bridge_down "$bridge"; root_binfmt_restore "$binfmt"' EXIT
trap 'exit 130' INT; trap 'exit 143' TERM # (so that the EXIT trap runs on Ctrl-C or kill too)
rsay "running \`$CMD\` in the root (CI=true)"
t=$(date +%s); status=0
root_run "$ROOT" "" "$MNT" "$CMD" || status=$?
d=$(($(date +%s) - t))
rsay "$MODE${SKEW:+ ($SKEW)}: \`$CMD\` exited $status after ${d} s ($((d / 60)) min $((d % 60)) s)"
echo "$(date -u +%FT%TZ) $MODE${SKEW:+/$SKEW} exit=$status seconds=$d head=$(cat "$DIR/head" 2>/dev/null || echo unknown)" >>"$ROOT_CACHE/rehearsals.txt"
exit $status

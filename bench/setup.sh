#!/usr/bin/env bash
# Benchmark prerequisites (issue #8), idempotent, as root on Debian 12:
#
#   bench/setup.sh            binfmt_misc + qemu-user-static, and the arm64 rootfs for the emulated
#                             builds (Go 1.19 and rustc-web/cargo-web 1.96 running under qemu-user);
#                             checks the host toolchains and says how to get what is missing
#   bench/setup.sh --host     also runs test/setup/go.sh and test/setup/rust.sh (the host Go, Rust and
#                             gcc-<triple> cross toolchains the real-toolchain rung uses)
#   bench/setup.sh --fixtures also installs the Debian packages the real-sized fixtures of issue #18
#                             are made from (bench/fixtures.ts): golang-*-dev (Go libraries under
#                             /usr/share/gocode) and librust-*-dev (crates under /usr/share/cargo/registry);
#                             the section's Docker images come from bench/images.sh
#   bench/setup.sh status     print what is there, change nothing
#
# The rootfs lives in $MULTIARCH_TEST_CACHE/bench/arm64root (default /var/cache/multiarch-test). It
# starts from the debootstrap tarball test/setup/buildkit.sh caches there (rootfs-bookworm-minbase-
# arm64.tar) when present, else from `debootstrap --arch=arm64 --variant=minbase bookworm`. Inside it:
# golang-go (1.19, bookworm), rustc-web/cargo-web (1.96, bookworm-security: the same release as the
# host's), gcc and libc6-dev (the linker the Rust plan names, aarch64-linux-gnu-gcc, is Debian's
# native gcc there). A marker file records the recipe; a changed recipe rebuilds the rootfs.
# Mounts (proc, the bench work folder) are made per command in a private mount namespace by
# bench/emulated.ts, so nothing stays mounted after a run.
. "$(dirname "$0")/../test/setup/lib.sh"

CACHE_ROOT=${MULTIARCH_TEST_CACHE:-/var/cache/multiarch-test}
ROOT=$CACHE_ROOT/bench/arm64root
TARBALL=$CACHE_ROOT/rootfs-bookworm-minbase-arm64.tar
MARK=$ROOT/.multiarch-bench-rootfs
CHROOT_PKGS="golang-go rustc-web cargo-web gcc libc6-dev ca-certificates"
RECIPE="bookworm arm64 minbase + bookworm-security: $CHROOT_PKGS"
HOST_PKGS=(qemu-user-static binfmt-support debootstrap file)
# the real-sized fixtures' libraries (bench/fixtures/go-service/*.go and rust-service/Cargo.toml import these)
FIXTURE_PKGS=(golang-google-grpc-dev golang-github-prometheus-client-golang-dev golang-github-gorilla-mux-dev
  golang-github-spf13-cobra-dev golang-github-sirupsen-logrus-dev golang-gopkg-yaml.v3-dev golang-github-go-chi-chi-dev
  golang-github-jackc-pgx-v4-dev golang-github-golang-jwt-jwt-dev golang-github-google-uuid-dev golang-github-spf13-viper-dev
  golang-github-gin-gonic-gin-dev
  librust-tokio-dev librust-hyper-dev librust-serde-json-dev librust-serde-derive-dev librust-regex-dev librust-clap-dev
  librust-chrono-dev librust-rand-dev librust-tracing-subscriber-dev librust-anyhow-dev librust-toml-dev librust-sha2-dev
  librust-base64-dev librust-rayon-dev)

T0=$(date +%s)
log() { echo "[bench/setup.sh +$(( $(date +%s) - T0 ))s] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# in_root CMD: run a shell command in the rootfs, with /proc mounted in a private mount namespace
in_root() {
  unshare --mount --propagation private sh -c 'mount -t proc proc "$0/proc" && exec chroot "$0" /bin/sh -c "$1"' "$ROOT" "$1"
}

make_rootfs() {
  if [ -f "$MARK" ] && [ "$(cat "$MARK")" = "$RECIPE" ]; then log "rootfs present: $ROOT"; return 0; fi
  rm -rf "$ROOT"
  mkdir -p "$ROOT"
  if [ -s "$TARBALL" ]; then
    log "rootfs from $TARBALL (test/setup/buildkit.sh's debootstrap cache)"
    tar -C "$ROOT" --numeric-owner -xf "$TARBALL"
  else
    log "debootstrap --arch=arm64 --variant=minbase bookworm (about 1 min; the second stage runs under qemu)"
    debootstrap --arch=arm64 --variant=minbase bookworm "$ROOT" "$(apt_mirror)" >"$ROOT.debootstrap.log" 2>&1 \
      || { tail -30 "$ROOT.debootstrap.log" >&2; die "debootstrap failed"; }
    rm -f "$ROOT.debootstrap.log"
  fi
  [ -x "$ROOT/bin/sh" ] || die "no /bin/sh in $ROOT"
  # the host's apt sources (bookworm, bookworm-updates, bookworm-security) and apt options
  rm -f "$ROOT/etc/apt/sources.list"
  mkdir -p "$ROOT/etc/apt/sources.list.d" "$ROOT/etc/apt/apt.conf.d"
  local m sec
  m=$(apt_mirror)
  sec=$(awk '/^URIs:/ { u=$2 } /^Suites:.*bookworm-security/ { print u; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  printf 'Types: deb\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\nTypes: deb\nURIs: %s\nSuites: bookworm-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$m" "${sec:-http://deb.debian.org/debian-security}" >"$ROOT/etc/apt/sources.list.d/debian.sources"
  printf 'Acquire::Check-Valid-Until "false";\nAcquire::Check-Date "false";\n' >"$ROOT/etc/apt/apt.conf.d/99multiarch-bench"
  cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
  [ -e "$ROOT/dev/null" ] || die "$ROOT/dev has no device nodes"
  log "installing in the rootfs (emulated apt, about 1–2 min): $CHROOT_PKGS"
  in_root "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $CHROOT_PKGS >/tmp/apt.log 2>&1 || { tail -30 /tmp/apt.log; exit 1; }; apt-get clean" \
    || die "apt-get install in the rootfs failed"
  echo "$RECIPE" >"$MARK"
  log "rootfs ready: $ROOT"
}

status() {
  echo "binfmt qemu-aarch64: $(grep -x enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null || echo MISSING)"
  echo "rootfs: $([ -f "$MARK" ] && echo "$ROOT ($(cat "$MARK"))" || echo "MISSING ($ROOT)")"
  if [ -f "$MARK" ]; then
    echo "  go:    $(in_root 'go version' 2>&1)"
    echo "  rustc: $(in_root 'rustc --version' 2>&1)"
    echo "  gcc:   $(in_root 'aarch64-linux-gnu-gcc --version | head -1' 2>&1)"
  fi
  echo "host go:    $(go version 2>/dev/null || echo MISSING: run test/setup/go.sh)"
  echo "host rustc: $(/usr/bin/rustc --version 2>/dev/null || echo MISSING: run test/setup/rust.sh)"
  local t
  for t in x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf riscv64gc-unknown-linux-gnu \
    x86_64-unknown-linux-musl aarch64-unknown-linux-musl armv7-unknown-linux-musleabihf riscv64gc-unknown-linux-musl; do
    printf '  std %-34s %s\n' "$t" "$(ls /usr/lib/rustlib/$t/lib/libstd-*.rlib >/dev/null 2>&1 && echo ok || echo 'MISSING: run test/setup/rust.sh')"
  done
  for t in aarch64-linux-gnu arm-linux-gnueabihf riscv64-linux-gnu; do
    printf '  %-28s %s\n' "$t-gcc" "$(command -v $t-gcc >/dev/null && echo ok || echo 'MISSING: run test/setup/go.sh')"
  done
}

case ${1:-install} in
  status) status ;;
  --fixtures)
    [ "$(id -u)" = 0 ] || die "run as root (apt-get)"
    apt_install "${FIXTURE_PKGS[@]}"
    log "fixture libraries installed; generate the fixtures with: npx tsx bench/fixtures.ts"
    ;;
  install | --host)
    [ "$(id -u)" = 0 ] || die "run as root (apt-get, binfmt_misc, chroot)"
    if [ "${1:-}" = --host ]; then
      bash "$(dirname "$0")/../test/setup/go.sh"
      MULTIARCH_RUST_TARGETS=${MULTIARCH_RUST_TARGETS:-"x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf riscv64gc-unknown-linux-gnu x86_64-unknown-linux-musl aarch64-unknown-linux-musl armv7-unknown-linux-musleabihf riscv64gc-unknown-linux-musl"} \
        bash "$(dirname "$0")/../test/setup/rust.sh" install
    fi
    apt_install "${HOST_PKGS[@]}"
    binfmt_enable_aarch64 >/dev/null
    grep -q '^flags: .*F' /proc/sys/fs/binfmt_misc/qemu-aarch64 || die "qemu-aarch64 binfmt handler lacks the F flag (chroot builds need it)"
    make_rootfs
    status
    ;;
  *) die "usage: $0 [install|--host|--fixtures|status]" ;;
esac

#!/usr/bin/env bash
# Real Go toolchain rung (test/real/go.test.ts): Debian's Go, qemu-user-static, every bookworm C
# cross compiler (cgo), and a glibc to run dynamic arm64 and 386 binaries.
#
#   test/setup/go.sh packages   print the apt group (test/setup.sh installs it)
#   test/setup/go.sh foreign    the arm64 glibc: libc6:arm64 pinned, or the fallback sysroot
#   test/setup/go.sh install    both
#   test/setup/go.sh plan       print what install would do
#
# 386: `libc6-i386` (an amd64 package: /lib/ld-linux.so.2 -> /lib32) runs 386 binaries natively;
# no i386 foreign architecture is needed.
# arm64: qemu-aarch64 with the cross sysroot (-L /usr/aarch64-linux-gnu) hangs in pthread_create
# (shared/reference/test-machine.md §1), so a dynamic arm64 Go binary needs a real arm64 glibc:
#   - `libc6:arm64=<the host libc6's version>` (Multi-Arch: same: one version on every arch);
#   - if apt cannot install that version for arm64 (missing index, mirror skew), the arm64 base
#     system of debootstrap's first stage (no emulation: it only unpacks bookworm's arm64 .debs)
#     under $MULTIARCH_TEST_CACHE/sysroot/arm64, which the test passes to qemu as -L.
# The route taken is written to $MULTIARCH_TEST_CACHE/state/arm64-sysroot ("/" or that directory).
SETUP_TAG=${SETUP_TAG:-go}
. "$(dirname "$0")/lib.sh"

TRIPLES="aarch64-linux-gnu:arm64 arm-linux-gnueabihf:armhf arm-linux-gnueabi:armel riscv64-linux-gnu:riscv64 \
powerpc64le-linux-gnu:ppc64el s390x-linux-gnu:s390x i686-linux-gnu:i386 mips-linux-gnu:mips mipsel-linux-gnu:mipsel \
mips64-linux-gnuabi64:mips64 mips64el-linux-gnuabi64:mips64el"
SYSROOT_ARM64=$CACHE_ROOT/sysroot/arm64

print_packages() {
  local pkgs=(golang-go qemu-user-static file libc6-i386) tp t a
  for tp in $TRIPLES; do
    t=${tp%%:*}; a=${tp##*:}
    pkgs+=("gcc-$t" "g++-$t" "libc6-dev-$a-cross")
  done
  echo "go=$(IFS=,; echo "${pkgs[*]}")"
}

arm64_sysroot_fallback() {
  if [ -f "$SYSROOT_ARM64/lib/aarch64-linux-gnu/libc.so.6" ] && [ -e "$SYSROOT_ARM64/lib/ld-linux-aarch64.so.1" ]; then
    echo "$SYSROOT_ARM64" >"$STATE/arm64-sysroot"
    return 0
  fi
  command -v debootstrap >/dev/null || apt_install debootstrap || die "debootstrap is needed for the arm64 sysroot fallback"
  say "arm64 glibc: unpacking bookworm's arm64 base system (debootstrap --foreign, no emulation) into $SYSROOT_ARM64"
  rm -rf "$SYSROOT_ARM64.tmp"; mkdir -p "$(dirname "$SYSROOT_ARM64")"
  debootstrap --foreign --arch=arm64 --variant=minbase bookworm "$SYSROOT_ARM64.tmp" "$(apt_mirror)" >"$LOGS/arm64-sysroot.log" 2>&1 ||
    { tail -5 "$LOGS/arm64-sysroot.log" >&2; die "debootstrap --foreign arm64 failed (log $LOGS/arm64-sysroot.log)"; }
  [ -f "$SYSROOT_ARM64.tmp/lib/aarch64-linux-gnu/libc.so.6" ] || die "the arm64 base system has no lib/aarch64-linux-gnu/libc.so.6"
  rm -rf "$SYSROOT_ARM64.tmp/var/cache/apt/archives" "$SYSROOT_ARM64"
  mv "$SYSROOT_ARM64.tmp" "$SYSROOT_ARM64"
  echo "$SYSROOT_ARM64" >"$STATE/arm64-sysroot"
}

do_foreign() {
  local v
  if [ -n "$(installed_version libc6:arm64)" ]; then echo / >"$STATE/arm64-sysroot"; return 0; fi
  if [ "$(cat "$STATE/arm64-sysroot" 2>/dev/null)" = "$SYSROOT_ARM64" ] && [ -f "$SYSROOT_ARM64/lib/aarch64-linux-gnu/libc.so.6" ] && [ -z "${MULTIARCH_SETUP_RETRY_FOREIGN:-}" ]; then
    return 0
  fi
  v=$(installed_version libc6)
  add_arch arm64
  apt_update
  if apt_versions libc6:arm64 | grep -qxF "$v"; then
    say "installing libc6:arm64=$v (the host libc6's version)"
    if apt_try "libc6:arm64=$v"; then echo / >"$STATE/arm64-sysroot"; say "arm64 glibc: Debian's libc6:arm64 $v"; return 0; fi
  fi
  say "$(apt_explain libc6:arm64 "$v" "none needed: the arm64 sysroot fallback is used")"
  arm64_sysroot_fallback
  say "arm64 glibc: $SYSROOT_ARM64 (fallback)"
}

do_plan() {
  [ -n "$(installed_version libc6:arm64)" ] && return 0
  [ -f "$SYSROOT_ARM64/lib/aarch64-linux-gnu/libc.so.6" ] && return 0
  echo "go: dpkg foreign architecture arm64 for libc6:arm64 (pinned to the host's libc6; else an arm64 sysroot in $SYSROOT_ARM64)"
}

case ${1:-install} in
  packages) print_packages ;;
  foreign) do_foreign ;;
  install)
    APT_GROUP=go apt_groups "$(print_packages)" >/dev/null || die "the Go packages could not be installed (message above)"
    do_foreign
    go version ;;
  plan) do_plan ;;
  *) die "usage: $0 [packages|foreign|install|plan]" ;;
esac

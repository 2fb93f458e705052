#!/usr/bin/env bash
# Real Go toolchain rung: Debian's Go, qemu-user-static, every bookworm C cross compiler (cgo),
# and multiarch libc for running dynamic arm64/i386 binaries.
. "$(dirname "$0")/lib.sh"
t0=$(date +%s)
add_arch arm64 i386
triples="aarch64-linux-gnu:arm64 arm-linux-gnueabihf:armhf arm-linux-gnueabi:armel riscv64-linux-gnu:riscv64 \
powerpc64le-linux-gnu:ppc64el s390x-linux-gnu:s390x i686-linux-gnu:i386 mips-linux-gnu:mips mipsel-linux-gnu:mipsel \
mips64-linux-gnuabi64:mips64 mips64el-linux-gnuabi64:mips64el"
pkgs=(golang-go qemu-user-static binfmt-support file libc6:arm64 libc6:i386)
for tp in $triples; do
  t=${tp%%:*}; a=${tp##*:}
  pkgs+=("gcc-$t" "g++-$t" "libc6-dev-$a-cross")
done
apt_install "${pkgs[@]}"
go version
echo "setup/go.sh: ok in $(( $(date +%s) - t0 ))s"

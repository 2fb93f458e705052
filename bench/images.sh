#!/usr/bin/env bash
# Base images of the head-to-head benchmark (issue #18), built offline in the BuildKit rung's dockerd
# (test/setup/buildkit.sh start: it provides local/debian and local/golang:bookworm-{amd64,arm64}).
# Nothing is pulled from a registry: Debian packages only, through apt inside the build.
#
#   local/rust:{amd64,arm64,arm,riscv64} Debian's rustc-web/cargo-web 1.96, gcc, libc6-dev on a Debian
#                                       root of that platform (the stand-in for `FROM rust`: a native
#                                       toolchain per platform, run under qemu-user for all but amd64):
#                                       amd64/arm64 FROM local/debian:bookworm-<arch> (test/setup/buildkit.sh);
#                                       arm = armhf (linux/arm/v7) FROM local/debian:bookworm-arm, a bookworm
#                                       armhf root made here; riscv64 FROM local/debian:trixie-riscv64, a
#                                       Debian 13 root made here (bookworm has no riscv64 port; trixie main
#                                       ships the same rustc-web 1.96, with its gcc 14 and glibc 2.41)
#   local/rust-cross:amd64              local/rust:amd64 + gcc-<triple> cross compilers + the target std the
#                                       host's test/setup/rust.sh installed under /usr/lib/rustlib (what
#                                       `rustup target add` gives the official image)
#   local/golang:bookworm-{arm,riscv64} the (b) Go toolchain for linux/arm/v7 and linux/riscv64: Debian
#                                       bookworm has no riscv64 port, so both are the host's Go 1.19.8
#                                       (golang-1.19-src) cross-built by the host's go for that platform
#                                       (go, compile, link, asm, cgo; static), in a GOROOT at
#                                       /usr/lib/go-1.19 FROM scratch (no shell: exec-form RUN); arm sets
#                                       GOARM=7. (amd64/arm64 are test/setup/buildkit.sh's Debian images.)
#
#   bench/images.sh [build]    build what is missing (a changed recipe rebuilds)
#   bench/images.sh go         only the cross-built Go images
#   bench/images.sh rust       only the Rust images
#   bench/images.sh roots      only the armhf and riscv64 Debian roots (local/debian:bookworm-arm,
#                              local/debian:trixie-riscv64)
#   bench/images.sh status     list them
set -euo pipefail
. "$(dirname "$0")/../test/setup/lib.sh"   # apt_mirror, debootstrap_tar, binfmt_enable
DOCKER=/usr/bin/docker
CACHE=${MULTIARCH_TEST_CACHE:-/var/cache/multiarch-test}
LABEL=org.multiarch.bench.recipe
CROSS_TRIPLES="aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf riscv64gc-unknown-linux-gnu"
log() { echo "[bench/images.sh $(date -u +%H:%M:%S)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

"$DOCKER" info >/dev/null 2>&1 || die "no dockerd answers: run test/setup/buildkit.sh start"
need_base_images() {
  local a
  for a in amd64 arm64; do
    "$DOCKER" image inspect "local/debian:bookworm-$a" >/dev/null 2>&1 || die "local/debian:bookworm-$a missing: run test/setup/buildkit.sh start"
  done
}

# apt_in SUITE: the start of a RUN command that installs packages from SUITE, SUITE-updates and
# SUITE-security (the debootstrap images list SUITE main only; rustc-web 1.96, the host's, is in
# bookworm-security)
apt_in() {
  echo "printf 'deb http://deb.debian.org/debian $1 main\\ndeb http://deb.debian.org/debian $1-updates main\\ndeb http://deb.debian.org/debian-security $1-security main\\n' >/etc/apt/sources.list && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends"
}
CLEAN='apt-get clean && rm -rf /var/lib/apt/lists/*'

# build TAG ARCH CONTEXT DOCKERFILE-TEXT
build() {
  local tag=$1 arch=$2 ctx=$3 text=$4 recipe
  recipe=$(printf '%s' "$text" | sha256sum | cut -c1-16)
  if [ "$("$DOCKER" image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$tag" 2>/dev/null || true)" = "$recipe" ]; then
    log "$tag present"; return
  fi
  printf '%s\nLABEL %s=%s\n' "$text" "$LABEL" "$recipe" >"$ctx/Dockerfile"
  local t0=$SECONDS
  case $arch in linux/*) ;; *) arch=linux/$arch ;; esac
  DOCKER_BUILDKIT=1 "$DOCKER" build --platform "$arch" --progress plain -t "$tag" "$ctx" >"$ctx.log" 2>&1 || { tail -30 "$ctx.log" >&2; die "building $tag failed"; }
  log "$tag built in $((SECONDS - t0)) s"
}

status() { "$DOCKER" image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E '^local/(rust|golang)' || true; }

work=$CACHE/bench/images
mkdir -p "$work"

# go_image ARCH (arm|riscv64): Go 1.19.8 for that platform, cross-built from the host's GOROOT source
GOROOT_HOST=/usr/lib/go-1.19
go_image() {
  local arch=$1 ctx=$work/golang-$1 platform goarm="" version
  version=$(cat "$GOROOT_HOST/VERSION" | head -1)
  [ "$arch" = arm ] && { platform=linux/arm/v7; goarm=7; } || platform=linux/$arch
  local text="FROM scratch
COPY goroot/ /usr/lib/go-1.19/
COPY tmp/ /tmp/
ENV GOROOT=/usr/lib/go-1.19 PATH=/usr/lib/go-1.19/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root GOPATH=/go GOFLAGS=-mod=mod${goarm:+ GOARM=$goarm}
# $version cross-built for $platform
CMD [\"go\", \"version\"]"
  local recipe tag=local/golang:bookworm-$arch
  recipe=$(printf '%s' "$text" | sha256sum | cut -c1-16)
  if [ "$("$DOCKER" image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$tag" 2>/dev/null || true)" = "$recipe" ]; then
    log "$tag present"; return
  fi
  local t0=$SECONDS
  rm -rf "$ctx"; mkdir -p "$ctx/goroot/bin" "$ctx/goroot/pkg/tool/linux_$arch" "$ctx/tmp"
  chmod 1777 "$ctx/tmp"
  cp -aL "$GOROOT_HOST/src" "$ctx/goroot/src"
  cp -aL "$GOROOT_HOST/pkg/include" "$ctx/goroot/pkg/include"
  cp "$GOROOT_HOST/VERSION" "$ctx/goroot/VERSION"
  ( cd "$GOROOT_HOST/src" && env -u GOFLAGS GOOS=linux GOARCH="$arch" ${goarm:+GOARM=$goarm} CGO_ENABLED=0 \
      go build -trimpath -o "$ctx/goroot/pkg/tool/linux_$arch/" cmd/compile cmd/link cmd/asm cmd/cgo &&
    env -u GOFLAGS GOOS=linux GOARCH="$arch" ${goarm:+GOARM=$goarm} CGO_ENABLED=0 go build -trimpath -o "$ctx/goroot/bin/go" cmd/go ) \
    >"$ctx.log" 2>&1 || { tail -30 "$ctx.log" >&2; die "cross-building Go for $platform failed"; }
  # the binaries run (qemu-user through binfmt_misc) and are the host's version
  GOROOT=$ctx/goroot "$ctx/goroot/bin/go" version | grep -q " $version " || die "the $platform go does not report $version"
  log "Go $version for $platform cross-built in $((SECONDS - t0)) s"
  build "$tag" "$arch" "$ctx" "$text"
}

# ---- foreign Debian roots for the (b) Rust images (bench only; the test rungs need amd64/arm64) ----
# foreign_base SUITE DEBARCH DOCKERARCH PLATFORM: local/debian:SUITE-DOCKERARCH from a debootstrap
# --variant=minbase root (second stage under qemu-user), the tarball cached like test/setup/buildkit.sh's
foreign_base() {
  local suite=$1 debarch=$2 arch=$3 platform=$4 tag=local/debian:$1-$3
  local tar=$CACHE/rootfs-$suite-minbase-$debarch.tar
  if "$DOCKER" image inspect "$tag" >/dev/null 2>&1; then log "$tag present"; return; fi
  if [ ! -s "$tar" ]; then
    local t0=$SECONDS
    debootstrap_tar "$suite" "$debarch" "$tar"
    log "debootstrap $suite $debarch: $((SECONDS - t0)) s"
  fi
  local ctx=$work/debian-$suite-$arch
  rm -rf "$ctx"; mkdir -p "$ctx"
  ln "$tar" "$ctx/rootfs.tar" 2>/dev/null || cp "$tar" "$ctx/rootfs.tar"
  build "$tag" "$platform" "$ctx" "FROM scratch
ADD rootfs.tar /
CMD [\"bash\"]"
  rm -f "$ctx/rootfs.tar"
}

# rust_image ARCH: local/rust:ARCH, Debian's rustc-web/cargo-web 1.96 for that platform
rust_image() {
  local arch=$1 suite=bookworm platform=linux/$1
  case $arch in
    amd64|arm64) ;;
    arm) platform=linux/arm/v7 ;;
    riscv64) suite=trixie ;;
    *) die "rust_image: unknown architecture $arch" ;;
  esac
  mkdir -p "$work/rust-$arch"
  build "local/rust:$arch" "$platform" "$work/rust-$arch" "FROM local/debian:$suite-$arch
RUN $(apt_in $suite) rustc-web cargo-web gcc libc6-dev ca-certificates >/dev/null && $CLEAN && rustc --version
ENV PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin CARGO_HOME=/usr/local/cargo"
  # the image's rustc runs (under qemu-user for all but amd64) and is the host's release
  local v
  v=$("$DOCKER" run --rm --platform "$platform" "local/rust:$arch" rustc --version) || die "local/rust:$arch: rustc does not run"
  case $v in "rustc $(/usr/bin/rustc --version | cut -d' ' -f2) "*) log "local/rust:$arch: $v" ;; *) die "local/rust:$arch has $v, the host's Debian rustc-web has $(/usr/bin/rustc --version)" ;; esac
}

rust_images() {
  foreign_base bookworm armhf arm linux/arm/v7 &
  local p1=$!
  foreign_base trixie riscv64 riscv64 linux/riscv64 &
  local p2=$!
  wait $p1 || die "the armhf root failed"
  wait $p2 || die "the riscv64 root failed"
  [ "${1:-}" = roots ] && return
  need_base_images
  local pids=() a rc=0
  for a in amd64 arm64 arm riscv64; do
    ( rust_image "$a" ) &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  [ $rc = 0 ] || die "a Rust image failed (log above)"

  # the cross image: std per target from the host (a copy of what test/setup/rust.sh installed)
  local ctx=$work/rust-cross t
  rm -rf "$ctx"; mkdir -p "$ctx/rustlib"
  for t in $CROSS_TRIPLES; do
    [ -d "/usr/lib/rustlib/$t/lib" ] || die "no std for $t under /usr/lib/rustlib (run test/setup/rust.sh)"
    cp -a "/usr/lib/rustlib/$t" "$ctx/rustlib/"
  done
  # the host std's file list makes the recipe (a rebuilt std rebuilds the image)
  find "$ctx/rustlib" -type f -printf '%P %s\n' | sort | sha256sum | cut -c1-16 >"$ctx/stdlist"
  build local/rust-cross:amd64 linux/amd64 "$ctx" "FROM local/rust:amd64
RUN $(apt_in bookworm) gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-arm-linux-gnueabihf libc6-dev-armhf-cross gcc-riscv64-linux-gnu libc6-dev-riscv64-cross >/dev/null && $CLEAN
# std $(cat "$ctx/stdlist")
COPY rustlib/ /usr/lib/rustlib/"
}

case ${1:-build} in status) ;; *)
  # the (b) builds run every non-amd64 RUN step under qemu-user: all three handlers, kernel-wide,
  # with the F flag (the interpreter is opened at registration, so containers find it)
  binfmt_enable qemu-aarch64 qemu-arm qemu-riscv64
  for h in qemu-aarch64 qemu-arm qemu-riscv64; do grep -q '^flags: .*F' "$BINFMT/$h" || die "the $h binfmt handler lacks the F flag"; done ;;
esac
case ${1:-build} in
  status) status; exit 0 ;;
  build) ;;
  go)
    for a in arm riscv64; do go_image "$a"; done
    status; exit 0 ;;
  rust) rust_images; status; exit 0 ;;
  roots) rust_images roots; exit 0 ;;
  *) die "usage: $0 [build|go|rust|roots|status]" ;;
esac

for a in arm riscv64; do go_image "$a"; done
rust_images
status

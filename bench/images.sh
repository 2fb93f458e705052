#!/usr/bin/env bash
# Base images of the head-to-head benchmark (issue #18), built offline in the BuildKit rung's dockerd
# (test/setup/buildkit.sh start: it provides local/debian and local/golang:bookworm-{amd64,arm64}).
# Nothing is pulled from a registry: Debian packages only, through apt inside the build.
#
#   local/rust:bookworm-{amd64,arm64}   local/debian + Debian's rustc-web/cargo-web 1.96, gcc, libc6-dev
#                                       (the stand-in for `FROM rust`: a native toolchain per platform)
#   local/rust-cross:bookworm-amd64     local/rust + gcc-<triple> cross compilers + the target std the
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
#   bench/images.sh status     list them
set -euo pipefail
DOCKER=/usr/bin/docker
CACHE=${MULTIARCH_TEST_CACHE:-/var/cache/multiarch-test}
LABEL=org.multiarch.bench.recipe
CROSS_TRIPLES="aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf riscv64gc-unknown-linux-gnu"
log() { echo "[bench/images.sh $(date -u +%H:%M:%S)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

"$DOCKER" info >/dev/null 2>&1 || die "no dockerd answers: run test/setup/buildkit.sh start"
for a in amd64 arm64; do
  "$DOCKER" image inspect "local/debian:bookworm-$a" >/dev/null 2>&1 || die "local/debian:bookworm-$a missing: run test/setup/buildkit.sh start"
done

# the debootstrap images list bookworm main only; rustc-web 1.96 (the host's) is in bookworm-security
SOURCES="printf 'deb http://deb.debian.org/debian bookworm main\\ndeb http://deb.debian.org/debian bookworm-updates main\\ndeb http://deb.debian.org/debian-security bookworm-security main\\n' >/etc/apt/sources.list"
APT="$SOURCES && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends"
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
  DOCKER_BUILDKIT=1 "$DOCKER" build --platform "linux/$arch" --progress plain -t "$tag" "$ctx" >"$ctx.log" 2>&1 || { tail -30 "$ctx.log" >&2; die "building $tag failed"; }
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

case ${1:-build} in
  status) status; exit 0 ;;
  build) ;;
  go)
    for a in arm riscv64; do go_image "$a"; done
    status; exit 0 ;;
  *) die "usage: $0 [build|go|status]" ;;
esac

for a in arm riscv64; do go_image "$a"; done
pids=()
for a in amd64 arm64; do
  mkdir -p "$work/rust-$a"
  ( build "local/rust:bookworm-$a" "$a" "$work/rust-$a" "FROM local/debian:bookworm-$a
RUN $APT rustc-web cargo-web gcc libc6-dev ca-certificates >/dev/null && $CLEAN
ENV PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin CARGO_HOME=/usr/local/cargo" ) &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done

# the cross image: std per target from the host (a copy of what test/setup/rust.sh installed)
ctx=$work/rust-cross
rm -rf "$ctx"; mkdir -p "$ctx/rustlib"
for t in $CROSS_TRIPLES; do
  [ -d "/usr/lib/rustlib/$t/lib" ] || die "no std for $t under /usr/lib/rustlib (run test/setup/rust.sh)"
  cp -a "/usr/lib/rustlib/$t" "$ctx/rustlib/"
done
# the host std's file list makes the recipe (a rebuilt std rebuilds the image)
find "$ctx/rustlib" -type f -printf '%P %s\n' | sort | sha256sum | cut -c1-16 >"$ctx/stdlist"
build local/rust-cross:bookworm-amd64 amd64 "$ctx" "FROM local/rust:bookworm-amd64
RUN $APT gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-arm-linux-gnueabihf libc6-dev-armhf-cross gcc-riscv64-linux-gnu libc6-dev-riscv64-cross >/dev/null && $CLEAN
# std $(cat "$ctx/stdlist")
COPY rustlib/ /usr/lib/rustlib/"
status

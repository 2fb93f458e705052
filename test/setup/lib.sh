# Shared helpers for test/setup/*.sh (sourced). Idempotent installs for a fresh Debian 12 as root.
# shellcheck shell=bash
set -euo pipefail

_apt_updated_marker=/tmp/.multiarch-apt-updated

# apt_update: once per boot of this script family; tolerate a flaky mirror index (retry, then go on
# with the lists we have: a missing package then fails loudly in apt_install).
apt_update() {
  [ -f "$_apt_updated_marker" ] && return 0
  for i in 1 2 3; do
    if apt-get update -qq; then touch "$_apt_updated_marker"; return 0; fi
    echo "apt-get update failed (try $i), retrying" >&2; sleep 2
  done
  echo "WARNING: apt-get update kept failing; using the package lists we have" >&2
  touch "$_apt_updated_marker"
}

# add_arch ARCH...: dpkg multiarch foreign architectures (forces a new apt-get update).
add_arch() {
  local a changed=0
  for a in "$@"; do
    if ! dpkg --print-foreign-architectures | grep -qx "$a"; then dpkg --add-architecture "$a"; changed=1; fi
  done
  [ "$changed" = 1 ] && rm -f "$_apt_updated_marker"
  return 0
}

# apt_install PKG...: install what is missing (by dpkg status), waiting for other apt users.
apt_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  apt_update
  echo "installing: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=600 "${missing[@]}" >/tmp/multiarch-apt.log 2>&1 || {
      tail -30 /tmp/multiarch-apt.log >&2; echo "apt-get install failed for: ${missing[*]}" >&2; return 1; }
}

# enable_binfmt: mount binfmt_misc and register qemu handlers (F flag: works in chroots/containers).
enable_binfmt() {
  [ -e /proc/sys/fs/binfmt_misc/status ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  update-binfmts --enable >/dev/null 2>&1 || true
  [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || { echo "binfmt: qemu-aarch64 not registered" >&2; return 1; }
}

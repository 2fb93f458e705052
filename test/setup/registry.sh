#!/usr/bin/env bash
# Install the tools the registry rung (test/registry) needs: Debian's docker-registry
# (distribution), skopeo, buildah, apache2-utils (htpasswd) and runc. Idempotent: installs only
# what is missing, and runs `apt-get update` only when something must be installed.
# Registry processes are started and stopped by the tests themselves (free port, temp dir), so
# this script leaves no daemon running.
set -euo pipefail

die() { echo "test/setup/registry.sh: $*" >&2; exit 1; }

# command -> Debian package
tools=(docker-registry:docker-registry skopeo:skopeo buildah:buildah htpasswd:apache2-utils runc:runc)

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ]; }

missing=()
for t in "${tools[@]}"; do
  cmd=${t%%:*} pkg=${t#*:}
  have "$cmd" || missing+=("$pkg")
done
# skopeo and buildah refuse to run without a signature policy (package golang-github-containers-common)
[ -f /etc/containers/policy.json ] || missing+=(golang-github-containers-common)

if [ ${#missing[@]} -eq 0 ]; then
  echo "registry rung: docker-registry, skopeo, buildah, htpasswd, runc present"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and apt-get is not available: install them by hand (Debian/Ubuntu package names)"
SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || die "missing ${missing[*]}: run as root (apt-get install) or install sudo"
  SUDO=sudo
fi

echo "registry rung: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# a partial failure (one list of an unrelated architecture, a mirror mid-sync) still leaves usable
# lists: warn, and let the install decide
$SUDO apt-get update -qq || echo "test/setup/registry.sh: warning: apt-get update reported errors; trying the install with the package lists at hand" >&2
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
  || die "apt-get install ${missing[*]} failed (is the Debian mirror reachable? try apt-get update)"

still=()
for t in "${tools[@]}"; do
  cmd=${t%%:*}
  have "$cmd" || still+=("$cmd")
done
[ -f /etc/containers/policy.json ] || still+=(/etc/containers/policy.json)
[ ${#still[@]} -eq 0 ] || die "still missing after install: ${still[*]}"
echo "registry rung: installed ${missing[*]}"

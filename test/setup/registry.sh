#!/usr/bin/env bash
# Install the tools the registry rung (test/registry) needs: Debian's docker-registry
# (distribution), skopeo, buildah, apache2-utils (htpasswd) and runc. Idempotent: installs only
# what is missing, and runs `apt-get update` only when something must be installed.
# Registry processes are started and stopped by the tests themselves (free port, temp dir), so
# this script leaves no daemon running.
. "$(dirname "$0")/lib.sh"

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

echo "registry rung: installing ${missing[*]}"
apt_install "${missing[@]}"

still=()
for t in "${tools[@]}"; do
  cmd=${t%%:*}
  have "$cmd" || still+=("$cmd")
done
[ -f /etc/containers/policy.json ] || still+=(/etc/containers/policy.json)
[ ${#still[@]} -eq 0 ] || die "still missing after install: ${still[*]}"
echo "registry rung: installed ${missing[*]}"

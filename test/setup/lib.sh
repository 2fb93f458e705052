# Shared helpers for test/setup.sh and test/setup/*.sh (sourced). Debian 12, as root.
#
# What they guarantee:
#   - apt work is done in independent groups: one package that cannot be had never aborts the
#     install of unrelated packages (a failed combined install is retried group by group);
#   - packages that must have the same version on several architectures (Multi-Arch: same) are
#     installed as `pkg:arch=version` pins, with the newest version every needed architecture has
#     (asked from apt: `apt-cache policy`, which also honours apt pins);
#   - when something cannot be had, ONE message names the package, the architecture, the versions
#     apt sees and the fix (`apt_explain`), instead of 30 lines of apt output;
#   - long steps print what they do and how far along they are (`progress k n what`), and every
#     part records its seconds for the closing summary (`part_done`).
# shellcheck shell=bash
set -euo pipefail

CACHE_ROOT=${MULTIARCH_TEST_CACHE:-/var/cache/multiarch-test}
STATE=$CACHE_ROOT/state        # small facts the tests read (which route a fallback took, …)
LOGS=$CACHE_ROOT/logs
SUMMARY=${MULTIARCH_SETUP_SUMMARY:-$CACHE_ROOT/state/summary.txt}
APT_LOG=$LOGS/apt.log
HOST_ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)
[ -n "${SETUP_PLAN_ONLY:-}" ] || mkdir -p "$STATE" "$LOGS" 2>/dev/null || true

_t0=$(date +%s.%N)
_tag=${SETUP_TAG:-$(basename "${0%.sh}")}
say() { printf '[%s %5.0fs] %s\n' "$_tag" "$(awk -v a="$(date +%s.%N)" -v b="$_t0" 'BEGIN{print a-b}')" "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }
progress() { say "($1 of $2) $3"; } # progress K N WHAT
now() { date +%s.%N; }
secs() { awk -v a="$(date +%s.%N)" -v b="$1" 'BEGIN{printf "%.1f", a-b}'; }
# part_done NAME START STATUS DETAIL: one line of the closing summary
part_done() { printf '%-10s %7ss  %-4s %s\n' "$1" "$(secs "$2")" "$3" "$4" >>"$SUMMARY"; }

# ---- apt ---------------------------------------------------------------------------------------

# apt_update: once per setup run (SETUP_RUN_ID shares it between the scripts of one run). A mirror
# index that fails to download (e.g. "File has unexpected size … Mirror sync in progress?") is
# reported by architecture and tolerated: what it hides is resolved (or explained) later.
apt_update() {
  local marker=$STATE/.apt-updated-${SETUP_RUN_ID:-$$}
  [ -f "$marker" ] && return 0
  local out=$LOGS/apt-update.log i
  # A repository apt did not apply (an index that did not download, a Release file "not valid yet")
  # leaves apt seeing only the older suites. Fresh rehearsal 2 ended up with bookworm main's
  # rustc-web 1.85 (no vendored crates) for a reason not found; every try's output is now kept in
  # apt-update-all.log. Such an update is retried (3 tries, 20 s apart) before it is accepted.
  local not_applied='^(E|W): (Failed to fetch|Release file for .* is not valid yet|The repository .* (is not signed|does not have a Release file)|Some index files failed to download)'
  local ok
  for i in 1 2 3 4 5; do
    ok=0
    apt-get update -o DPkg::Lock::Timeout=600 >"$out" 2>&1 && ok=1
    { echo "== $(date -u +%FT%TZ) apt-get update (try $i$([ $ok = 1 ] || echo ", failed"))"; cat "$out"; } >>"$LOGS/apt-update-all.log"
    if grep -qE "$not_applied" "$out" && [ "$i" -lt 3 ]; then
      say "apt-get update: $(grep -E "$not_applied" "$out" | head -1 | cut -c1-200) — trying again in 20 s (mirror sync?)"
      sleep 20
      continue
    fi
    [ $ok = 1 ] && break
    grep -q 'Could not get lock\|Unable to lock' "$out" || break
    sleep 2
  done
  local failed
  failed=$(grep -oE '^(E|W): Failed to fetch [^ ]+' "$out" | sed -E 's#.*/dists/([^/]+)/[^/]+/binary-([^/]+)/.*#\1 (\2)#' | sort -u | paste -sd, - | sed 's/,/, /g' || true)
  [ -n "$failed" ] && say "apt-get update: these indexes did not download and are ignored: $failed (mirror sync?)"
  grep -E '^(E|W): (Release file for .* is not valid yet|The repository .* (is not signed|does not have a Release file))' "$out" | cut -c1-240 | while read -r l; do say "apt-get update: not applied: $l"; done || true
  apt_policy_forget
  touch "$marker"
}

# apt_mirror: the Debian archive the host's apt sources use for bookworm (it holds every suite):
# the URIs of the first deb822 entry listing bookworm (debian.sources first), else of a one-line
# sources.list entry, else deb.debian.org
apt_mirror() {
  local suite=bookworm f uri=""
  for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    uri=$(awk -v s="$suite" '
      /^URIs:/ { u=$2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) { print u; exit } }
      /^$/ { u="" }' "$f")
    [ -n "$uri" ] && break
  done
  if [ -z "$uri" ] && [ -r /etc/apt/sources.list ]; then
    uri=$(awk -v s="$suite" '$1 == "deb" && $3 == s { print $2; exit }' /etc/apt/sources.list)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

# debootstrap_tar SUITE ARCH TAR: a --variant=minbase root of SUITE for ARCH (a foreign ARCH's second
# stage runs under qemu-user through binfmt_misc), packed as TAR without apt's downloaded packages
# and package indexes; the work folder sits beside TAR
debootstrap_tar() {
  local suite=$1 arch=$2 tar=$3 dir
  dir=$(mktemp -d "$(dirname "$tar")/debootstrap-$arch.XXXXXX")
  if ! debootstrap --arch="$arch" --variant=minbase "$suite" "$dir" "$(apt_mirror)" >"$dir.log" 2>&1; then
    tail -30 "$dir.log" >&2
    rm -rf "$dir"
    die "debootstrap $suite $arch failed (log above)"
  fi
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*_Packages
  tar -C "$dir" --numeric-owner -cf "$tar.tmp" .
  mv "$tar.tmp" "$tar"
  rm -rf "$dir" "$dir.log"
}

# installed PKG[:ARCH] -> version, or nothing
installed_version() { dpkg-query -W -f='${Status} ${Version}\n' "$1" 2>/dev/null | awk '$3 == "installed" { print $4; exit }'; }

# What apt can install, read with ONE `apt-cache policy` for many packages (on machines whose apt
# keeps no package cache, e.g. with docker-clean, every apt-cache call parses every index: seconds).
declare -gA _POL=() _POLALL=()
apt_policy_load() { # PKG[:ARCH]...
  local p v pr line
  for p in "$@"; do _POL[$p]=""; _POLALL[$p]=""; done
  while read -r p v pr; do
    [ -n "$p" ] || continue
    if [ "$pr" -lt 0 ]; then
      _POLALL[$p]+="${_POLALL[$p]:+, }$v (pinned away: $pr)"
    else
      _POLALL[$p]+="${_POLALL[$p]:+, }$v"
      _POL[$p]+="$v"$'\n'
    fi
  done < <(LC_ALL=C apt-cache policy "$@" 2>/dev/null | awk '
    /^[^ ].*:$/ { pkg = substr($0, 1, length($0) - 1); t = 0; next }
    /^  Version table:/ { t = 1; next }
    t && /^ (\*\*\*|   ) [^ ]+ -?[0-9]+$/ { print pkg, $(NF-1), $NF }')
  return 0
}
apt_policy_forget() { _POL=(); _POLALL=(); }
# apt_versions PKG[:ARCH] -> the versions apt could install, newest first (pinned-away ones, with
# a negative priority, left out; the installed one included)
apt_versions() {
  [ -n "${_POL[$1]+x}" ] || apt_policy_load "$1"
  printf '%s' "${_POL[$1]}" | awk 'NF && !seen[$0]++' | sort_versions
}
# apt_versions_all PKG[:ARCH] -> every version apt knows, with pins ("1.2-3 (pinned away: -1)")
apt_versions_all() {
  [ -n "${_POLALL[$1]+x}" ] || apt_policy_load "$1"
  printf '%s\n' "${_POLALL[$1]}"
}
sort_versions() { # newest first, Debian ordering
  local vs=() v i j t
  while read -r v; do [ -n "$v" ] && vs+=("$v"); done
  for ((i = 0; i < ${#vs[@]}; i++)); do
    for ((j = i + 1; j < ${#vs[@]}; j++)); do
      if dpkg --compare-versions "${vs[j]}" gt "${vs[i]}"; then t=${vs[i]}; vs[i]=${vs[j]}; vs[j]=$t; fi
    done
  done
  for v in "${vs[@]}"; do echo "$v"; done
}

# newest_common PKG... -> the newest version every PKG (each may carry :arch) has; nothing if none
newest_common() {
  apt_policy_load "$@"
  local first=$1 v p ok
  for v in $(apt_versions "$first"); do
    ok=1
    for p in "${@:2}"; do apt_versions "$p" | grep -qxF "$v" || { ok=0; break; }; done
    [ $ok = 1 ] && { echo "$v"; return 0; }
  done
  return 0
}

# apt_explain PKG[:ARCH] [WANTED-VERSION] [FIX]: the one message for a package that cannot be had
apt_explain() {
  local p=$1 want=${2:-} fix=${3:-} arch=${1#*:} seen why=""
  [ "$arch" = "$p" ] && arch=$HOST_ARCH
  seen=$(apt_versions_all "$p")
  if [ -z "$seen" ]; then
    why="apt sees no version of it (is the $arch index of the mirror missing? see $LOGS/apt-update.log)"
  elif [ -n "$want" ]; then
    why="needed version $want; apt sees: $seen"
    local line
    line=$(apt-get -s install --no-install-recommends "${p}=${want}" 2>&1 | grep -E '^ [^ ].*: (Depends|Breaks|Conflicts|PreDepends)|^E: ' | head -1 | sed 's/^ *//' || true)
    [ -n "$line" ] && why="$why; apt says: $line"
  else
    why="apt sees: $seen"
    local line
    line=$(apt-get -s install --no-install-recommends "$p" 2>&1 | grep -E '^ [^ ].*: (Depends|Breaks|Conflicts|PreDepends)|^E: ' | head -1 | sed 's/^ *//' || true)
    [ -n "$line" ] && why="$why; apt says: $line"
  fi
  echo "cannot install ${p%%:*} for $arch: $why.${fix:+ Fix: $fix}"
}

# apt_try PKG-SPEC...: one apt-get install (quiet; output appended to $APT_LOG); returns its status.
# Setup's parts run side by side, and one may add a foreign architecture while another's install
# waits for the dpkg lock: that install then fails with "The package cache was built for different
# architectures" (seen on a fresh machine, 2026-12-01). Then the indexes are updated and it is
# tried once more.
apt_try() {
  local out i rc
  out=$(mktemp "$LOGS/apt-try.XXXXXX")
  for i in 1 2; do
    rc=0
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      -o DPkg::Lock::Timeout=600 -o APT::Get::Show-Versions=false "$@" >"$out" 2>&1 || rc=$?
    cat "$out" >>"$APT_LOG"
    [ $rc = 0 ] && break
    [ $i = 1 ] && grep -q 'package cache was built for different architectures' "$out" || break
    say "apt-get install: dpkg's architectures changed meanwhile ($(dpkg --print-foreign-architectures | paste -sd' ' -) added); updating the indexes and trying again"
    rm -f "$STATE/.apt-updated-${SETUP_RUN_ID:-$$}"
    apt_update
  done
  rm -f "$out"
  return $rc
}

# missing_of PKG-SPEC... -> the specs not installed yet (a pinned spec pkg=ver counts as
# installed only at that version)
missing_of() {
  local s p v have
  for s in "$@"; do
    p=${s%%=*}; v=""; [ "$p" != "$s" ] && v=${s#*=}
    have=$(installed_version "$p")
    if [ -z "$have" ] || { [ -n "$v" ] && [ "$have" != "$v" ]; }; then echo "$s"; fi
  done
}

# apt_groups NAME=SPEC,SPEC… …: install every group; all missing packages in one apt-get run, and
# when that fails, group by group, so one group that cannot be had leaves the others installed.
# Prints the names of the groups that failed (one line each) and their one-line explanation to
# stderr; returns 0 when all groups are installed.
apt_groups() {
  local g name specs all=() failed=() k=0 n=$#
  declare -A missing=()
  for g in "$@"; do
    name=${g%%=*}; specs=${g#*=}
    # shellcheck disable=SC2086
    missing[$name]=$(missing_of ${specs//,/ } | paste -sd' ' -)
    [ -n "${missing[$name]}" ] && all+=(${missing[$name]})
  done
  [ ${#all[@]} -eq 0 ] && return 0
  apt_update
  say "installing ${#all[@]} packages in $n groups ($(for g in "$@"; do name=${g%%=*}; [ -n "${missing[$name]}" ] && printf '%s ' "$name"; done | sed 's/ $//'))"
  if apt_try "${all[@]}"; then return 0; fi
  say "the combined apt-get install failed; installing group by group"
  for g in "$@"; do
    name=${g%%=*}; k=$((k + 1))
    [ -n "${missing[$name]}" ] || continue
    # shellcheck disable=SC2086
    set -- $(missing_of ${missing[$name]})
    [ $# -eq 0 ] && continue
    progress $k $n "apt group $name: $*"
    if ! apt_try "$@"; then
      local s bad=""
      for s in "$@"; do
        apt-get -s install --no-install-recommends "$s" >/dev/null 2>&1 || { bad=$s; break; }
      done
      [ -n "$bad" ] || bad=$1
      say "$(apt_explain "${bad%%=*}" "$( [ "${bad#*=}" != "$bad" ] && echo "${bad#*=}")")"
      failed+=("$name")
    fi
  done
  for name in "${failed[@]}"; do echo "$name"; done
  [ ${#failed[@]} -eq 0 ]
}

# add_arch ARCH...: dpkg foreign architectures (the next apt_update fetches their indexes)
add_arch() {
  local a changed=0
  for a in "$@"; do
    [ "$a" = "$HOST_ARCH" ] && continue
    if ! dpkg --print-foreign-architectures | grep -qx "$a"; then dpkg --add-architecture "$a"; changed=1; fi
  done
  [ $changed = 1 ] && rm -f "$STATE/.apt-updated-${SETUP_RUN_ID:-$$}"
  return 0
}

# apt_install PKG...: install what is missing as one group; on failure print the one message and
# return 1 (used by the per-area scripts when run on their own)
apt_install() {
  local name=${APT_GROUP:-packages}
  apt_groups "$name=$(IFS=,; echo "$*")" >/dev/null
}

# ---- binfmt ------------------------------------------------------------------------------------

# The kernel's binfmt_misc table is global (it is not per chroot or container). The tests run
# foreign binaries through explicit `qemu-<arch>-static` calls; only emulated RUN steps of the
# BuildKit rung and debootstrap's second stage of the arm64 base image need the kernel to run
# aarch64 ELF files by itself, so only qemu-aarch64 is registered (F flag: the interpreter is
# opened at registration, so it also works inside chroots and containers).
BINFMT=/proc/sys/fs/binfmt_misc
binfmt_state() { # -> "mounted=yes|no aarch64=enabled|disabled|absent"
  local m=no a=absent
  mountpoint -q $BINFMT && m=yes
  [ -e $BINFMT/qemu-aarch64 ] && a=$(head -1 $BINFMT/qemu-aarch64)
  echo "mounted=$m aarch64=$a"
}
# binfmt_enable HANDLER...: qemu-user-static's handlers (qemu-aarch64, qemu-arm, …) registered
binfmt_enable() {
  local h
  mountpoint -q $BINFMT || mount -t binfmt_misc binfmt_misc $BINFMT
  for h in "$@"; do
    grep -qx enabled "$BINFMT/$h" 2>/dev/null || update-binfmts --enable "$h" >/dev/null 2>&1 || true
    grep -qx enabled "$BINFMT/$h" 2>/dev/null || die "could not register the $h binfmt handler (are qemu-user-static and binfmt-support installed? $(binfmt_state))"
  done
}
binfmt_enable_aarch64() {
  local before; before=$(binfmt_state)
  binfmt_enable qemu-aarch64
  grep -q '^flags: .*F' $BINFMT/qemu-aarch64 || die "the qemu-aarch64 binfmt handler lacks the F flag: emulated RUN steps would not find the interpreter"
  [ "$before" = "$(binfmt_state)" ] || say "binfmt: registered qemu-aarch64 (kernel-wide; was: $before)"
  echo "$before"
}

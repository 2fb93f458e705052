#!/usr/bin/env bash
# Real Rust toolchain rung: what test/real/rust.test.ts needs on a Debian 12 host, as root.
#
#   test/setup/rust.sh packages    print the apt groups (test/setup.sh installs them)
#   test/setup/rust.sh foreign     musl-dev:<arch> pinned installs, or the musl-from-source fallback
#   test/setup/rust.sh install     everything (packages, foreign, std, self-contained objects)
#   test/setup/rust.sh build       std + self-contained objects only (packages must be there)
#   test/setup/rust.sh plan        print what install would do, change nothing
#   test/setup/rust.sh status      what is installed for each target
#   test/setup/rust.sh uninstall   remove what this script put under /usr/lib/rustlib and /usr/local/bin
#
# The plan's builder gets its toolchain from `rustup target add <triple>` in rust:<v>-bookworm.
# This host cannot reach rustup, so this script makes the same thing from Debian packages and puts
# it where rustup would, relative to Debian's rustc-web (sysroot /usr):
#   - compiler: rustc-web, cargo-web and rust-web-src pinned to ONE version: the newest all three
#     (and libstd-rust-web-dev, the host's std) have — no foreign architecture is involved;
#   - std for every other target: compiled once from rust-web-src (cargo -Zbuild-std, all targets
#     in one cargo run), cached under $MULTIARCH_TEST_CACHE/rust/std/<rustc id>/ and copied to
#     /usr/lib/rustlib/<triple>/lib like a rust-std component, its files listed in
#     .multiarch-test-files there. This script does not install Debian's libstd-rust-web-dev:<arch>
#     (it pulls libllvm<N>:<arch> and its Multi-Arch: same chain, whose versions must match the
#     host's exactly — the install that broke on the oldstable mirror); where dpkg has it anyway
#     at exactly rustc-web's version, it is used and this script's files for that triple are
#     removed: one std per triple, whatever state the machine was in (see install_std).
#   - for musl targets, rustup's lib/self-contained/: crt1.o Scrt1.o rcrt1.o crti.o crtn.o libc.a
#     from Debian's musl-dev:<arch> (or, where that cannot be installed and for riscv64, musl 1.2.3
#     built from Debian's source with the cross gcc, -fPIC), crtbegin/crtend from the cross gcc,
#     and libunwind.a = the unwinder objects of the cross gcc's libgcc_eh.a + rust-unwind-check/dl_find_object.c merged
#     into one object. Each target is then checked: a static binary must unwind a panic under qemu.
#   - musl C compilers the plan names (aarch64-linux-musl-gcc, …): Debian's musl-dev:<arch>,
#     installed as `musl-dev:<arch>=<version all of them have>`; where that is not possible, a
#     wrapper of the same name in /usr/local/bin around the cross gcc and the musl built here.
#
# Environment:
#   MULTIARCH_TEST_CACHE     cache root (default /var/cache/multiarch-test); this script uses ./rust
#   MULTIARCH_RUST_SWEEP     acceptance (default: 7 triples, the four acceptance platforms × gnu/musl) or
#                            full (16 triples, every plannable platform × libc; .ci/run sets it)
#   MULTIARCH_RUST_TARGETS   triples to prepare (default: the sweep's, which test/real/rust.test.ts builds)
#   MULTIARCH_RUST_VERSION   pin rustc-web/cargo-web/rust-web-src to this Debian version
#   MULTIARCH_RUST_MUSL_DEV_ARCHES  Debian arches whose musl-dev to try (default below)
SETUP_TAG=${SETUP_TAG:-rust}
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

CACHE=$CACHE_ROOT/rust
SYSROOT=/usr/lib/rustlib
MARK=.multiarch-test-component
LOCAL_BIN=/usr/local/bin
# The triples the real rung builds (test/real/rust.test.ts), per MULTIARCH_RUST_SWEEP:
#   acceptance (default)  the four acceptance platforms linux/amd64, linux/arm64, linux/arm/v7,
#                         linux/riscv64 × gnu/musl: 7 std builds (x86_64 gnu is Debian's own)
#   full                  every plannable platform × libc: 16 std builds (.ci/run runs this sweep)
ACCEPTANCE_TARGETS="aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf riscv64gc-unknown-linux-gnu \
x86_64-unknown-linux-musl aarch64-unknown-linux-musl armv7-unknown-linux-musleabihf riscv64gc-unknown-linux-musl"
FULL_TARGETS="$ACCEPTANCE_TARGETS arm-unknown-linux-gnueabi armv5te-unknown-linux-gnueabi i686-unknown-linux-gnu \
powerpc64le-unknown-linux-gnu s390x-unknown-linux-gnu arm-unknown-linux-musleabi armv5te-unknown-linux-musleabi \
i686-unknown-linux-musl powerpc64le-unknown-linux-musl"
case ${MULTIARCH_RUST_SWEEP:-acceptance} in
  acceptance) DEFAULT_TARGETS=$ACCEPTANCE_TARGETS ;;
  full) DEFAULT_TARGETS=$FULL_TARGETS ;;
  *) die "MULTIARCH_RUST_SWEEP=${MULTIARCH_RUST_SWEEP}: use acceptance (the default: linux/amd64, arm64, arm/v7, riscv64) or full (every plannable platform, as .ci/run does)" ;;
esac
TARGETS=${MULTIARCH_RUST_TARGETS:-$DEFAULT_TARGETS}
# Debian architectures whose musl-dev (the <arch>-linux-musl-gcc the plan uses as CC for musl
# targets) is wanted. riscv64 is not a bookworm architecture (the plan then compiles C with
# riscv64-linux-gnu-gcc) and s390x has no musl plan (tier 3).
MUSL_DEV_ARCHES=${MULTIARCH_RUST_MUSL_DEV_ARCHES:-"arm64 armhf armel i386 ppc64el"}
RUST_PKGS=(rustc-web cargo-web rust-web-src libstd-rust-web-dev)

gcc_triple() {
  case $1 in
    x86_64-*) echo x86_64-linux-gnu ;; aarch64-*) echo aarch64-linux-gnu ;;
    armv7-*) echo arm-linux-gnueabihf ;; arm-* | armv5te-*) echo arm-linux-gnueabi ;;
    i686-*) echo i686-linux-gnu ;; riscv64gc-*) echo riscv64-linux-gnu ;;
    powerpc64le-*) echo powerpc64le-linux-gnu ;; s390x-*) echo s390x-linux-gnu ;;
    *) die "no gcc triple known for $1" ;;
  esac
}
deb_arch() {
  case $1 in
    x86_64-*) echo amd64 ;; aarch64-*) echo arm64 ;; armv7-*) echo armhf ;;
    arm-* | armv5te-*) echo armel ;; i686-*) echo i386 ;; riscv64*) echo riscv64 ;;
    powerpc64le-*) echo ppc64el ;; s390x-*) echo s390x ;; *) die "no Debian arch for $1" ;;
  esac
}
# Debian's musl multiarch directory (/usr/lib/<dir>, /usr/include/<dir>, /usr/bin/<dir>-gcc)
musl_dir() {
  case $1 in
    amd64) echo x86_64-linux-musl ;; arm64) echo aarch64-linux-musl ;; armhf) echo arm-linux-musleabihf ;;
    armel) echo arm-linux-musleabi ;; i386) echo i386-linux-musl ;; ppc64el) echo powerpc64le-linux-musl ;;
    *) echo "" ;;
  esac
}
gcc_of_arch() {
  case $1 in
    amd64) echo x86_64-linux-gnu ;; arm64) echo aarch64-linux-gnu ;; armhf) echo arm-linux-gnueabihf ;;
    armel) echo arm-linux-gnueabi ;; i386) echo i686-linux-gnu ;; ppc64el) echo powerpc64le-linux-gnu ;;
    riscv64) echo riscv64-linux-gnu ;; s390x) echo s390x-linux-gnu ;;
  esac
}
qemu_of() {
  case $1 in
    x86_64-*) echo "" ;; aarch64-*) echo qemu-aarch64-static ;; arm*) echo qemu-arm-static ;;
    i686-*) echo qemu-i386-static ;; riscv64*) echo qemu-riscv64-static ;;
    powerpc64le-*) echo qemu-ppc64le-static ;; s390x-*) echo qemu-s390x-static ;;
  esac
}
is_musl() { case $1 in *-musl*) return 0 ;; *) return 1 ;; esac; }
# asked once per run (rustc -vV and dpkg-query take a while on a loaded machine; checks ask often)
_RUSTC_ID="" _RUSTC_WEB=""
rustc_id() {
  [ -n "$_RUSTC_ID" ] || _RUSTC_ID=$(/usr/bin/rustc -vV 2>/dev/null | awk '/^commit-hash|^release/ { printf "%s ", $2 }')
  printf '%s' "$_RUSTC_ID"
}
rustc_key() { rustc_id | sha256sum | cut -c1-16; }
rustc_web_version() { [ -n "$_RUSTC_WEB" ] || _RUSTC_WEB=$(installed_version rustc-web); printf '%s' "$_RUSTC_WEB"; }
# fill both in THIS shell (a $(…) call fills only its subshell's copy); again after apt changed them
load_ids() { _RUSTC_ID="" _RUSTC_WEB=""; rustc_id >/dev/null; rustc_web_version >/dev/null; }

# ---- packages ----------------------------------------------------------------------------------

# has_vendor: the installed rust-web-src has its vendored crates, so std builds offline (bookworm
# main's 1.85 has none)
has_vendor() { [ -d "$SYSROOT/src/rust/library/vendor" ]; }

# trio_kept -> the installed trio's version when it is installed, consistent and can build std (a
# warm host never upgrades behind your back); nothing otherwise
trio_kept() {
  local v p
  v=$(installed_version rustc-web)
  [ -n "$v" ] || return 0
  for p in "${RUST_PKGS[@]}"; do [ "$(installed_version "$p")" = "$v" ] || return 0; done
  has_vendor && echo "$v"
  return 0
}

# The Rust trio's version: the kept one, else the newest version all four packages have.
rust_version() {
  local v
  if [ -n "${MULTIARCH_RUST_VERSION:-}" ]; then echo "$MULTIARCH_RUST_VERSION"; return; fi
  v=$(trio_kept)
  if [ -n "$v" ]; then echo "$v"; return; fi
  newest_common "${RUST_PKGS[@]}"
}

cross_gcc_pkgs() {
  local t g a seen=" "
  for t in $TARGETS; do
    g=$(gcc_triple "$t"); a=$(deb_arch "$t")
    case $seen in *" $g "*) continue ;; esac
    seen="$seen$g "
    [ "$a" = amd64 ] || printf '%s\n' "gcc-$g" "libc6-dev-$a-cross"
  done
}

# rust-compiler=<the trio, pinned> (its own apt group: test/setup.sh installs it first and starts
# the std builds while the other packages install). Needs apt lists when the trio is not installed.
print_compiler() {
  local v specs=() p
  # a version chosen from apt's lists comes from lists this run updated: a new machine's lists can
  # be weeks old (on 2026-12-01 a fresh host's stale lists offered bookworm's 1.85 as newest, while
  # bookworm-security had 1.96); apt_update runs once per setup run, which installs next anyway
  if [ -z "${SETUP_PLAN_ONLY:-}${MULTIARCH_RUST_VERSION:-}" ] && [ -z "$(trio_kept)" ]; then apt_update; fi
  v=$(rust_version)
  if [ -z "$v" ] && [ -n "${SETUP_PLAN_ONLY:-}" ]; then
    echo "rust-compiler=$(IFS=,; echo "${RUST_PKGS[*]}")"
    return
  fi
  if [ -z "$v" ]; then
    apt_update
    v=$(rust_version)
  fi
  if [ -z "$v" ]; then
    local line="" q
    for q in "${RUST_PKGS[@]}"; do line="$line $q: $(apt_versions_all "$q" | sed 's/^$/none/');"; done
    die "no version that ${RUST_PKGS[*]} all have (they must be one release);$line Fix: apt-get update against a complete bookworm + bookworm-security mirror, or set MULTIARCH_RUST_VERSION to one version all of them have"
  fi
  for p in "${RUST_PKGS[@]}"; do specs+=("$p=$v"); done
  say "Rust trio: $v (apt sees rustc-web: $(apt_versions_all rustc-web | paste -sd' ' -); rust-web-src: $(apt_versions_all rust-web-src | paste -sd' ' -))"
  echo "rust-compiler=$(IFS=,; echo "${specs[*]}")"
}

# The installed trio cannot build std (no vendored crates: bookworm main's 1.85 — what apt chose
# once in a fresh-machine rehearsal although bookworm-security had 1.96): ask apt again, and put
# in the newest trio all four packages have when it is newer.
renew_compiler() {
  has_vendor && return 0
  local have v p specs=()
  have=$(installed_version rust-web-src)
  say "rust-web-src $have has no vendored crates: asking apt again for a newer Rust trio"
  rm -f "$STATE/.apt-updated-${SETUP_RUN_ID:-$$}"
  apt_update
  v=$(newest_common "${RUST_PKGS[@]}")
  [ -n "$v" ] && dpkg --compare-versions "$v" gt "$have" || return 0
  for p in "${RUST_PKGS[@]}"; do specs+=("$p=$v"); done
  say "installing the Rust trio at $v"
  apt_try "${specs[@]}" || say "apt-get install ${specs[*]} failed (log $APT_LOG)"
  load_ids
}
# rust=<the rest>: cross gcc per target, musl-dev (amd64), librust-cc-dev (the rust-cc fixture's
# cc crate), g++ (the rust-cxx fixture's native x86_64-linux-gnu-g++; the fresh-machine rehearsal
# found it missing: the cross g++-<triple> come from go.sh's group, the native one from nowhere),
# qemu, and what building musl from source needs
print_packages() {
  local specs=(librust-cc-dev qemu-user-static make dpkg-dev xz-utils musl-dev gcc g++ binutils) p
  while read -r p; do specs+=("$p"); done < <(cross_gcc_pkgs)
  echo "rust=$(IFS=,; echo "${specs[*]}")"
}

check_compiler() {
  dpkg -S /usr/bin/rustc 2>/dev/null | grep -q '^rustc-web' || die "/usr/bin/rustc is not Debian's rustc-web: $(dpkg -S /usr/bin/rustc 2>&1 | head -1)"
  has_vendor || die "rust-web-src $(installed_version rust-web-src) has no vendored crates ($SYSROOT/src/rust/library/vendor), so std cannot be built offline; apt saw no newer version that rustc-web, cargo-web, rust-web-src and libstd-rust-web-dev all have (rust-web-src: $(apt_versions_all rust-web-src | paste -sd' ' -)). Fix: apt-get update once bookworm-security answers (see $LOGS/apt-update.log), then run setup again (it replaces the trio), or set MULTIARCH_RUST_VERSION to a version all four have"
}
check_crates() { # the rust-cc fixture's cc crate (CARGO_HOME below points at Debian's registry)
  ls -d /usr/share/cargo/registry/cc-* >/dev/null 2>&1 || die "librust-cc-dev did not install /usr/share/cargo/registry/cc-*"
}

# ---- musl-dev:<arch> (foreign, Multi-Arch: same) -----------------------------------------------

musl_arches_wanted() { # the Debian arches of the musl targets, limited to MUSL_DEV_ARCHES
  local t a out=" "
  for t in $TARGETS; do
    is_musl "$t" || continue
    a=$(deb_arch "$t")
    case " $MUSL_DEV_ARCHES " in *" $a "*) ;; *) continue ;; esac
    case $out in *" $a "*) ;; *) out="$out$a " ;; esac
  done
  echo "$out" | xargs
}

# musl-dev:<arch>=V for every wanted arch, V = musl-dev's installed version (musl:amd64 and
# musl:<arch> are Multi-Arch: same: one version). Arches apt cannot serve at V get the fallback.
do_foreign() {
  local want a v todo=() ok=() fallback=() specs=()
  want=$(musl_arches_wanted)
  [ -n "$want" ] || return 0
  for a in $want; do
    if [ "$(installed_version "musl-dev:$a")" != "" ] && [ -x "/usr/bin/$(musl_dir "$a")-gcc" ]; then ok+=("$a"); continue; fi
    if [ "$(cat "$STATE/musl-dev-$a" 2>/dev/null)" = source ] && [ -x "$LOCAL_BIN/$(musl_dir "$a")-gcc" ] && [ -z "${MULTIARCH_SETUP_RETRY_FOREIGN:-}" ]; then
      fallback+=("$a"); continue
    fi
    todo+=("$a")
  done
  if [ ${#todo[@]} -gt 0 ]; then
    v=$(installed_version musl-dev)
    [ -n "$v" ] || die "musl-dev (amd64) is not installed: run test/setup.sh"
    add_arch "${todo[@]}"
    apt_update
    local can=() q=()
    for a in "${todo[@]}"; do q+=("musl-dev:$a" "musl:$a"); done
    apt_policy_load "${q[@]}"
    for a in "${todo[@]}"; do
      if apt_versions "musl-dev:$a" | grep -qxF "$v" && apt_versions "musl:$a" | grep -qxF "$v"; then can+=("$a")
      else
        say "$(apt_explain "musl-dev:$a" "$v" "none needed: the C compiler for $a comes from musl built from source")"
        fallback+=("$a")
      fi
    done
    if [ ${#can[@]} -gt 0 ]; then
      for a in "${can[@]}"; do specs+=("musl-dev:$a=$v" "musl:$a=$v"); done
      say "installing ${specs[*]} (one version on every architecture: $v)"
      if apt_try "${specs[@]}"; then ok+=("${can[@]}")
      else
        # one at a time: the ones apt cannot install go to the fallback, the others are kept
        for a in "${can[@]}"; do
          if apt_try "musl-dev:$a=$v" "musl:$a=$v"; then ok+=("$a")
          else say "$(apt_explain "musl-dev:$a" "$v" "none needed: the C compiler for $a comes from musl built from source")"; fallback+=("$a"); fi
        done
      fi
    fi
  fi
  for a in "${ok[@]}"; do echo debian >"$STATE/musl-dev-$a"; done
  local k=0
  for a in "${fallback[@]}"; do
    k=$((k + 1))
    progress $k ${#fallback[@]} "musl C compiler for $a from source (fallback for musl-dev:$a)"
    musl_wrapper "$a"
    echo source >"$STATE/musl-dev-$a"
  done
  say "musl-dev: Debian's for: ${ok[*]:-none}; built from source for: ${fallback[*]:-none}"
}

# Debian's source of musl (for the fallback and for riscv64). apt-get source runs against a
# private deb-src list and list directory under the cache: the host's apt configuration and
# package lists stay as they are.
musl_source() {
  local dir=$CACHE/src apt=$CACHE/apt uri
  if ls -d "$dir"/musl-1.2.3 >/dev/null 2>&1; then echo "$dir/musl-1.2.3"; return; fi
  uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
  mkdir -p "$apt/lists/partial" "$dir"
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${uri:-http://deb.debian.org/debian} bookworm main" >"$apt/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/none" -o "Dir::State::Lists=$apt/lists"
    -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=")
  apt-get "${opts[@]}" update -qq >&2 || die "apt-get update of the private deb-src list ($apt/sources.list) failed"
  (cd "$dir" && apt-get "${opts[@]}" source -qq musl >/dev/null 2>&1) || die "apt-get source musl failed (deb-src of bookworm main, list in $apt)"
  ls -d "$dir"/musl-1.2.3 >/dev/null 2>&1 || die "apt-get source musl gave no musl-1.2.3 directory"
  echo "$dir/musl-1.2.3"
}

# musl libc.a + crt objects + headers for a gcc triple, built from Debian's source with the cross gcc
build_musl() { # gcc-triple -> prints install dir
  local g=$1 out=$CACHE/musl/$1 src b extra=""
  if [ -f "$out/lib/libc.a" ] && [ -f "$out/lib/rcrt1.o" ] && [ -d "$out/include" ]; then echo "$out"; return; fi
  command -v "$g-gcc" >/dev/null || die "$g-gcc is missing (package gcc-$g): run test/setup.sh"
  src=$(musl_source)
  b=$CACHE/build/musl-$g; rm -rf "$b" "$out"; mkdir -p "$b"
  case $g in powerpc64le-*) extra="-mlong-double-64" ;; esac # musl's ppc64le ABI (as Debian builds it)
  say "building musl 1.2.3 for $g (Debian source, $g-gcc, -fPIC; log in $b)"
  (cd "$b" && CFLAGS="-O2 -fPIC $extra" "$src/configure" --target="$g" CROSS_COMPILE="$g-" --prefix=/ --disable-shared >configure.log 2>&1 &&
    make -j"$(nproc)" >make.log 2>&1 && make DESTDIR="$out" install >install.log 2>&1) ||
    { tail -20 "$b"/*.log >&2; die "musl build for $g failed (logs in $b)"; }
  rm -rf "$b"
  echo "$out"
}

# <musl-dir>-gcc in /usr/local/bin: the cross gcc with a specs file like Debian's musl-gcc.specs,
# pointing at the musl built here (the fallback for a musl-dev:<arch> apt cannot install)
musl_wrapper() { # deb-arch
  local a=$1 g d m specs
  g=$(gcc_of_arch "$a"); d=$(musl_dir "$a")
  m=$(build_musl "$g")
  specs=$m/musl-gcc.specs
  cat >"$specs" <<EOF
%rename cpp_options old_cpp_options

*cpp_options:
-nostdinc -isystem $m/include -isystem include%s %(old_cpp_options)

*cc1:
%(cc1_cpu) -nostdinc -isystem $m/include -isystem include%s

*link_libgcc:
-L$m/lib -L .%s

*libgcc:
libgcc.a%s %:if-exists(libgcc_eh.a%s)

*startfile:
%{!shared: $m/lib/Scrt1.o} $m/lib/crti.o crtbeginS.o%s

*endfile:
crtendS.o%s $m/lib/crtn.o

*link:
-nostdlib %{shared:-shared} %{static:-static} %{rdynamic:-export-dynamic}

EOF
  printf '#!/bin/sh\n# written by test/setup/rust.sh: musl 1.2.3 built from Debian source (musl-dev:%s could not be installed)\nexec %s-gcc "$@" -specs "%s"\n' "$a" "$g" "$specs" >"$LOCAL_BIN/$d-gcc"
  chmod +x "$LOCAL_BIN/$d-gcc"
  echo "$LOCAL_BIN/$d-gcc" >>"$CACHE/installed.txt"
}

# where a musl target's libc.a and crt objects come from: Debian's musl-dev:<arch> when dpkg has
# it, else musl built here (build_musl makes it; this only names the place)
musl_lib_dir() { # rust-triple
  local a d
  a=$(deb_arch "$1"); d=$(musl_dir "$a")
  if [ -n "$d" ] && [ -f "/usr/lib/$d/libc.a" ] && [ -f "/usr/lib/$d/rcrt1.o" ] && dpkg -S "/usr/lib/$d/libc.a" >/dev/null 2>&1; then
    echo "/usr/lib/$d"
  else
    echo "$CACHE/musl/$(gcc_triple "$1")/lib"
  fi
}

# ---- std -----------------------------------------------------------------------------------------

std_cached() { [ -f "$CACHE/std/$(rustc_key)/$1/.complete" ]; }

# Where a target's std may come from, and never two at once (rustc refuses a directory with two
# libstd rlibs: E0464 "multiple candidates for rlib dependency std"):
#   debian  Debian's libstd-rust-web-dev:<arch> installed by dpkg at exactly rustc-web's version
#           (e.g. arm64 when the mirror has it and something installed it): used as it is, and
#           whatever this script had put in that directory is removed;
#   built   otherwise: compiled from rust-web-src, recorded file by file in $MANIFEST next to it,
#           so that switching, rebuilding (rustc upgraded) and uninstalling remove exactly those
#           files and never one of dpkg's.
# This script never installs libstd-rust-web-dev:<arch> itself (its Multi-Arch: same libllvm
# chain is what broke on the oldstable mirror), so when the mirror drops a foreign build the
# target simply falls back to "built".
MANIFEST=.multiarch-test-files

# dpkg_owner FILE -> the dpkg package (pkg or pkg:arch) whose file list has FILE (what
# `dpkg-query -S` answers, without its ~0.7 s of loading the database)
dpkg_owner() {
  local l
  l=$(grep -lxF -- "$1" /var/lib/dpkg/info/*.list 2>/dev/null | head -1) || true
  [ -n "$l" ] && basename "$l" .list
  return 0
}
# dpkg_std TRIPLE -> "PACKAGE VERSION" of the dpkg package that owns the triple's libstd rlib
dpkg_std() {
  local f o
  for f in "$SYSROOT/$1"/lib/libstd-*.rlib; do
    [ -e "$f" ] || continue
    o=$(dpkg_owner "$f")
    [ -n "$o" ] || continue
    echo "$o $(dpkg-query -W -f='${Version}' "$o" 2>/dev/null)"
    return 0
  done
  return 0
}
# debian_std_ok TRIPLE: Debian's std for the triple is installed at rustc-web's version
debian_std_ok() {
  local o v
  o=$(dpkg_std "$1"); v=$(rustc_web_version)
  [ -n "$o" ] && [ -n "$v" ] && [ "${o#* }" = "$v" ]
}
# our_files DIR -> the files this script put in DIR (its manifest; for a directory written before
# manifests existed but carrying the marker: the rlibs/rmetas there that no dpkg package owns)
our_files() {
  local d=$1 f
  if [ -f "$d/$MANIFEST" ]; then
    while read -r f; do [ -n "$f" ] && [ -e "$d/$f" ] && echo "$d/$f"; done <"$d/$MANIFEST"
  elif [ -f "$d/$MARK" ]; then
    for f in "$d"/*.rlib "$d"/*.rmeta; do
      [ -e "$f" ] || continue
      [ -n "$(dpkg_owner "$f")" ] || echo "$f"
    done
  fi
  return 0
}
remove_ours() { # DIR: this script's std files, marker and manifest (dpkg's files stay)
  local d=$1 f n=0
  while read -r f; do [ -n "$f" ] && rm -f "$f" && n=$((n + 1)); done < <(our_files "$d")
  rm -f "$d/$MARK" "$d/$MANIFEST"
  [ $n -gt 0 ] && say "removed the $n std files this script had put in $d"
  return 0
}
std_source() { # TRIPLE -> debian | built | none | foreign (a std neither dpkg's nor ours)
  local d=$SYSROOT/$1/lib
  if debian_std_ok "$1"; then echo debian
  elif [ -f "$d/$MARK" ]; then echo built
  elif ls "$d"/libstd-*.rlib >/dev/null 2>&1; then [ -n "$(dpkg_std "$1")" ] && echo debian-stale || echo foreign
  else echo none; fi
}
# the triple's std is usable as it is: Debian's at rustc's version with nothing of ours beside it,
# or ours for this rustc, complete, alone
std_installed() {
  local d=$SYSROOT/$1/lib f
  if debian_std_ok "$1"; then [ ! -f "$d/$MARK" ] && [ ! -f "$d/$MANIFEST" ]; return; fi
  [ -z "$(dpkg_std "$1")" ] || return 1
  [ -f "$d/$MARK" ] && [ "$(cat "$d/$MARK")" = "$(rustc_id)" ] && [ -f "$d/$MANIFEST" ] || return 1
  while read -r f; do [ -e "$d/$f" ] || return 1; done <"$d/$MANIFEST"
  [ "$(ls "$d"/libstd-*.rlib 2>/dev/null | wc -l)" = 1 ]
}

# Build std for the given triples from rust-web-src in ONE cargo run (both cores busy across
# targets), store each in the cache, report "k of n" as each target's std is done.
build_std() { # rust-triple…
  local crate=$CACHE/stdbuild/crate home=$CACHE/stdbuild/cargo-home tgt=$CACHE/stdbuild/target t args=() n=$# k=0 key
  local c=0 last=0 total=$(($# * 22)) # 22 crates (rlibs) make one target's std
  key=$(rustc_key)
  mkdir -p "$crate/src" "$home"
  printf '[package]\nname = "std-component"\nversion = "0.0.0"\nedition = "2021"\n\n[lib]\npath = "src/lib.rs"\n' >"$crate/Cargo.toml"
  echo '#![no_std]' >"$crate/src/lib.rs"
  printf '[source.crates-io]\nreplace-with = "rust-web-src"\n\n[source.rust-web-src]\ndirectory = "%s"\n\n[net]\noffline = true\n' \
    "$SYSROOT/src/rust/library/vendor" >"$home/config.toml"
  for t in "$@"; do args+=(--target "$t"); done
  say "building std for $n targets from rust-web-src in one cargo run (about 1 CPU-minute each; log $LOGS/rust-std.log)"
  (cd "$crate" && env -i PATH=/usr/bin:/bin HOME=/root CARGO_HOME="$home" CARGO_TARGET_DIR="$tgt" RUSTC_BOOTSTRAP=1 \
    /usr/bin/cargo build --release "${args[@]}" -Zbuild-std=std,panic_abort --message-format=json-render-diagnostics \
    2>"$LOGS/rust-std.log") | while read -r line; do
      case $line in
        *'"reason":"compiler-artifact"'*'"name":"std"'*)
          t=$(printf '%s' "$line" | grep -oE '/target/[^/]+/release/deps/libstd-[^"]+\.rlib' | head -1 | cut -d/ -f3)
          k=$((k + 1)); c=$((c + 1))
          progress $k "$n" "std for $t compiled ($((c * 100 / total))% of all crates)"
          ;;
        *'"reason":"compiler-artifact"'*'/release/deps/lib'*'.rlib'*)
          # crates compile target by target in dependency order, so std itself comes late: say
          # how far the whole build is every 10 %
          c=$((c + 1))
          if [ $((c * 10 / total)) -gt $((last * 10 / total)) ]; then
            last=$c
            say "std build: $((c * 100 / total))% ($c of about $total crates for $n targets; $k targets done)"
          fi
          ;;
      esac
    done || true # judged by the rlibs below
  for t in "$@"; do
    ls "$tgt/$t/release/deps/"libstd-*.rlib >/dev/null 2>&1 || { tail -30 "$LOGS/rust-std.log" >&2; die "building std failed for $t (log $LOGS/rust-std.log)"; }
  done
  for t in "$@"; do
    local c=$CACHE/std/$key/$t
    rm -rf "$c"; mkdir -p "$c"
    cp "$tgt/$t/release/deps/"lib*.rlib "$c/"
    rm -f "$c"/libstd_component-*.rlib
    rustc_id >"$c/.complete"
  done
  rm -rf "$tgt" # ~170 MB per target of intermediate files; the cached rlibs are what counts
}

install_std() { # rust-triple: converge its directory to one std (Debian's or the cache's)
  local t=$1 d=$SYSROOT/$1/lib c o a v
  if debian_std_ok "$t"; then
    remove_ours "$d"
    say "std for $t: Debian's $(dpkg_std "$t") (rustc-web's version) is used; nothing of this script's left beside it"
    return 0
  fi
  o=$(dpkg_std "$t")
  if [ -n "$o" ]; then
    # dpkg's std at another version than rustc-web (rustc upgraded without it): unusable, and it
    # cannot share the directory with ours. Bring it to rustc's version, else remove the package.
    a=${o%% *}; v=$(rustc_web_version)
    say "std for $t: $a is at ${o#* }, rustc-web at $v: installing $a=$v, else removing $a"
    apt_try "$a=$v" || apt-get remove -y -q "$a" >>"$APT_LOG" 2>&1 ||
      die "$d holds $a ${o#* } (rustc-web is $v) and apt could neither install $a=$v nor remove it (log $APT_LOG). Fix: apt-get remove $a"
    if debian_std_ok "$t"; then remove_ours "$d"; return 0; fi
  fi
  if ls "$d"/libstd-*.rlib >/dev/null 2>&1 && [ ! -f "$d/$MARK" ] && [ -z "$(dpkg_std "$t")" ]; then
    die "$d holds a std that neither dpkg nor this script installed (rustup's, or copied by hand?): remove it, or leave $t out of MULTIARCH_RUST_TARGETS"
  fi
  c=$CACHE/std/$(rustc_key)/$t
  std_cached "$t" || build_std "$t" # (a Debian std that was just removed)
  remove_ours "$d"
  mkdir -p "$d"
  cp "$c"/*.rlib "$d/"
  (cd "$c" && ls ./*.rlib | sed 's|^\./||') >"$d/$MANIFEST"
  rustc_id >"$d/$MARK"
  local stds=("$d"/libstd-*.rlib)
  [ ${#stds[@]} = 1 ] || die "$d has ${#stds[@]} libstd rlibs after installing $t's (rustc would refuse them: E0464): ${stds[*]}"
  echo "$d" >>"$CACHE/installed.txt"
}

# ---- musl self-contained objects -------------------------------------------------------------------

self_contained_id() { # rust-triple -> what the objects are made of (a change rebuilds them)
  local g lib
  g=$(gcc_triple "$1"); lib=$(musl_lib_dir "$1")
  printf 'libc+crt: %s; crtbegin/end + libgcc_eh: %s %s; shim %s; recipe %s; rustc %s\n' "$lib" "$g-gcc" \
    "$("$g-gcc" -dumpfullversion 2>/dev/null)" "$(sha256sum "$HERE/rust-unwind-check/dl_find_object.c" | cut -c1-12)" \
    "$(declare -f install_self_contained | sha256sum | cut -c1-12)" "$(rustc_id)"
}

install_self_contained() { # rust-triple
  local t=$1 g lib d o tmp
  g=$(gcc_triple "$t"); d=$SYSROOT/$t/lib/self-contained
  lib=$(musl_lib_dir "$t")
  case $lib in "$CACHE"/*) build_musl "$g" >/dev/null ;; esac
  rm -rf "$d"; mkdir -p "$d"
  for o in crt1.o Scrt1.o rcrt1.o crti.o crtn.o libc.a; do cp "$lib/$o" "$d/" || die "musl object $lib/$o missing"; done
  for o in crtbegin.o crtbeginS.o crtend.o crtendS.o; do cp "$("$g-gcc" -print-file-name=$o)" "$d/"; done
  tmp=$(mktemp -d "$CACHE/unwind.XXXXXX")
  "$g-gcc" -O2 -fPIC -c "$HERE/rust-unwind-check/dl_find_object.c" -o "$tmp/dl_find_object.o" || die "compiling dl_find_object.c for $g failed"
  # libgcc_eh's unwinder objects (not emutls.o: native TLS here, and it needs libgcc.a's
  # __sync_synchronize on armel) + the shim, as ONE object: whatever pulls the unwinder pulls all
  mkdir -p "$tmp/eh" && (cd "$tmp/eh" && "$g-ar" x "$("$g-gcc" -print-file-name=libgcc_eh.a)") && rm -f "$tmp/eh/emutls.o"
  "$g-ld" -r -o "$tmp/unwind.o" "$tmp"/eh/*.o "$tmp/dl_find_object.o" || die "merging libgcc_eh.a for $g failed"
  "$g-ar" rcs "$d/libunwind.a" "$tmp/unwind.o"
  rm -rf "$tmp"
  echo "$d" >>"$CACHE/installed.txt"
}

# a static binary for the target must start, unwind and catch a panic (also in a thread) under qemu
check_unwind() { # rust-triple
  local t=$1 g T q out src=$CACHE/unwind-check/src tgt=$CACHE/unwind-check/target
  g=$(gcc_triple "$t"); T=$(echo "$t" | tr 'a-z-' 'A-Z_'); q=$(qemu_of "$t")
  mkdir -p "$src/src"
  cp "$HERE/rust-unwind-check/Cargo.toml" "$src/" && cp "$HERE/rust-unwind-check/src/main.rs" "$src/src/" # cargo writes Cargo.lock: not in the repo
  out=$(cd "$src" && env -i PATH=/usr/bin:/bin HOME=/root CARGO_HOME="$CACHE/stdbuild/cargo-home" CARGO_TARGET_DIR="$tgt" \
    "CARGO_TARGET_${T}_LINKER=$g-gcc" "CARGO_TARGET_${T}_RUSTFLAGS=-C target-feature=+crt-static -C link-self-contained=yes" \
    /usr/bin/cargo build --quiet --release --target "$t" 2>&1) || die "the unwind check did not link for $t: $out"
  out=$($q "$tgt/$t/release/unwind-check" 2>&1) || die "the unwind check failed for $t under ${q:-the host}: $out"
  case $out in
    *"caught=true thread=true"*) ;;
    *) die "the unwind check for $t printed: $out (expected caught=true thread=true)" ;;
  esac
}

# ---- main ------------------------------------------------------------------------------------------

todo_std() { local t; for t in $TARGETS; do std_installed "$t" || echo "$t"; done; }
todo_sc() { local t d; for t in $TARGETS; do is_musl "$t" || continue; d=$SYSROOT/$t/lib/self-contained; [ -f "$d/$MARK" ] && [ "$(cat "$d/$MARK")" = "$(self_contained_id "$t")" ] || echo "$t"; done; }

# std for every target (needs only the trio: runs while the other packages install)
do_std() {
  load_ids
  [ "$(id -u)" = 0 ] || die "run as root (/usr/lib/rustlib)"
  renew_compiler
  check_compiler
  mkdir -p "$CACHE"
  write_cargo_home
  local t missing=() build=() n
  mapfile -t missing < <(todo_std)
  for t in "${missing[@]}"; do debian_std_ok "$t" || std_cached "$t" || build+=("$t"); done
  [ ${#build[@]} -gt 0 ] && build_std "${build[@]}"
  n=${#missing[@]}
  for t in "${missing[@]}"; do install_std "$t"; done
  if [ "$n" -gt 0 ]; then say "std set up for $n targets under $SYSROOT (${#build[@]} compiled; Debian's for: $(for t in "${missing[@]}"; do debian_std_ok "$t" && printf '%s ' "$t"; done)); the others from the cache $CACHE/std)"
  else say "std present for all $(echo "$TARGETS" | wc -w) targets"; fi
}

# musl self-contained objects + the unwind check (needs the cross gcc, musl-dev, qemu)
do_musl() {
  load_ids
  local t missing=() k=0 n
  check_compiler
  check_crates
  mapfile -t missing < <(todo_sc)
  n=${#missing[@]}; k=0
  for t in "${missing[@]}"; do
    k=$((k + 1))
    progress $k "$n" "self-contained objects for $t: musl from $(musl_lib_dir "$t"), libunwind from $(gcc_triple "$t")-gcc's libgcc_eh; unwind check under qemu"
    install_self_contained "$t"
    check_unwind "$t"
    self_contained_id "$t" >"$SYSROOT/$t/lib/self-contained/$MARK" # only once the check passed
  done
  say "ok: Rust rung ready for $(echo "$TARGETS" | wc -w) targets + x86_64-unknown-linux-gnu (Debian's)"
}

do_build() { do_std; do_musl; }

# CARGO_HOME the test uses instead of the image's: crates.io replaced by Debian's vendored crates.
write_cargo_home() {
  mkdir -p "$CACHE/cargo-home"
  printf '# written by test/setup/rust.sh: no crates.io here, Debian ships crates as librust-*-dev\n[source.crates-io]\nreplace-with = "debian"\n\n[source.debian]\ndirectory = "/usr/share/cargo/registry"\n\n[net]\noffline = true\n' \
    >"$CACHE/cargo-home/config.toml"
}

do_plan() {
  load_ids
  local s m f
  if [ -x /usr/bin/rustc ] && dpkg -S /usr/bin/rustc 2>/dev/null | grep -q '^rustc-web'; then
    s=$(todo_std | wc -l); m=$(todo_sc | wc -l)
    [ "$s" = 0 ] && [ "$m" = 0 ] || echo "rust: std to install under $SYSROOT for $s of $(echo "$TARGETS" | wc -w) targets (compiled once, ~1 CPU-minute each, unless in $CACHE/std); musl self-contained objects for $m targets"
  else
    echo "rust: Debian's rustc-web/cargo-web/rust-web-src (one version), std for $(echo "$TARGETS" | wc -w) targets under $SYSROOT (compiled from rust-web-src unless in $CACHE/std), musl self-contained objects"
  fi
  f=""
  for m in $(musl_arches_wanted); do [ -n "$(installed_version "musl-dev:$m")" ] || [ -x "$LOCAL_BIN/$(musl_dir "$m")-gcc" ] || f="$f $m"; done
  [ -n "$f" ] && echo "rust: dpkg foreign architectures${f} for musl-dev:<arch> (pinned to musl-dev's version; else a musl wrapper in $LOCAL_BIN)"
  return 0
}

do_status() {
  load_ids
  local t d
  echo "rustc: $(/usr/bin/rustc --version 2>/dev/null || echo missing); cargo: $(/usr/bin/cargo --version 2>/dev/null || echo missing)"
  for t in $TARGETS; do
    d=$SYSROOT/$t/lib
    printf '%-34s std: %-8s' "$t" "$(std_installed "$t" && std_source "$t" || echo "MISSING($(std_source "$t"))")"
    if is_musl "$t"; then
      printf ' self-contained: %-4s' "$([ -f "$d/self-contained/$MARK" ] && echo yes || echo MISSING)"
      local a; a=$(deb_arch "$t")
      [ -n "$(musl_dir "$a")" ] && [ "$a" != amd64 ] && printf ' musl-dev:%s: %s' "$a" "$(cat "$STATE/musl-dev-$a" 2>/dev/null || echo MISSING)"
    fi
    echo
  done
}

do_uninstall() {
  [ -f "$CACHE/installed.txt" ] || { say "nothing recorded in $CACHE/installed.txt"; return 0; }
  sort -u "$CACHE/installed.txt" | while read -r d; do
    case $d in
      "$SYSROOT"/*)
        if [ "$(basename "$d")" = self-contained ]; then [ -f "$d/$MARK" ] && rm -rf "$d"
        else remove_ours "$d"; fi
        rmdir -p "$d" 2>/dev/null || true ;;
      "$LOCAL_BIN"/*) grep -q 'written by test/setup/rust.sh' "$d" 2>/dev/null && rm -f "$d" ;;
      *) continue ;;
    esac
    say "removed $d"
  done
  rm -f "$CACHE/installed.txt" "$STATE"/musl-dev-*
}

case ${1:-install} in
  compiler) print_compiler ;;
  packages) print_packages ;;
  foreign) do_foreign ;;
  std) do_std ;;
  musl) do_musl ;;
  build) do_build ;;
  install)
    spec=$(print_compiler)
    APT_GROUP=rust apt_groups "$spec" "$(print_packages)" >/dev/null || die "the Rust packages could not be installed (message above)"
    do_foreign
    do_build ;;
  plan) do_plan ;;
  status) do_status ;;
  uninstall) do_uninstall ;;
  *) die "usage: $0 [compiler|packages|foreign|install|std|musl|build|plan|status|uninstall]" ;;
esac

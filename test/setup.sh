#!/usr/bin/env bash
# Install everything rungs 1–6 need on a fresh Debian 12 / Ubuntu machine (as root): npm deps and
# each area's tools (Go/C cross compilers + qemu, Rust, registry + skopeo/buildah, Docker/BuildKit).
# Idempotent: a second run installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then echo "test/setup.sh installs Debian packages: run it as root (or via sudo)" >&2; exit 1; fi
for s in test/setup/*.sh; do
  case "$s" in */lib.sh) continue ;; esac
  echo "== $s"
  bash "$s" install
done

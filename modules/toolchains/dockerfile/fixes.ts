/** The fix texts of findings: how to move a step off QEMU for each kind of RUN (pure strings). */
import { TARGETS } from "../../core/targets.js"
import type { RunKind } from "./types.js"

function goFix(targetPlatform: string): string {
  const row = TARGETS.get(targetPlatform)
  const armNote = row?.go.GOARM ? ` (for ${targetPlatform} that is GOARM=${row.go.GOARM})` : ""
  return (
    "cross-compile on the build platform: `FROM --platform=$BUILDPLATFORM <go image> AS build`, " +
    "`ARG TARGETOS TARGETARCH TARGETVARIANT`, then " +
    "`RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH GOARM=${TARGETVARIANT#v} go build -o /out/app .`" +
    armNote +
    ", and `COPY --from=build /out/app` into the runtime stage; the Go toolchain then runs natively (≈9× faster than under QEMU, bit-identical output)"
  )
}

function rustFix(targetPlatform: string): string {
  const row = TARGETS.get(targetPlatform)
  const triple = row ? row.rust.gnu : "<target triple>"
  const musl = row ? row.rust.musl : "<musl triple>"
  const linker = row ? `${row.gccTriple}-gcc` : "<triple>-gcc"
  return (
    "cross-compile on the build platform: `FROM --platform=$BUILDPLATFORM <rust image> AS build`, `ARG TARGETPLATFORM`, map it to the target triple " +
    `(${targetPlatform} → ${triple}, or ${musl} for a static binary), \`rustup target add <triple>\`, ` +
    `\`cargo build --release --target <triple>\` with \`CARGO_TARGET_<TRIPLE>_LINKER=${linker}\` (Debian: gcc-${row?.gccTriple ?? "<triple>"}), ` +
    "then `COPY --from=build /src/target/<triple>/release/<bin>` into the runtime stage"
  )
}

export function cFix(targetPlatform: string): string {
  const row = TARGETS.get(targetPlatform)
  const pk = row ? `gcc-${row.gccTriple} libc6-dev-${row.debianArch}-cross` : "gcc-<triple> libc6-dev-<arch>-cross"
  const cc = row ? `${row.gccTriple}-gcc` : "<triple>-gcc"
  return (
    `compile on the build platform with a cross compiler: \`FROM --platform=$BUILDPLATFORM <debian image> AS build\`, \`ARG TARGETARCH\`, install ${pk}, ` +
    `build with CC=${cc} (CMake: CMAKE_C_COMPILER; autotools: --host=${row?.gccTriple ?? "<triple>"}), and COPY the output into the target stage`
  )
}

function nodeInstallFix(): string {
  return (
    "native addons must match the target, so keep dependency installation in a target-platform stage but make it small: " +
    "`npm ci --omit=dev` there (prefer packages with prebuilt binaries, e.g. prebuildify/node-gyp-build), and run arch-neutral work " +
    "(bundling, tsc, tests) in a `FROM --platform=$BUILDPLATFORM` stage whose output (dist/, not node_modules/) is copied"
  )
}

export function fixFor(kind: RunKind, targetPlatform: string): string {
  switch (kind) {
    case "go-build":
      return goFix(targetPlatform)
    case "rust-build":
      return rustFix(targetPlatform)
    case "c-build":
    case "package-build":
      return cFix(targetPlatform)
    case "node-install":
      return nodeInstallFix()
    case "js-build":
      return "the output is arch-neutral: run it in a `FROM --platform=$BUILDPLATFORM` stage and `COPY --from` its dist/ into the target stage (install native dependencies in the target stage)"
    case "java-build":
      return "bytecode is arch-neutral: run the build in a `FROM --platform=$BUILDPLATFORM` stage and `COPY --from` the jar into the runtime stage"
    case "dotnet-build": {
      const arch = targetPlatform.split("/")[1]
      const rid = arch === "amd64" ? "linux-x64" : arch === "arm" ? "linux-arm" : `linux-${arch}`
      return `run the SDK in a \`FROM --platform=$BUILDPLATFORM\` stage and cross-publish: \`dotnet publish -r ${rid}\` (map TARGETARCH to the RID), then COPY the output into the runtime stage`
    }
    case "python-build":
      return "build wheels for the target once (cibuildwheel, or a cross toolchain in a `FROM --platform=$BUILDPLATFORM` stage) or use published manylinux wheels for the target, and install them in the target stage"
    default:
      return "move the work to a `FROM --platform=$BUILDPLATFORM` stage when its output is arch-neutral"
  }
}

/**
 * containerd/platforms cases (data only): every input of platforms_test.go's TestParseSelector
 * (and the platforms its `matches` lists), TestParseSelectorInvalid, every distinct platform string
 * compare_test.go parses, one case per branch of database.go's normalizeArch, and the spellings
 * issue 14 names.
 *
 * `containerd` is what Docker/BuildKit make of the string: Format(Normalize(Parse(input))) of
 * containerd/platforms at REFS.containerd.commit, read from platforms.go (Parse, Normalize, Format)
 * and database.go (normalizeOS, normalizeArch) with GOOS=linux; "error" when Parse fails;
 * `<host-arch>` where containerd fills in runtime.GOARCH; ` osversion=…`/` features=…` where it
 * keeps OS options. (TestParseSelector itself compares Parse() before Normalize(): it keeps
 * "linux/arm" variant-less and "linux/arm64/v8" with v8; --platform values are normalised, which
 * is what multiarch must agree with.)
 *
 * `ours` is set for kept differences and n.a. cases: our normalised form, or "error".
 */
import type { Source, Verdict } from "./sources.js"

export interface PlatformCase {
  input: string
  containerd: string
  source: Source
  verdict?: Verdict
  ours?: string
}

const FIX_ARMHF: Verdict = {
  kind: "fixed",
  fn: "modules/core/platform.ts normalizeArch",
  why: "armhf and armel fix the variant in containerd (armhf → arm/v7, armel → arm/v6, whatever variant follows); ours let a written variant win",
}
const FIX_I386: Verdict = {
  kind: "fixed",
  fn: "modules/core/platform.ts normalizeArch",
  why: "containerd drops any variant written after i386 (i386/<v> → 386); ours kept it and then rejected 386/<v>",
}
const FIX_V9: Verdict = {
  kind: "fixed",
  fn: "modules/core/platform.ts normalizeArch",
  why: "containerd spells arm64 variants 9, 9.0 and v9.0 as v9; ours left them as written (both are rejected as targets, but the normalised form and the error must say v9)",
}
const KEEP_OSONLY_MACOS: Verdict = {
  kind: "keep",
  exception: "os-only-needs-arch",
  why: `"macOS" alone is an OS (containerd: darwin/<host arch>); like "linux" alone we ask for the architecture. Issue 14 fixed how we got there: "macOS" was read as an architecture (linux/macos, "unknown architecture")`,
}
const KEEP_OSLESS: Verdict = {
  kind: "keep",
  exception: "os-less-arch-variant",
  why: `containerd reads two elements as os/arch, so "arm64/v8" is OS "arm64" with arch "v8" (nothing can build it); we read an OS-less arch/variant as linux/<arch>/<variant>, the only reading that builds`,
}
const KEEP_OSONLY: Verdict = {
  kind: "keep",
  exception: "os-only-needs-arch",
  why: "containerd completes an OS-only value with the host's architecture (runtime.GOARCH); the machine that runs the command says nothing about the image, so we ask for the architecture",
}
const KEEP_AMD64N: Verdict = {
  kind: "keep",
  exception: "amd64-bare-level",
  why: `containerd only rewrites amd64 "v1"; a bare level digit (amd64/2) stays a variant "2" that no image has; we read it as the level v2 (1 as no variant): harmless leniency, ours`,
}
const NA_OSOPT: Verdict = {
  kind: "na",
  exception: "os-options",
  why: "OS version / OS features (os(version+feature)) describe Windows and special-runtime images; multiarch builds plain linux images and rejects the syntax with a clear error",
}
const keepAlias = (a: string): Verdict => ({
  kind: "keep",
  exception: "uname-aliases",
  why: `${a} is not a containerd alias (containerd keeps linux/${a} as an unknown architecture and rejects it without an OS); we accept this uname -m / Debian spelling: harmless leniency, documented as ours in platform.ts`,
})

export const PLATFORM_CASES: PlatformCase[] = [
  { input: "linux/arm64", containerd: "linux/arm64", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector", line: 100 } },
  { input: "linux/arm64/v8", containerd: "linux/arm64", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector", line: 125 } },
  { input: "linux/arm", containerd: "linux/arm/v7", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector", line: 153 } },
  { input: "linux/arm/v6", containerd: "linux/arm/v6", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector", line: 178 } },
  { input: "linux/arm/v7", containerd: "linux/arm/v7", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector", line: 194 } },
  { input: "arm", containerd: "linux/arm/v7", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector", line: 214 } },
  { input: "armel", containerd: "linux/arm/v6", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector", line: 223 } },
  { input: "armhf", containerd: "linux/arm/v7", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector", line: 233 } },
  { input: "Aarch64", containerd: "linux/arm64", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector", line: 242 } },
  { input: "x86_64", containerd: "linux/amd64", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector", line: 251 } },
  { input: "Linux/x86_64", containerd: "linux/amd64", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector", line: 260 } },
  { input: "i386", containerd: "linux/386", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector", line: 269 } },
  { input: "linux", containerd: "linux/<host-arch>", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector", line: 278 }, verdict: KEEP_OSONLY, ours: "error" },
  { input: "s390x", containerd: "linux/s390x", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector", line: 288 } },
  { input: "linux/s390x", containerd: "linux/s390x", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector", line: 297 } },
  { input: "macOS", containerd: "darwin/<host-arch>", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector", line: 306 }, verdict: KEEP_OSONLY_MACOS, ours: "error:names an OS but no architecture" },
  { input: "windows", containerd: "windows/<host-arch>", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector", line: 316 }, verdict: KEEP_OSONLY, ours: "error" },
  { input: "windows()", containerd: "windows/<host-arch>", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector", line: 327 }, verdict: NA_OSOPT, ours: "error" },
  { input: "windows(10.0.17763)", containerd: "windows/<host-arch> osversion=10.0.17763", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector", line: 338 }, verdict: NA_OSOPT, ours: "error" },
  { input: "windows(10.0.17763+win32k)", containerd: "windows/<host-arch> osversion=10.0.17763 features=win32k", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector", line: 349 }, verdict: NA_OSOPT, ours: "error" },
  { input: "linux(+gpu)", containerd: "linux/<host-arch> features=gpu", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector", line: 361 }, verdict: NA_OSOPT, ours: "error" },
  { input: "linux(+gpu+simd)", containerd: "linux/<host-arch> features=gpu+simd", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector", line: 373 }, verdict: NA_OSOPT, ours: "error" },
  { input: "linux(+unsorted+erofs)", containerd: "linux/<host-arch> features=erofs+unsorted", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector", line: 385 }, verdict: NA_OSOPT, ours: "error" },
  { input: "windows(10.0.17763%2Bbuild.42)", containerd: "windows/<host-arch> osversion=10.0.17763+build.42", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector", line: 397 }, verdict: NA_OSOPT, ours: "error" },
  { input: "windows(10.0.17763%2Bbuild.42+win32k)", containerd: "windows/<host-arch> osversion=10.0.17763+build.42 features=win32k", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector", line: 408 }, verdict: NA_OSOPT, ours: "error" },
  { input: "windows(50%25done)", containerd: "windows/<host-arch> osversion=50%done", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector", line: 420 }, verdict: NA_OSOPT, ours: "error" },
  { input: "linux/aarch64", containerd: "linux/arm64", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector matches[] of linux/arm64", line: 108 } },
  { input: "linux/aarch64/v8", containerd: "linux/arm64", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector matches[] of linux/arm64", line: 112 } },
  { input: "linux/armhf", containerd: "linux/arm/v7", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector matches[] of linux/arm", line: 166 } },
  { input: "linux/arm/7", containerd: "linux/arm/v7", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector matches[] of linux/arm", line: 171 } },
  { input: "linux/armel", containerd: "linux/arm/v6", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelector matches[] of linux/arm/v6", line: 187 } },
  { input: "", containerd: "error", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelectorInvalid", line: 557 } },
  { input: "/linux/arm", containerd: "error", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelectorInvalid", line: 560 } },
  { input: "linux/arm/", containerd: "error", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelectorInvalid", line: 563 } },
  { input: "linux /arm", containerd: "error", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelectorInvalid", line: 566 } },
  { input: "linux/&arm", containerd: "error", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelectorInvalid", line: 569 } },
  { input: "linux/arm/foo/bar", containerd: "error", source: { ref: "containerd", file: "platforms_test.go", test: "TestParseSelectorInvalid", line: 572 } },
  { input: "linux/amd64", containerd: "linux/amd64", source: { ref: "containerd", file: "compare_test.go", test: "TestOnly", line: 31 } },
  { input: "linux/386", containerd: "linux/386", source: { ref: "containerd", file: "compare_test.go", test: "TestOnly", line: 35 } },
  { input: "linux/amd64/v2", containerd: "linux/amd64/v2", source: { ref: "containerd", file: "compare_test.go", test: "TestOnly", line: 38 } },
  { input: "windows/amd64", containerd: "windows/amd64", source: { ref: "containerd", file: "compare_test.go", test: "TestOnly", line: 41 } },
  { input: "windows/arm", containerd: "windows/arm/v7", source: { ref: "containerd", file: "compare_test.go", test: "TestOnly", line: 42 } },
  { input: "linux/amd64/v1", containerd: "linux/amd64", source: { ref: "containerd", file: "compare_test.go", test: "TestOnly", line: 51 } },
  { input: "linux/amd64/v3", containerd: "linux/amd64/v3", source: { ref: "containerd", file: "compare_test.go", test: "TestOnly", line: 56 } },
  { input: "linux/amd64/v4", containerd: "linux/amd64/v4", source: { ref: "containerd", file: "compare_test.go", test: "TestOnly", line: 57 } },
  { input: "windows(10.0.17763)/amd64", containerd: "windows/amd64 osversion=10.0.17763", source: { ref: "containerd", file: "compare_test.go", test: "TestOnly", line: 85 }, verdict: NA_OSOPT, ours: "error" },
  { input: "linux/arm/v8", containerd: "linux/arm/v8", source: { ref: "containerd", file: "compare_test.go", test: "TestOnly", line: 96 } },
  { input: "linux/arm/v5", containerd: "linux/arm/v5", source: { ref: "containerd", file: "compare_test.go", test: "TestOnly", line: 100 } },
  { input: "linux/arm/v4", containerd: "linux/arm/v4", source: { ref: "containerd", file: "compare_test.go", test: "TestOnly", line: 107 } },
  { input: "linux/arm64/v8.1", containerd: "linux/arm64/v8.1", source: { ref: "containerd", file: "compare_test.go", test: "TestOnly", line: 201 } },
  { input: "linux/arm64/v8.2", containerd: "linux/arm64/v8.2", source: { ref: "containerd", file: "compare_test.go", test: "TestOnly", line: 202 } },
  { input: "linux/arm64/v9", containerd: "linux/arm64/v9", source: { ref: "containerd", file: "compare_test.go", test: "TestOnly", line: 210 } },
  { input: "linux/arm64/v9.0", containerd: "linux/arm64/v9", source: { ref: "containerd", file: "compare_test.go", test: "TestOnly", line: 211 }, verdict: FIX_V9 },
  { input: "linux/arm64/v9.5", containerd: "linux/arm64/v9.5", source: { ref: "containerd", file: "compare_test.go", test: "TestOnly", line: 216 } },
  { input: "linux/arm64/v8.10", containerd: "linux/arm64/v8.10", source: { ref: "containerd", file: "compare_test.go", test: "TestOnly", line: 224 } },
  { input: "linux/arm/v9", containerd: "linux/arm/v9", source: { ref: "containerd", file: "compare_test.go", test: "TestOnly", line: 272 } },
  { input: "darwin/arm64", containerd: "darwin/arm64", source: { ref: "containerd", file: "compare_test.go", test: "TestOnlyOS", line: 614 } },
  { input: "windows/arm64", containerd: "windows/arm64", source: { ref: "containerd", file: "compare_test.go", test: "TestOnlyOS", line: 623 } },
  { input: "linux(+gpu)/amd64", containerd: "linux/amd64 features=gpu", source: { ref: "containerd", file: "compare_test.go", test: "TestOnlyOS", line: 633 }, verdict: NA_OSOPT, ours: "error" },
  { input: "darwin/amd64", containerd: "darwin/amd64", source: { ref: "containerd", file: "compare_test.go", test: "TestOnlyOSLess", line: 689 } },
  { input: "linux/i386", containerd: "linux/386", source: { ref: "containerd", file: "database.go", test: "normalizeArch", line: 79 } },
  { input: "linux/i386/v7", containerd: "linux/386", source: { ref: "containerd", file: "database.go", test: "normalizeArch (i386 drops the variant)", line: 79 }, verdict: FIX_I386 },
  { input: "linux/x86_64", containerd: "linux/amd64", source: { ref: "containerd", file: "database.go", test: "normalizeArch", line: 82 } },
  { input: "linux/x86-64", containerd: "linux/amd64", source: { ref: "containerd", file: "database.go", test: "normalizeArch", line: 82 } },
  { input: "linux/x86_64/v1", containerd: "linux/amd64", source: { ref: "containerd", file: "database.go", test: "normalizeArch (amd64 v1 → no variant)", line: 84 } },
  { input: "linux/x86-64/v2", containerd: "linux/amd64/v2", source: { ref: "containerd", file: "database.go", test: "normalizeArch", line: 82 } },
  { input: "linux/AMD64/V3", containerd: "linux/amd64/v3", source: { ref: "containerd", file: "database.go", test: "normalizeArch (lower-cased)", line: 82 } },
  { input: "linux/aarch64/8", containerd: "linux/arm64", source: { ref: "containerd", file: "database.go", test: "normalizeArch", line: 90 } },
  { input: "linux/arm64/8", containerd: "linux/arm64", source: { ref: "containerd", file: "database.go", test: "normalizeArch", line: 90 } },
  { input: "linux/arm64/v8.0", containerd: "linux/arm64", source: { ref: "containerd", file: "database.go", test: "normalizeArch", line: 90 } },
  { input: "linux/arm64/9", containerd: "linux/arm64/v9", source: { ref: "containerd", file: "database.go", test: "normalizeArch", line: 92 }, verdict: FIX_V9 },
  { input: "linux/arm64/9.0", containerd: "linux/arm64/v9", source: { ref: "containerd", file: "database.go", test: "normalizeArch", line: 92 }, verdict: FIX_V9 },
  { input: "linux/aarch64/v9.0", containerd: "linux/arm64/v9", source: { ref: "containerd", file: "database.go", test: "normalizeArch", line: 92 }, verdict: FIX_V9 },
  { input: "linux/armhf/v6", containerd: "linux/arm/v7", source: { ref: "containerd", file: "database.go", test: "normalizeArch (armhf fixes v7)", line: 95 }, verdict: FIX_ARMHF },
  { input: "linux/armhf/v7", containerd: "linux/arm/v7", source: { ref: "containerd", file: "database.go", test: "normalizeArch", line: 95 } },
  { input: "linux/armel/v7", containerd: "linux/arm/v6", source: { ref: "containerd", file: "database.go", test: "normalizeArch (armel fixes v6)", line: 98 }, verdict: FIX_ARMHF },
  { input: "linux/armel/v6", containerd: "linux/arm/v6", source: { ref: "containerd", file: "database.go", test: "normalizeArch", line: 98 } },
  { input: "linux/arm/5", containerd: "linux/arm/v5", source: { ref: "containerd", file: "database.go", test: "normalizeArch", line: 105 } },
  { input: "linux/arm/6", containerd: "linux/arm/v6", source: { ref: "containerd", file: "database.go", test: "normalizeArch", line: 105 } },
  { input: "linux/arm/8", containerd: "linux/arm/v8", source: { ref: "containerd", file: "database.go", test: "normalizeArch", line: 105 } },
  { input: "x86-64", containerd: "linux/amd64", source: { ref: "containerd", file: "database.go", test: "normalizeArch (OS-less)", line: 82 } },
  { input: "amd64", containerd: "linux/amd64", source: { ref: "containerd", file: "database.go", test: "normalizeArch (OS-less)", line: 82 } },
  { input: "arm64", containerd: "linux/arm64", source: { ref: "containerd", file: "database.go", test: "normalizeArch (OS-less)", line: 87 } },
  { input: "riscv64", containerd: "linux/riscv64", source: { ref: "containerd", file: "database.go", test: "normalizeArch (isKnownArch, OS-less)", line: 56 } },
  { input: "loong64", containerd: "linux/loong64", source: { ref: "containerd", file: "database.go", test: "normalizeArch (isKnownArch, OS-less)", line: 56 } },
  { input: "linux/riscv64", containerd: "linux/riscv64", source: { ref: "containerd", file: "database.go", test: "normalizeArch (isKnownArch)", line: 56 } },
  { input: "linux/ppc64le", containerd: "linux/ppc64le", source: { ref: "containerd", file: "database.go", test: "normalizeArch (isKnownArch)", line: 56 } },
  { input: "linux/loong64", containerd: "linux/loong64", source: { ref: "containerd", file: "database.go", test: "normalizeArch (isKnownArch)", line: 56 } },
  { input: "linux/mips", containerd: "linux/mips", source: { ref: "containerd", file: "database.go", test: "normalizeArch (isKnownArch)", line: 56 } },
  { input: "linux/mipsle", containerd: "linux/mipsle", source: { ref: "containerd", file: "database.go", test: "normalizeArch (isKnownArch)", line: 56 } },
  { input: "linux/mips64", containerd: "linux/mips64", source: { ref: "containerd", file: "database.go", test: "normalizeArch (isKnownArch)", line: 56 } },
  { input: "linux/mips64le", containerd: "linux/mips64le", source: { ref: "containerd", file: "database.go", test: "normalizeArch (isKnownArch)", line: 56 } },
  { input: "linux/amd64/v5", containerd: "linux/amd64/v5", source: { ref: "containerd", file: "database.go", test: "normalizeArch (only v1 is rewritten)", line: 82 } },
  { input: "arm64/v8", containerd: "arm64/v8", source: { ref: "containerd", file: "platforms.go", test: "Parse case 2 (two elements are os/arch); input named in issue 14", line: 329 }, verdict: KEEP_OSLESS, ours: "linux/arm64" },
  { input: "arm/v7", containerd: "arm/v7", source: { ref: "containerd", file: "platforms.go", test: "Parse case 2 (two elements are os/arch); input named in issue 14", line: 329 }, verdict: KEEP_OSLESS, ours: "linux/arm/v7" },
  { input: "i686", containerd: "error", source: { ref: "containerd", file: "platforms.go", test: "Parse case 1 (unknown arch without OS is an error); input named in issue 14", line: 302 }, verdict: keepAlias("i686"), ours: "linux/386" },
  { input: "linux/i686", containerd: "linux/i686", source: { ref: "containerd", file: "database.go", test: "normalizeArch has no such branch; input named in issue 14", line: 76 }, verdict: keepAlias("i686"), ours: "linux/386" },
  { input: "armv7l", containerd: "error", source: { ref: "containerd", file: "platforms.go", test: "Parse case 1 (unknown arch without OS is an error); input named in issue 14", line: 302 }, verdict: keepAlias("armv7l"), ours: "linux/arm/v7" },
  { input: "linux/armv7l", containerd: "linux/armv7l", source: { ref: "containerd", file: "database.go", test: "normalizeArch has no such branch; input named in issue 14", line: 76 }, verdict: keepAlias("armv7l"), ours: "linux/arm/v7" },
  { input: "armv6l", containerd: "error", source: { ref: "containerd", file: "platforms.go", test: "Parse case 1 (unknown arch without OS is an error); input named in issue 14", line: 302 }, verdict: keepAlias("armv6l"), ours: "linux/arm/v6" },
  { input: "linux/armv6l", containerd: "linux/armv6l", source: { ref: "containerd", file: "database.go", test: "normalizeArch has no such branch; input named in issue 14", line: 76 }, verdict: keepAlias("armv6l"), ours: "linux/arm/v6" },
  { input: "armv5l", containerd: "error", source: { ref: "containerd", file: "platforms.go", test: "Parse case 1 (unknown arch without OS is an error); input named in issue 14", line: 302 }, verdict: keepAlias("armv5l"), ours: "linux/arm/v5" },
  { input: "linux/armv5l", containerd: "linux/armv5l", source: { ref: "containerd", file: "database.go", test: "normalizeArch has no such branch; input named in issue 14", line: 76 }, verdict: keepAlias("armv5l"), ours: "linux/arm/v5" },
  { input: "mipsel", containerd: "error", source: { ref: "containerd", file: "platforms.go", test: "Parse case 1 (unknown arch without OS is an error); input named in issue 14", line: 302 }, verdict: keepAlias("mipsel"), ours: "linux/mipsle" },
  { input: "linux/mipsel", containerd: "linux/mipsel", source: { ref: "containerd", file: "database.go", test: "normalizeArch has no such branch; input named in issue 14", line: 76 }, verdict: keepAlias("mipsel"), ours: "linux/mipsle" },
  { input: "mips64el", containerd: "error", source: { ref: "containerd", file: "platforms.go", test: "Parse case 1 (unknown arch without OS is an error); input named in issue 14", line: 302 }, verdict: keepAlias("mips64el"), ours: "linux/mips64le" },
  { input: "linux/mips64el", containerd: "linux/mips64el", source: { ref: "containerd", file: "database.go", test: "normalizeArch has no such branch; input named in issue 14", line: 76 }, verdict: keepAlias("mips64el"), ours: "linux/mips64le" },
  { input: "ppc64el", containerd: "error", source: { ref: "containerd", file: "platforms.go", test: "Parse case 1 (unknown arch without OS is an error); input named in issue 14", line: 302 }, verdict: keepAlias("ppc64el"), ours: "linux/ppc64le" },
  { input: "linux/ppc64el", containerd: "linux/ppc64el", source: { ref: "containerd", file: "database.go", test: "normalizeArch has no such branch; input named in issue 14", line: 76 }, verdict: keepAlias("ppc64el"), ours: "linux/ppc64le" },
  { input: "loongarch64", containerd: "error", source: { ref: "containerd", file: "platforms.go", test: "Parse case 1 (unknown arch without OS is an error); input named in issue 14", line: 302 }, verdict: keepAlias("loongarch64"), ours: "linux/loong64" },
  { input: "linux/loongarch64", containerd: "linux/loongarch64", source: { ref: "containerd", file: "database.go", test: "normalizeArch has no such branch; input named in issue 14", line: 76 }, verdict: keepAlias("loongarch64"), ours: "linux/loong64" },
  { input: "linux/amd64/1", containerd: "linux/amd64/1", source: { ref: "containerd", file: "database.go", test: "normalizeArch has no such branch; input named in issue 14", line: 76 }, verdict: KEEP_AMD64N, ours: "linux/amd64" },
  { input: "linux/amd64/2", containerd: "linux/amd64/2", source: { ref: "containerd", file: "database.go", test: "normalizeArch has no such branch; input named in issue 14", line: 76 }, verdict: KEEP_AMD64N, ours: "linux/amd64/v2" },
  { input: "linux/amd64/3", containerd: "linux/amd64/3", source: { ref: "containerd", file: "database.go", test: "normalizeArch has no such branch; input named in issue 14", line: 76 }, verdict: KEEP_AMD64N, ours: "linux/amd64/v3" },
  { input: "linux/amd64/4", containerd: "linux/amd64/4", source: { ref: "containerd", file: "database.go", test: "normalizeArch has no such branch; input named in issue 14", line: 76 }, verdict: KEEP_AMD64N, ours: "linux/amd64/v4" },
]

/** The toolchain table: every row implements the interface, and detection and fact files read it. */
import { describe, expect, it } from "vitest"
import { MultiarchInputError } from "../../../modules/core/errors/index.js"
import { enginePlatform } from "../../../modules/core/native.js"
import { targetOf } from "../../../modules/core/platform.js"
import { detectToolchain } from "../../../modules/toolchains/detect.js"
import { factFiles, planWith, TOOLCHAIN_NAMES, TOOLCHAINS, toolchain, toolchainOptions } from "../../../modules/toolchains/index.js"

const defaults = toolchainOptions({})

describe("the table", () => {
  it("go, rust, node, dockerfile in detection order; each row's name is its key", () => {
    expect(TOOLCHAIN_NAMES).toEqual(["go", "rust", "node", "dockerfile"])
    for (const [key, tc] of Object.entries(TOOLCHAINS)) expect(tc.name).toBe(key)
  })

  it("markers and fact files come from the rows (and follow --dockerfile)", () => {
    expect(TOOLCHAIN_NAMES.map((n) => toolchain(n).marker(defaults[n]))).toEqual(["go.mod", "Cargo.toml", "package-lock.json", "Dockerfile"])
    expect(factFiles(defaults)).toEqual(["go.mod", ".go-version", "Cargo.toml", "Cargo.lock", "rust-toolchain.toml", "rust-toolchain", "build.rs", "package.json", "package-lock.json", ".nvmrc", ".node-version", "Dockerfile"])
    const custom = toolchainOptions({ dockerfile: "build/Dockerfile.prod" })
    expect(toolchain("dockerfile").marker(custom.dockerfile)).toBe("build/Dockerfile.prod")
    expect(factFiles(custom)).toContain("build/Dockerfile.prod")
  })

  it("only the compiled toolchains build standalone binaries", () => {
    expect(TOOLCHAIN_NAMES.filter((n) => toolchain(n).binaries)).toEqual(["go", "rust"])
  })

  it("every plan is discriminated by its toolchain, and names its steps", () => {
    const facts = {
      entries: ["go.mod", "Cargo.toml", "package.json", "package-lock.json", "Dockerfile"],
      files: {
        "go.mod": "module example.com/x\n",
        "Cargo.toml": '[package]\nname = "x"\n',
        "package.json": '{"name": "x", "main": "index.js"}',
        "package-lock.json": '{"lockfileVersion": 3, "packages": {"": {"name": "x"}}}',
        Dockerfile: "FROM alpine\nRUN apk add gcc && gcc -o /x x.c\n",
      },
    }
    const engine = enginePlatform("linux/amd64")
    for (const n of TOOLCHAIN_NAMES) {
      const [p] = planWith(n, [targetOf("linux/arm64")], defaults, facts, engine)
      expect(p.toolchain).toBe(n)
      expect(p.platform).toBe("linux/arm64")
      expect(toolchain(n).describe([p], engine)).toContain("linux/arm64")
    }
    const [go] = planWith("go", [targetOf("linux/arm64")], defaults, facts, engine)
    if (go.toolchain !== "go") throw new Error("not a go plan")
    expect(toolchain("go").stepOf(go, go.steps[0].argv)).toBe("go build")
    expect(toolchain("go").stepOf(go, ["true"])).toBeUndefined()
    const [df] = planWith("dockerfile", [targetOf("linux/arm64")], defaults, facts, engine)
    expect(toolchain("dockerfile").stepOf(df, ["/bin/sh", "-c", "apk add gcc && gcc -o /x x.c"])).toBe("RUN apk add gcc && gcc -o /x x.c (Dockerfile line 2)")
  })
})

describe("detectToolchain", () => {
  const facts = (entries: string[]) => ({ entries, files: {} })

  it("a Dockerfile that installs what the native route lacks is mentioned, with how to build with it", () => {
    // shaped like qdrant's / vaultwarden's: a Rust crate whose Dockerfile installs build and runtime packages
    const dockerfile = [
      "FROM rust:1.96 AS builder",
      "RUN apt-get update && apt-get install -y --no-install-recommends clang lld cmake protobuf-compiler libssl-dev pkg-config \\",
      "    && rm -rf /var/lib/apt/lists/*",
      "RUN cargo build --release",
      "FROM debian:bookworm-slim",
      "RUN apt-get update && apt-get install -y ca-certificates libssl3 tzdata",
      "COPY --from=builder /app/target/release/app /app",
    ].join("\n")
    const d = detectToolchain({ entries: ["Cargo.toml", "Dockerfile"], files: { Dockerfile: dockerfile } }, defaults)
    expect(d.lang).toBe("rust")
    expect(d.alsoFound).toHaveLength(1)
    const note = d.alsoFound[0].note!
    expect(note).toMatch(/build stages install clang, lld, cmake, protobuf-compiler, libssl-dev, pkg-config \(line 2\)/)
    expect(note).toMatch(/its final stage installs libssl3, tzdata \(line 6\)/)
    expect(note).toMatch(/the rust route has none of these.*--lang dockerfile/)
    // a plain Dockerfile (nothing installed) gets no note; a Go route gets the cgo hint
    expect(detectToolchain({ entries: ["go.mod", "Dockerfile"], files: { Dockerfile: "FROM golang:1.23\nRUN go build -o /x .\n" } }, defaults).alsoFound[0].note).toBeUndefined()
    const goNote = detectToolchain({ entries: ["go.mod", "Dockerfile"], files: { Dockerfile: "FROM golang:1.23\nRUN apt-get update && apt-get install -y libgpgme-dev\nFROM scratch\n" } }, defaults).alsoFound[0].note
    expect(goNote).toMatch(/libgpgme-dev.*--cgo --cgo-packages/)
  })

  it("the first marker in table order wins; the others are named", () => {
    const go = detectToolchain(facts(["Dockerfile", "go.mod", "main.go"]), defaults)
    expect(go.lang).toBe("go")
    // which won, why, and how to pick the other
    expect(go.reason).toMatch(/^found go\.mod; also found Dockerfile \(use --lang dockerfile\); Go and Rust are cross-compiled, and Node's node_modules installed for each target, on the engine's native platform, so they win over a Dockerfile/)
    expect(go.alsoFound).toEqual([{ toolchain: "dockerfile", marker: "Dockerfile", use: "--lang dockerfile" }])
    expect(detectToolchain(facts(["Cargo.toml", "Dockerfile"]), defaults).lang).toBe("rust")
    expect(detectToolchain(facts(["Dockerfile"]), defaults)).toEqual({ lang: "dockerfile", reason: "found Dockerfile", alsoFound: [] })
    // a Node project is detected by its lock file: package.json alone (or a yarn/pnpm lock) leaves the Dockerfile in charge
    const node = detectToolchain(facts(["Dockerfile", "package.json", "package-lock.json"]), defaults)
    expect(node.lang).toBe("node")
    expect(node.reason).toMatch(/^found package-lock\.json; also found Dockerfile \(use --lang dockerfile\); Go and Rust are cross-compiled, and Node's node_modules installed for each target/)
    expect(node.alsoFound).toEqual([{ toolchain: "dockerfile", marker: "Dockerfile", use: "--lang dockerfile" }])
    expect(detectToolchain(facts(["Dockerfile", "package.json", "yarn.lock"]), defaults).lang).toBe("dockerfile")
    expect(detectToolchain(facts(["go.mod", "package.json", "package-lock.json"]), defaults).lang).toBe("go")
    expect(detectToolchain(facts(["Dockerfile.prod"]), toolchainOptions({ dockerfile: "Dockerfile.prod" })).lang).toBe("dockerfile")
  })

  it("--lang must find its marker; nothing found is an input error listing the markers", () => {
    expect(detectToolchain(facts(["go.mod", "Dockerfile"]), defaults, "dockerfile")).toEqual({
      lang: "dockerfile",
      reason: "--lang dockerfile",
      alsoFound: [{ toolchain: "go", marker: "go.mod", use: "--lang go" }],
    })
    expect(() => detectToolchain(facts(["go.mod"]), defaults, "rust")).toThrow(/the source has no Cargo.toml at its root/)
    expect(() => detectToolchain(facts(["package.json"]), defaults, "node")).toThrow(/the source has no package-lock.json at its root/)
    let e: unknown
    try {
      detectToolchain(facts(["README.md"]), defaults)
    } catch (x) {
      e = x
    }
    expect(e).toBeInstanceOf(MultiarchInputError)
    expect((e as MultiarchInputError).message).toMatch(/no go\.mod, Cargo\.toml, package-lock\.json or Dockerfile at the root of the source/)
  })
})

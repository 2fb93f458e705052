/** The toolchain table: every row implements the interface, and detection and fact files read it. */
import { describe, expect, it } from "vitest"
import { MultiarchInputError } from "../../../modules/core/errors/index.js"
import { enginePlatform } from "../../../modules/core/native.js"
import { targetOf } from "../../../modules/core/platform.js"
import { detectToolchain } from "../../../modules/toolchains/detect.js"
import { factFiles, planWith, TOOLCHAIN_NAMES, TOOLCHAINS, toolchain, toolchainOptions } from "../../../modules/toolchains/index.js"

const defaults = toolchainOptions({})

describe("the table", () => {
  it("go, rust, dockerfile in detection order; each row's name is its key", () => {
    expect(TOOLCHAIN_NAMES).toEqual(["go", "rust", "dockerfile"])
    for (const [key, tc] of Object.entries(TOOLCHAINS)) expect(tc.name).toBe(key)
  })

  it("markers and fact files come from the rows (and follow --dockerfile)", () => {
    expect(TOOLCHAIN_NAMES.map((n) => toolchain(n).marker(defaults[n]))).toEqual(["go.mod", "Cargo.toml", "Dockerfile"])
    expect(factFiles(defaults)).toEqual(["go.mod", "Cargo.toml", "Cargo.lock", "rust-toolchain.toml", "rust-toolchain", "Dockerfile"])
    const custom = toolchainOptions({ dockerfile: "build/Dockerfile.prod" })
    expect(toolchain("dockerfile").marker(custom.dockerfile)).toBe("build/Dockerfile.prod")
    expect(factFiles(custom)).toContain("build/Dockerfile.prod")
  })

  it("only the compiled toolchains build standalone binaries", () => {
    expect(TOOLCHAIN_NAMES.filter((n) => toolchain(n).binaries)).toEqual(["go", "rust"])
  })

  it("every plan is discriminated by its toolchain, and names its steps", () => {
    const facts = {
      entries: ["go.mod", "Cargo.toml", "Dockerfile"],
      files: { "go.mod": "module example.com/x\n", "Cargo.toml": '[package]\nname = "x"\n', Dockerfile: "FROM alpine\nRUN apk add gcc && gcc -o /x x.c\n" },
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

  it("the first marker in table order wins; the others are named", () => {
    expect(detectToolchain(facts(["Dockerfile", "go.mod", "main.go"]), defaults)).toEqual({ lang: "go", reason: "found go.mod; also found Dockerfile (use --lang dockerfile)" })
    expect(detectToolchain(facts(["Cargo.toml", "Dockerfile"]), defaults).lang).toBe("rust")
    expect(detectToolchain(facts(["Dockerfile"]), defaults)).toEqual({ lang: "dockerfile", reason: "found Dockerfile" })
    expect(detectToolchain(facts(["Dockerfile.prod"]), toolchainOptions({ dockerfile: "Dockerfile.prod" })).lang).toBe("dockerfile")
  })

  it("--lang must find its marker; nothing found is an input error listing the markers", () => {
    expect(detectToolchain(facts(["go.mod", "Dockerfile"]), defaults, "dockerfile")).toEqual({ lang: "dockerfile", reason: "--lang dockerfile" })
    expect(() => detectToolchain(facts(["go.mod"]), defaults, "rust")).toThrow(/the source has no Cargo.toml at its root/)
    let e: unknown
    try {
      detectToolchain(facts(["README.md"]), defaults)
    } catch (x) {
      e = x
    }
    expect(e).toBeInstanceOf(MultiarchInputError)
    expect((e as MultiarchInputError).message).toMatch(/no go\.mod, Cargo\.toml or Dockerfile at the root of the source/)
  })
})

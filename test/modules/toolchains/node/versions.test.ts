/** Rung 1: which Node.js a build uses (--node-version > .node-version > .nvmrc > engines.node > default), and npm's range grammar. */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { DEFAULT_NODE_MAJOR, resolveNodeVersion, satisfies } from "../../../../modules/toolchains/node/index.js"
import { inputError } from "../../../support/errors.js"

const facts = (files: Record<string, string> = {}) => ({ entries: Object.keys(files), files })

describe("resolveNodeVersion", () => {
  it("--node-version wins, in every spelling nvm accepts", () => {
    const f = facts({ ".nvmrc": "18\n" })
    expect(resolveNodeVersion("22", f, {})).toEqual({ tag: "22", major: 22, source: "--node-version" })
    expect(resolveNodeVersion("v22.11.0", f, {})).toEqual({ tag: "22.11.0", major: 22, source: "--node-version" })
    expect(resolveNodeVersion("20.11", f, {})).toEqual({ tag: "20.11", major: 20, source: "--node-version" })
    expect(resolveNodeVersion("lts/iron", f, {})).toEqual({ tag: "20", major: 20, source: "--node-version" })
    expect(resolveNodeVersion("lts/jod", f, {}).tag).toBe("22")
    expect(resolveNodeVersion("lts/*", f, {}).tag).toBe(String(DEFAULT_NODE_MAJOR))
  })

  it(".node-version before .nvmrc before engines.node; comments and blank lines skipped", () => {
    expect(resolveNodeVersion(undefined, facts({ ".nvmrc": "# pinned\n\nv20.11.1 \n", ".node-version": "22" }), { engines: { node: ">=24" } })).toEqual({ tag: "22", major: 22, source: ".node-version" })
    expect(resolveNodeVersion(undefined, facts({ ".nvmrc": "# pinned\n\nv20.11.1 \n" }), { engines: { node: ">=24" } })).toEqual({ tag: "20.11.1", major: 20, source: ".nvmrc" })
    expect(resolveNodeVersion(undefined, facts({ ".nvmrc": "\n# nothing\n" }), { engines: { node: ">=24" } }).source).toBe("engines.node >=24")
  })

  it("engines.node: the newest known line whose current release satisfies the range", () => {
    const v = (range: string) => resolveNodeVersion(undefined, facts(), { engines: { node: range } })
    expect(v(">=20.9.0")).toMatchObject({ tag: "26", source: "engines.node >=20.9.0" })
    expect(v("^20.9.0 || ^22").tag).toBe("22")
    expect(v("20.x").tag).toBe("20")
    expect(v(">=18 <23").tag).toBe("22")
    expect(v("~24.19.0").tag).toBe("24")
    expect(v("20 - 22").tag).toBe("22")
    expect(inputError(() => v("<20.10")).message).toMatch(/no Node.js line multiarch knows has a current release in this range \(26\.7\.0, 24\.19\.0, 22\.23\.2, 20\.20\.2\)/)
    expect(inputError(() => v("latest-and-greatest")).message).toMatch(/not an npm version range/)
  })

  it("nothing given: the default line", () => {
    expect(resolveNodeVersion(undefined, facts(), {})).toEqual({ tag: String(DEFAULT_NODE_MAJOR), major: DEFAULT_NODE_MAJOR, source: "default" })
  })

  it("what cannot be an image tag is an input error naming the file or option", () => {
    const e = inputError(() => resolveNodeVersion("hydrogen-ish", facts(), {}))
    expect(e.message).toMatch(/node-version/)
    expect(inputError(() => resolveNodeVersion("lts/argon2", facts(), {})).message).toMatch(/lts\/argon2 is not an LTS codename multiarch knows/)
    expect(inputError(() => resolveNodeVersion(undefined, facts({ ".nvmrc": "iojs" }), {})).message).toMatch(/\.nvmrc names no Node\.js version/)
  })
})

describe("satisfies (npm range grammar)", () => {
  const cases: [string, string, boolean][] = [
    ["20.20.2", ">=20.9.0", true],
    ["20.5.0", ">=20.9.0", false],
    ["20.20.2", "^20.9.0", true],
    ["21.0.0", "^20.9.0", false],
    ["20.20.2", "~20.20.0", true],
    ["20.21.0", "~20.20.0", false],
    ["22.1.0", "20.x || 22.x", true],
    ["24.1.0", "20.x || 22.x", false],
    ["22.0.0", ">20", true],
    ["20.99.0", ">20", false],
    ["20.99.0", "<=20", true],
    ["21.0.0", "<=20", false],
    ["22.5.0", "20 - 22.5", true],
    ["22.6.0", "20 - 22.5", false],
    ["22.5.0", ">= 22 < 23", true],
    ["0.2.5", "^0.2.3", true],
    ["0.3.0", "^0.2.3", false],
    ["24.0.0", "*", true],
  ]
  it.each(cases)("%s in %s: %s", (v, r, want) => expect(satisfies(v, r)).toBe(want))

  it("property: >=b and <b partition the versions; ^a.b.c holds exactly for the same major at or above", () => {
    const ver = fc.tuple(fc.nat(30), fc.nat(30), fc.nat(30))
    const cmp = (a: number[], b: number[]) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]
    fc.assert(
      fc.property(ver, ver, (a, b) => {
        const s = a.join("."), r = b.join(".")
        expect(satisfies(s, `>=${r}`)).toBe(cmp(a, b) >= 0)
        expect(satisfies(s, `<${r}`)).toBe(cmp(a, b) < 0)
        if (b[0] > 0) expect(satisfies(s, `^${r}`)).toBe(a[0] === b[0] && cmp(a, b) >= 0)
      }),
    )
  })
})

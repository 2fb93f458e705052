/**
 * README's shell blocks are commands a newcomer pastes: none holds a placeholder (an ellipsis, an
 * "owner", <angle-bracket> words) outside comments, and the publish lines take the user's own
 * GitHub login and token from the GitHub CLI (run here with stand-ins for gh and dagger).
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { makeStandIns, readArgv, readKeyValues, REPO, run } from "./ci/tools.js"

const README = fs.readFileSync(path.join(REPO, "README.md"), "utf8")

/** The code of every ```sh / ```bash block, comments removed, continuation lines joined. */
function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g)].map((m) =>
    m[1]
      .replace(/\\\n\s*/g, "")
      .split("\n")
      .map((l) => l.replace(/(^|\s)#.*$/, "").trimEnd())
      .filter(Boolean)
      .join("\n"),
  )
}

const PLACEHOLDER = /…|\bowner\b|\bOWNER\b|<[a-z][a-z0-9 -]*>/

describe("README's shell blocks", () => {
  it("the placeholder check is live", () => {
    expect(shellBlocks("```sh\nGHCR_TOKEN=… dagger call x # fine: …\n```\n").join("\n")).toMatch(PLACEHOLDER)
    expect(shellBlocks("```sh\ndagger call x --address=ghcr.io/owner/app\n```\n").join("\n")).toMatch(PLACEHOLDER)
    expect(shellBlocks("```sh\ndagger call x  # ghcr.io/owner/app …\n```\n").join("\n")).not.toMatch(PLACEHOLDER)
  })

  it("hold no placeholder outside comments", () => {
    const blocks = shellBlocks(README)
    expect(blocks.length).toBeGreaterThan(5)
    const bad = blocks.flatMap((b) => b.split("\n")).filter((l) => PLACEHOLDER.test(l))
    expect(bad).toEqual([])
  })

  it("the first block's publish pushes to the user's own GitHub packages with the gh token, never on the command line", async () => {
    const lines = shellBlocks(README)[0].split("\n").filter((l) => /^\s*(export |dagger )/.test(l) && !/^\s*dagger .*call build --platforms=[^ ]+$/.test(l))
    expect(lines).toHaveLength(2)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "multiarch-readme-"))
    try {
      const bin = makeStandIns(dir, { secretVars: ["GHCR_TOKEN"] })
      const r = await run(["bash", "-euc", lines.join("\n")], { cwd: dir, env: { PATH: `${bin}:${process.env.PATH}`, HOME: dir, STANDIN_LOG: dir } })
      expect(r.status, r.stderr).toBe(0)
      const argv = readArgv(path.join(dir, "dagger.argv"))
      expect(argv).toEqual([
        "-m", "~/multiarch".replace("~", dir), "call", "build", "--platforms=linux/amd64,linux/arm64",
        "publish", "--address=ghcr.io/octo-cat/app:1.2.3", "--username=octo-cat", "--password=env://GHCR_TOKEN",
      ])
      expect(argv.join(" ")).not.toContain("gho_standin")
      expect(readKeyValues(path.join(dir, "dagger.argv.env"))).toEqual({ GHCR_TOKEN: "set" })
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

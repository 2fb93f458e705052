/**
 * Which golang image a module gets: only tags that were published. The facts typed in here come
 * from docker-library/golang's history (PR #456, commit cd60713, merged 2023-06-13: bookworm
 * variants added for 1.19 and 1.20 when 1.19.10 and 1.20.5 were current; every later minor had
 * them from its first release).
 */
import { describe, expect, it } from "vitest"
import { hasBookwormImage, resolveGoImage } from "../../../../modules/toolchains/go/version.js"
import { parseGoVersionFile } from "../../../../modules/toolchains/go/plan.js"
import { inputError } from "../../../support/errors.js"

describe("hasBookwormImage", () => {
  it("knows the first bookworm patch of 1.19 and 1.20, and nothing before 1.19", () => {
    for (const v of ["1.19", "1.19.10", "1.19.13", "1.20", "1.20.5", "1.21", "1.21.0", "1.25.3", "1.27"]) expect(hasBookwormImage(v), v).toBe(true)
    for (const v of ["1.17", "1.18.10", "1.19.9", "1.20.4", "1.16.15", "go1.22", "1.22rc1"]) expect(hasBookwormImage(v), v).toBe(false)
  })
})

describe("resolveGoImage", () => {
  it("the go line is a minimum: the newest patch of its minor", () => {
    expect(resolveGoImage({}, { go: "1.25.0" })).toMatchObject({ image: "golang:1.25-bookworm", version: "1.25" })
    expect(resolveGoImage({}, { go: "1.22" }).image).toBe("golang:1.22-bookworm")
  })

  it("an old go line (kind: go 1.17) gets the oldest Go with bookworm images, and says so", () => {
    const r = resolveGoImage({}, { go: "1.17" })
    expect(r.image).toBe("golang:1.19-bookworm")
    expect(r.source).toMatch(/says 1\.17, older than any golang:\*-bookworm image \(they start at Go 1\.19\)/)
  })

  it("the toolchain line is preferred, exactly when published, else its minor", () => {
    expect(resolveGoImage({}, { go: "1.22", toolchain: "1.23.2" })).toMatchObject({ image: "golang:1.23.2-bookworm", version: "1.23.2" })
    const r = resolveGoImage({}, { go: "1.20", toolchain: "1.20.3" })
    expect(r.image).toBe("golang:1.20-bookworm")
    expect(r.source).toMatch(/golang:1\.20\.3-bookworm was never published \(bookworm images of 1\.20 start at 1\.20\.5\)/)
    // a toolchain line older than the go line is ignored (go would use the go line)
    expect(resolveGoImage({}, { go: "1.23.0", toolchain: "1.22.1" }).image).toBe("golang:1.23-bookworm")
  })

  it(".go-version pins the release when go.mod has no toolchain line", () => {
    expect(resolveGoImage({}, { go: "1.18", goVersionFile: "1.19.13" })).toMatchObject({ image: "golang:1.19.13-bookworm", source: ".go-version (1.19.13)" })
    expect(resolveGoImage({}, { go: "1.18", goVersionFile: "1.19.8" }).image).toBe("golang:1.19-bookworm")
    expect(resolveGoImage({}, { go: "1.18", goVersionFile: "1.16.4" }).image).toBe("golang:1.19-bookworm")
    // not a release: ignored, the go line decides
    expect(resolveGoImage({}, { go: "1.22", goVersionFile: "latest" }).image).toBe("golang:1.22-bookworm")
    expect(parseGoVersionFile("# pinned\ngo1.22.4\n")).toBe("1.22.4")
  })

  it("--go-version must name a published image; --go-image wins over everything", () => {
    expect(resolveGoImage({ goVersion: "1.24.1" }, { go: "1.22" })).toMatchObject({ image: "golang:1.24.1-bookworm", source: "--go-version" })
    const old = inputError(() => resolveGoImage({ goVersion: "1.17" }, {}))
    expect(old.field).toBe("go-version")
    expect(old.message).toMatch(/golang:1\.17-bookworm was never published: bookworm images start at Go 1\.19/)
    expect(old.fix).toMatch(/--go-version 1\.19 or newer/)
    const patch = inputError(() => resolveGoImage({ goVersion: "1.20.2" }, {}))
    expect(patch.fix).toMatch(/--go-version 1\.20 \(its newest patch\) or 1\.20\.5 or later/)
    const img = `golang:1.23-bookworm@sha256:${"0".repeat(64)}`
    const pinned = resolveGoImage({ goImage: img, goVersion: "1.17" }, { go: "1.22" })
    expect(pinned.image).toBe(img)
    expect(pinned.version).toBeUndefined()
    expect(pinned.source).toMatch(/--go-image .*go\.mod: go 1\.22; the image must hold that Go or newer/)
  })

  it("a pre-release (go 1.22rc1) gets its minor's image", () => {
    expect(resolveGoImage({}, { go: "1.22rc1" }).image).toBe("golang:1.22-bookworm")
    expect(resolveGoImage({}, { go: "1.21", toolchain: "1.22rc2" }).image).toBe("golang:1.22-bookworm")
  })
})

/**
 * Image references at the edges of their grammar (issue 21, found by mutation testing): near misses
 * each anchored pattern must reject (a suffix or prefix around a valid part), exact lengths (128-char
 * tags, 64/96/128-hex digests, the 255-character name), and every error with the input it names and
 * the fix it gives.
 */
import { describe, expect, it } from "vitest"
import {
  formatReference,
  isLocalRegistry,
  isValidDigest,
  manifestReference,
  parseReference,
  referenceName,
  registryApiHost,
  sameRepository,
} from "../../../modules/core/reference.js"
import { inputError } from "../../support/errors.js"

const HEX = "0123456789abcdef".repeat(4)
const D = `sha256:${HEX}`

describe("isValidDigest", () => {
  it("accepts the three algorithms at their exact lengths", () => {
    expect(isValidDigest(D)).toBe(true)
    expect(isValidDigest(`sha384:${"a".repeat(96)}`)).toBe(true)
    expect(isValidDigest(`sha512:${"a".repeat(128)}`)).toBe(true)
  })

  it.each([
    [`sha256:${HEX.slice(1)}`, "63 hex"],
    [`sha256:${HEX}0`, "65 hex"],
    [`sha512:${HEX}`, "sha512 with 64 hex"],
    [`sha256:${HEX.toUpperCase()}`, "upper-case hex"],
    [`md5:${"a".repeat(32)}`, "unknown algorithm"],
    [`@${D}`, "a prefix before the algorithm"],
    [`${D}z`, "a suffix after the hex"],
    [`${D}\n`, "a trailing newline"],
    [`x${D}`, "another algorithm name ending in sha256"],
    [HEX, "no algorithm"],
  ])("rejects %j (%s)", (digest) => {
    expect(isValidDigest(digest)).toBe(false)
  })
})

describe("parseReference: digests", () => {
  it.each([
    [`ghcr.io/o/app@-sha256:${HEX}`, /"-sha256:[0-9a-f]{64}" is not a digest/],
    [`ghcr.io/o/app@${D}!`, /is not a digest/],
    [`ghcr.io/o/app@x://y`, /"x:\/\/y" is not a digest/],
    [`ghcr.io/o/app@sha256:z${HEX.slice(1)}`, /a sha256 digest has exactly 64 hex digits \(this one has 64 characters\)/],
    [`ghcr.io/o/app@sha256:${HEX.slice(1)}z`, /exactly 64 hex digits \(this one has 64 characters\)/],
    [`ghcr.io/o/app@sha256:${HEX}00`, /exactly 64 hex digits \(this one has 66 characters\)/],
    [`ghcr.io/o/app@sha512:${HEX}`, /a sha512 digest has exactly 128 hex digits/],
    [`ghcr.io/o/app@md5:${"a".repeat(32)}`, /unsupported digest algorithm "md5"/],
    [`ghcr.io/o/app@a+bc:${HEX}`, /unsupported digest algorithm "a\+bc"/],
  ])("%s", (input, problem) => {
    const e = inputError(() => parseReference(input))
    expect(e.field).toBe("address")
    expect(e.input).toBe(input)
    expect(e.message).toMatch(problem)
  })

  it("each error's fix", () => {
    expect(inputError(() => parseReference(`ghcr.io/o/app@-x`)).fix).toBe('a digest looks like "sha256:" followed by 64 hex digits')
    expect(inputError(() => parseReference(`ghcr.io/o/app@md5:${"a".repeat(32)}`)).fix).toBe('use a sha256 digest, e.g. "sha256:" followed by 64 hex digits')
    expect(inputError(() => parseReference(`ghcr.io/o/app@sha256:abc`)).fix).toBe('copy the full digest, e.g. from "skopeo inspect"')
  })

  it("upper-case hex: the fix is the same reference with the digest lower-cased", () => {
    const e = inputError(() => parseReference(`  ghcr.io/o/app:1@sha256:${HEX.toUpperCase()}  `))
    expect(e.message).toMatch(/digests are lower-case hex/)
    expect(e.fix).toBe(`use "ghcr.io/o/app:1@${D}"`)
  })

  it("the result has no tag key without a tag, no digest key without a digest", () => {
    expect(Object.keys(parseReference(`ghcr.io/o/app@${D}`))).toEqual(["registry", "repository", "digest"])
    expect(Object.keys(parseReference("ghcr.io/o/app"))).toEqual(["registry", "repository", "tag"])
    expect(Object.keys(parseReference("ghcr.io/o/app", { defaultTag: null }))).toEqual(["registry", "repository"])
  })

  it("sha384 and sha512 digests are accepted; a digest alone leaves the tag unset", () => {
    const d384 = `sha384:${"b".repeat(96)}`
    expect(parseReference(`ghcr.io/o/app@${d384}`)).toEqual({ registry: "ghcr.io", repository: "o/app", digest: d384 })
    expect(parseReference(`ghcr.io/o/app@sha512:${"c".repeat(128)}`).tag).toBeUndefined()
  })

  it("a reference that is only a digest names the missing repository", () => {
    expect(inputError(() => parseReference(`@${D}`)).message).toMatch(/the repository name is missing/)
  })
})

describe("parseReference: tags", () => {
  it("a 128-character tag is accepted, 129 is refused with a cut-down hint", () => {
    const t128 = "v" + "1".repeat(127)
    expect(parseReference(`ghcr.io/o/app:${t128}`).tag).toBe(t128)
    const e = inputError(() => parseReference(`ghcr.io/o/app:${t128}2`))
    expect(e.message).toMatch(/is not a valid tag \(tags use letters, digits, "_", "." and "-", at most 128, and do not start with "." or "-"\)/)
    expect(e.fix).toBe(`e.g. "ghcr.io/o/app:${t128}"`)
  })

  it.each([
    ["ghcr.io/o/app:v1!", 'e.g. "ghcr.io/o/app:v1-"'],
    ["ghcr.io/o/app:-rc", 'e.g. "ghcr.io/o/app:rc"'],
    ["ghcr.io/o/app:.-.", 'e.g. "ghcr.io/o/app:latest"'],
    ["ghcr.io/o/app:!!x", 'e.g. "ghcr.io/o/app:x"'],
    ["ghcr.io/o/app:a!!b", 'e.g. "ghcr.io/o/app:a-b"'],
    ["ghcr.io/o/app:a.b!", 'e.g. "ghcr.io/o/app:a.b-"'],
  ])("%s is refused; fix %s", (input, fix) => {
    const e = inputError(() => parseReference(input))
    expect(e.message).toMatch(/is not a valid tag/)
    expect(e.fix).toBe(fix)
  })

  it("an empty tag: drop the ':' or name one", () => {
    const e = inputError(() => parseReference("ghcr.io/o/app:"))
    expect(e.message).toMatch(/the tag after ':' is empty/)
    expect(e.fix).toBe(`drop the ':' or name a tag, e.g. "ghcr.io/o/app:latest"`)
  })

  it("a ':' before the last '/' is a port, not a tag", () => {
    expect(parseReference("localhost:5000/app")).toEqual({ registry: "localhost:5000", repository: "app", tag: "latest" })
  })

  it("the default tag can be changed or turned off", () => {
    expect(parseReference("alpine", { defaultTag: "edge" }).tag).toBe("edge")
    expect(parseReference("alpine:3", { defaultTag: "edge" }).tag).toBe("3")
    expect(parseReference("alpine", { defaultTag: null })).toEqual({ registry: "docker.io", repository: "library/alpine" })
  })
})

describe("parseReference: registry hosts", () => {
  it.each([
    ["ghcr.io!/o/app", '"ghcr.io!" is not a valid registry host'],
    ["-ghcr.io/o/app", '"-ghcr.io" is not a valid registry host'],
    ["ghcr-.io/o/app", '"ghcr-.io" is not a valid registry host'],
    ["localhost:123456/app", '"localhost:123456" is not a valid registry host'],
    ["localhost:/app", '"localhost:" is not a valid registry host'],
    ["[::1]x/app", '"[::1]x" is not a valid registry host'],
  ])("%s", (input, problem) => {
    const e = inputError(() => parseReference(input))
    expect(e.message).toContain(problem)
    expect(e.fix).toBe('use a host name with an optional port, e.g. "ghcr.io" or "127.0.0.1:5000"')
  })

  it.each([
    ["localhost:65535/app", "localhost:65535"],
    ["LOCALHOST/app", "localhost"],
    ["a.b-c.d:1/app", "a.b-c.d:1"],
    ["x.io/app", "x.io"],
    ["[fe80::1]:5000/app", "[fe80::1]:5000"],
    ["[::1]/app", "[::1]"],
    // distribution's grammar: any bracketed hex/colon host, as an IPv6 literal
    ["[abcd]/app", "[abcd]"],
  ])("%s is on registry %s (no library/ outside Docker Hub)", (input, registry) => {
    const r = parseReference(input)
    expect(r.registry).toBe(registry)
    expect(r.repository).toBe("app")
  })

  it("a name without '.', ':' or localhost is a Docker Hub path", () => {
    expect(parseReference("myorg/app")).toEqual({ registry: "docker.io", repository: "myorg/app", tag: "latest" })
    expect(parseReference("localhostx/app").registry).toBe("docker.io")
  })

  it.each([
    ["ghcr.io", '"ghcr.io/app:latest"'],
    ["ghcr.io:latest", '"ghcr.io/app:latest"'],
    ["localhost", '"localhost/app:latest"'],
    ["localhost:5000", '"localhost:5000/app:latest"'],
    ["ghcr.io:v5000", '"ghcr.io/app:latest"'],
    ["ghcr.io:5000x", '"ghcr.io/app:latest"'],
  ])("%s names a registry but no repository: fix %s", (input, fix) => {
    const e = inputError(() => parseReference(input))
    expect(e.message).toMatch(/the reference names a registry but no repository/)
    expect(e.fix).toBe(`add the repository, e.g. ${fix}`)
  })
})

describe("parseReference: repository paths", () => {
  it.each(["a__b", "a--b", "a-b", "a.b", "a_b", "a0.b1", "0"])("%s is a valid path element", (p) => {
    expect(parseReference(`ghcr.io/o/${p}`).repository).toBe(`o/${p}`)
  })

  it.each([
    ["ghcr.io/o/app-", 'e.g. "ghcr.io/o/app"'],
    ["ghcr.io/o/a___b", 'e.g. "ghcr.io/o/a___b"'],
    ["ghcr.io/o/a..b", 'e.g. "ghcr.io/o/a..b"'],
    ["ghcr.io/o/.app", 'e.g. "ghcr.io/o/app"'],
    ["ghcr.io/MyOrg/App!:v1", 'e.g. "ghcr.io/myorg/app:v1"'],
    ["ghcr.io/o/!!!", 'e.g. "ghcr.io/o/app"'],
    ["ghcr.io/o/a$b", 'e.g. "ghcr.io/o/a-b"'],
    ["ghcr.io/o/a$$b", 'e.g. "ghcr.io/o/a-b"'],
    ["ghcr.io/o/a.b$", 'e.g. "ghcr.io/o/a.b"'],
    ["ghcr.io/o/..app", 'e.g. "ghcr.io/o/app"'],
    ["ghcr.io/o/app-$", 'e.g. "ghcr.io/o/app"'],
  ])("%s is refused; fix %s", (input, fix) => {
    const e = inputError(() => parseReference(input))
    expect(e.message).toMatch(/is not a valid repository path element \(lower-case letters and digits, separated by ".", "_", "__" or "-"\)/)
    expect(e.fix).toBe(fix)
  })

  it("trailing and doubled slashes name the empty path element", () => {
    for (const input of ["ghcr.io/o/app/", "ghcr.io/o//app", "/app"]) {
      const e = inputError(() => parseReference(input))
      expect(e.message, input).toMatch(/a path element is empty/)
      expect(e.fix).toBe('write the path without leading, trailing or doubled slashes, e.g. "ghcr.io/owner/app"')
    }
  })

  it("upper case: the message names the path, the fix is the lower-cased reference", () => {
    const e = inputError(() => parseReference("ghcr.io/MyOrg/app:V1"))
    expect(e.message).toContain('repository paths must be lower case, and "MyOrg/app" is not')
    expect(e.fix).toBe('use "ghcr.io/myorg/app:V1" (lower-case the path, e.g. with ${GITHUB_REPOSITORY,,} in bash)')
  })

  it("the full name may be 255 characters, not 256", () => {
    const ok = `ghcr.io/${"a".repeat(247)}`
    expect(ok.length).toBe(255)
    expect(parseReference(ok).repository).toBe("a".repeat(247))
    const e = inputError(() => parseReference(`${ok}a`))
    expect(e.message).toMatch(/the name is longer than 255 characters/)
    expect(e.fix).toBe("use a shorter repository path")
  })
})

describe("parseReference: the input as a whole", () => {
  it("surrounding whitespace is ignored", () => {
    expect(parseReference("  alpine:3\n")).toEqual({ registry: "docker.io", repository: "library/alpine", tag: "3" })
  })

  it.each([
    ["", /the image reference is empty/, 'use e.g. "ghcr.io/owner/app:1.0"'],
    ["   ", /the image reference is empty/, 'use e.g. "ghcr.io/owner/app:1.0"'],
    ["a b", /an image reference has no spaces/, 'pass one reference, e.g. "ghcr.io/owner/app:1.0"'],
    [":v1", /the repository name is missing/, 'use e.g. "ghcr.io/owner/app:1.0"'],
    ["https://ghcr.io/o/app:1", /an image reference has no "https:\/\/" scheme/, 'write it without the scheme, e.g. "ghcr.io/o/app:1"'],
    ["oci+x.y://ghcr.io/o/app", /no "oci\+x\.y:\/\/" scheme/, 'write it without the scheme, e.g. "ghcr.io/o/app"'],
  ])("%j", (input, problem, fix) => {
    const e = inputError(() => parseReference(input))
    expect(e.message).toMatch(problem)
    expect(e.fix).toBe(fix)
  })

  it("a value that is not a string is refused, named as text", () => {
    const e = inputError(() => parseReference(42 as unknown as string, { field: "base" }))
    expect(e.field).toBe("base")
    expect(e.input).toBe("42")
    expect(e.message).toMatch(/an image reference must be a string/)
    expect(e.fix).toBe('use e.g. "ghcr.io/owner/app:1.0"')
  })

  it("credentials in the reference are refused and never echoed", () => {
    const e = inputError(() => parseReference("bob:s3cret@ghcr.io/o/app"))
    expect(e.message).toMatch(/cannot carry credentials/)
    expect(e.message).not.toContain("s3cret")
    expect(e.fix).toMatch(/--username with --password env:\/\/TOKEN/)
  })

  it("only a leading docker:// is dropped", () => {
    expect(parseReference("docker://alpine").repository).toBe("library/alpine")
    expect(inputError(() => parseReference("xdocker://alpine")).message).toMatch(/no "xdocker:\/\/" scheme/)
  })
})

describe("helpers", () => {
  it("manifestReference without tag or digest: names the reference and suggests :latest", () => {
    const e = inputError(() => manifestReference({ registry: "ghcr.io", repository: "o/a" }))
    expect(e.field).toBe("address")
    expect(e.input).toBe("ghcr.io/o/a")
    expect(e.message).toMatch(/the reference has neither tag nor digest/)
    expect(e.fix).toBe('add a tag, e.g. "ghcr.io/o/a:latest"')
  })

  it("referenceName, formatReference, sameRepository", () => {
    const a = parseReference("ghcr.io/o/a:1")
    expect(referenceName(a)).toBe("ghcr.io/o/a")
    expect(formatReference({ registry: "r.io", repository: "x" })).toBe("r.io/x")
    expect(sameRepository(a, parseReference("ghcr.io/o/a:2"))).toBe(true)
    expect(sameRepository(a, parseReference("ghcr.io/o/b:1"))).toBe(false)
    expect(sameRepository(a, parseReference("quay.io/o/a:1"))).toBe(false)
  })

  it("registryApiHost: every Docker Hub spelling goes to registry-1.docker.io", () => {
    for (const h of ["docker.io", "DOCKER.IO", "index.docker.io", "registry-1.docker.io"]) expect(registryApiHost(h), h).toBe("registry-1.docker.io")
    expect(registryApiHost("Quay.io")).toBe("quay.io")
  })

  it("isLocalRegistry: exact loopback names only", () => {
    for (const h of ["[::1]", "LOCALHOST:5000", "127.255.255.255:80"]) expect(isLocalRegistry(h), h).toBe(true)
    for (const h of ["127.0.0.1.nip.io", "x127.0.0.1", "127.0.0.1:5000x", "[fe80::1]:5000", "127.0.0.1000", "localhost5000"]) expect(isLocalRegistry(h), h).toBe(false)
  })
})

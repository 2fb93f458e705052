/**
 * A small evaluator of the GitHub Actions expressions the templates in ci/github use (property
 * access, '…' strings, numbers, true/false, ||, &&, ==, !=, !, parentheses, format()), shared by the
 * template tests (github.test.ts) and the metadata-action reference suite (the GIT_REF expression
 * of a pull_request_target run). Anything else is an error, so a new form in a template is noticed.
 */

export type Ctx = Record<string, unknown>

export function evalExpression(src: string, ctx: Ctx): unknown {
  const tokens: string[] = []
  const re = /\s*(\|\||&&|==|!=|!|\(|\)|,|'(?:[^']|'')*'|[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*|\d+)\s*/y
  let m: RegExpExecArray | null
  while (re.lastIndex < src.length && (m = re.exec(src))) tokens.push(m[1])
  if (re.lastIndex < src.length) throw new Error(`cannot parse expression ${JSON.stringify(src)} at ${re.lastIndex}`)
  let i = 0
  const truthy = (v: unknown) => !(v === undefined || v === null || v === "" || v === false || v === 0)
  const eq = (a: unknown, b: unknown) => (typeof a === "string" && typeof b === "string" ? a.toLowerCase() === b.toLowerCase() : a === b)
  const or = (): unknown => {
    let v = and()
    while (tokens[i] === "||") {
      i++
      const r = and()
      v = truthy(v) ? v : r
    }
    return v
  }
  const and = (): unknown => {
    let v = cmp()
    while (tokens[i] === "&&") {
      i++
      const r = cmp()
      v = truthy(v) ? r : v
    }
    return v
  }
  const cmp = (): unknown => {
    const a = primary()
    if (tokens[i] === "==" || tokens[i] === "!=") {
      const op = tokens[i++]
      const b = primary()
      return op === "==" ? eq(a, b) : !eq(a, b)
    }
    return a
  }
  const primary = (): unknown => {
    const t = tokens[i++]
    if (t === "!") return !truthy(primary())
    if (t === "(") {
      const v = or()
      if (tokens[i++] !== ")") throw new Error(`missing ) in ${src}`)
      return v
    }
    if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'")
    if (/^\d+$/.test(t)) return Number(t)
    if (t === "true" || t === "false") return t === "true"
    if (tokens[i] === "(") {
      i++
      const args: unknown[] = []
      while (tokens[i] !== ")") {
        args.push(or())
        if (tokens[i] === ",") i++
      }
      i++
      if (t === "format") return String(args[0]).replace(/\{(\d+)\}/g, (_x, n: string) => String(args[Number(n) + 1] ?? ""))
      throw new Error(`unknown function ${t}`)
    }
    return t.split(".").reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), ctx)
  }
  const v = or()
  if (i !== tokens.length) throw new Error(`trailing tokens in ${src}`)
  return v
}

/** A template string with ${{ … }} expressions evaluated ("" for undefined/null). */
export function interpolate(s: string, ctx: Ctx): string {
  return s.replace(/\$\{\{([\s\S]*?)\}\}/g, (_m, e: string) => {
    const v = evalExpression(e.trim(), ctx)
    return v === undefined || v === null ? "" : String(v)
  })
}

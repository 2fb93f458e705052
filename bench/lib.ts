/**
 * Small shared helpers of the benchmarks: statistics, machine facts, load average, formatting.
 */
import { execFileSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { loadavg } from "node:os"
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..")
export const CACHE_ROOT = process.env.MULTIARCH_TEST_CACHE ?? "/var/cache/multiarch-test"
/** Scratch space of the benchmarks (work trees, per-job cache folders). Wiped per job. */
export const BENCH_CACHE = `${CACHE_ROOT}/bench`
export const NATIVE = "linux/amd64"

export interface Stats {
  n: number
  min: number
  median: number
  max: number
}

export function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b)
  const n = s.length
  if (n === 0) return { n: 0, min: NaN, median: NaN, max: NaN }
  const median = n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
  return { n, min: s[0], median, max: s[n - 1] }
}

export function median(xs: number[]): number {
  return stats(xs).median
}

/** Seconds with 2 decimals (from ms). */
export function sec(ms: number): string {
  return Number.isFinite(ms) ? (ms / 1000).toFixed(ms < 1000 ? 3 : 2) : "—"
}

export function ratio(a: number, b: number, digits = 2): string {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b).toFixed(digits) : "—"
}

export function pct(a: number, b: number): string {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${((100 * a) / b).toFixed(1)} %` : "—"
}

export function loadNow(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(" / ")
}

export function load1(): number {
  return loadavg()[0]
}

/** Output of a command, or a note when it fails (for version lines). */
export function out(argv: string[], env?: Record<string, string>): string {
  try {
    // trim the end only: `free -m` aligns its header with leading spaces
    return execFileSync(argv[0], argv.slice(1), { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: env ?? process.env }).replace(/\s+$/, "")
  } catch (e) {
    const err = e as { stderr?: string; message: string }
    return `(unavailable: ${(err.stderr || err.message).split("\n")[0]})`
  }
}

export function hasCommand(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${JSON.stringify(cmd)}`], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
}

export interface MachineFacts {
  cpuModel: string
  cpuFlagsNote: string
  nproc: string
  memory: string
  kernel: string
  os: string
  date: string
  node: string
}

export function machineFacts(): MachineFacts {
  const cpuinfo = existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : ""
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? "unknown"
  const processors = (cpuinfo.match(/^processor\s*:/gm) ?? []).length
  const mhz = /^cpu MHz\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]
  const flags = /^flags\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.split(" ") ?? []
  const osRelease = existsSync("/etc/os-release") ? /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync("/etc/os-release", "utf8"))?.[1] : undefined
  return {
    cpuModel: `${model} (${processors} processor entries in /proc/cpuinfo${mhz ? `, ${Number(mhz).toFixed(0)} MHz` : ""})`,
    cpuFlagsNote: ["avx2", "avx512f", "sha_ni"].map((f) => `${f}: ${flags.includes(f) ? "yes" : "no"}`).join(", "),
    nproc: out(["nproc"]),
    memory: out(["free", "-m"]),
    kernel: out(["uname", "-srm"]),
    os: osRelease ?? "unknown",
    date: new Date().toISOString(),
    node: process.version,
  }
}

/** A Markdown table. */
export function table(header: string[], rows: string[][]): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ")
  return [`| ${header.map(esc).join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`)].join("\n")
}

/** Shell-quote one word for display. */
export function shq(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`
}

/** `K=V … argv` as a copy-pasteable line (long sh -c scripts shortened). */
export function commandLine(env: Record<string, string>, argv: string[], maxArg = 160): string {
  const e = Object.entries(env).map(([k, v]) => `${k}=${shq(v)}`)
  const a = argv.map((x) => (x.length > maxArg ? shq(x.slice(0, maxArg) + "…") : shq(x)))
  return [...e, ...a].join(" ")
}

export function log(msg: string): void {
  const t = new Date().toISOString().slice(11, 19)
  process.stderr.write(`[bench ${t} load ${load1().toFixed(2)}] ${msg}\n`)
}

/**
 * The bytes of one section of an ELF file (e.g. ".text"), or undefined. Enough of ELF for that:
 * class and byte order from e_ident, the section header table and its string table.
 */
export function elfSection(buf: Buffer, name: string): Buffer | undefined {
  if (buf.length < 52 || buf.readUInt32BE(0) !== 0x7f454c46) return undefined
  const is64 = buf[4] === 2
  const le = buf[5] === 1
  const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o))
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o))
  const addr = (o: number) => (is64 ? Number(le ? buf.readBigUInt64LE(o) : buf.readBigUInt64BE(o)) : u32(o))
  const shoff = addr(is64 ? 0x28 : 0x20)
  const shentsize = u16(is64 ? 0x3a : 0x2e)
  const shnum = u16(is64 ? 0x3c : 0x30)
  const shstrndx = u16(is64 ? 0x3e : 0x32)
  const sh = (i: number) => {
    const o = shoff + i * shentsize
    return { name: u32(o), offset: addr(o + (is64 ? 0x18 : 0x10)), size: addr(o + (is64 ? 0x20 : 0x14)) }
  }
  if (!shoff || shstrndx >= shnum) return undefined
  const strtab = sh(shstrndx)
  for (let i = 0; i < shnum; i++) {
    const s = sh(i)
    const end = buf.indexOf(0, strtab.offset + s.name)
    if (buf.toString("latin1", strtab.offset + s.name, end) === name) return buf.subarray(s.offset, s.offset + s.size)
  }
  return undefined
}

/** One row of RESULTS.md's targets table (every section fills these). */
export interface Target {
  section: string
  what: string
  threshold: string
  measured: string
  /** undefined: reported only (no threshold); "n/a": could not be measured here (why says why). */
  met: boolean | undefined | "n/a"
  /** Why it was missed (or not measured) and what would fix it. */
  why?: string
  /** Misses with the same group share one explanation (one bullet). */
  group?: string
  /** Compact "target value" for a grouped bullet. */
  short?: string
  /** For reported-only targets: how the value compares with the expectation. */
  note?: string
}

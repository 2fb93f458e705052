/**
 * ELF verification: does a binary match its target row (machine, class, endianness, ARM float ABI,
 * static vs dynamic)? Two implementations of the same rules, cross-checked in tests:
 *  - `inspectElf`/`checkElf` in TypeScript (tests, `binaries` consumers);
 *  - `elfCheckArgv`: a POSIX sh + od + awk program the builder container runs right after the
 *    build, so a wrong GOARCH or linker fails the pipeline with a message naming the platform.
 */
import { ElfError } from "./errors/ElfError.js"
import { ELF_MACHINE_NAMES, elfMachineName, type ElfFacts } from "./targets.js"

export const EF_ARM_ABI_FLOAT_SOFT = 0x200
export const EF_ARM_ABI_FLOAT_HARD = 0x400
const PT_INTERP = 3

/** What a binary's ELF header says: the target table's ELF facts, plus e_flags and linkage. */
export interface ElfInfo extends ElfFacts {
  flags: number
  /** dynamic when a PT_INTERP program header exists. */
  linkage: "static" | "dynamic"
}

export { ElfError } from "./errors/ElfError.js"

/** Parse the ELF header and program headers of a binary. */
export function inspectElf(buf: Uint8Array): ElfInfo {
  if (buf.length < 52 || buf[0] !== 0x7f || buf[1] !== 0x45 || buf[2] !== 0x4c || buf[3] !== 0x46)
    throw new ElfError("not an ELF file (no \\x7fELF magic)")
  const bits = buf[4] === 1 ? 32 : buf[4] === 2 ? 64 : undefined
  const endian = buf[5] === 1 ? "little" : buf[5] === 2 ? "big" : undefined
  if (!bits || !endian) throw new ElfError(`bad ELF ident (class ${buf[4]}, data ${buf[5]})`)
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  const le = endian === "little"
  const u16 = (o: number) => dv.getUint16(o, le)
  const u32 = (o: number) => dv.getUint32(o, le)
  const machine = u16(18)
  const flags = bits === 32 ? u32(36) : u32(48)
  const phoff = bits === 32 ? u32(28) : Number(dv.getBigUint64(32, le))
  const phentsize = bits === 32 ? u16(42) : u16(54)
  const phnum = bits === 32 ? u16(44) : u16(56)
  let linkage: ElfInfo["linkage"] = "static"
  for (let i = 0; i < phnum; i++) {
    const off = phoff + i * phentsize
    if (off + 4 > buf.length) throw new ElfError("program headers run past the end of the file")
    if (u32(off) === PT_INTERP) linkage = "dynamic"
  }
  const info: ElfInfo = {
    machine,
    machineName: elfMachineName(machine),
    bits,
    endian,
    flags,
    linkage,
  }
  if (machine === 40) {
    if (flags & EF_ARM_ABI_FLOAT_HARD) info.armFloat = "hard"
    else if (flags & EF_ARM_ABI_FLOAT_SOFT) info.armFloat = "soft"
  }
  return info
}

/** Problems of `info` against the expected facts (empty when the binary is right). */
export function elfProblems(info: ElfInfo, want: ElfFacts, linkage: "static" | "dynamic" | "any" = "any"): string[] {
  const p: string[] = []
  if (info.machine !== want.machine)
    p.push(`e_machine is ${info.machineName} (${info.machine}), expected ${want.machineName} (${want.machine})`)
  if (info.bits !== want.bits) p.push(`ELF class is ${info.bits}-bit, expected ${want.bits}-bit`)
  if (info.endian !== want.endian) p.push(`byte order is ${info.endian}-endian, expected ${want.endian}-endian`)
  if (want.armFloat && info.armFloat && info.armFloat !== want.armFloat)
    p.push(`ARM float ABI is ${info.armFloat}-float, expected ${want.armFloat}-float`)
  if (linkage !== "any" && info.linkage !== linkage) p.push(`binary is ${info.linkage}ally linked, expected ${linkage}`)
  return p
}

/** Throws an error naming the platform when the binary does not match. */
export function checkElf(buf: Uint8Array, platform: string, want: ElfFacts, linkage: "static" | "dynamic" | "any" = "any"): ElfInfo {
  const info = inspectElf(buf)
  const problems = elfProblems(info, want, linkage)
  if (problems.length) throw new ElfError(`binary built for ${platform} is wrong: ${problems.join("; ")}`)
  return info
}

// The awk twin of inspectElf/elfProblems. POSIX awk only (mawk, busybox): no bit operations,
// so flag bits are tested with int()/%; no single quotes inside (it is single-quoted in sh).
/** The awk name() cases, from the target table's ELF facts (elfMachineName's twin). */
const AWK_NAMES = [...ELF_MACHINE_NAMES]
  .sort(([a], [b]) => a - b)
  .map(([m, n]) => `  if (m == ${m}) return "${n}"`)
  .join("\n")

const AWK = String.raw`
{ for (i = 1; i <= NF; i++) b[n++] = $i + 0 }
function u16(o) { return le ? b[o] + b[o+1]*256 : b[o]*256 + b[o+1] }
function u32(o) { return le ? b[o] + b[o+1]*256 + b[o+2]*65536 + b[o+3]*16777216 : b[o]*16777216 + b[o+1]*65536 + b[o+2]*256 + b[o+3] }
function bit(v, m) { return int(v / m) % 2 }
function name(m) {
${AWK_NAMES}
  return "machine " m
}
END {
  if (n < 52 || b[0] != 127 || b[1] != 69 || b[2] != 76 || b[3] != 70) { print "multiarch: " file " is not an ELF file; it cannot be the " platform " binary" > "/dev/stderr"; exit 1 }
  bits = (b[4] == 1) ? 32 : 64; le = (b[5] == 1)
  machine = u16(18)
  flags = (bits == 32) ? u32(36) : u32(48)
  if (bits == 32) phoff = u32(28); else if (le) phoff = u32(32) + u32(36) * 4294967296; else phoff = u32(36) + u32(32) * 4294967296
  phentsize = (bits == 32) ? u16(42) : u16(54)
  phnum = (bits == 32) ? u16(44) : u16(56)
  got = "static"
  for (i = 0; i < phnum; i++) { o = phoff + i * phentsize; if (o + 4 > n) { got = "unknown"; break }; if (u32(o) == 3) got = "dynamic" }
  msg = ""
  if (machine != want_machine) msg = msg "; e_machine is " name(machine) " (" machine "), expected " name(want_machine) " (" want_machine ")"
  if (bits != want_bits) msg = msg "; ELF class is " bits "-bit, expected " want_bits "-bit"
  endian = le ? "little" : "big"
  if (endian != want_endian) msg = msg "; byte order is " endian "-endian, expected " want_endian "-endian"
  fl = ""
  if (machine == 40) { if (bit(flags, 1024)) fl = "hard"; else if (bit(flags, 512)) fl = "soft" }
  if (want_float != "" && fl != "" && fl != want_float) msg = msg "; ARM float ABI is " fl "-float, expected " want_float "-float"
  if (want_linkage != "any" && got != want_linkage) msg = msg "; binary is " got "ally linked, expected " want_linkage
  if (msg != "") { print "multiarch: binary built for " platform " is wrong: " substr(msg, 3) " (" file ")" > "/dev/stderr"; exit 1 }
  print "multiarch: " file " ok for " platform ": " name(machine) ", " bits "-bit, " endian "-endian" (fl != "" ? ", " fl "-float" : "") ", " got
}
`.trim()

/**
 * argv for the builder: `sh -c <script> verify-elf <file>`. Reads the first 64 KiB with od, checks
 * them with awk, prints one ok line or fails naming the platform.
 */
export function elfCheckArgv(file: string, platform: string, want: ElfFacts, linkage: "static" | "dynamic" | "any"): string[] {
  const vars = [
    `-v platform=${shq(platform)}`,
    `-v file="$1"`,
    `-v want_machine=${want.machine}`,
    `-v want_bits=${want.bits}`,
    `-v want_endian=${want.endian}`,
    `-v want_float=${want.armFloat ?? ""}`,
    `-v want_linkage=${linkage}`,
  ].join(" ")
  const script =
    `[ -f "$1" ] || { echo "multiarch: no binary at $1 after the ${platform} build" >&2; exit 1; }; ` +
    `od -An -v -tu1 -N 65536 "$1" | awk ${vars} '${AWK}'`
  return ["sh", "-c", script, "verify-elf", file]
}

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`
}

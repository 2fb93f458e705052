/**
 * POSIX shell quoting (pure), for plans printed as text: every argv and env value is quoted so a
 * printed line can be pasted into `sh` and run as the plan runs it (`-ldflags '-s -w'`, not
 * `-ldflags -s -w`).
 */

/** Words that need no quotes in any POSIX shell. */
const BARE = /^[A-Za-z0-9_@%+=:,./-]+$/

/** One word, quoted for sh: bare when safe, else in single quotes (a ' becomes '\''). */
export function shellQuote(word: string): string {
  if (word !== "" && BARE.test(word)) return word
  return `'${word.replace(/'/g, `'\\''`)}'`
}

/** An argv as one shell command line. */
export function shellCommand(argv: readonly string[]): string {
  return argv.map(shellQuote).join(" ")
}

/** NAME=value assignments, values quoted (names are environment names: checked, never quoted). */
export function shellAssignments(env: Readonly<Record<string, string>>): string {
  return Object.entries(env)
    .map(([k, v]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`not an environment variable name: ${JSON.stringify(k)}`)
      return `${k}=${shellQuote(v)}`
    })
    .join(" ")
}

/** "Did you mean …?": the one edit-distance helper behind every suggestion for a mistyped name. */

/** Levenshtein distance: insertions, deletions and substitutions, each counting 1. */
export function editDistance(a: string, b: string): number {
  const d: number[] = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]
    d[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j]
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return d[b.length]
}

/**
 * The candidate nearest to `word` (the first one in `candidates` order on a tie), when it is at
 * most `maxDistance` edits away; undefined otherwise.
 *
 * @example closest("RUNN", ["FROM", "RUN"], 2) // "RUN"
 */
export function closest(word: string, candidates: Iterable<string>, maxDistance: number): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const c of candidates) {
    const d = editDistance(word, c)
    if (d < bestDistance) {
      best = c
      bestDistance = d
    }
  }
  return bestDistance <= maxDistance ? best : undefined
}

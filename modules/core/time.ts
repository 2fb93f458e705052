/**
 * RFC 3339 date-times (pure): what `--created` and the org.opencontainers.image.created label and
 * annotation take. Stricter than `Date.parse`, which rolls 2026-02-30 over to March 2 and accepts a
 * date without a time: a date-time must have a time and a zone, and every field must exist on the
 * calendar (leap years included).
 */

const RE = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

/** Days in a month of the Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}

/**
 * What is wrong with `s` as an RFC 3339 date-time, with the fix; undefined when it is one.
 *
 * @example rfc3339Problem("2026-02-30T00:00:00Z") // "February 2026 has 28 days; …"
 */
export function rfc3339Problem(s: string): string | undefined {
  const m = RE.exec(s)
  if (!m) {
    const date = /^(\d{4}-\d{2}-\d{2})$/.exec(s)
    if (date) return `a date without a time; pass ${date[1]}T00:00:00Z (RFC 3339: date, time and zone)`
    return "not an RFC 3339 date-time; pass e.g. 2026-01-31T12:00:00Z (date, time and zone)"
  }
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number)
  if (month < 1 || month > 12) return `there is no month ${m[2]}; months are 01 to 12`
  const days = daysInMonth(year, month)
  if (day < 1 || day > days) return `${MONTHS[month - 1]} ${year} has ${days} days; pass a day from 01 to ${days}`
  if (hour > 23 || minute > 59 || second > 60) return `${m[4]}:${m[5]}:${m[6]} is not a time of day; hours are 00-23, minutes 00-59, seconds 00-60`
  if (m[9] && (Number(m[10]) > 23 || Number(m[11]) > 59)) return `${m[8]} is not a time zone offset; use Z or ±HH:MM`
  return undefined
}

/** Whether `s` is an RFC 3339 date-time that exists on the calendar. */
export function isRfc3339(s: string): boolean {
  return rfc3339Problem(s) === undefined
}

/**
 * ISO 8601 UTC at the capture's own precision: 6 digits for microsecond captures, 9 for
 * nanosecond ones. Exact: built from integer seconds and nanoseconds, never from a double.
 */
export function isoTime(sec: number, nsec: number, digits: number): string {
  const base = new Date(sec * 1000).toISOString().slice(0, 19);
  if (digits <= 0) return `${base}Z`;
  const frac = String(nsec).padStart(9, '0').slice(0, Math.min(digits, 9));
  return `${base}.${frac}Z`;
}

/** Adds a non-negative offset in nanoseconds (an exact integer) to sec/nsec. */
export function isoTimePlus(sec: number, nsec: number, offsetNs: number, digits: number): string {
  const total = nsec + offsetNs;
  const carry = Math.floor(total / 1e9);
  return isoTime(sec + carry, total - carry * 1e9, digits);
}

/** Difference b - a in seconds from exact stamps. */
export function secondsBetween(aSec: number, aNsec: number, bSec: number, bNsec: number): number {
  return (bSec - aSec) + (bNsec - aNsec) * 1e-9;
}

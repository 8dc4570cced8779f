/** Formatting of the numeric addresses kept in DecodedPacket (done per stream, never per packet). */

export function formatMac(mac: number): string {
  const hex = mac.toString(16).padStart(12, '0');
  return hex.replace(/(..)(?!$)/g, '$1:');
}

export function formatIpv4(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`;
}

/** RFC 5952 text form of an IPv6 address given as four 32-bit words. */
export function formatIpv6(words: ArrayLike<number>): string {
  const groups: number[] = [];
  for (let i = 0; i < 4; i++) { groups.push((words[i] >>> 16) & 0xffff, words[i] & 0xffff); }
  // Longest run (>= 2) of zero groups becomes '::'.
  let bestStart = -1; let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i; while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function formatIp(version: number, words: ArrayLike<number>): string {
  return version === 6 ? formatIpv6(words) : formatIpv4(words[0]);
}

/** Parse an IPv4 or IPv6 text address into four words; returns the version, or 0 if invalid. */
export function parseIp(text: string, out: Uint32Array): number {
  out.fill(0);
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return 0;
    out[0] = ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
    return 4;
  }
  if (!text.includes(':')) return 0;
  const [head, tail, extra] = text.split('::');
  if (extra !== undefined) return 0;
  const h = head ? head.split(':') : [];
  const t = tail !== undefined ? (tail ? tail.split(':') : []) : [];
  if (tail === undefined && h.length !== 8) return 0;
  if (h.length + t.length > (tail === undefined ? 8 : 7)) return 0;
  const groups = [...h, ...new Array(8 - h.length - t.length).fill('0'), ...t];
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(groups[i])) return 0;
    const g = parseInt(groups[i], 16);
    if (i % 2 === 0) out[i >> 1] = (g << 16) >>> 0; else out[i >> 1] = (out[i >> 1] | g) >>> 0;
  }
  return 6;
}

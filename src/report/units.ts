/** Human units for the readable views. The data (JSON) always keeps raw numbers. */

export function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024; let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[u]}`;
}

export function humanBits(bps: number): string {
  if (bps >= 1e9) return `${(bps / 1e9).toFixed(bps >= 1e10 ? 1 : 2)} Gbit/s`;
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(bps >= 1e8 ? 0 : 1)} Mbit/s`;
  if (bps >= 1e3) return `${(bps / 1e3).toFixed(1)} kbit/s`;
  return `${Math.round(bps)} bit/s`;
}

export function humanSeconds(s: number): string {
  if (s < 1e-3) return `${(s * 1e6).toFixed(0)} µs`;
  if (s < 1) return `${(s * 1e3).toFixed(1)} ms`;
  if (s < 120) return `${s.toFixed(s < 10 ? 3 : 1)} s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function humanCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** "2026-11-26T11:14:22.123456Z" -> "11:14:22.123" (date shown once elsewhere). */
export function shortTime(iso: string | null): string {
  if (!iso) return '-';
  const m = /T(\d\d:\d\d:\d\d)(\.\d{1,3})?/.exec(iso);
  return m ? `${m[1]}${m[2] ?? ''}` : iso;
}

const BARS = ' ▁▂▃▄▅▆▇█';

/** A compact sparkline of a series scaled to its own maximum. */
export function sparkline(values: number[], width = 60): string {
  if (values.length === 0) return '';
  let vals = values;
  if (values.length > width) {
    // Down-sample by taking each bin's maximum so peaks and stalls stay visible.
    const per = values.length / width;
    vals = Array.from({ length: width }, (_, i) => {
      let m = 0;
      for (let j = Math.floor(i * per); j < Math.min(values.length, Math.floor((i + 1) * per)); j++) m = Math.max(m, values[j]);
      return m;
    });
  }
  const max = Math.max(...vals);
  if (max <= 0) return BARS[1].repeat(vals.length);
  return vals.map((v) => BARS[v <= 0 ? 0 : Math.max(1, Math.round((v / max) * 8))]).join('');
}

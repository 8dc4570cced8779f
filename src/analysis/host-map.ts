import { readFileSync } from 'node:fs';
import { formatIp, parseIp } from '../decode/addresses.js';

/**
 * Which vmknic IPs belong to one ESXi host (multi-NIC vMotion spreads a migration over several
 * IP pairs). Without a map, a host is its vmknic IP.
 *
 * File formats: JSON `{"esx01": ["10.0.0.11", "10.0.1.11"], ...}`, or text lines
 * `esx01 10.0.0.11 10.0.1.11` (blank lines and # comments ignored).
 */
export class HostMap {
  private readonly byIp = new Map<string, string>();

  static load(path: string): HostMap {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new Error(`cannot read host map ${path}: ${(err as Error).message}`);
    }
    return HostMap.parse(text, path);
  }

  static parse(text: string, source = 'host map'): HostMap {
    const map = new HostMap();
    const trimmed = text.trim();
    if (trimmed.startsWith('{')) {
      let obj: unknown;
      try { obj = JSON.parse(trimmed); } catch (err) {
        throw new Error(`${source}: invalid JSON (${(err as Error).message}); expected {"host": ["ip", ...]}`);
      }
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new Error(`${source}: expected an object {"host": ["ip", ...]}`);
      for (const [host, ips] of Object.entries(obj as Record<string, unknown>)) {
        const list = Array.isArray(ips) ? ips : [ips];
        for (const ip of list) map.add(host, String(ip), source);
      }
      return map;
    }
    const lines = text.split(/\r?\n/);
    lines.forEach((raw, i) => {
      const line = raw.replace(/#.*/, '').trim();
      if (!line) return;
      const [host, ...ips] = line.split(/[\s,]+/);
      if (ips.length === 0) throw new Error(`${source}:${i + 1}: expected "HOSTNAME IP [IP...]", got "${raw.trim()}"`);
      for (const ip of ips) map.add(host, ip, `${source}:${i + 1}`);
    });
    return map;
  }

  private add(host: string, ip: string, where: string): void {
    const words = new Uint32Array(4);
    const v = parseIp(ip, words);
    if (v === 0) throw new Error(`${where}: "${ip}" is not an IPv4 or IPv6 address`);
    const canonical = formatIp(v, words);
    const prior = this.byIp.get(canonical);
    if (prior !== undefined && prior !== host) throw new Error(`${where}: ${canonical} is listed for both ${prior} and ${host}`);
    this.byIp.set(canonical, host);
  }

  /** Host name of a canonical IP string, or the IP itself when unmapped. */
  hostOf(ip: string): string {
    return this.byIp.get(ip) ?? ip;
  }

  get size(): number {
    return this.byIp.size;
  }
}

/**
 * MAC vendor names from the IEEE OUI registry (the maintained `oui-data` package, read once:
 * only result building needs it, never the packet path).
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { formatMac } from '../../decode/addresses.js';

/** VMware's OUIs: 00:50:56 (vCenter-assigned and manual), 00:0C:29 (host-generated), 00:05:69 (legacy), 00:1C:14. */
export const VMWARE_OUIS: ReadonlySet<number> = new Set([0x005056, 0x000c29, 0x000569, 0x001c14]);

export interface MacInfo {
  mac: string;
  /** First line of the IEEE registry entry, e.g. "Arista Networks"; null when unregistered. */
  vendor: string | null;
  vmware: boolean;
  /** Locally administered (bit 0x02 of the first octet): no vendor can be named. */
  locallyAdministered: boolean;
  /** Group (multicast/broadcast) address. */
  multicast: boolean;
}

/**
 * The registry file's bytes, searched per OUI instead of parsed whole: JSON.parse of its 5.6 MB
 * built ~54,000 strings (~0.1 s and ~30 MiB) for the handful of OUIs a run names.
 * undefined: not read yet; null: not available.
 */
let registryBytes: Buffer | null | undefined;
const entries = new Map<number, string | undefined>();

let prefetching = false;

function registryPath(): string | null {
  try {
    return createRequire(import.meta.url).resolve('oui-data');
  } catch {
    return null;
  }
}

function loadRegistry(): Buffer | null {
  if (registryBytes === undefined) {
    const path = registryPath();
    try {
      registryBytes = path === null ? null : readFileSync(path);
    } catch {
      // Without the registry we still mark VMware OUIs; vendor names are then unknown.
      registryBytes = null;
    }
  }
  return registryBytes;
}

/**
 * Start reading the registry in the background (an analysis calls this as it starts): reading
 * it when the result is built cost ~15 ms on the critical path, while the first seconds of a run
 * leave the I/O threads idle. A lookup before the read completes reads the file itself.
 */
export function prefetchRegistry(): void {
  if (registryBytes !== undefined || prefetching) return;
  prefetching = true;
  const path = registryPath();
  if (path === null) return;
  readFile(path).then((bytes) => { if (registryBytes === undefined) registryBytes = bytes; }, () => undefined);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * The registry's string for an OUI key ("005056"), as JSON.parse of the whole file would give
 * it: the last occurrence of the key (JSON.parse keeps the last duplicate), its string value
 * decoded by JSON.parse. A key is a quote not preceded by a backslash, after '{' or ','.
 */
function registryEntry(oui: number): string | undefined {
  if (entries.has(oui)) return entries.get(oui);
  let found: string | undefined;
  const bytes = loadRegistry();
  if (bytes !== null) {
    const needle = Buffer.from(`"${oui.toString(16).toUpperCase().padStart(6, '0')}"`, 'latin1');
    for (let at = bytes.lastIndexOf(needle); at >= 0; at = at > 0 ? bytes.lastIndexOf(needle, at - 1) : -1) {
      let b = at - 1;
      while (b >= 0 && isSpace(bytes[b])) b--;
      if (b < 0 || (bytes[b] !== 0x7b && bytes[b] !== 0x2c)) continue;
      let v = at + needle.length;
      while (v < bytes.length && isSpace(bytes[v])) v++;
      if (bytes[v] !== 0x3a) continue;
      v++;
      while (v < bytes.length && isSpace(bytes[v])) v++;
      if (bytes[v] !== QUOTE) break;
      let e = v + 1;
      while (e < bytes.length && bytes[e] !== QUOTE) e += bytes[e] === BACKSLASH ? 2 : 1;
      if (e < bytes.length) found = JSON.parse(bytes.toString('utf8', v, e + 1)) as string;
      break;
    }
  }
  entries.set(oui, found);
  return found;
}

export function macInfo(mac: number): MacInfo {
  const oui = Math.floor(mac / 0x1000000);
  const first = oui >>> 16;
  const locallyAdministered = (first & 0x02) !== 0;
  const vmware = VMWARE_OUIS.has(oui);
  let vendor: string | null = null;
  if (!locallyAdministered) {
    const entry = registryEntry(oui);
    if (entry) vendor = entry.split('\n')[0].trim() || null;
  }
  return { mac: formatMac(mac), vendor, vmware, locallyAdministered, multicast: (first & 0x01) !== 0 };
}

/** "02:80:00:01:02:01 (locally administered)", "00:1c:73:aa:bb:cc (Arista Networks)", "00:50:56:.. (VMware, Inc.; VMware OUI)". */
export function describeMac(info: MacInfo): string {
  if (info.locallyAdministered) return `${info.mac} (locally administered)`;
  if (info.vmware) return `${info.mac} (VMware OUI)`;
  return `${info.mac} (${info.vendor ?? 'unregistered OUI'})`;
}

/** A vendor name short enough for a one-line summary. */
export function shortVendor(info: MacInfo): string {
  if (info.locallyAdministered) return 'locally administered';
  if (info.vmware) return 'VMware';
  if (!info.vendor) return 'unregistered';
  return info.vendor.replace(/[,.]?\s*(Inc|Incorporated|Corporation|Corp|Co|Ltd|LLC|GmbH|Limited|Networks?)\.?$/i, '').trim() || info.vendor;
}

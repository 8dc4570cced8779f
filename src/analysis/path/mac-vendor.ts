/**
 * MAC vendor names from the IEEE OUI registry (the maintained `oui-data` package, loaded once,
 * lazily: only result building needs it, never the packet path).
 */
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

let registry: Record<string, string> | null = null;

function loadRegistry(): Record<string, string> {
  if (registry === null) {
    try {
      registry = createRequire(import.meta.url)('oui-data') as Record<string, string>;
    } catch {
      // Without the registry we still mark VMware OUIs; vendor names are then unknown.
      registry = {};
    }
  }
  return registry;
}

export function macInfo(mac: number): MacInfo {
  const oui = Math.floor(mac / 0x1000000);
  const first = oui >>> 16;
  const locallyAdministered = (first & 0x02) !== 0;
  const vmware = VMWARE_OUIS.has(oui);
  let vendor: string | null = null;
  if (!locallyAdministered) {
    const entry = loadRegistry()[oui.toString(16).toUpperCase().padStart(6, '0')];
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

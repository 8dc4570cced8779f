/** The capture filter `live` uses unless the user gives one. */

/** vMotion (8000) and NFC (902): see the field notes. */
export const VMOTION_PORTS = [8000, 902];

/**
 * BPF for vMotion/NFC TCP ports plus the hop evidence the analysis needs (ARP, ICMP,
 * ICMPv6 including neighbour discovery), also inside one 802.1Q tag (SPAN ports that do
 * not strip tags) and GRE (ERSPAN / remote mirroring sent to the jump box).
 */
export function defaultLiveFilter(ports: number[] = []): string {
  const all = [...VMOTION_PORTS];
  for (const p of ports) {
    if (!Number.isInteger(p) || p < 1 || p > 65535) {
      throw new RangeError(`Invalid TCP port ${p}: ports must be whole numbers from 1 to 65535.`);
    }
    if (!all.includes(p)) all.push(p);
  }
  const core = [...all.map((p) => `tcp port ${p}`), 'arp', 'icmp', 'icmp6'].join(' or ');
  // `vlan` shifts the offsets of everything after it, hence the repeated expression.
  return `(${core}) or (vlan and (${core})) or ip proto 47`;
}

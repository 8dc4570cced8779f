/** The protocol field shared by SLL and SLL2: an ethertype, except for a few Linux pseudo-values. */
import { DecodedPacket, STOP_UNSUPPORTED } from './packet.js';
import { Cursor, NEXT_ETHERNET, stop } from './cursor.js';
import { decodeEtherType } from './ethernet.js';

const ARPHRD_NETLINK = 824;
const ETH_P_802_3 = 0x0001;
const ETH_P_802_2 = 0x0004;
const ETH_P_CAN = 0x000c;
/** Transparent Ethernet bridging: a GRE/TEB interface hands whole Ethernet frames to SLL. */
const ETH_P_TEB = 0x6558;

export function sllProtocol(c: Cursor, pkt: DecodedPacket, arphrd: number, protocol: number, layer: string): number {
  if (arphrd === ARPHRD_NETLINK) return stop(pkt, STOP_UNSUPPORTED, layer, 'netlink message, not a network packet');
  if (protocol === ETH_P_TEB) return NEXT_ETHERNET;
  if (protocol === ETH_P_802_3 || protocol === ETH_P_802_2 || protocol === ETH_P_CAN) {
    return stop(pkt, STOP_UNSUPPORTED, layer, 'SLL pseudo-protocol (802.2/802.3/CAN) not decoded');
  }
  return decodeEtherType(c, pkt, protocol);
}

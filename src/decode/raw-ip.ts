/**
 * Link types that start directly at the IP header: RAW (101, legacy 12 and 14), IPV4 (228),
 * IPV6 (229), and the 4-byte address-family headers of NULL (0, host byte order of the
 * capturing machine) and LOOP (108, network byte order).
 */
import { DecodedPacket, STOP_TRUNCATED, STOP_UNSUPPORTED } from './packet.js';
import { Cursor, NEXT_IPV4, NEXT_IPV6, stop, u32 } from './cursor.js';

const AF_INET = 2;

function familyToNext(pkt: DecodedPacket, family: number, layer: string): number {
  if (family === AF_INET) { pkt.etherType = 0x0800; return NEXT_IPV4; }
  // AF_INET6 differs per OS: Linux 10, NetBSD/OpenBSD 24, FreeBSD 28, macOS 30.
  if (family === 10 || family === 24 || family === 28 || family === 30) { pkt.etherType = 0x86dd; return NEXT_IPV6; }
  return stop(pkt, STOP_UNSUPPORTED, layer, 'address family not IPv4/IPv6');
}

/** NULL: the family was written in the capturing host's byte order, which the file does not say. */
export function decodeNull(c: Cursor, pkt: DecodedPacket): number {
  const b = c.buf; const o = c.off;
  if (c.end - o < 4) return stop(pkt, STOP_TRUNCATED, 'null', 'frame shorter than the 4-byte family header');
  const le = (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
  // Families are small numbers: whichever byte order yields one that fits in 16 bits is right.
  const family = le <= 0xffff ? le : u32(b, o);
  c.off = o + 4;
  return familyToNext(pkt, family, 'null');
}

export function decodeLoop(c: Cursor, pkt: DecodedPacket): number {
  if (c.end - c.off < 4) return stop(pkt, STOP_TRUNCATED, 'loop', 'frame shorter than the 4-byte family header');
  const family = u32(c.buf, c.off);
  c.off += 4;
  return familyToNext(pkt, family, 'loop');
}

/** Raw IP: the version nibble picks the decoder. */
export function decodeRawIp(c: Cursor, pkt: DecodedPacket): number {
  if (c.end - c.off < 1) return stop(pkt, STOP_TRUNCATED, 'raw', 'empty frame');
  const version = c.buf[c.off] >> 4;
  if (version === 4) { pkt.etherType = 0x0800; return NEXT_IPV4; }
  if (version === 6) { pkt.etherType = 0x86dd; return NEXT_IPV6; }
  return stop(pkt, STOP_UNSUPPORTED, 'raw', 'IP version nibble neither 4 nor 6');
}

/** GRE (RFC 2784/2890) as used by mirror sessions: TEB 0x6558, ERSPAN 0x88BE (I/II) and 0x22EB (III). */
import { DecodedPacket, STOP_TRUNCATED, STOP_UNSUPPORTED, TUNNEL_ERSPAN_I, TUNNEL_GRE_TEB } from './packet.js';
import { Cursor, NEXT_ERSPAN_II, NEXT_ERSPAN_III, NEXT_ETHERNET, stop, u16, u32 } from './cursor.js';
import { enterTunnel } from './tunnel.js';

export const GRE_PROTO_TEB = 0x6558;
export const GRE_PROTO_ERSPAN_I_II = 0x88be;
export const GRE_PROTO_ERSPAN_III = 0x22eb;

const GRE_CHECKSUM = 0x8000;
const GRE_ROUTING = 0x4000;
const GRE_KEY = 0x2000;
const GRE_SEQUENCE = 0x1000;

export function decodeGre(c: Cursor, pkt: DecodedPacket): number {
  const b = c.buf; const o = c.off;
  if (c.end - o < 4) return stop(pkt, STOP_TRUNCATED, 'gre', 'GRE header cut off');
  const flags = u16(b, o);
  const protocol = u16(b, o + 2);
  if ((flags & 7) !== 0) return stop(pkt, STOP_UNSUPPORTED, 'gre', 'GRE version is not 0 (PPTP enhanced GRE)');
  if (flags & GRE_ROUTING) return stop(pkt, STOP_UNSUPPORTED, 'gre', 'GRE source routing (RFC 1701) not decoded');
  let len = 4;
  if (flags & GRE_CHECKSUM) len += 4;
  const keyAt = o + len;
  if (flags & GRE_KEY) len += 4;
  if (flags & GRE_SEQUENCE) len += 4;
  if (c.end - o < len) return stop(pkt, STOP_TRUNCATED, 'gre', 'GRE header cut off');
  c.off = o + len;
  switch (protocol) {
    case GRE_PROTO_TEB:
      // The GRE key, when present, is the closest thing TEB has to a mirror session id.
      return enterTunnel(c, pkt, TUNNEL_GRE_TEB, (flags & GRE_KEY) ? u32(b, keyAt) : -1, NEXT_ETHERNET);
    case GRE_PROTO_ERSPAN_I_II:
      // Type I has no sequence number and no ERSPAN header: the mirrored frame follows GRE.
      if (flags & GRE_SEQUENCE) return NEXT_ERSPAN_II;
      return enterTunnel(c, pkt, TUNNEL_ERSPAN_I, -1, NEXT_ETHERNET);
    case GRE_PROTO_ERSPAN_III:
      return NEXT_ERSPAN_III;
    default:
      return stop(pkt, STOP_UNSUPPORTED, 'gre', 'GRE payload is not a mirror encapsulation');
  }
}

/**
 * Entering a mirror tunnel: the outer packet only identifies the capture point, so its IP
 * addresses become tunnelSrc/tunnelDst and every other field restarts for the inner frame.
 * The outermost tunnel is the one reported (it names the mirror source and collector).
 */
import { DecodedPacket, STOP_MALFORMED, TUNNEL_NONE } from './packet.js';
import { Cursor, MAX_TUNNEL_DEPTH, NEXT_DONE, stop } from './cursor.js';

const savedWords = new Uint32Array(8);

/** Returns `next` when the tunnel may be entered, NEXT_DONE (with a stop) when nested too deep. */
export function enterTunnel(c: Cursor, pkt: DecodedPacket, kind: number, sessionId: number, next: number): number {
  if (c.depth >= MAX_TUNNEL_DEPTH) return stop(pkt, STOP_MALFORMED, 'tunnel', 'tunnel nesting too deep');
  c.depth++;
  let tunnel = pkt.tunnel;
  let session = pkt.tunnelSessionId;
  let ipVersion = pkt.tunnelIpVersion;
  if (tunnel === TUNNEL_NONE) {
    tunnel = kind; session = sessionId; ipVersion = pkt.ipVersion;
    savedWords.set(pkt.src, 0); savedWords.set(pkt.dst, 4);
  } else {
    savedWords.set(pkt.tunnelSrc, 0); savedWords.set(pkt.tunnelDst, 4);
  }
  const sllPacketType = pkt.sllPacketType;
  // reset() rather than a hand-written partial clear: stays complete when fields are added.
  pkt.reset();
  pkt.tunnel = tunnel;
  pkt.tunnelSessionId = session;
  pkt.tunnelIpVersion = ipVersion;
  for (let i = 0; i < 4; i++) { pkt.tunnelSrc[i] = savedWords[i]; pkt.tunnelDst[i] = savedWords[4 + i]; }
  pkt.sllPacketType = sllPacketType;
  return next;
}


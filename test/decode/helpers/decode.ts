import { decodeFrame } from '../../../src/decode/decode-frame.js';
import { DecodedPacket } from '../../../src/decode/packet.js';
import { frameOf } from './build.js';

/** Decode bytes as one frame (padded with 0xEE on both sides so stray reads would show). */
export function decode(bytes: Buffer, o: Parameters<typeof frameOf>[1] = {}): DecodedPacket {
  const pkt = new DecodedPacket();
  decodeFrame(frameOf(bytes, { pad: 16, fill: 0xee, ...o }), pkt);
  return pkt;
}

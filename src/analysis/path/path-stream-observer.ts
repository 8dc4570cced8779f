import type { Stream } from '../../streams/stream.js';
import type { ObservedFrame, ObservedPacket, StreamObserver } from '../../streams/stream-observer.js';
import { MAX_TTL_CHANGE_FRAMES, StreamPath } from './path-evidence.js';

/** Per stream direction and vantage: TTL values, MACs, TTL changes, and a segment sample. */
export class PathStreamObserver implements StreamObserver {
  constructor(readonly slot: number) {}

  onStreamPacket(stream: Stream, dir: number, pkt: ObservedPacket, frame: ObservedFrame, t: number): void {
    let sp = stream.ext[this.slot] as StreamPath | undefined;
    if (sp === undefined) { sp = new StreamPath(); stream.ext[this.slot] = sp; }
    const d = sp.vantage(frame.interfaceId).dirs[dir];
    const input = frame.inputIndex;
    const fn = frame.frameNumber;
    if (d.countPacket(pkt.ttl, pkt.hasMacs, pkt.srcMac, pkt.dstMac, input, fn)) {
      d.ttlChanges++;
      if (d.ttlChangeFrames.length < MAX_TTL_CHANGE_FRAMES) {
        d.ttlChangeFrames.push({ input: d.lastInput, frame: d.lastFrame }, { input, frame: fn });
      }
    }
    if (pkt.payloadLength > 0 || (pkt.tcpFlags & 0x02) !== 0) {
      d.segments.add(pkt.seq, pkt.payloadLength, t, pkt.ttl, pkt.hasMacs ? pkt.srcMac : -1, input, fn);
    }
    d.lastInput = input;
    d.lastFrame = fn;
  }
}

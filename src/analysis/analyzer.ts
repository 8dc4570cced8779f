import { decodeFrame } from '../decode/decode-frame.js';
import { DecodedPacket, PROTO_TCP, STOP_NONE } from '../decode/packet.js';
import type { Frame, FrameSink } from '../source/frame.js';
import type { InputSummary } from '../source/capture-source.js';
import { RunClock } from '../streams/run-clock.js';
import { KIND_NFC, KIND_VMOTION } from '../streams/stream.js';
import type { PacketObserver } from '../streams/stream-observer.js';
import { StreamTracker } from '../streams/stream-tracker.js';
import type { HostMap } from './host-map.js';
import { IcmpErrors } from './icmp-errors.js';
import { InputStats } from './input-stats.js';

export interface AnalyzerOptions {
  vmotionPorts: number[];
  nfcPorts: number[];
  gapSeconds: number;
  intervalSeconds: number;
  hostMap: HostMap | null;
  hostMapPath: string | null;
}

export const DEFAULT_OPTIONS: AnalyzerOptions = {
  vmotionPorts: [8000], nfcPorts: [902], gapSeconds: 1, intervalSeconds: 1, hostMap: null, hostMapPath: null,
};

/** Metadata of one input known outside the frame stream (hash, size, capture point name). */
export interface InputMeta {
  path: string;
  point: string;
  /** Point name per interface id when the input's interfaces are separate capture points. */
  interfacePoints?: string[] | null;
  sha256: string | null;
  sizeBytes: number | null;
}

/**
 * The pipeline's middle: frames in (from any source, file or live), per-stream state out.
 * Decode -> classify -> stream update -> observers. One instance per run; allocates nothing
 * per packet on the TCP path.
 */
export class Analyzer {
  readonly clock: RunClock;
  readonly tracker: StreamTracker;
  readonly packetObservers: PacketObserver[] = [];
  /** ICMP errors naming a router or an MTU, collected once for every analysis that reads them. */
  readonly icmpErrors: IcmpErrors;
  readonly inputs: InputStats[] = [];
  readonly summaries: Array<InputSummary | null> = [];
  readonly metas: InputMeta[] = [];
  private readonly pointIds = new Map<string, number>();
  readonly pointNames: string[] = [];
  /** Port -> KIND_VMOTION / KIND_NFC / 0. */
  private readonly portKind = new Uint8Array(65536);
  /** Decoded into by onFrame; onDecoded callers bring their own. */
  private readonly ownPkt = new DecodedPacket();
  private last: DecodedPacket = this.ownPkt;

  /** The headers of the frame most recently passed to onFrame or onDecoded (reused: read it inside the same call chain). */
  get lastPacket(): DecodedPacket {
    return this.last;
  }

  constructor(readonly options: AnalyzerOptions) {
    for (const p of options.nfcPorts) this.portKind[p] = KIND_NFC;
    for (const p of options.vmotionPorts) this.portKind[p] = KIND_VMOTION;
    this.clock = new RunClock(options.intervalSeconds);
    const kinds = this.portKind;
    this.tracker = new StreamTracker(this.clock, (port) => kinds[port] !== 0);
    // Quoted ports are -1 when the quote was cut short.
    this.icmpErrors = new IcmpErrors((port) => port >= 0 && kinds[port] !== 0);
    this.packetObservers.push(this.icmpErrors);
  }

  /** Register an input; returns its index (Frame.inputIndex must carry it). */
  addInput(meta: InputMeta): number {
    const stats = new InputStats(this.pointId(meta.point));
    if (meta.interfacePoints) stats.interfacePoints = meta.interfacePoints.map((name) => this.pointId(name));
    this.metas.push(meta);
    this.inputs.push(stats);
    this.summaries.push(null);
    return this.inputs.length - 1;
  }

  private pointId(name: string): number {
    let point = this.pointIds.get(name);
    if (point === undefined) {
      point = this.pointNames.length;
      this.pointIds.set(name, point);
      this.pointNames.push(name);
    }
    return point;
  }

  /**
   * The capture point of a frame: its input's, or its interface's when the input's interfaces are
   * separate points (both router legs in one pcapng must not be counted as one stream twice).
   */
  private pointOfFrame(stats: InputStats, frame: Frame): number {
    const id = frame.interfaceId;
    if (id === stats.lastInterface) return stats.lastPoint;
    let ifs = stats.interfacePoints;
    if (ifs === null) {
      if (stats.lastInterface < 0) {
        stats.lastInterface = id;
        stats.lastPoint = stats.point;
        return stats.point;
      }
      // A second busy interface the peek could not see (gzip, standard input, or one that starts
      // late): from here on it is its own point, the first interface keeps the input's.
      ifs = stats.interfacePoints = [];
      ifs[stats.lastInterface] = stats.point;
    }
    let p = ifs[id];
    if (p === undefined) {
      p = this.pointId(`${this.pointNames[stats.point]}/if${id}`);
      ifs[id] = p;
    }
    stats.lastInterface = id;
    stats.lastPoint = p;
    return p;
  }

  /** Record what the source reported once an input is done. */
  finishInput(index: number, summary: InputSummary): void {
    this.summaries[index] = summary;
  }

  readonly onFrame: FrameSink = (frame: Frame): void => {
    decodeFrame(frame, this.ownPkt);
    this.onDecoded(frame, this.ownPkt);
  };

  /**
   * A frame whose headers were already decoded (by a decode worker, see src/decode/read-decoded.ts).
   * `pkt` is the caller's reused struct: it becomes lastPacket until the next frame.
   */
  readonly onDecoded = (frame: Frame, pkt: DecodedPacket): void => {
    this.last = pkt;
    const stats = this.inputs[frame.inputIndex];
    const t = this.clock.toT(frame.tsSec, frame.tsNsec);
    const point = this.pointOfFrame(stats, frame);
    stats.countFrame(frame, pkt);
    if (pkt.stop !== STOP_NONE) stats.countProblem(pkt, frame.frameNumber);
    if (pkt.l4Protocol === PROTO_TCP && pkt.tcpHeaderLength > 0) {
      const dstKind = this.portKind[pkt.dstPort];
      const srcKind = this.portKind[pkt.srcPort];
      if ((dstKind | srcKind) !== 0) {
        // A stream is vMotion if either end is on a vMotion port (a host's 8000 wins over 902).
        const k = dstKind === KIND_VMOTION || srcKind === KIND_VMOTION ? KIND_VMOTION : KIND_NFC;
        if (k === KIND_VMOTION) stats.vmotionPackets++; else stats.nfcPackets++;
        // Packets of tracked streams go to the stream observers only (see PacketObserver).
        this.tracker.onTcp(pkt, frame, t, point, k);
        return;
      }
    }
    stats.otherPackets++;
    this.notifyPacketObservers(pkt, frame, t, point);
  };

  private notifyPacketObservers(pkt: DecodedPacket, frame: Frame, t: number, point: number): void {
    const obs = this.packetObservers;
    for (let i = 0; i < obs.length; i++) obs[i].onPacket(pkt, frame, t, point);
  }
}

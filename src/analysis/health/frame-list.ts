import type { FrameRef } from '../result.js';

/**
 * The first few frames of one kind of event (a retransmission, a zero window...), kept as proof
 * for findings. Fixed capacity, allocated once per stream direction: nothing per packet.
 */
export class FrameList {
  private readonly inputs: Uint32Array;
  private readonly frames: Float64Array;
  length = 0;

  constructor(readonly capacity: number) {
    this.inputs = new Uint32Array(capacity);
    this.frames = new Float64Array(capacity);
  }

  add(input: number, frame: number): void {
    if (this.length >= this.capacity) return;
    this.inputs[this.length] = input;
    this.frames[this.length] = frame;
    this.length++;
  }

  reset(): void {
    this.length = 0;
  }

  toRefs(): FrameRef[] {
    const out: FrameRef[] = [];
    for (let i = 0; i < this.length; i++) out.push({ input: this.inputs[i], frame: this.frames[i] });
    return out;
  }
}

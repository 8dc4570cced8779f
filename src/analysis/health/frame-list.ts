import type { FrameRef } from '../result.js';

const NONE_U32 = new Uint32Array(0);
const NONE_F64 = new Float64Array(0);

/**
 * The first few frames of one kind of event (a retransmission, a zero window...), kept as proof
 * for findings. Fixed capacity, allocated at the first event (most lists of most streams stay
 * empty, and a SYN flood makes millions of streams): nothing per packet.
 */
export class FrameList {
  private inputs: Uint32Array = NONE_U32;
  private frames: Float64Array = NONE_F64;
  length = 0;

  constructor(readonly capacity: number) {}

  add(input: number, frame: number): void {
    if (this.length >= this.capacity) return;
    if (this.inputs.length === 0) {
      this.inputs = new Uint32Array(this.capacity);
      this.frames = new Float64Array(this.capacity);
    }
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

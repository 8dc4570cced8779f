/**
 * One captured frame as handed from a capture source (file reader or live capture)
 * to the decoders. Sources reuse a single Frame object and overwrite it for every
 * packet: a consumer must copy whatever it keeps beyond the callback.
 */
export interface Frame {
  /** Index of the input (file or live interface) in this run, from 0. */
  inputIndex: number;
  /** Frame number within its input, from 1, exactly as Wireshark numbers it. */
  frameNumber: number;
  /** Byte offset of this record's header in the (decompressed) input; -1 for live capture. */
  fileOffset: number;
  /** LINKTYPE_* value of the interface this frame came from (FCS bits removed). */
  linkType: number;
  /** Bytes of Ethernet FCS at the end of the frame (pcap link-type FCS bits, pcapng if_fcslen). */
  fcsLength: number;
  /** pcapng interface id, unique across the whole file (sections numbered on); 0 for classic pcap and live capture. */
  interfaceId: number;
  /** Timestamp: whole seconds since the Unix epoch (UTC). */
  tsSec: number;
  /** Timestamp: nanoseconds within the second, 0..999_999_999. */
  tsNsec: number;
  /** Bytes present in the capture. */
  capturedLength: number;
  /** Bytes the frame had on the wire. */
  originalLength: number;
  /** Frame bytes are data[offset, offset + capturedLength). The buffer is reused; do not keep it. */
  data: Buffer;
  offset: number;
}

export function newFrame(): Frame {
  return {
    inputIndex: 0, frameNumber: 0, fileOffset: 0, linkType: 1, fcsLength: 0, interfaceId: 0,
    tsSec: 0, tsNsec: 0, capturedLength: 0, originalLength: 0, data: Buffer.alloc(0), offset: 0,
  };
}

/** Receives frames from a source, one call per frame, with the reused Frame object. */
export type FrameSink = (frame: Frame) => void;

/**
 * What every capture source (file reader, live capture) reports about one input,
 * alongside the frames it hands to the FrameSink.
 */
export interface InterfaceInfo {
  /** Interface id within the input (pcapng: across sections, in order of appearance). */
  id: number;
  linkType: number;
  snaplen: number;
  name: string | null;
  /** Timestamp digits after the decimal point this interface provides (6 for µs, 9 for ns...). */
  tsDigits: number;
}

export interface SourceError {
  /** What went wrong, phrased for the user, including what to do next where possible. */
  message: string;
  /** Byte offset in the (decompressed) input where the problem was found; -1 if not applicable. */
  offset: number;
  /** True when the input could not be read at all (nothing analysed). */
  fatal: boolean;
}

export interface InputSummary {
  path: string;
  /** 'pcap' | 'pcap-ns' | 'pcapng' | 'live' */
  format: string;
  /** 'gzip' when the file was gzip-compressed, else null. */
  compression: string | null;
  /** Byte order of the file (or of the first pcapng section). */
  byteOrder: 'little' | 'big' | null;
  interfaces: InterfaceInfo[];
  packets: number;
  /** Frames whose captured length is below their original length (snaplen truncation). */
  truncatedPackets: number;
  /** Drops reported by the capture (pcapng ISB isb_ifdrop + isb_osdrop, live pcap_stats); null if unknown. */
  droppedPackets: number | null;
  firstTsSec: number; firstTsNsec: number;
  lastTsSec: number; lastTsNsec: number;
  /** Bytes of (decompressed) input consumed. */
  bytesRead: number;
  /** Problems found. A cut-off final record is a non-fatal error with its offset. */
  errors: SourceError[];
  /** True when the input ended in the middle of a record (file cut off). */
  cutOff: boolean;
}

export function newInputSummary(path: string): InputSummary {
  return {
    path, format: 'unknown', compression: null, byteOrder: null, interfaces: [], packets: 0,
    truncatedPackets: 0, droppedPackets: null, firstTsSec: 0, firstTsNsec: 0, lastTsSec: 0,
    lastTsNsec: 0, bytesRead: 0, errors: [], cutOff: false,
  };
}

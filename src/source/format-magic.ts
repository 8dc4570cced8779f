/**
 * The first four bytes of the captures this project reads, as a little-endian 32-bit number:
 * classic pcap with micro- or nanosecond stamps, written on either byte order, and pcapng (whose
 * section header block type reads the same both ways). CaptureParser picks its reader by them.
 */
export const PCAP_US = 0xa1b2c3d4;
export const PCAP_NS = 0xa1b23c4d;
export const PCAP_US_SWAPPED = 0xd4c3b2a1;
export const PCAP_NS_SWAPPED = 0x4d3cb2a1;
export const PCAPNG_SHB = 0x0a0d0d0a;

/** A capture this project reads starts with these four bytes (read little-endian). */
export function isCaptureMagic(le: number): boolean {
  return le === PCAP_US || le === PCAP_NS || le === PCAP_US_SWAPPED || le === PCAP_NS_SWAPPED || le === PCAPNG_SHB;
}

/**
 * Names common non-capture formats from their first bytes, so the "not a pcap or pcapng file" error
 * can say what the file is and what to do with it. Returns text to append to the error message.
 */
export function describeForeignMagic(buf: Buffer, pos: number): string {
  const avail = buf.length - pos;
  const b = (i: number): number => (i < avail ? buf[pos + i] : -1);
  if (b(0) === 0x1f && b(1) === 0x8b) return ': it is gzip-compressed; read it through readCapture or decompress it with "gunzip"';
  if (b(0) === 0x28 && b(1) === 0xb5 && b(2) === 0x2f && b(3) === 0xfd) return ': it is zstd-compressed; decompress it first ("zstd -d")';
  if (b(0) === 0xfd && b(1) === 0x37 && b(2) === 0x7a && b(3) === 0x58) return ': it is xz-compressed; decompress it first ("xz -d")';
  if (b(0) === 0x42 && b(1) === 0x5a && b(2) === 0x68) return ': it is bzip2-compressed; decompress it first ("bunzip2")';
  if (b(0) === 0x50 && b(1) === 0x4b && b(2) === 0x03 && b(3) === 0x04) return ': it is a zip archive; extract the capture from it first ("unzip")';
  const le = avail >= 4 ? buf.readUInt32LE(pos) : 0;
  if (le === 0xa1b2cd34 || le === 0x34cdb2a1) {
    return ': it is a "modified" (Kuznetzov) pcap; convert it with "editcap -F pcapng in out.pcapng"';
  }
  let printable = 0;
  const n = Math.min(avail, 4);
  for (let i = 0; i < n; i++) { const c = b(i); if ((c >= 0x20 && c < 0x7f) || c === 9 || c === 10 || c === 13) printable++; }
  const text = n > 0 && printable === n;
  return text
    ? ': it looks like text, not a capture; export the capture as pcap/pcapng or convert it with "editcap -F pcapng in out.pcapng"'
    : ': if it is a capture in another format, convert it with "editcap -F pcapng in out.pcapng"';
}

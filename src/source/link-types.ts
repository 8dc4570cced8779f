/** LINKTYPE_* values (tcpdump.org link-layer header types) the decoders understand. */
export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW_LEGACY_12 = 12; // DLT_RAW on some BSDs
export const LINKTYPE_RAW_LEGACY_14 = 14; // DLT_RAW on OpenBSD
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

const NAMES: Record<number, string> = {
  0: 'NULL', 1: 'ETHERNET', 12: 'RAW', 14: 'RAW', 101: 'RAW', 108: 'LOOP', 113: 'LINUX_SLL',
  228: 'IPV4', 229: 'IPV6', 276: 'LINUX_SLL2', 105: 'IEEE802_11', 127: 'IEEE802_11_RADIOTAP',
  147: 'USER0', 192: 'PPI', 220: 'USB_LINUX_MMAPPED',
};

export function linkTypeName(linkType: number): string {
  return NAMES[linkType] ?? `LINKTYPE_${linkType}`;
}

/**
 * The decoded headers of one frame. A single DecodedPacket is reused for every frame
 * (decode in place, allocate nothing per packet): each decoder fills its layer's fields
 * and names where decoding stopped. Consumers copy what they keep.
 *
 * Addresses are numbers: a MAC is a 48-bit integer (exact in a double); an IP address is
 * four 32-bit words (IPv4 uses word 0, the rest stay 0) so streams are keyed by numbers.
 */

/** Where decoding ended. NONE: every layer present was decoded. */
export const STOP_NONE = 0;
/** A layer was cut off by the snap length: fields decoded so far are valid. */
export const STOP_TRUNCATED = 1;
/** A header was malformed (impossible length, bad version...). */
export const STOP_MALFORMED = 2;
/** A protocol we do not decode (link type, ethertype, tunnel type...). Not an error. */
export const STOP_UNSUPPORTED = 3;

export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_GRE = 47;
export const PROTO_ICMPV6 = 58;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

/** Capture-point tunnel the inner frame was carried in (mirror encapsulations). */
export const TUNNEL_NONE = 0;
export const TUNNEL_GRE_TEB = 1; // GRE, protocol 0x6558 (transparent Ethernet bridging)
export const TUNNEL_ERSPAN_I = 2;
export const TUNNEL_ERSPAN_II = 3;
export const TUNNEL_ERSPAN_III = 4;
export const TUNNEL_VXLAN = 5;

export class DecodedPacket {
  // --- outcome -------------------------------------------------------------
  stop = STOP_NONE;
  /** Layer that stopped decoding ('' when stop is STOP_NONE), e.g. 'ipv6', 'tcp', 'linktype'. */
  stopLayer = '';
  /** Short reason, e.g. 'header length 3 < 5', 'ethertype 0x88cc'. Static strings preferred. */
  stopReason = '';

  // --- mirror tunnel (outermost capture point) ---------------------------------
  tunnel = TUNNEL_NONE;
  /** ERSPAN session id or VXLAN VNI; -1 when none. */
  tunnelSessionId = -1;
  /** Outer IP addresses of the tunnel (identify the mirror source / collector). */
  tunnelIpVersion = 0;
  readonly tunnelSrc = new Uint32Array(4);
  readonly tunnelDst = new Uint32Array(4);

  // --- link layer -------------------------------------------------------------
  /** True when the (inner) frame had Ethernet (or SLL) source/destination MACs. */
  hasMacs = false;
  srcMac = 0;
  /** Destination MAC; 0 when the link layer carries none (SLL gives only one address). */
  dstMac = 0;
  /** Number of 802.1Q/QinQ tags seen (outer first), across tunnel layers of the inner frame. */
  vlanCount = 0;
  /** VLAN ids, outermost first (first two kept). */
  vlan0 = -1;
  vlan1 = -1;
  /** Final ethertype after tags (0x0800, 0x86dd, 0x0806, ...); 0 when unknown. */
  etherType = 0;
  /** For SLL/SLL2: packet type (0 to us, 4 outgoing...); -1 otherwise. */
  sllPacketType = -1;

  // --- network layer ----------------------------------------------------------
  /** 4, 6, or 0 when there is no IP layer. */
  ipVersion = 0;
  readonly src = new Uint32Array(4);
  readonly dst = new Uint32Array(4);
  /** IPv4 TTL or IPv6 hop limit. */
  ttl = 0;
  /** Offset in frame.data of the (inner) IP header. */
  l3Offset = 0;
  /** IPv4 header length with options, or IPv6 fixed header plus extension headers. */
  ipHeaderLength = 0;
  /** IPv4 total length, or 40 + IPv6 payload length: the bytes the IP packet had on the wire. */
  ipTotalLength = 0;
  /** True when the IP length field was 0 (TSO/LRO host capture) and the length came from the frame. */
  ipLengthFromFrame = false;
  ipId = 0;
  dontFragment = false;
  dscp = 0;
  ecn = 0;
  /** IPv6 flow label (0 for IPv4). */
  flowLabel = 0;
  /** True for any fragment (MF set or offset > 0, or an IPv6 fragment header). */
  isFragment = false;
  /** Fragment offset in bytes. */
  fragmentOffset = 0;
  moreFragments = false;
  /** Upper-layer protocol number (after IPv6 extension headers). */
  l4Protocol = -1;
  /** Offset in frame.data of the transport header. */
  l4Offset = 0;

  // --- transport layer (TCP, UDP ports too) ---------------------------------------
  srcPort = 0;
  dstPort = 0;
  seq = 0;
  ack = 0;
  tcpFlags = 0;
  /** Raw window field (unscaled). */
  window = 0;
  tcpHeaderLength = 0;
  /** TCP payload bytes from the IP length fields (exact under snaplen truncation and TSO). */
  payloadLength = 0;
  /** TCP payload bytes actually present in the capture. */
  payloadCaptured = 0;
  /** TCP options; -1 when absent. */
  mss = -1;
  windowScale = -1;
  sackPermitted = false;
  /** Number of SACK blocks (0..4); left/right edges in sack[2i], sack[2i+1]. */
  sackCount = 0;
  readonly sack = new Uint32Array(8);
  hasTimestamp = false;
  tsVal = 0;
  tsEcr = 0;
  /** True when the TCP options could not all be parsed (absurd length...). */
  tcpOptionsMalformed = false;

  // --- ARP ------------------------------------------------------------------------
  isArp = false;
  arpOp = 0;
  arpSenderMac = 0;
  arpSenderIp = 0;
  arpTargetMac = 0;
  arpTargetIp = 0;

  // --- ICMP / ICMPv6 -----------------------------------------------------------------
  icmpType = -1;
  icmpCode = -1;
  /** Next-hop MTU of IPv4 frag-needed, or the IPv6 packet-too-big MTU; -1 otherwise. */
  icmpMtu = -1;
  /** IPv4 redirect gateway, or IPv6 redirect target (word 0 only for IPv4). */
  readonly icmpGateway = new Uint32Array(4);
  /** The packet quoted inside an ICMP error: 0 when none was parsed. */
  icmpInnerIpVersion = 0;
  readonly icmpInnerSrc = new Uint32Array(4);
  readonly icmpInnerDst = new Uint32Array(4);
  icmpInnerProtocol = -1;
  icmpInnerSrcPort = -1;
  icmpInnerDstPort = -1;
  icmpInnerSeq = -1;

  // --- a hint, not a header: the decode worker's flow table (native-packer.ts) ------------------
  /** Slot of this packet's connection in its input's flow table; -1 when unknown (StreamTable.find hashes then). */
  flowSlot = -1;
  /** Which end sent it: 0 or 1, the same for every packet that end sends. */
  flowSide = 0;
  /** Input and table epoch the slot belongs to (a slot is reused after the table is cleared). */
  flowTag = -1;

  /**
   * Clear every field before decoding the next frame. Runs once per packet: the address words are
   * zeroed by index (TypedArray.fill is a runtime call, and these 7 calls cost more than decoding).
   */
  reset(): void {
    this.stop = STOP_NONE; this.stopLayer = ''; this.stopReason = '';
    this.tunnel = TUNNEL_NONE; this.tunnelSessionId = -1; this.tunnelIpVersion = 0;
    clear4(this.tunnelSrc); clear4(this.tunnelDst);
    this.hasMacs = false; this.srcMac = 0; this.dstMac = 0;
    this.vlanCount = 0; this.vlan0 = -1; this.vlan1 = -1; this.etherType = 0; this.sllPacketType = -1;
    this.ipVersion = 0; clear4(this.src); clear4(this.dst); this.ttl = 0; this.l3Offset = 0;
    this.ipHeaderLength = 0; this.ipTotalLength = 0; this.ipLengthFromFrame = false; this.ipId = 0;
    this.dontFragment = false; this.dscp = 0; this.ecn = 0; this.flowLabel = 0;
    this.isFragment = false; this.fragmentOffset = 0; this.moreFragments = false;
    this.l4Protocol = -1; this.l4Offset = 0;
    this.srcPort = 0; this.dstPort = 0; this.seq = 0; this.ack = 0; this.tcpFlags = 0; this.window = 0;
    this.tcpHeaderLength = 0; this.payloadLength = 0; this.payloadCaptured = 0;
    this.mss = -1; this.windowScale = -1; this.sackPermitted = false; this.sackCount = 0;
    this.hasTimestamp = false; this.tsVal = 0; this.tsEcr = 0; this.tcpOptionsMalformed = false;
    this.isArp = false; this.arpOp = 0; this.arpSenderMac = 0; this.arpSenderIp = 0;
    this.arpTargetMac = 0; this.arpTargetIp = 0;
    this.icmpType = -1; this.icmpCode = -1; this.icmpMtu = -1; clear4(this.icmpGateway);
    this.icmpInnerIpVersion = 0; clear4(this.icmpInnerSrc); clear4(this.icmpInnerDst);
    this.icmpInnerProtocol = -1; this.icmpInnerSrcPort = -1; this.icmpInnerDstPort = -1; this.icmpInnerSeq = -1;
    this.flowSlot = -1;
  }
}

function clear4(a: Uint32Array): void {
  a[0] = 0; a[1] = 0; a[2] = 0; a[3] = 0;
}

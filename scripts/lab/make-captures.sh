#!/usr/bin/env bash
# Regenerate the bundled sample captures and their truth manifests.
#
#   sudo scripts/lab/make-captures.sh            # all captures
#   sudo scripts/lab/make-captures.sh lab-routed lab-l2
#   VMA_CAPTURE_DIR=/tmp/out sudo -E scripts/lab/make-captures.sh lab-lossy
#
# Each capture: build a namespace lab (scripts/lab/lab.sh), start dumpcap/tcpdump (snaplen 128) inside a
# lab namespace, run scripts/lab/traffic.mjs (which writes the manifest: exact bytes per stream), stop
# the capture, tear the lab down by name. Structure and byte counts are reproducible; timings, ports and
# sequence numbers naturally vary from run to run.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${VMA_CAPTURE_DIR:-$ROOT/captures}
ALL=(lab-routed lab-l2 lab-routed-source lab-router-legs lab-routed-ipv6 lab-two-routers lab-lossy lab-mtu lab-refused lab-silent)

[ "$(id -u)" = 0 ] || { echo "make-captures.sh: must run as root (network namespaces); try: sudo $0 $*" >&2; exit 1; }
for t in ip tc node dumpcap tcpdump timeout; do
  command -v "$t" >/dev/null || { echo "make-captures.sh: '$t' not found; install it (tcpdump, wireshark-common/dumpcap, iproute2, nodejs)" >&2; exit 1; }
done
mkdir -p "$OUT"

CUR_TAG="" CAP_PID="" WORK=""
cleanup() {
  if [ -n "$CAP_PID" ]; then kill -INT "$CAP_PID" 2>/dev/null || true; wait "$CAP_PID" 2>/dev/null || true; CAP_PID=""; fi
  if [ -n "$CUR_TAG" ]; then "$HERE/lab.sh" down "$CUR_TAG" || true; CUR_TAG=""; fi
  if [ -n "$WORK" ]; then rm -rf "$WORK"; WORK=""; fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# json_str VALUE -> a JSON string literal (our values never contain quotes or backslashes)
js() { printf '"%s"' "$1"; }

make_one() {
  local name=$1
  local topo lab_opts=() traffic_opts=() cap_role=dst cap_ifs=(eth0) fmt=pcap ipv6=0 point_desc offload_desc
  local shape_clean=200mbit:256kb:8mb findings=""
  # findings: what the capture is for (checked by test/lab with tshark): retransmissions,
  # icmp-frag-needed, rst-on-8000, unanswered-syn.
  case $name in
    lab-routed)
      topo=routed; fmt=pcapng; lab_opts=(--shape $shape_clean --rmem-max 1048576) ;;
    lab-l2)
      topo=l2; lab_opts=(--shape 120mbit:64kb:8mb --rmem-max 1048576 --mtu-hosts 9000 --offload off)
      traffic_opts=(--memory-bytes $((24 * 1048576)) --small-bytes $((3 * 1048576))) ;;
    lab-routed-source)
      topo=routed; cap_role=src; lab_opts=(--shape $shape_clean --rmem-max 1048576) ;;
    lab-router-legs)
      topo=routed; fmt=pcapng; cap_role=r1; cap_ifs=(lsrc ldst); lab_opts=(--shape $shape_clean --rmem-max 1048576) ;;
    lab-routed-ipv6)
      topo=routed; fmt=pcapng; ipv6=1; lab_opts=(--shape $shape_clean --rmem-max 1048576) ;;
    lab-two-routers)
      topo=two-routers; lab_opts=(--shape $shape_clean --rmem-max 1048576) ;;
    lab-lossy)
      # Shallow tbf queue (24 KB) and an uncapped receive window: TCP overruns the queue => drops.
      topo=routed; cap_role=src; lab_opts=(--shape 40mbit:16kb:24kb --offload off)
      traffic_opts=(--migrations 1 --memory-bytes $((8 * 1048576)) --small-bytes $((1 * 1048576)))
      findings='"retransmissions"' ;;
    lab-mtu)
      # Jumbo hosts, 1500-byte router-to-router leg: r1 answers DF 9000-byte packets with frag-needed.
      topo=two-routers; cap_role=src; lab_opts=(--shape $shape_clean --rmem-max 1048576 --mtu-hosts 9000 --mtu-core 1500)
      traffic_opts=(--migrations 1 --nfc-bytes 0); findings='"icmp-frag-needed"' ;;
    lab-refused)
      topo=routed; cap_role=src; traffic_opts=(--scenario refused --attempts 3); findings='"rst-on-8000"' ;;
    lab-silent)
      topo=routed; cap_role=src; lab_opts=(--silent); traffic_opts=(--scenario silent --attempts 2 --connect-timeout-s 4)
      findings='"unanswered-syn"' ;;
    *) echo "make-captures.sh: unknown capture '$name' (one of: ${ALL[*]})" >&2; return 1 ;;
  esac

  # lab.sh prints only the variables its topology has: drop the previous capture's (SHAPE, R2_NS,
  # SILENT_IP...) so they cannot leak into this manifest.
  unset SRC_IP DST_IP SRC_IP6 DST_IP6 SRC_GW DST_GW SRC_GW6 DST_GW6 SRC_GW_MAC DST_GW_MAC R1_NS R1_IFS \
    R2_NS R2_IFS SW_NS SW_IFS HOPS SHAPE SHAPE_NS SHAPE_IF SILENT_IP TOPO TAG SRC_NS DST_NS SRC_IF DST_IF \
    SRC_MAC DST_MAC MTU_HOSTS MTU_CORE OFFLOAD
  CUR_TAG="mc$$${RANDOM}"
  WORK=$(mktemp -d)
  local envf=$WORK/lab.env
  "$HERE/lab.sh" up "$topo" "$CUR_TAG" "${lab_opts[@]}" >"$envf"
  # shellcheck disable=SC1090
  . "$envf"
  local cap_ns
  case $cap_role in src) cap_ns=$SRC_NS ;; dst) cap_ns=$DST_NS ;; r1) cap_ns=$R1_NS ;; esac

  local file=$name.$fmt tmpcap=$WORK/cap.$fmt cmd_desc
  local ifargs=() ifc
  for ifc in "${cap_ifs[@]}"; do ifargs+=(-i "$ifc"); done
  if [ "$fmt" = pcapng ]; then
    cmd_desc="dumpcap -q -s 128 ${ifargs[*]} -w $file (in the ${cap_role} namespace)"
    ip netns exec "$cap_ns" timeout 120 dumpcap -q -s 128 "${ifargs[@]}" -w "$tmpcap" 2>"$WORK/cap.err" &
  else
    cmd_desc="tcpdump -n -s 128 -U ${ifargs[*]} -w $file (in the ${cap_role} namespace)"
    ip netns exec "$cap_ns" timeout 120 tcpdump -n -s 128 -U -Z root "${ifargs[@]}" -w "$tmpcap" 2>"$WORK/cap.err" &
  fi
  CAP_PID=$!
  local i
  for i in $(seq 1 100); do
    grep -qE 'Capturing on|listening on' "$WORK/cap.err" 2>/dev/null && break
    kill -0 "$CAP_PID" 2>/dev/null || { cat "$WORK/cap.err" >&2; echo "make-captures.sh: capture tool exited early" >&2; return 1; }
    sleep 0.1
  done
  sleep 0.3

  local sip=$SRC_IP dip=$DST_IP
  if [ "$ipv6" = 1 ]; then sip=$SRC_IP6; dip=$DST_IP6; fi
  [ -z "${SILENT_IP:-}" ] || traffic_opts+=(--target-ip "$SILENT_IP")

  # Expected verdicts, per capture point. TTL/hop limit starts at 64 on Linux hosts; each router takes 1.
  local hops=$HOPS routed=false
  [ "$hops" -gt 0 ] && routed=true
  local ttl_json
  case $cap_role in
    dst) ttl_json="{\"fromSource\": $((64 - hops)), \"fromDestination\": 64}"; point_desc="destination host $DST_NS eth0" ;;
    src) ttl_json="{\"fromSource\": 64, \"fromDestination\": $((64 - hops))}"; point_desc="source host $SRC_NS eth0" ;;
    r1) ttl_json="{\"lsrc\": {\"fromSource\": 64, \"fromDestination\": 63}, \"ldst\": {\"fromSource\": 63, \"fromDestination\": 64}}"
        point_desc="router $R1_NS, both legs (lsrc towards the source, ldst towards the destination)" ;;
  esac
  if [ "$OFFLOAD" = off ]; then
    offload_desc="off (ethtool -K tso/gso/gro off on every lab interface): frames are at most MTU-sized"
  else
    offload_desc="on (veth TSO/GSO): host-side frames larger than the MTU (super-segments) appear, as in real host captures"
  fi
  local routers_json="[]"
  case $topo in
    routed) routers_json="[{\"ns\": $(js "$R1_NS"), \"interfaces\": {\"lsrc\": {\"ip\": $(js "$SRC_GW"), \"ip6\": $(js "$SRC_GW6"), \"mac\": $(js "$SRC_GW_MAC")}, \"ldst\": {\"ip\": $(js "$DST_GW"), \"ip6\": $(js "$DST_GW6"), \"mac\": $(js "$DST_GW_MAC")}}}]" ;;
    two-routers) routers_json="[{\"ns\": $(js "$R1_NS"), \"interfaces\": {\"lsrc\": {\"ip\": $(js "$SRC_GW"), \"mac\": $(js "$SRC_GW_MAC")}, \"lcore\": {\"ip\": \"10.80.12.1\", \"mac\": \"02:80:00:01:0c:01\"}}}, {\"ns\": $(js "$R2_NS"), \"interfaces\": {\"lcore\": {\"ip\": \"10.80.12.2\", \"mac\": \"02:80:00:02:0c:02\"}, \"ldst\": {\"ip\": $(js "$DST_GW"), \"mac\": $(js "$DST_GW_MAC")}}}]" ;;
  esac
  local gw_src="null" gw_dst="null" peer_mac_at_dst=$SRC_MAC peer_mac_at_src=$DST_MAC
  if [ "$routed" = true ]; then
    gw_src=$(js "$SRC_GW_MAC"); gw_dst=$(js "$DST_GW_MAC"); peer_mac_at_dst=$DST_GW_MAC; peer_mac_at_src=$SRC_GW_MAC
  fi
  local meta
  meta=$(cat <<JSON
{
  "capture": {
    "file": $(js "$file"), "format": $(js "$fmt"), "snaplen": 128,
    "tool": $(js "$( [ "$fmt" = pcapng ] && echo dumpcap || echo tcpdump)"),
    "command": $(js "$cmd_desc"),
    "regenerate": $(js "sudo scripts/lab/make-captures.sh $name"),
    "point": $(js "$point_desc"), "pointRole": $(js "$cap_role"),
    "interfaces": [$(printf '"%s",' "${cap_ifs[@]}" | sed 's/,$//')],
    "offloads": $(js "$OFFLOAD"), "offloadsNote": $(js "$offload_desc")
  },
  "topology": {
    "name": $(js "$topo"), "hops": $hops, "mtuHosts": $MTU_HOSTS, "mtuCore": $MTU_CORE,
    "shaper": $(js "${SHAPE:-none}${SHAPE_IF:+ on $SHAPE_NS $SHAPE_IF}"),
    "labOptions": $(js "${lab_opts[*]}"),
    "source": {"ip": $(js "$SRC_IP"), "ip6": $(js "$SRC_IP6"), "mac": $(js "$SRC_MAC"), "gatewayMac": $gw_src},
    "destination": {"ip": $(js "$DST_IP"), "ip6": $(js "$DST_IP6"), "mac": $(js "$DST_MAC"), "gatewayMac": $gw_dst},
    "routers": $routers_json
    ${SILENT_IP:+, \"silentIp\": $(js "$SILENT_IP")}
  },
  "expected": {
    "routed": $routed, "hops": $hops, "findings": [$findings], "ipVersion": $( [ "$ipv6" = 1 ] && echo 6 || echo 4),
    "ttlAtCapture": $ttl_json,
    "sourceMacOfSourceTrafficAtDestination": $(js "$peer_mac_at_dst"),
    "destinationMacOfSourceTrafficAtSource": $(js "$peer_mac_at_src")
  }
}
JSON
)
  timeout 150 node "$HERE/traffic.mjs" run --src-ns "$SRC_NS" --dst-ns "$DST_NS" --src-ip "$sip" --dst-ip "$dip" \
    --manifest "$WORK/manifest.json" --meta "$meta" "${traffic_opts[@]}"
  sleep 1 # let the last FIN/ACKs land in the capture
  kill -INT "$CAP_PID" 2>/dev/null || true
  wait "$CAP_PID" || true
  CAP_PID=""
  "$HERE/lab.sh" down "$CUR_TAG"; CUR_TAG=""
  [ -s "$tmpcap" ] || { echo "make-captures.sh: $name: capture is empty" >&2; return 1; }
  install -m 0644 "$tmpcap" "$OUT/$file"
  install -m 0644 "$WORK/manifest.json" "$OUT/$name.manifest.json"
  rm -rf "$WORK"; WORK=""
  echo "make-captures.sh: wrote $OUT/$file ($(stat -c %s "$OUT/$file") bytes) and $OUT/$name.manifest.json" >&2
}

names=("$@")
[ ${#names[@]} -gt 0 ] || names=("${ALL[@]}")
for n in "${names[@]}"; do make_one "$n"; done

#!/usr/bin/env bash
# Network-namespace lab for vmotion-analyzer sample captures and root-only tests.
#
#   lab.sh up TOPO TAG [options]   build topology TOPO (routed | l2 | two-routers); prints KEY=VALUE lines
#   lab.sh down TAG                 kill processes in and delete every namespace named vma-TAG-*
#   lab.sh list                     list lab namespaces (vma-*)
#
# Options for `up`:
#   --shape RATE[:BURST[:LIMIT]]  tbf on the last egress towards dst (e.g. 200mbit:64kb:4mb). A small
#                                 LIMIT (e.g. 30kb) makes the queue overflow => drops => retransmissions.
#   --mtu-hosts N                 MTU of the host links (default 1500)
#   --mtu-core N                  MTU of the router leg towards dst (routed) or r1<->r2 (two-routers)
#   --offload on|off              off: disable TSO/GSO/GRO everywhere so frames are MTU-sized (default on)
#   --silent                      add 10.80.2.3 (l2: 10.80.0.4) on dst whose replies are blackholed
#   --rmem-max BYTES              cap the hosts' TCP receive buffer (keeps tbf queues from overflowing)
#
# Every namespace is named vma-TAG-<role>; all addresses are 10.80.x.x / fd00:80:x::/64 inside them.
# Hosts get VMware-OUI MACs (00:50:56:80:..), routers and the bridge locally administered 02:80:.. MACs,
# so MAC-based verdicts are reproducible across runs.
set -euo pipefail

die() { echo "lab.sh: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces); try: sudo $0 $*"

ns_of() { echo "vma-$1-$2"; }

cmd_list() { ip netns list | awk '{print $1}' | grep '^vma-' || true; }

cmd_down() {
  local tag=$1 ns pid
  [ -n "$tag" ] || die "down needs a TAG"
  for ns in $(ip netns list | awk '{print $1}' | grep "^vma-${tag}-" || true); do
    # Kill only processes living inside our own namespace, by pid.
    for pid in $(ip netns pids "$ns" 2>/dev/null || true); do kill -TERM "$pid" 2>/dev/null || true; done
  done
  sleep 0.2
  for ns in $(ip netns list | awk '{print $1}' | grep "^vma-${tag}-" || true); do
    for pid in $(ip netns pids "$ns" 2>/dev/null || true); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
}

# veth NS_A IF_A MAC_A NS_B IF_B MAC_B: a veth pair created directly inside the namespaces, so the
# root namespace never sees (or collides on) the interface names.
veth() {
  ip -n "$1" link add "$2" address "$3" type veth peer name "$5" address "$6" netns "$4"
}

addr() { # NS IF CIDR4 CIDR6 MTU
  ip -n "$1" link set "$2" mtu "$5"
  ip -n "$1" addr add "$3" dev "$2"
  ip -n "$1" -6 addr add "$4" dev "$2" nodad
  ip -n "$1" link set "$2" up
}

mkns() {
  ip netns add "$1"
  ip -n "$1" link set lo up
  # Keep host-stack noise predictable: no IPv6 router solicitations/autoconf from our hosts.
  ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
    net.ipv6.conf.all.autoconf=0 net.ipv6.conf.default.autoconf=0 >/dev/null
}

router_ns() {
  ip netns exec "$1" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null
}

offload_off() { # NS IF...
  local ns=$1; shift
  local ifc
  for ifc in "$@"; do
    if command -v ethtool >/dev/null 2>&1; then
      ip netns exec "$ns" ethtool -K "$ifc" tso off gso off gro off tx-checksumming off >/dev/null 2>&1 ||
        ip netns exec "$ns" ethtool -K "$ifc" tso off gso off gro off >/dev/null
    else
      # Without ethtool: cap GSO to a single segment so the stack hands the device MTU-sized frames.
      ip -n "$ns" link set dev "$ifc" gso_max_segs 1 gso_max_size 1500
    fi
  done
}

cmd_up() {
  local topo=$1 tag=$2; shift 2
  [[ "$tag" =~ ^[A-Za-z0-9]{1,20}$ ]] || die "TAG must be 1-20 letters/digits (got '$tag')"
  local shape="" mtu_hosts=1500 mtu_core="" offload=on silent=0 rmem_max=""
  while [ $# -gt 0 ]; do
    case $1 in
      --shape) shape=$2; shift 2 ;;
      --mtu-hosts) mtu_hosts=$2; shift 2 ;;
      --mtu-core) mtu_core=$2; shift 2 ;;
      --offload) offload=$2; shift 2 ;;
      --silent) silent=1; shift ;;
      --rmem-max) rmem_max=$2; shift 2 ;;
      *) die "unknown option '$1' (see the header of $0)" ;;
    esac
  done
  [ -n "$mtu_core" ] || mtu_core=$mtu_hosts
  if [ -n "$(ip netns list | awk '{print $1}' | grep "^vma-${tag}-" || true)" ]; then
    die "namespaces vma-${tag}-* already exist; run: $0 down ${tag}"
  fi

  local src dst r1 r2 sw shape_ns shape_if silent_ip=""
  src=$(ns_of "$tag" src); dst=$(ns_of "$tag" dst)
  local SRC_MAC=00:50:56:80:01:02 DST_MAC=00:50:56:80:02:02
  mkns "$src"; mkns "$dst"
  local ifaces_off=()

  case $topo in
    routed)
      r1=$(ns_of "$tag" r1); mkns "$r1"; router_ns "$r1"
      veth "$src" eth0 $SRC_MAC "$r1" lsrc 02:80:00:01:01:01
      veth "$dst" eth0 $DST_MAC "$r1" ldst 02:80:00:01:02:01
      addr "$src" eth0 10.80.1.2/24 fd00:80:1::2/64 "$mtu_hosts"
      addr "$r1" lsrc 10.80.1.1/24 fd00:80:1::1/64 "$mtu_hosts"
      addr "$r1" ldst 10.80.2.1/24 fd00:80:2::1/64 "$mtu_core"
      addr "$dst" eth0 10.80.2.2/24 fd00:80:2::2/64 "$mtu_hosts"
      ip -n "$src" route add default via 10.80.1.1; ip -n "$src" -6 route add default via fd00:80:1::1
      ip -n "$dst" route add default via 10.80.2.1; ip -n "$dst" -6 route add default via fd00:80:2::1
      shape_ns=$r1; shape_if=ldst
      echo "SRC_IP=10.80.1.2"; echo "DST_IP=10.80.2.2"; echo "SRC_IP6=fd00:80:1::2"; echo "DST_IP6=fd00:80:2::2"
      echo "SRC_GW=10.80.1.1"; echo "DST_GW=10.80.2.1"; echo "SRC_GW6=fd00:80:1::1"; echo "DST_GW6=fd00:80:2::1"
      echo "SRC_GW_MAC=02:80:00:01:01:01"; echo "DST_GW_MAC=02:80:00:01:02:01"
      echo "R1_NS=$r1"; echo "R1_IFS=lsrc,ldst"; echo "HOPS=1"
      ifaces_off=("$r1:lsrc" "$r1:ldst")
      silent_ip=10.80.2.3
      ;;
    two-routers)
      r1=$(ns_of "$tag" r1); r2=$(ns_of "$tag" r2); mkns "$r1"; mkns "$r2"; router_ns "$r1"; router_ns "$r2"
      veth "$src" eth0 $SRC_MAC "$r1" lsrc 02:80:00:01:01:01
      veth "$r1" lcore 02:80:00:01:0c:01 "$r2" lcore 02:80:00:02:0c:02
      veth "$dst" eth0 $DST_MAC "$r2" ldst 02:80:00:02:02:01
      addr "$src" eth0 10.80.1.2/24 fd00:80:1::2/64 "$mtu_hosts"
      addr "$r1" lsrc 10.80.1.1/24 fd00:80:1::1/64 "$mtu_hosts"
      addr "$r1" lcore 10.80.12.1/24 fd00:80:12::1/64 "$mtu_core"
      addr "$r2" lcore 10.80.12.2/24 fd00:80:12::2/64 "$mtu_core"
      addr "$r2" ldst 10.80.2.1/24 fd00:80:2::1/64 "$mtu_hosts"
      addr "$dst" eth0 10.80.2.2/24 fd00:80:2::2/64 "$mtu_hosts"
      ip -n "$src" route add default via 10.80.1.1; ip -n "$src" -6 route add default via fd00:80:1::1
      ip -n "$dst" route add default via 10.80.2.1; ip -n "$dst" -6 route add default via fd00:80:2::1
      ip -n "$r1" route add 10.80.2.0/24 via 10.80.12.2; ip -n "$r1" -6 route add fd00:80:2::/64 via fd00:80:12::2
      ip -n "$r2" route add 10.80.1.0/24 via 10.80.12.1; ip -n "$r2" -6 route add fd00:80:1::/64 via fd00:80:12::1
      shape_ns=$r2; shape_if=ldst
      echo "SRC_IP=10.80.1.2"; echo "DST_IP=10.80.2.2"; echo "SRC_IP6=fd00:80:1::2"; echo "DST_IP6=fd00:80:2::2"
      echo "SRC_GW=10.80.1.1"; echo "DST_GW=10.80.2.1"; echo "SRC_GW6=fd00:80:1::1"; echo "DST_GW6=fd00:80:2::1"
      echo "SRC_GW_MAC=02:80:00:01:01:01"; echo "DST_GW_MAC=02:80:00:02:02:01"
      echo "R1_NS=$r1"; echo "R1_IFS=lsrc,lcore"; echo "R2_NS=$r2"; echo "R2_IFS=lcore,ldst"; echo "HOPS=2"
      ifaces_off=("$r1:lsrc" "$r1:lcore" "$r2:lcore" "$r2:ldst")
      silent_ip=10.80.2.3
      ;;
    l2)
      sw=$(ns_of "$tag" sw); mkns "$sw"
      ip netns exec "$sw" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 >/dev/null
      ip -n "$sw" link add br0 address 02:80:00:00:00:01 type bridge stp_state 0 forward_delay 0
      veth "$src" eth0 $SRC_MAC "$sw" psrc 02:80:00:00:01:01
      veth "$dst" eth0 $DST_MAC "$sw" pdst 02:80:00:00:02:01
      local p
      for p in psrc pdst; do
        ip -n "$sw" link set "$p" mtu "$mtu_hosts" master br0 up
      done
      ip -n "$sw" link set br0 mtu "$mtu_hosts" up
      addr "$src" eth0 10.80.0.2/24 fd00:80::2/64 "$mtu_hosts"
      addr "$dst" eth0 10.80.0.3/24 fd00:80::3/64 "$mtu_hosts"
      shape_ns=$sw; shape_if=pdst
      echo "SRC_IP=10.80.0.2"; echo "DST_IP=10.80.0.3"; echo "SRC_IP6=fd00:80::2"; echo "DST_IP6=fd00:80::3"
      echo "SW_NS=$sw"; echo "SW_IFS=psrc,pdst"; echo "HOPS=0"
      ifaces_off=("$sw:psrc" "$sw:pdst")
      silent_ip=10.80.0.4
      ;;
    *) die "unknown topology '$topo' (routed | l2 | two-routers)" ;;
  esac

  if [ "$offload" = off ]; then
    offload_off "$src" eth0; offload_off "$dst" eth0
    local pair
    for pair in "${ifaces_off[@]}"; do offload_off "${pair%%:*}" "${pair#*:}"; done
  fi
  if [ -n "$rmem_max" ]; then
    local h
    for h in "$src" "$dst"; do
      ip netns exec "$h" sysctl -qw net.ipv4.tcp_rmem="4096 131072 $rmem_max" >/dev/null
    done
  fi
  if [ -n "$shape" ]; then
    local rate burst limit
    IFS=: read -r rate burst limit <<<"$shape"
    tc -n "$shape_ns" qdisc add dev "$shape_if" root tbf rate "$rate" burst "${burst:-64kb}" limit "${limit:-4mb}"
    echo "SHAPE_NS=$shape_ns"; echo "SHAPE_IF=$shape_if"; echo "SHAPE='tbf rate $rate burst ${burst:-64kb} limit ${limit:-4mb}'"
  fi
  if [ "$silent" = 1 ]; then
    # A peer that never answers: the address exists on dst (so ARP/routing reach it) but every packet
    # sourced from it is blackholed by a policy rule, like a host firewall silently dropping.
    ip -n "$dst" addr add "$silent_ip/32" dev eth0
    ip -n "$dst" rule add from "$silent_ip" blackhole
    echo "SILENT_IP=$silent_ip"
  fi
  # Link-local DAD takes ~1 s; a router whose link-local is still tentative cannot resolve IPv6
  # neighbours, so wait for it (bounded) instead of losing the first IPv6 packets.
  local ns i
  for ns in $(ip netns list | awk '{print $1}' | grep "^vma-${tag}-"); do
    for i in $(seq 1 50); do
      [ -z "$(ip -n "$ns" -6 addr show tentative 2>/dev/null)" ] && break
      sleep 0.1
    done
  done
  echo "TOPO=$topo"; echo "TAG=$tag"; echo "SRC_NS=$src"; echo "DST_NS=$dst"
  echo "SRC_IF=eth0"; echo "DST_IF=eth0"; echo "SRC_MAC=$SRC_MAC"; echo "DST_MAC=$DST_MAC"
  echo "MTU_HOSTS=$mtu_hosts"; echo "MTU_CORE=$mtu_core"; echo "OFFLOAD=$offload"
}

case ${1:-} in
  up) [ $# -ge 3 ] || die "usage: $0 up TOPO TAG [options]"; shift; cmd_up "$@" ;;
  down) [ $# -eq 2 ] || die "usage: $0 down TAG"; cmd_down "$2" ;;
  list) cmd_list ;;
  *) die "usage: $0 up TOPO TAG [options] | down TAG | list" ;;
esac

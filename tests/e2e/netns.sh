#!/bin/sh
# Two network namespaces joined by one veth pair, for the live-capture e2e tests.
#
#   netns.sh up   PREFIX    create ${PREFIX}-a and ${PREFIX}-b (removes leftovers first)
#   netns.sh down PREFIX    remove both (idempotent: succeeds when nothing is there)
#   netns.sh gc             remove namespaces left by crashed runs (prefix wwe2e-<pid> whose
#                           pid is no longer alive)
#
# Layout (every address lives ONLY inside the two namespaces; the host's own network is never
# touched, nothing is routed anywhere but the veth link and each namespace's loopback):
#
#   ${PREFIX}-a : interface "vethA"  198.18.0.1/30  fd00:77::1/64   (client side, sensor captures here)
#   ${PREFIX}-b : interface "vethB"  198.18.0.2/30  fd00:77::2/64   (server side)
#
# The veth ends are created inside the namespaces directly (ip link add ... netns ...), so they
# never exist in the caller's namespace and interface names cannot collide between runs.
# MTU is 9000 on both ends. IPv6 addresses use nodad (usable immediately); there is no
# link-local address (addrgenmode none), router solicitations and autoconfiguration are off, and
# the unsolicited MLD reports are squeezed into the first few ms after link-up, then `up` waits
# 300 ms: the link carries only the tests' traffic plus the neighbour discovery that traffic needs.
set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin:${PATH:-}
export PATH

IF_A=vethA
IF_B=vethB
V4_A=198.18.0.1/30
V4_B=198.18.0.2/30
V6_A=fd00:77::1/64
V6_B=fd00:77::2/64

die() { echo "netns.sh: $*" >&2; exit 1; }

ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx -- "$1"; }

check_prefix() {
  case "$1" in
    ""|*/*|*" "*) die "bad prefix '$1'" ;;
  esac
  # ip netns names are file names under /run/netns; keep them short and plain.
  [ "${#1}" -le 40 ] || die "prefix '$1' too long"
}

down() {
  p=$1
  for ns in "$p-a" "$p-b"; do
    if ns_exists "$ns"; then
      # Deleting a namespace destroys its veth end, which destroys the peer too.
      ip netns del "$ns" 2>/dev/null || true
    fi
  done
  for ns in "$p-a" "$p-b"; do
    ! ns_exists "$ns" || die "could not remove namespace $ns"
  done
}

sysctl_ns() {  # namespace key value (best effort: some kernels lack a key)
  ip netns exec "$1" sh -c "echo $3 > /proc/sys/$2" 2>/dev/null || true
}

up() {
  p=$1
  down "$p"     # a crashed run with the same prefix may have left something behind
  ip netns add "$p-a"
  ip netns add "$p-b"
  for ns in "$p-a" "$p-b"; do
    sysctl_ns "$ns" net/ipv6/conf/default/router_solicitations 0
    sysctl_ns "$ns" net/ipv6/conf/default/autoconf 0
    sysctl_ns "$ns" net/ipv6/conf/default/accept_ra 0
    sysctl_ns "$ns" net/ipv6/conf/all/router_solicitations 0
    # Unsolicited MLD reports go out within 10 ms of link-up instead of trickling in over ~2 s,
    # so the link is quiet by the time a test starts capturing.
    sysctl_ns "$ns" net/ipv6/conf/default/mldv2_unsolicited_report_interval 10
    sysctl_ns "$ns" net/ipv6/conf/default/mldv1_unsolicited_report_interval 10
  done
  ip link add "$IF_A" netns "$p-a" mtu 9000 type veth peer name "$IF_B" netns "$p-b" mtu 9000
  # No link-local address: no DAD probes and no link-local MLD reports at random times later.
  ip -n "$p-a" link set "$IF_A" addrgenmode none
  ip -n "$p-b" link set "$IF_B" addrgenmode none
  ip -n "$p-a" link set lo up
  ip -n "$p-b" link set lo up
  ip -n "$p-a" addr add "$V4_A" dev "$IF_A"
  ip -n "$p-b" addr add "$V4_B" dev "$IF_B"
  ip -n "$p-a" -6 addr add "$V6_A" dev "$IF_A" nodad
  ip -n "$p-b" -6 addr add "$V6_B" dev "$IF_B" nodad
  ip -n "$p-a" link set "$IF_A" up
  ip -n "$p-b" link set "$IF_B" up
  # Wait (bounded) until both ends report carrier.
  i=0
  while [ $i -lt 50 ]; do
    if ip -n "$p-a" link show "$IF_A" | grep -q LOWER_UP &&
       ip -n "$p-b" link show "$IF_B" | grep -q LOWER_UP; then
      sleep 0.3   # let the initial MLD reports pass before anyone captures
      return 0
    fi
    sleep 0.1
    i=$((i + 1))
  done
  down "$p"
  die "veth link did not come up"
}

gc() {
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
    case "$ns" in
      wwe2e-*-a|wwe2e-*-b)
        rest=${ns#wwe2e-}
        pid=${rest%%-*}
        case "$pid" in *[!0-9]*|"") continue ;; esac
        if [ ! -d "/proc/$pid" ]; then
          ip netns del "$ns" 2>/dev/null || true
        fi
        ;;
    esac
  done
}

[ "$(id -u)" = 0 ] || die "must run as root (needs CAP_NET_ADMIN to create namespaces)"
cmd=${1:-}
case "$cmd" in
  up)   [ $# -eq 2 ] || die "usage: netns.sh up PREFIX";   check_prefix "$2"; up "$2" ;;
  down) [ $# -eq 2 ] || die "usage: netns.sh down PREFIX"; check_prefix "$2"; down "$2" ;;
  gc)   gc ;;
  *)    die "usage: netns.sh up|down PREFIX | gc" ;;
esac

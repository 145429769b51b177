#!/bin/bash
# rootd in ../shared/bench/fastgen (a veth pair into a namespace, kxdpgun's rates stepped upward, then dnsperf closed
# loop): rootd's DPDK dataplane on net_af_xdp and its socket service against Knot DNS in XDP mode (and with sockets),
# on the same veth with the same generators and steps. fastgen takes one extra server a run, so two runs of its run.sh:
#   1. `knot`, `knotxdp` and rootd's sockets (EXTRA_NAME=rootd-sockets);
#   2. rootd on net_af_xdp on the namespace-side veth (EXTRA_NAME=rootd-afxdp) alone;
# then one table: per server, the highest answered kxdpgun rate with at most LOSS% loss and the first step that lost
# more, with what limited it (the generator if kxdpgun did not send what was offered, else the server), and
# dnsperf's closed-loop rate with the busy share of the generator's CPU (dnsperf is the limit when that is ~100%).
# Usage (root), after /work/shared/bench/peers/run.sh has prepared /tmp/peers (zone and queries):
#   bench/load/fastgen_rootd.sh
# Knobs (environment): FASTGEN=../shared/bench/fastgen  ROOTD=build/server/rootd  WORK=/tmp/fastgen-rootd
#   RATES="100000 125000 ..."  GENS="kxdpgun dnsperf"  PEERS_SERVERS="knot knotxdp"  and whatever fastgen's run.sh
#   reads (DUR LOSS STOPAFTER SCPU GCPU VC ...).
# fastgen starts this script again as its EXTRA_CMD, in the namespace, pinned to SCPU:
#   fastgen_rootd.sh serve sockets|af_xdp ADDR PORT ZONE IFACE ROOT_SIDE_VETH
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
ROOTD=${ROOTD:-$REPO/build/server/rootd}
WORK=${WORK:-/tmp/fastgen-rootd}

if [ "${1:-}" = serve ]; then
  mode=$2 addr=$3 port=$4 zone=$5 iface=$6 root_side=$7
  # One UDP worker and one TCP event loop, as bench/load/run.sh runs it. --no-verify: the zone is fastgen's
  # re-signed copy, whose KSK only /tmp/peers/keys knows; verification happens at load only, not per query.
  args=(--zone "$zone" --no-verify --port "$port" --listen "$addr" --threads 1 --tcp-workers 1
        --state-dir "$WORK/state-$mode" --log-level warning)
  case $mode in
  sockets) exec "$ROOTD" "${args[@]}";;
  af_xdp)
    # fastgen's readiness probe (kdig) comes from the root-side veth, whose UDP checksums veth leaves to an
    # offload; the XDP socket gets them unfinished and the dataplane drops them as bad. Checksums in software
    # there, as the client side of any af_xdp veth needs (kxdpgun writes its own). fastgen, our parent, is in the
    # root namespace.
    nsenter -t "$PPID" -n ethtool -K "$root_side" tx off >/dev/null || exit 1
    # The main lcore and the one worker lcore on the CPU fastgen pinned us to.
    cpu=$(taskset -pc $$ | awk '{print $NF}')
    exec "$ROOTD" "${args[@]}" --dpdk "--no-huge -m 512 --no-pci --no-shconf --no-telemetry --lcores 0@$cpu,1@$cpu" \
      --dpdk-port "net_af_xdp0,iface=$iface" --dpdk-address "$addr";;
  esac
  echo "serve: unknown mode $mode" >&2; exit 2
fi

[ "$(id -u)" = 0 ] || { echo "run as root (fastgen makes namespaces and XDP sockets)"; exit 1; }
[ -x "$ROOTD" ] || { echo "no $ROOTD: build first (ninja -C build)"; exit 1; }
FASTGEN=${FASTGEN:-$REPO/../shared/bench/fastgen}
[ -x "$FASTGEN/run.sh" ] || { echo "no $FASTGEN/run.sh"; exit 1; }
export VC=${VC:-vfg0} GENS=${GENS:-"kxdpgun dnsperf"} LOSS=${LOSS:-0.5} ROOTD
export RATES=${RATES:-"100000 125000 150000 175000 200000 250000 300000 350000 400000 450000 500000 600000 800000"}
mkdir -p "$WORK"
SELF="$HERE/$(basename "$0")"
WORK=$WORK/sockets SERVERS=${PEERS_SERVERS:-"knot knotxdp"} EXTRA_NAME=rootd-sockets \
  EXTRA_CMD="$SELF serve sockets {addr} {port} {zone} {iface} $VC" "$FASTGEN/run.sh" || exit 1
# A space: fastgen reads an empty SERVERS as its default list.
WORK=$WORK/afxdp SERVERS=" " EXTRA_NAME=rootd-afxdp \
  EXTRA_CMD="$SELF serve af_xdp {addr} {port} {zone} {iface} $VC" "$FASTGEN/run.sh" || exit 1

# fastgen's rows: server gen offered sent/s answered/s loss% srvCPU% genCPU% cpuG% cpuS% reply_B ("extra" is
# EXTRA_NAME).
echo
echo "== ${DUR:-5}s steps, loss-free = at most ${LOSS}% lost; rootd $(git -C "$REPO" rev-parse --short HEAD)"
printf '%-14s | %-46s | %-44s | %s\n' server "kxdpgun: max answered/s (offered, sent/s, loss)" \
  "first step over ${LOSS}% loss: limit" "dnsperf closed loop: answered/s (CPU busy gen/srv)"
for run in sockets/knot:knot sockets/knotxdp:knotxdp sockets/extra:rootd-sockets afxdp/extra:rootd-afxdp; do
  f=$WORK/${run%%/*}/results.tsv s=${run#*/}; s=${s%%:*} name=${run##*:}
  awk -F'\t' -v s="$s" -v name="$name" -v m="$LOSS" '
    $1==s && $2=="kxdpgun" { n++; off[n]=$3; sent[n]=$4; ans[n]=$5; loss[n]=$6 }
    $1==s && $2=="dnsperf" { dp = sprintf("%d, %s%% lost (%s%%/%s%%)", $5, $6, $9, $10) }
    END {
      for (i=1;i<=n;i++) if (loss[i]<=m && ans[i]>ans[b]) b=i
      for (i=b+1;i<=n && !f;i++) if (loss[i]>m && sent[i]>0) f=i
      best = b ? sprintf("%d (%d, %d, %s%%)", ans[b], off[b], sent[b], loss[b]) : (n ? "none" : "not run")
      if (!n) limit = "-"
      else if (!b && !f && sent[1] == 0) limit = "kxdpgun sent nothing (see kx.*.txt)"
      else if (!f) limit = (sent[b] < 0.97*off[b]) ? "none lost; kxdpgun sent only " sent[b] "/s: generator" : "none lost up to the last step"
      else if (sent[f] < 0.97*off[f]) limit = sprintf("%d: %s%% lost, kxdpgun sent %d/s: generator", off[f], loss[f], sent[f])
      else limit = sprintf("%d: %s%% lost of %d/s sent: server", off[f], loss[f], sent[f])
      printf "%-14s | %-46s | %-44s | %s\n", name, best, limit, dp == "" ? "not run" : dp
    }' "$f"
done
# kxdpgun and knotd's XDP mode share one eBPF program (libknot's), which calls bpf_xdp_adjust_meta: a kernel that
# refuses that helper to XDP programs runs neither.
if grep -qs "cannot use helper bpf_xdp_adjust_meta" "$WORK"/*/*/kx.*.txt "$WORK"/*/*/server.log; then
  echo "NOTE: this kernel ($(uname -r)) refuses bpf_xdp_adjust_meta to XDP programs: kxdpgun and knotd's XDP mode"
  echo "      cannot load their eBPF program, so their rows above are empty or 100% lost (see kx.*.txt, server.log)."
fi
echo "(per-run rows and outputs: $WORK/sockets, $WORK/afxdp)"

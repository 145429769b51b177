#!/bin/bash
# Load harness: rootd against NSD, Knot DNS and BIND on the same re-signed root zone, the same root-like query mix
# with DO. Every server runs in a network namespace behind a veth pair with one worker, all its threads pinned to
# SCPU (1); the generators run in the root namespace on GCPU (0). One run measures, per server:
#   (a) server CPU time per query (utime+stime from /proc/PID/stat, all threads of all its processes) while
#       dnsperf offers a fixed RATE for ADUR seconds (loss is printed: the figure is only fair at zero loss);
#   (b) the highest answered rate with at most LOSS% loss, stepping kxdpgun (AF_XDP) through KXRATES;
#   (c) the same, stepping dnsperf -Q through DPRATES (dnsperf saturates its own core near 100-120k qps).
# Usage (root):  bench/load/run.sh          Knobs (environment):
#   SERVERS="rootd nsd knot bind"  RATE=40000  ADUR=10  DUR=5 (s per step)  LOSS=0.5  STOPAFTER=2
#   KXRATES="50000 75000 ..."  DPRATES="50000 60000 ..."  ROOTD=build/server/rootd  VERIFY=1 (0: --no-verify)
#   ZONE=/tmp/peers/root.zone.signed  QF=/tmp/peers/queries.txt (made with rootd-querymix if missing)
#   SRCZONE=/work/shared/data/zones/root.zone  WORK=/tmp/loadbench  RMEM=4194304  SCPU=1 GCPU=0
#   NS=rootdload VC=vld0 VS=vld1 CA=10.79.0.1 SA=10.79.0.2 (own names: fastgen's srv/vfg* may be in use)
#   DPARGS="-c 8 -q 500 -t 1 -b 4096"  ROOTD_ARGS= (extra rootd flags)  KEEP=1 (leave namespace at exit)
#   NICE=-19 (servers and generators; 0 to leave priorities alone)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
WORK=${WORK:-/tmp/loadbench}; mkdir -p "$WORK"
PREP=${PREP:-/tmp/peers}
ZONE=${ZONE:-$PREP/root.zone.signed}; QF=${QF:-$PREP/queries.txt}
SRCZONE=${SRCZONE:-/work/shared/data/zones/root.zone}
ROOTD=${ROOTD:-$REPO/build/server/rootd}; ROOTD_ARGS=${ROOTD_ARGS:-}; VERIFY=${VERIFY:-1}
SERVERS=${SERVERS:-"rootd nsd knot bind"}
RATE=${RATE:-40000}; ADUR=${ADUR:-10}; DUR=${DUR:-5}; LOSS=${LOSS:-0.5}; STOPAFTER=${STOPAFTER:-2}
KXRATES=${KXRATES:-"50000 75000 100000 125000 150000 175000 200000 250000 300000 350000 400000"}
DPRATES=${DPRATES:-"50000 70000 90000 100000 110000 120000 130000 140000"}
RMEM=${RMEM:-4194304}; SCPU=${SCPU:-1}; GCPU=${GCPU:-0}
NS=${NS:-rootdload}; VC=${VC:-vld0}; VS=${VS:-vld1}; CA=${CA:-10.79.0.1}; SA=${SA:-10.79.0.2}; PORT=53
DPARGS=${DPARGS:-"-c 8 -q 500 -t 1 -b 4096"}
HZ=$(getconf CLK_TCK)
# Other work on this shared machine (builds, fuzzers) competes for both CPUs; without priority a server at its
# limit gets half a core and every rate figure measures the neighbours. A high priority for the servers and the
# generators keeps that to a few percent (kernel softirq work is unaffected either way). Applied to all alike.
# With sched_autogroup (on here) CPU is shared fairly between sessions first, so a plain nice does nothing against
# another session's build: run in a session (autogroup) of our own and give that group the priority; a wrapper
# stays in the caller's session to pass Ctrl-C on (the new session has no terminal), so the trap still cleans up.
NICE=${NICE:--19}; PRIO="nice -n $NICE"
if [ "$NICE" != 0 ] && [ -z "${LOAD_INNER:-}" ] && [ -w /proc/self/autogroup ]; then
  LOAD_INNER=1 setsid "$0" "$@" & child=$!
  trap 'kill -TERM $child 2>/dev/null' INT TERM
  wait $child; rc=$?
  kill -0 $child 2>/dev/null && wait $child   # a signal ends the first wait early: wait for the cleanup
  exit $rc
fi
[ "$NICE" != 0 ] && [ -w /proc/self/autogroup ] && echo "$NICE" > /proc/self/autogroup
[ "$(id -u)" = 0 ] || { echo "run as root (namespaces, XDP, sysctl)"; exit 1; }
for b in kxdpgun dnsperf kdig nsd knotd named ldns-signzone ldns-key2ds taskset; do
  command -v $b >/dev/null || { echo "missing $b (apt-get install -y nsd knot bind9 dnsperf knot-dnsutils ldnsutils)"; exit 1; }
done
[ -x "$ROOTD" ] || case " $SERVERS " in *" rootd "*) echo "no $ROOTD: build first (ninja -C build)"; exit 1;; esac

# ---------- zone, queries, trust anchor: the same files ../peers and ../fastgen use ----------
if [ ! -s "$ZONE" ]; then
  # Same recipe as /work/shared/bench/peers/run.sh: the archived zone's RRSIGs have expired, so strip DNSSEC and
  # ZONEMD and re-sign with fresh RSASHA256 2048-bit KSK/ZSK, NSEC.
  echo "== preparing $ZONE (re-signing $SRCZONE)"
  mkdir -p "$PREP/keys"; rm -f "$PREP"/keys/K*
  KSK=$(cd "$PREP/keys" && ldns-keygen -a RSASHA256 -b 2048 -k .); ZSK=$(cd "$PREP/keys" && ldns-keygen -a RSASHA256 -b 2048 .)
  ldns-read-zone -s "$SRCZONE" | awk '$4!="RRSIG" && $4!="NSEC" && $4!="DNSKEY" && $4!="ZONEMD"' > "$PREP/root.unsigned"
  ldns-signzone -e 20300101000000 -i 20261101000000 -f "$ZONE" "$PREP/root.unsigned" "$PREP/keys/$KSK" "$PREP/keys/$ZSK" || exit 1
fi
# The root-like mix of the peers' gen_queries.py (50% NXDOMAIN, 40% referrals, apex and DS), from our own tool.
QUERYMIX=${QUERYMIX:-$REPO/build/tools/rootd-querymix}
[ -s "$QF" ] || "$QUERYMIX" "$ZONE" --count 200000 --seed 42 --out "$QF" || exit 1
KQF=$WORK/queries.kx; awk 'NF>=2{print $1, $2, "D"}' "$QF" > "$KQF"   # kxdpgun: 'name type D' = EDNS with DO
# rootd verifies the zone against a DS made from the KSK file the signer used (not from the zone itself), so a
# broken signature stops the run rather than being served. VERIFY=0 serves it unchecked (--no-verify).
ANCHOR=$WORK/anchor.ds
if [ "$VERIFY" = 1 ]; then
  k=$(grep -l 'DNSKEY[[:space:]]*257' "$PREP"/keys/K*.key 2>/dev/null | head -1)
  [ -n "$k" ] || { echo "no KSK in $PREP/keys (zone prepared elsewhere?): use VERIFY=0"; exit 1; }
  (cd "$WORK" && ldns-key2ds -n -2 "$k") > "$ANCHOR" || exit 1
  ROOTD_VERIFY="--trust-anchor $ANCHOR"
else
  ROOTD_VERIFY="--no-verify"
fi

# ---------- namespace + veth, cleanup ----------
SPID=
cleanup() {
  [ -n "$SPID" ] && { kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; }
  [ -n "${GPID:-}" ] && kill "$GPID" 2>/dev/null
  ip link set dev "$VC" xdp off 2>/dev/null   # kxdpgun leaves its XDP program attached
  [ -n "${OLDRMEM:-}" ] && sysctl -qw net.core.rmem_default="$OLDRMEM"
  if [ -z "${KEEP:-}" ]; then ip link del "$VC" 2>/dev/null; ip netns del "$NS" 2>/dev/null; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ip netns del "$NS" 2>/dev/null; ip link del "$VC" 2>/dev/null
ip netns add "$NS" || exit 1
ip link add "$VC" type veth peer name "$VS" || exit 1
ip link set "$VS" netns "$NS"
ip addr add "$CA/24" dev "$VC"; ip link set "$VC" up
ip -n "$NS" addr add "$SA/24" dev "$VS"; ip -n "$NS" link set "$VS" up; ip -n "$NS" link set lo up
# kxdpgun builds its own frames: it needs the remote MAC, static on both sides
ip neigh replace "$SA" lladdr "$(ip netns exec "$NS" cat /sys/class/net/"$VS"/address)" dev "$VC" nud permanent
ip -n "$NS" neigh replace "$CA" lladdr "$(cat /sys/class/net/"$VC"/address)" dev "$VS" nud permanent
# The default 212,992-byte receive buffer makes Knot and BIND drop bursts in the kernel (see ../peers): raise the
# default for every server alike (global sysctl, not per namespace), restored at exit.
OLDRMEM=$(sysctl -n net.core.rmem_default); sysctl -qw net.core.rmem_default="$RMEM"
[ "$(sysctl -n net.core.rmem_max)" -ge "$RMEM" ] || sysctl -qw net.core.rmem_max="$RMEM"

# ---------- servers ----------
conf() { # $1 server -> config in $WORK/$1
  local d=$WORK/$1; rm -rf "$d"; mkdir -p "$d"
  local sub=(-e "s#@D@#$d#g" -e "s#@ZONE@#$ZONE#g" -e "s#@A@#$SA#g" -e "s#@P@#$PORT#g")
  case $1 in
  nsd) sed "${sub[@]}" "$HERE/conf/nsd.conf.in" > "$d/nsd.conf";;
  knot) mkdir -p "$d/db" "$d/run"; sed "${sub[@]}" "$HERE/conf/knot.conf.in" > "$d/knot.conf";;
  bind) sed "${sub[@]}" "$HERE/conf/named.conf.in" > "$d/named.conf";;
  esac
}
startcmd() {
  local d=$WORK/$1
  case $1 in
  # one UDP worker and one TCP event loop: the UDP load sees one serving thread
  rootd) echo "$ROOTD --zone $ZONE $ROOTD_VERIFY --listen $SA@$PORT --threads 1 --tcp-workers 1 --state-dir $d --log-level warning $ROOTD_ARGS";;
  nsd) echo "nsd -d -c $d/nsd.conf";;
  knot) echo "knotd -c $d/knot.conf";;
  bind) echo "named -f -c $d/named.conf -n 1";;
  esac
}
version() {
  case $1 in
  rootd) echo "rootd $(git -C "$REPO" rev-parse --short HEAD)";;
  nsd) echo "NSD $(nsd -v 2>&1 | awk 'NR==1{print $3}')";;
  knot) echo "Knot $(knotd -V | awk '{print $NF}')";;
  bind) echo "BIND $(named -v | awk '{split($2, v, "-"); print v[1]}')";;
  esac
}
desc() { local c; echo "$1"; for c in $(pgrep -P "$1"); do desc "$c"; done; }
# utime+stime in ticks over every process of the server (NSD forks; /proc/PID/stat already sums its threads)
cputicks() { local t=0 p v; for p in $(desc "$1"); do v=$(sed 's/.*) //' /proc/$p/stat 2>/dev/null | awk '{print $12+$13}'); t=$((t + ${v:-0})); done; echo $t; }
rcvbuferr() { ip netns exec "$NS" awk '/^Udp:/{if(!h){for(i=1;i<=NF;i++)c[$i]=i;h=1}else print $c["RcvbufErrors"]}' /proc/net/snmp; }
start() { # $1 server
  conf "$1"
  local c; c=$(startcmd "$1")
  echo "== start $1: ip netns exec $NS $PRIO taskset -c $SCPU $c"
  ip netns exec "$NS" $PRIO taskset -c "$SCPU" $c > "$WORK/$1/server.log" 2>&1 &
  SPID=$!
  local i
  for i in $(seq 1 600); do   # bounded: 120 s for BIND to load the zone, rootd to verify it
    kdig +short +time=1 +retry=0 @"$SA" -p $PORT . SOA 2>/dev/null | grep -q root-servers && break
    kill -0 $SPID 2>/dev/null || { echo "$1 died:"; tail "$WORK/$1/server.log"; SPID=; return 1; }
    sleep 0.2
  done
  [ "$i" = 600 ] && { echo "$1 did not answer"; return 1; }
  # knotd pins its workers to CPU 0 itself whatever taskset said: re-pin every thread of every process
  local p; for p in $(desc $SPID); do taskset -apc "$SCPU" "$p" >/dev/null; done
  echo "   threads: $(for p in $(desc $SPID); do ls /proc/$p/task; done | wc -l), affinity: $(for p in $(desc $SPID); do for t in /proc/$p/task/*; do taskset -pc "${t##*/}" | awk '{print $NF}'; done; done | sort -u | tr '\n' ' ')"
  # Same answers? rcode and size of a few key queries (sizes differ a little between servers: name compression)
  local q o
  for q in ". SOA" ". DNSKEY" "com. NS" "www.example.com. A" "nonexistenttld123. A"; do
    o=$(kdig @"$SA" -p $PORT +dnssec +bufsize=1232 +time=2 +retry=0 $q 2>&1)
    printf '   %-22s %-9s %5s B\n' "$q" "$(echo "$o" | grep -o 'status: [A-Z]*' | head -1 | cut -d' ' -f2)" \
      "$(echo "$o" | grep -o 'Received [0-9]* B' | awk '{print $2}')"
  done
  return 0
}
stop() { [ -n "$SPID" ] && { kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; }; SPID=; sleep 0.5; }

RES=$WORK/results.tsv; : > "$RES"   # server test offered sent/s answered/s loss% srvCPU% rcvbuf_errs extra
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" | tee -a "$RES"; }

# (a) fixed offered load: CPU per answered query. The server is idle before and after dnsperf, so all CPU time
# charged to it between the two samples is spent on these queries.
measure_cpu() { # $1 server
  local s=$1 f=$WORK/$1/cpu.txt t0 t1 e0 e1 a0 a1
  e0=$(rcvbuferr); t0=$(cputicks $SPID); a0=$(date +%s.%N)
  $PRIO taskset -c "$GCPU" dnsperf -s "$SA" -p $PORT -d "$QF" -D -l "$ADUR" -Q "$RATE" $DPARGS > "$f" 2>&1
  t1=$(cputicks $SPID); e1=$(rcvbuferr); a1=$(date +%s.%N)
  local sent comp loss us pct
  sent=$(awk '/Queries sent/{print $3}' "$f"); comp=$(awk '/Queries completed/{print $3}' "$f")
  loss=$(awk -v a="${sent:-0}" -v b="${comp:-0}" 'BEGIN{ if(a>0) printf "%.2f",(a-b)/a*100; else print "100"}')
  us=$(awk -v t=$((t1 - t0)) -v h=$HZ -v n="${comp:-0}" 'BEGIN{ if(n>0) printf "%.2f", t/h*1e6/n; else print "?"}')
  pct=$(awk -v t=$((t1 - t0)) -v h=$HZ -v x=$a0 -v y=$a1 'BEGIN{printf "%.0f", t/h/(y-x)*100}')
  row "$s" cpu "$RATE" "$(awk -v n="${sent:-0}" -v d="$ADUR" 'BEGIN{printf "%.0f",n/d}')" \
      "$(awk -v n="${comp:-0}" -v d="$ADUR" 'BEGIN{printf "%.0f",n/d}')" "$loss" "$pct" $((e1 - e0)) "us/q=$us"
}
# (b) kxdpgun at a fixed offered rate for DUR s; returns 0 if loss <= LOSS
measure_kx() { # $1 server $2 rate
  local s=$1 q=$2 f=$WORK/$1/kx.$2.txt t0 t1 e0 e1
  ip link set dev "$VC" xdp off 2>/dev/null
  e0=$(rcvbuferr); t0=$(cputicks $SPID)
  $PRIO kxdpgun -t "$DUR" -Q "$q" -F "$GCPU" -i "$KQF" "$SA" > "$f" 2>&1
  t1=$(cputicks $SPID); e1=$(rcvbuferr)
  ip link set dev "$VC" xdp off 2>/dev/null
  local nq nr loss sz
  nq=$(awk '/total queries:/{print $3}' "$f"); nr=$(awk '/total replies:/{print $3}' "$f")
  sz=$(awk '/average DNS reply size/{print $5}' "$f")
  loss=$(awk -v a="${nq:-0}" -v b="${nr:-0}" 'BEGIN{ if(a>0) printf "%.2f",(a-b)/a*100; else print "100"}')
  row "$s" kxdpgun "$q" "$(awk -v n="${nq:-0}" -v d="$DUR" 'BEGIN{printf "%.0f",n/d}')" \
      "$(awk -v n="${nr:-0}" -v d="$DUR" 'BEGIN{printf "%.0f",n/d}')" "$loss" \
      "$(awk -v t=$((t1 - t0)) -v h=$HZ -v d="$DUR" 'BEGIN{printf "%.0f", t/h/d*100}')" $((e1 - e0)) "reply_B=${sz:-?}"
  awk -v l="$loss" -v m="$LOSS" 'BEGIN{exit !(l<=m)}'
}
# (c) dnsperf -Q: returns 0 if loss <= LOSS and dnsperf actually sent what was asked (else it is the limit)
measure_dp() { # $1 server $2 rate
  local s=$1 q=$2 f=$WORK/$1/dp.$2.txt t0 t1 e0 e1
  e0=$(rcvbuferr); t0=$(cputicks $SPID)
  $PRIO taskset -c "$GCPU" dnsperf -s "$SA" -p $PORT -d "$QF" -D -l "$DUR" -Q "$q" $DPARGS > "$f" 2>&1
  t1=$(cputicks $SPID); e1=$(rcvbuferr)
  local sent comp loss
  sent=$(awk '/Queries sent/{print $3}' "$f"); comp=$(awk '/Queries completed/{print $3}' "$f")
  loss=$(awk -v a="${sent:-0}" -v b="${comp:-0}" 'BEGIN{ if(a>0) printf "%.2f",(a-b)/a*100; else print "100"}')
  row "$s" dnsperf "$q" "$(awk -v n="${sent:-0}" -v d="$DUR" 'BEGIN{printf "%.0f",n/d}')" \
      "$(awk -v n="${comp:-0}" -v d="$DUR" 'BEGIN{printf "%.0f",n/d}')" "$loss" \
      "$(awk -v t=$((t1 - t0)) -v h=$HZ -v d="$DUR" 'BEGIN{printf "%.0f", t/h/d*100}')" $((e1 - e0)) ""
  awk -v l="$loss" -v m="$LOSS" -v a="${sent:-0}" -v q="$q" -v d="$DUR" 'BEGIN{exit !(l<=m && a/d >= 0.97*q)}'
}

# Background load on the two CPUs makes every figure here meaningless: say so up front (nothing is stopped).
busy() { awk '$1=="cpu'"$1"'"{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
b0=$(busy 0); b1=$(busy 1); sleep 2; c0=$(busy 0); c1=$(busy 1)
BG=$(awk -v a="$b0" -v b="$c0" -v x="$b1" -v y="$c1" 'BEGIN{split(a,p);split(b,q);split(x,r);split(y,s);
  printf "cpu0 %.0f%%, cpu1 %.0f%%", (q[1]-p[1])/(q[2]-p[2])*100, (s[1]-r[1])/(s[2]-r[2])*100}')
echo "== background load before the run: $BG"
echo "# server test offered sent/s answered/s loss% srvCPU% rcvbuf_errs extra"
START=$(date +%s)
for s in $SERVERS; do
  start "$s" || { stop; continue; }
  version "$s" > "$WORK/$s/version"
  # warm-up (caches, lazy allocations), not measured
  $PRIO taskset -c "$GCPU" dnsperf -s "$SA" -p $PORT -d "$QF" -D -l 2 -Q "$RATE" $DPARGS > "$WORK/$s/warm.txt" 2>&1
  measure_cpu "$s"
  fails=0; for q in $KXRATES; do
    if measure_kx "$s" "$q"; then fails=0; else fails=$((fails + 1)); [ $fails -ge "$STOPAFTER" ] && break; fi
  done
  fails=0; for q in $DPRATES; do
    if measure_dp "$s" "$q"; then fails=0; else fails=$((fails + 1)); [ $fails -ge "$STOPAFTER" ] && break; fi
  done
  stop
done
b0=$(busy 0); b1=$(busy 1); sleep 2; c0=$(busy 0); c1=$(busy 1)
BG2=$(awk -v a="$b0" -v b="$c0" -v x="$b1" -v y="$c1" 'BEGIN{split(a,p);split(b,q);split(x,r);split(y,s);
  printf "cpu0 %.0f%%, cpu1 %.0f%%", (q[1]-p[1])/(q[2]-p[2])*100, (s[1]-r[1])/(s[2]-r[2])*100}')

# ---------- summary ----------
# best loss-free answered rate per server and generator; CPU per query at RATE; ratios = rootd / peer
# (CPU: below 1 is better for rootd; rates: above 1 is better for rootd)
echo
echo "== $(date -u +%FT%TZ), $(( $(date +%s) - START )) s; servers in netns $NS on CPU$SCPU (all threads), generators on CPU$GCPU"
echo "== (a) dnsperf -Q $RATE for ${ADUR}s; (b),(c) best answered rate with loss <= ${LOSS}%, ${DUR}s steps"
echo "== background load before: $BG; after: $BG2 (anything but ~0% skews the figures)"
awk -F'\t' -v L="$LOSS" -v servers="$SERVERS" -v dir="$WORK" -v rate="$RATE" '
  { s=$1 }
  $2=="cpu" { split($9,u,"="); us[s]=u[2]; aloss[s]=$6 }
  $2=="kxdpgun" && $6<=L && $5>kx[s] { kx[s]=$5 }
  $2=="dnsperf" && $6<=L && $5>dp[s] { dp[s]=$5 }
  function ratio(a,b) { return (a>0 && b>0) ? sprintf("%.2f", a/b) : "-" }
  function f(x) { return x=="" ? "-" : x }
  END {
    n=split(servers, S, " ")
    printf "%-14s | %-20s | %-11s | %-23s | %-5s | %-23s | %-5s\n", "server", "CPU us/q @" rate, "rootd ratio", "max loss-free (kxdpgun)", "ratio", "max loss-free (dnsperf)", "ratio"
    for (i=1;i<=n;i++) { s=S[i]; v=""; getline v < (dir "/" s "/version"); close(dir "/" s "/version")
      printf "%-14s | %-20s | %-11s | %-23s | %-5s | %-23s | %-5s\n", (v==""?s:v), f(us[s]) " (loss " f(aloss[s]) "%)",
        (s=="rootd"?"1.00":ratio(us["rootd"],us[s])), f(kx[s]), (s=="rootd"?"1.00":ratio(kx["rootd"],kx[s])),
        f(dp[s]), (s=="rootd"?"1.00":ratio(dp["rootd"],dp[s])) }
  }' "$RES"
echo "(raw rows: $RES; per-step outputs and server logs: $WORK/<server>/)"

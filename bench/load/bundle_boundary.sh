#!/bin/bash
# The time from a bundle's inception to every worker serving it, under load: rootd serves the real root zone of
# 2017-08-21 with the production 2017 Q3 SKR on a lab clock started ten seconds before the eighth bundle's inception
# (2017-09-09T00:00:00Z), with two UDP workers, while dnsperf sends 50,000 queries a second across the boundary. rootd
# logs each swap: the whole time from the inception, the bundle thread's wake-up, and the publication to every
# worker (ZoneManager::ServeDueBundle). Prints those and dnsperf's loss, one line per run.
# Usage: bench/load/bundle_boundary.sh      Knobs (environment): RUNS=10 PORT=15353 WORK=/tmp/bundle-boundary
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
DATA=$(cd "$REPO/../shared/data" && pwd)
ROOTD=${ROOTD:-$REPO/build/server/rootd}
RUNS=${RUNS:-10} PORT=${PORT:-15353} WORK=${WORK:-/tmp/bundle-boundary}
rm -rf "$WORK" && mkdir -p "$WORK"
printf '. DNSKEY\n. SOA\ncom. NS\nno-such-tld-xyz. A\n' > "$WORK/queries"
for run in $(seq "$RUNS"); do
  state="$WORK/state-$run"
  mkdir "$state"
  "$ROOTD" --zone "$DATA/zones/root.zone" --trust-anchor "$DATA/zones/root.zone.ds" --at 2017-08-25T00:00:00Z \
    --skr "$DATA/skr/skr-root-2017-q3-0-c_to_d.xml" --clock 2017-09-08T23:59:50Z --listen 127.0.0.1 --port "$PORT" \
    --threads 2 --state-dir "$state" --control-socket "$state/control" --log-level info > "$WORK/rootd-$run.log" 2>&1 &
  rootd=$!
  for _ in $(seq 50); do
    dig +short +timeout=1 +tries=1 @127.0.0.1 -p "$PORT" . SOA > /dev/null 2>&1 && break
    sleep 0.2
  done
  timeout 30 dnsperf -s 127.0.0.1 -p "$PORT" -d "$WORK/queries" -l 12 -c 4 -Q 50000 > "$WORK/dnsperf-$run.txt" 2>&1 || true
  kill "$rootd"; wait "$rootd" || true
  swap=$(grep -o 'was bundle .* after [^,]*' "$WORK/rootd-$run.log" | sed 's/.*) after /after /' || echo 'no swap logged')
  lost=$(grep -o 'Queries lost: *[0-9]*' "$WORK/dnsperf-$run.txt" | tr -s ' ' || echo 'dnsperf failed')
  echo "run $run: $swap; $lost"
done

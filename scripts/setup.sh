#!/bin/sh
# Installs everything rootd needs to build, test and benchmark, from Debian 12's archive only.
set -eu
export DEBIAN_FRONTEND=noninteractive
PKGS="build-essential cmake ninja-build pkg-config git
  libssl-dev libldns-dev ldnsutils libabsl-dev libgtest-dev libgmock-dev libbenchmark-dev libxml2-dev
  libdpdk-dev clang libclang-rt-14-dev
  bind9 bind9-dnsutils knot-dnsutils dnsperf nsd knot python3 python3-dnspython iproute2 procps ethtool iputils-ping
  librsvg2-bin netpbm prometheus python3-prometheus-client python3-yaml curl unbound knot-resolver"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  apt-get update -qq || true
  # policy-rc.d keeps Debian from starting the nsd/knot/named/unbound/kresd services it would otherwise launch on install
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -qq --no-install-recommends $missing
  rm -f /usr/sbin/policy-rc.d
fi

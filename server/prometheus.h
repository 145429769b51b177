// The Prometheus text exposition format (version 0.0.4) of rootd's one statistics path and of
// what it serves: query and response counters by transport, family and rcode, TC and TCP
// responses, DNSKEY responses by size (the rollover watch root operators kept), RFC 8145
// signals per trust-anchor set, the zone serial, the bundle served, signature expiry, and the
// load per worker. Served by MetricsServer on GET /metrics.
#pragma once
#include <string>

#include "server/stats.h"
#include "server/zone_manager.h"

namespace rootd::server {

std::string PrometheusText(const StatsSnapshot& stats, const ZoneStatus& zone);

}  // namespace rootd::server

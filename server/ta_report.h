// `rootctl ta-report`: the RFC 8145 signals as a rollover team reads them. For each day of
// rootd's clock and each kind of signal, the trust-anchor sets reported (sources, queries,
// the DNSKEY RRset served), and the share of reporting sources that trust only the old KSK,
// only the new one, or both: the figure that postponed the 2017 roll. As text, JSON, or an SVG
// chart of those shares over the days.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "server/ta_signals.h"

namespace rootd::server {

struct TaReportKeys {
  // The current roll: KSK-2017 to KSK-2024. A lab names its own keys.
  uint16_t old_ksk = 20326;
  uint16_t new_ksk = 38696;
};

// One day and kind of signal: its sets, and the sources (summed over the sets: a resolver that
// changed its set that day counts in both) by what they trust.
struct TaReportDay {
  int32_t day = 0;
  SignalKind kind = SignalKind::kTaQuery;
  std::vector<std::pair<TaSetKey, TaSetCounts>> sets;
  uint64_t sources = 0, old_only = 0, new_only = 0, both = 0, neither = 0;
  bool estimated = false;

  double Share(uint64_t part) const { return sources == 0 ? 0.0 : static_cast<double>(part) / sources; }
};

std::vector<TaReportDay> TaReportDays(const TaSignalTotals& totals, const TaReportKeys& keys);

std::string TaReportText(const TaSignalTotals& totals, const TaReportKeys& keys);
std::string TaReportJson(const TaSignalTotals& totals, const TaReportKeys& keys);
// Stacked bars, one per day and kind: old only, both, new only, neither; KSKs named by tag.
std::string TaReportSvg(const TaSignalTotals& totals, const TaReportKeys& keys);

}  // namespace rootd::server

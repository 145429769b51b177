// RSSAC002 (version 5) daily metrics: traffic-volume, traffic-sizes, rcode-volume,
// unique-sources, load-time and zone-size, one YAML document per metric and day of rootd's
// clock. `rootctl rssac002 [DATE]` returns a day's six documents; with `rssac002_dir` set,
// Rssac002Writer writes each finished day's into that directory as
// <service>-<YYYYMMDD>-<metric>.yaml, the names root operators publish under.
#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "server/daily_traffic.h"
#include "server/net.h"
#include "server/stoppable_threads.h"
#include "server/stats.h"
#include "server/zone_manager.h"

namespace rootd::server {

inline constexpr std::string_view kRssac002Metrics[] = {"traffic-volume", "traffic-sizes", "rcode-volume",
                                                        "unique-sources", "load-time",     "zone-size"};

// One metric's document for `totals.day` (load-time and zone-size from the loads of that day).
std::string Rssac002Document(std::string_view metric, std::string_view service, const DailyTotals& totals,
                             const std::vector<LoadEvent>& loads);
// All six, as one YAML stream.
std::string Rssac002Documents(std::string_view service, const DailyTotals& totals, const std::vector<LoadEvent>& loads);

// Writes every finished day's documents once, checking every second: a day is finished when
// rootd's clock has passed it (a lab clock set forward finishes days at once).
class Rssac002Writer {
 public:
  Rssac002Writer(std::string dir, std::string service, const StatsRegistry* stats, ZoneManager* zones);
  ~Rssac002Writer();
  absl::Status Start();
  void Stop();

 private:
  void Run();
  void WriteFinishedDays();

  const std::string dir_;
  const std::string service_;
  const StatsRegistry* stats_;
  ZoneManager* zones_;
  std::set<int32_t> written_;
  StoppableThreads thread_;
};

}  // namespace rootd::server

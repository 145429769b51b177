#include "server/rssac002.h"

#include <poll.h>

#include <cmath>
#include <fstream>

#include "absl/time/time.h"
#include "server/log.h"
#include "zone/text.h"

namespace rootd::server {

namespace {

// A histogram as a YAML map of its non-empty 16-octet buckets ("0-15: 12"); the last bucket
// is open ("288-").
template <size_t N>
std::string SizeMap(std::string_view name, const uint64_t (&buckets)[N]) {
  std::string out = Cat(name, ":");
  bool any = false;
  for (size_t b = 0; b < N; ++b) {
    if (buckets[b] == 0) continue;
    any = true;
    out += b + 1 < N ? Cat("\n  ", b * 16, "-", b * 16 + 15, ": ", buckets[b]) : Cat("\n  ", b * 16, "-: ", buckets[b]);
  }
  return out + (any ? "\n" : " {}\n");
}

}  // namespace

std::string Rssac002Document(std::string_view metric, std::string_view service, const DailyTotals& t,
                             const std::vector<LoadEvent>& loads) {
  std::string out = Cat("---\nversion: rssac002v5\nservice: ", service, "\nstart-period: ",
                        DayText(t.day, "%Y-%m-%dT%H:%M:%SZ"), "\nmetric: ", metric, "\n");
  if (metric == "traffic-volume") {
    const char* const transport[] = {"udp", "tcp"};
    const char* const family[] = {"ipv4", "ipv6"};
    for (int tr = 0; tr < 2; ++tr) {
      for (int f = 0; f < 2; ++f) out += Cat("dns-", transport[tr], "-queries-received-", family[f], ": ", t.queries[tr][f], "\n");
    }
    for (int tr = 0; tr < 2; ++tr) {
      for (int f = 0; f < 2; ++f) out += Cat("dns-", transport[tr], "-responses-sent-", family[f], ": ", t.responses[tr][f], "\n");
    }
  } else if (metric == "traffic-sizes") {
    out += SizeMap("udp-request-sizes", t.request_sizes[0]) + SizeMap("udp-response-sizes", t.response_sizes[0]);
    out += SizeMap("tcp-request-sizes", t.request_sizes[1]) + SizeMap("tcp-response-sizes", t.response_sizes[1]);
  } else if (metric == "rcode-volume") {
    bool any = false;
    for (int r = 0; r < kOtherRcodeSlot; ++r) {  // the last slot lumps RCODEs above 22: not one number
      if (t.rcodes[r] != 0) out += Cat(r, ": ", t.rcodes[r], "\n");
      any |= t.rcodes[r] != 0;
    }
    if (!any) out += "{}\n";
  } else if (metric == "unique-sources") {
    out += Cat("num-sources-ipv4: ", t.sources[0], "\nnum-sources-ipv6: ", t.sources[1],
               "\nnum-sources-ipv6-aggregate: ", t.sources[2], "\n");
  } else if (metric == "load-time" || metric == "zone-size") {
    bool any = false;
    for (const LoadEvent& load : loads) {
      if (absl::ToUnixSeconds(load.at) / 86400 != t.day) continue;
      any = true;
      const uint64_t value = metric == "zone-size"
                                 ? load.zone_bytes
                                 : static_cast<uint64_t>(std::ceil(absl::ToDoubleSeconds(load.load_time)));
      out += Cat(load.serial, ": ", value, "\n");
    }
    if (!any) out += "{}\n";
  }
  return out;
}

std::string Rssac002Documents(std::string_view service, const DailyTotals& totals, const std::vector<LoadEvent>& loads) {
  std::string out;
  for (std::string_view metric : kRssac002Metrics) out += Rssac002Document(metric, service, totals, loads);
  return out;
}

Rssac002Writer::Rssac002Writer(std::string dir, std::string service, const StatsRegistry* stats, ZoneManager* zones)
    : dir_(std::move(dir)), service_(std::move(service)), stats_(stats), zones_(zones) {}

Rssac002Writer::~Rssac002Writer() { Stop(); }

absl::Status Rssac002Writer::Start() {
  absl::StatusOr<StoppableThreads> thread = StoppableThreads::Create();
  if (!thread.ok()) return thread.status();
  thread_ = std::move(*thread);
  thread_.Start([this] { Run(); });
  return absl::OkStatus();
}

void Rssac002Writer::Stop() { thread_.Stop(); }

void Rssac002Writer::Run() {
  while (true) {
    WriteFinishedDays();
    pollfd p{thread_.stop_fd(), POLLIN, 0};
    if (poll(&p, 1, 1000) > 0) return;
  }
}

void Rssac002Writer::WriteFinishedDays() {
  const int32_t today = stats_->Today();
  for (int32_t day : stats_->DaysHeld()) {
    if (day >= today || written_.contains(day)) continue;
    written_.insert(day);
    const DailyTotals totals = stats_->Daily(day);
    const std::vector<LoadEvent> loads = zones_->Status().loads;
    for (std::string_view metric : kRssac002Metrics) {
      const std::string path = Cat(dir_, "/", service_, "-", DayText(day, "%Y%m%d"), "-", metric, ".yaml");
      std::ofstream file(path);
      file << Rssac002Document(metric, service_, totals, loads);
      if (!file.flush()) LogError(Cat("rssac002: cannot write ", path));
    }
    LogInfo(Cat("rssac002: wrote ", DayText(day, "%Y-%m-%d"), " to ", dir_));
  }
}

}  // namespace rootd::server

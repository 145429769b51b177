#include "server/stats.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <random>
#include <tuple>

#include "server/json_writer.h"
#include "server/siphash.h"
#include "zone/rr_types.h"
#include "zone/text.h"

namespace rootd::server {

namespace {
constexpr auto kRelaxed = std::memory_order_relaxed;

const char* RcodeName(int rcode) {
  static const char* const kNames[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",  "REFUSED",
                                       "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",  "NOTZONE"};
  if (rcode >= 0 && rcode < 11) return kNames[rcode];
  if (rcode == 16) return "BADVERS";
  if (rcode == kOtherRcodeSlot) return "OTHER";
  return nullptr;
}

std::string RcodeText(int rcode) {
  const char* name = RcodeName(rcode);
  return name ? std::string(name) : Cat("RCODE", rcode);
}

void AddCounts(const std::map<uint64_t, uint64_t>& counts, JsonWriter& json) {
  json.BeginObject();
  for (const auto& [key, count] : counts) json.Key(zone::ImageIdentity::StatsKeyText(key)).Number(count);
  json.EndObject();
}
}  // namespace

// In dataplane::Reason's order (the dataplane checks the count).
const char* const DataplaneCounters::kFrameReasonNames[kReasons] = {
    "dns_query",        "not_ip",          "ip_fragment",     "ip_options_or_ext",  "not_udp",
    "not_our_address",  "not_our_port",    "truncated",       "bad_ip_checksum",    "bad_udp_checksum",
    "bad_source_port",  "bad_source_address", "bad_ip_header"};

template <int kSlots>
void KeyCounter<kSlots>::Add(uint64_t key, uint64_t count) {
  const uint64_t stored = key + 1;  // 0 marks a free slot
  for (int probe = 0; probe < kSlots; ++probe) {
    Entry& entry = entries_[(key + probe) % kSlots];
    uint64_t held = entry.key_plus_one.load(kRelaxed);
    if (held == 0) {
      entry.key_plus_one.store(stored, std::memory_order_release);
      held = stored;
    }
    if (held == stored) {
      Bump(entry.count, count);
      return;
    }
  }
  Bump(overflow_, count);
}

template <int kSlots>
void KeyCounter<kSlots>::AddTo(std::map<uint64_t, uint64_t>* totals, uint64_t* overflow) const {
  for (const Entry& entry : entries_) {
    const uint64_t stored = entry.key_plus_one.load(std::memory_order_acquire);
    if (stored == 0) continue;
    const uint64_t count = entry.count.load(kRelaxed);
    if (count > 0) (*totals)[stored - 1] += count;
  }
  *overflow += overflow_.load(kRelaxed);
}

namespace {
int32_t DayOf(const LabClock* clock, absl::Time real) {
  const absl::Time now = clock ? clock->At(real) : real;
  return static_cast<int32_t>(absl::ToUnixSeconds(now) / 86400);
}
}  // namespace

int32_t WorkerStats::Day(uint32_t now) {
  if (now != day_second || day_of_second < 0) {
    day_second = now;
    day_of_second = DayOf(signal_context.clock, absl::FromUnixSeconds(now));
  }
  return day_of_second;
}

void WorkerStats::Record(const Request& request, const QueryInfo& info, uint64_t image_key) {
  RecordRun(TransportIndex(request.transport), 1, [&](size_t) { return std::tie(request, info); }, image_key);
}

void WorkerStats::RecordBurst(const BurstQuery* queries, size_t count, uint64_t image_key) {
  for (size_t begin = 0; begin < count; begin += kMaxRun) {
    RecordRun(TransportIndex(queries[0].request.transport), std::min(count - begin, kMaxRun),
              [queries = queries + begin](size_t i) { return std::tie(queries[i].request, queries[i].info); },
              image_key);
  }
}

namespace {
// QueryInfo's truncated, edns and dnssec_ok, as the octets of one word (RecordRun sums them in
// one addition, an octet lane each).
static_assert(offsetof(QueryInfo, edns) == offsetof(QueryInfo, truncated) + 1 &&
              offsetof(QueryInfo, dnssec_ok) == offsetof(QueryInfo, truncated) + 2);
uint32_t ResponseFlags(const QueryInfo& info) {
  uint32_t word;
  std::memcpy(&word, reinterpret_cast<const uint8_t*>(&info) + offsetof(QueryInfo, truncated), sizeof word);
  return word & 0xffffff;
}
}  // namespace

// What can be summed over a run is summed in registers and stored once: the per-query cost is
// the day's slot (RSSAC002) and the few branches below. A run is of one transport (`t`), so
// its sums need no index, and of at most kMaxRun queries, so that ResponseFlags' octet lanes
// cannot carry.
template <class QueryAt>
void WorkerStats::RecordRun(int t, size_t count, QueryAt query_at, uint64_t image_key) {
  uint64_t run_query_bytes = 0, run_response_bytes = 0, run_dropped = 0;
  uint32_t run_flags = 0;  // ResponseFlags summed
  uint32_t slot_second = std::get<0>(query_at(0)).now;
  int32_t day = Day(slot_second);
  DailySlotWriter slot = daily.WriterFor(day, t);  // the day's, looked up again only when the second changes
  for (size_t i = 0; i < count; ++i) {
    const auto [request, info] = query_at(i);
    if (request.now != slot_second) [[unlikely]] {
      slot_second = request.now;
      day = Day(request.now);
      slot = daily.WriterFor(day, t);
    }
    run_query_bytes += info.query_size;
    if ((info.dropped | info.ta_query_tag_count | info.edns_key_tag_count) != 0) [[unlikely]] {
      if (info.dropped) {
        slot.CountDropped(request, info);
        ++run_dropped;
        continue;
      }
      if (info.ta_query_tag_count > 0) {
        Bump(ta_queries);
        RecordSignal(SignalKind::kTaQuery, info.ta_query_tags, info.ta_query_tag_count, day, request, image_key);
      }
      if (info.edns_key_tag_count > 0) {
        Bump(edns_key_tag_queries);
        RecordSignal(SignalKind::kKeyTagOption, info.edns_key_tags, info.edns_key_tag_count, day, request, image_key);
      }
    }
    slot.CountAnswered(request, info);
    run_response_bytes += info.response_size;
    run_flags += ResponseFlags(info);
    if (info.qtype == dns::kTypeDnskey) {
      int bucket = 0;
      while (bucket < kDnskeySizeBuckets - 1 && info.response_size > kDnskeySizeBounds[bucket]) ++bucket;
      Bump(dnskey_responses[bucket]);
      Bump(dnskey_response_bytes, info.response_size);
    }
  }
  Bump(query_bytes[t], run_query_bytes);
  if (run_response_bytes != 0) Bump(response_bytes[t], run_response_bytes);
  if (run_flags != 0) {
    Bump(truncated, run_flags & 0xff);
    Bump(edns, run_flags >> 8 & 0xff);
    Bump(dnssec_ok, run_flags >> 16);
  }
  if (count > run_dropped) answered_by_image.Add(image_key, count - run_dropped);
}

// Off the common path: only queries that carry a signal pay for the clock and the hash.
void WorkerStats::RecordSignal(SignalKind kind, const uint16_t* tags, int count, int32_t day, const Request& request,
                               uint64_t image_key) {
  const int family = request.client_address_size == 16 ? 1 : 0;
  const uint64_t source = SipHash24(signal_context.source_key, request.client_address,
                                    request.client_address == nullptr ? 0 : request.client_address_size);
  TaSetKey key;
  if (!key.SetTags(tags, std::min<int>(count, QueryInfo::kMaxTags))) {
    ta_signals.AddOverflow(family, source);
    return;
  }
  key.day = day;
  key.dnskey_id = static_cast<uint32_t>(image_key);
  key.kind = kind;
  ta_signals.Add(key, family, source);
}

StatsRegistry::StatsRegistry(const TaSignalLimits& limits, const LabClock* clock) {
  signal_context_.limits = limits;
  signal_context_.clock = clock;
  std::random_device random;
  for (uint8_t& octet : signal_context_.source_key) octet = static_cast<uint8_t>(random());
}

WorkerStats* StatsRegistry::Add() {
  std::lock_guard lock(mutex_);
  workers_.push_back(std::make_unique<WorkerStats>(signal_context_));
  return workers_.back().get();
}

StatsSnapshot StatsRegistry::Snapshot() const {
  StatsSnapshot s;
  std::lock_guard lock(mutex_);
  std::vector<const TaSignalCounter*> signal_counters;
  for (const auto& w : workers_) {
    signal_counters.push_back(&w->ta_signals);
    TrafficCounts traffic;
    w->daily.AddTotals(&traffic);
    s.worker_queries.push_back(traffic.TotalQueries());
    s.Add(traffic);
    for (int t = 0; t < 2; ++t) {
      s.query_bytes[t] += w->query_bytes[t].load(kRelaxed);
      s.response_bytes[t] += w->response_bytes[t].load(kRelaxed);
    }
    s.truncated += w->truncated.load(kRelaxed);
    for (int b = 0; b < WorkerStats::kDnskeySizeBuckets; ++b) s.dnskey_responses[b] += w->dnskey_responses[b].load(kRelaxed);
    s.dnskey_response_bytes += w->dnskey_response_bytes.load(kRelaxed);
    s.edns += w->edns.load(kRelaxed);
    s.dnssec_ok += w->dnssec_ok.load(kRelaxed);
    s.ta_queries += w->ta_queries.load(kRelaxed);
    s.edns_key_tag_queries += w->edns_key_tag_queries.load(kRelaxed);
    w->answered_by_image.AddTo(&s.answered_by_image, &s.image_overflow);
    s.tcp_accepted += w->tcp_accepted.load(kRelaxed);
    s.tcp_closed_idle += w->tcp_closed_idle.load(kRelaxed);
    s.tcp_evicted += w->tcp_evicted.load(kRelaxed);
    s.tcp_closed_error += w->tcp_closed_error.load(kRelaxed);
    s.udp_send_errors += w->udp_send_errors.load(kRelaxed);
    if (w->dataplane_worker) {
      const DataplaneCounters& d = w->dataplane;
      ++s.dataplane_workers;
      s.dp_rx += d.rx.load(kRelaxed);
      s.dp_tx += d.tx.load(kRelaxed);
      s.dp_tx_dropped += d.tx_dropped.load(kRelaxed);
      s.dp_to_kernel += d.to_kernel.load(kRelaxed);
      s.dp_from_kernel += d.from_kernel.load(kRelaxed);
      s.dp_truncated_to_fit += d.truncated_to_fit.load(kRelaxed);
      for (int r = 0; r < DataplaneCounters::kReasons; ++r) s.dp_frames[r] += d.frames[r].load(kRelaxed);
    }
  }
  s.ta_signals = TaSignalCounter::Merge(signal_counters);
  return s;
}

DailyTotals StatsRegistry::Daily(int32_t day) const {
  std::lock_guard lock(mutex_);
  std::vector<const DailyTraffic*> daily;
  for (const auto& w : workers_) daily.push_back(&w->daily);
  return DailyTraffic::Sum(daily, day);
}

std::vector<int32_t> StatsRegistry::DaysHeld() const {
  std::lock_guard lock(mutex_);
  std::vector<int32_t> days;
  for (const auto& w : workers_) w->daily.DaysHeld(&days);
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  return days;
}

int32_t StatsRegistry::Today() const { return DayOf(signal_context_.clock, absl::Now()); }

uint64_t StatsSnapshot::SignalOverflow() const { return ta_signals.overflow.queries[0] + ta_signals.overflow.queries[1]; }

std::string StatsSnapshot::ToText() const {
  auto line = [](std::string_view name, auto value) {
    return Cat(name, std::string(name.size() < 19 ? 19 - name.size() : 1, ' '), value, "\n");
  };
  std::string out;
  out += line("queries", TotalQueries());
  out += line("  udp ipv4", queries[0][0]) + line("  udp ipv6", queries[0][1]);
  out += line("  tcp ipv4", queries[1][0]) + line("  tcp ipv6", queries[1][1]);
  out += line("responses", TotalResponses());
  out += line("dropped", Dropped());
  for (int r = 0; r < kRcodeSlots; ++r) {
    if (rcodes[r] != 0) out += line(Cat("rcode ", RcodeText(r)), rcodes[r]);
  }
  out += line("truncated (TC)", truncated) + line("edns", edns) + line("dnssec ok (DO)", dnssec_ok);
  out += line("query bytes udp", query_bytes[0]) + line("query bytes tcp", query_bytes[1]);
  out += line("response bytes udp", response_bytes[0]) + line("response bytes tcp", response_bytes[1]);
  out += line("rfc8145 _ta query", ta_queries) + line("rfc8145 edns tags", edns_key_tag_queries);
  out += line("rfc8145 sets", ta_signals.sets.size()) + line("rfc8145 overflow", SignalOverflow());
  for (const auto& [key, count] : answered_by_image) out += line(Cat("image ", zone::ImageIdentity::StatsKeyText(key)), count);
  out += line("tcp accepted", tcp_accepted) + line("tcp closed idle", tcp_closed_idle);
  out += line("tcp evicted", tcp_evicted) + line("tcp closed error", tcp_closed_error);
  out += line("udp send errors", udp_send_errors);
  if (dataplane_workers > 0) {
    out += line("dpdk workers", dataplane_workers);
    out += line("dpdk rx", dp_rx) + line("dpdk tx", dp_tx) + line("dpdk tx dropped", dp_tx_dropped);
    out += line("dpdk to kernel", dp_to_kernel) + line("dpdk from kernel", dp_from_kernel);
    out += line("dpdk cut to fit", dp_truncated_to_fit);
    for (int r = 0; r < DataplaneCounters::kReasons; ++r)
      out += line(Cat("  ", DataplaneCounters::kFrameReasonNames[r]), dp_frames[r]);
  }
  return out;
}

std::string StatsSnapshot::ToJson() const {
  JsonWriter json;
  json.BeginObject();
  WriteJsonFields(json);
  json.EndObject();
  return json.str();
}

void StatsSnapshot::WriteJsonFields(JsonWriter& json) const {
  json.Key("queries").Number(TotalQueries());
  json.Key("queries_udp_ipv4").Number(queries[0][0]).Key("queries_udp_ipv6").Number(queries[0][1]);
  json.Key("queries_tcp_ipv4").Number(queries[1][0]).Key("queries_tcp_ipv6").Number(queries[1][1]);
  json.Key("responses").Number(TotalResponses()).Key("dropped").Number(Dropped());
  json.Key("rcodes").BeginObject();
  for (int r = 0; r < kRcodeSlots; ++r) {
    if (rcodes[r] != 0) json.Key(RcodeText(r)).Number(rcodes[r]);
  }
  json.EndObject();
  json.Key("truncated").Number(truncated).Key("edns").Number(edns).Key("dnssec_ok").Number(dnssec_ok);
  json.Key("query_bytes_udp").Number(query_bytes[0]).Key("query_bytes_tcp").Number(query_bytes[1]);
  json.Key("response_bytes_udp").Number(response_bytes[0]).Key("response_bytes_tcp").Number(response_bytes[1]);
  json.Key("rfc8145_ta_queries").Number(ta_queries);
  json.Key("rfc8145_edns_key_tag_queries").Number(edns_key_tag_queries);
  json.Key("rfc8145_sets").Number(ta_signals.sets.size()).Key("rfc8145_overflow").Number(SignalOverflow());
  json.Key("answered_by_image");
  AddCounts(answered_by_image, json);
  json.Key("image_overflow").Number(image_overflow);
  json.Key("tcp_accepted").Number(tcp_accepted).Key("tcp_closed_idle").Number(tcp_closed_idle);
  json.Key("tcp_evicted").Number(tcp_evicted).Key("tcp_closed_error").Number(tcp_closed_error);
  json.Key("udp_send_errors").Number(udp_send_errors);
  json.Key("dataplane").BeginObject();
  json.Key("workers").Number(dataplane_workers).Key("rx").Number(dp_rx).Key("tx").Number(dp_tx);
  json.Key("tx_dropped").Number(dp_tx_dropped).Key("to_kernel").Number(dp_to_kernel);
  json.Key("from_kernel").Number(dp_from_kernel).Key("truncated_to_fit").Number(dp_truncated_to_fit);
  json.Key("frames").BeginObject();
  for (int r = 0; r < DataplaneCounters::kReasons; ++r)
    json.Key(DataplaneCounters::kFrameReasonNames[r]).Number(dp_frames[r]);
  json.EndObject();
  json.EndObject();
}

}  // namespace rootd::server

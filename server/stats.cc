#include "server/stats.h"

#include "zone/text.h"

namespace rootd::server {

namespace {
constexpr auto kRelaxed = std::memory_order_relaxed;

inline void Bump(std::atomic<uint64_t>& counter, uint64_t by = 1) {
  // Single writer: a load and a store, no locked instruction on the query path.
  counter.store(counter.load(kRelaxed) + by, kRelaxed);
}

const char* RcodeName(int rcode) {
  static const char* const kNames[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",  "REFUSED",
                                       "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",  "NOTZONE"};
  if (rcode >= 0 && rcode < 11) return kNames[rcode];
  if (rcode == 16) return "BADVERS";
  if (rcode == 23) return "OTHER";
  return nullptr;
}
}  // namespace

void TagCounter::Add(uint16_t tag) {
  uint32_t key = uint32_t{tag} + 1;
  for (int probe = 0; probe < kSlots; ++probe) {
    Entry& entry = entries_[(tag + probe) % kSlots];
    uint32_t held = entry.tag_plus_one.load(kRelaxed);
    if (held == 0) {
      entry.tag_plus_one.store(key, std::memory_order_release);
      held = key;
    }
    if (held == key) {
      Bump(entry.count);
      return;
    }
  }
  Bump(overflow_);
}

void TagCounter::AddTo(std::map<uint16_t, uint64_t>* totals, uint64_t* overflow) const {
  for (const Entry& entry : entries_) {
    uint32_t key = entry.tag_plus_one.load(std::memory_order_acquire);
    if (key == 0) continue;
    uint64_t count = entry.count.load(kRelaxed);
    if (count > 0) (*totals)[static_cast<uint16_t>(key - 1)] += count;
  }
  *overflow += overflow_.load(kRelaxed);
}

void WorkerStats::Count(Transport transport, Family family, const QueryInfo& info) {
  int t = transport == Transport::kTcp ? 1 : 0;
  int f = family == Family::kIpv6 ? 1 : 0;
  Bump(queries[t][f]);
  if (info.dropped) {
    Bump(dropped);
    return;
  }
  Bump(responses[t][f]);
  Bump(rcodes[info.rcode < 23 ? info.rcode : 23]);
  if (info.truncated) Bump(truncated);
  if (info.edns) Bump(edns);
  if (info.dnssec_ok) Bump(dnssec_ok);
  Bump(response_bytes, info.response_size);
  if (info.ta_query_tag_count > 0) {
    Bump(ta_queries);
    for (int i = 0; i < info.ta_query_tag_count && i < QueryInfo::kMaxTags; ++i) ta_query_tags.Add(info.ta_query_tags[i]);
  }
  if (info.edns_key_tag_count > 0) {
    Bump(edns_key_tag_queries);
    for (int i = 0; i < info.edns_key_tag_count && i < QueryInfo::kMaxTags; ++i) edns_key_tags.Add(info.edns_key_tags[i]);
  }
}

WorkerStats* StatsRegistry::Add() {
  std::lock_guard lock(mutex_);
  workers_.push_back(std::make_unique<WorkerStats>());
  return workers_.back().get();
}

StatsSnapshot StatsRegistry::Snapshot() const {
  StatsSnapshot s;
  std::lock_guard lock(mutex_);
  for (const auto& w : workers_) {
    for (int t = 0; t < 2; ++t) {
      for (int f = 0; f < 2; ++f) {
        s.queries[t][f] += w->queries[t][f].load(kRelaxed);
        s.responses[t][f] += w->responses[t][f].load(kRelaxed);
      }
    }
    s.dropped += w->dropped.load(kRelaxed);
    for (int r = 0; r < 24; ++r) s.rcodes[r] += w->rcodes[r].load(kRelaxed);
    s.truncated += w->truncated.load(kRelaxed);
    s.edns += w->edns.load(kRelaxed);
    s.dnssec_ok += w->dnssec_ok.load(kRelaxed);
    s.response_bytes += w->response_bytes.load(kRelaxed);
    s.ta_queries += w->ta_queries.load(kRelaxed);
    s.edns_key_tag_queries += w->edns_key_tag_queries.load(kRelaxed);
    w->ta_query_tags.AddTo(&s.ta_query_tags, &s.tag_overflow);
    w->edns_key_tags.AddTo(&s.edns_key_tags, &s.tag_overflow);
    s.tcp_accepted += w->tcp_accepted.load(kRelaxed);
    s.tcp_closed_idle += w->tcp_closed_idle.load(kRelaxed);
    s.tcp_evicted += w->tcp_evicted.load(kRelaxed);
    s.tcp_closed_error += w->tcp_closed_error.load(kRelaxed);
    s.udp_send_errors += w->udp_send_errors.load(kRelaxed);
  }
  return s;
}

uint64_t StatsSnapshot::TotalQueries() const { return queries[0][0] + queries[0][1] + queries[1][0] + queries[1][1]; }
uint64_t StatsSnapshot::TotalResponses() const {
  return responses[0][0] + responses[0][1] + responses[1][0] + responses[1][1];
}

std::string StatsSnapshot::ToText() const {
  std::string out;
  out += Cat("queries            ", TotalQueries(), "\n");
  out += Cat("  udp ipv4         ", queries[0][0], "\n", "  udp ipv6         ", queries[0][1], "\n");
  out += Cat("  tcp ipv4         ", queries[1][0], "\n", "  tcp ipv6         ", queries[1][1], "\n");
  out += Cat("responses          ", TotalResponses(), "\n");
  out += Cat("dropped            ", dropped, "\n");
  for (int r = 0; r < 24; ++r) {
    if (rcodes[r] == 0) continue;
    const char* name = RcodeName(r);
    out += Cat("rcode ", name ? std::string(name) : Cat("RCODE", r), std::string(name ? 13 - std::string(name).size() : 5, ' '),
               rcodes[r], "\n");
  }
  out += Cat("truncated (TC)     ", truncated, "\n", "edns               ", edns, "\n");
  out += Cat("dnssec ok (DO)     ", dnssec_ok, "\n", "response bytes     ", response_bytes, "\n");
  out += Cat("rfc8145 _ta query  ", ta_queries, "\n");
  for (const auto& [tag, count] : ta_query_tags) out += Cat("  key tag ", tag, "  ", count, "\n");
  out += Cat("rfc8145 edns tags  ", edns_key_tag_queries, "\n");
  for (const auto& [tag, count] : edns_key_tags) out += Cat("  key tag ", tag, "  ", count, "\n");
  out += Cat("tcp accepted       ", tcp_accepted, "\n", "tcp closed idle    ", tcp_closed_idle, "\n");
  out += Cat("tcp evicted        ", tcp_evicted, "\n", "tcp closed error   ", tcp_closed_error, "\n");
  out += Cat("udp send errors    ", udp_send_errors, "\n");
  return out;
}

std::string StatsSnapshot::ToJson() const {
  auto tags = [](const std::map<uint16_t, uint64_t>& map) {
    std::string out = "{";
    for (const auto& [tag, count] : map) out += Cat(out.size() > 1 ? "," : "", "\"", tag, "\":", count);
    return out + "}";
  };
  std::string rc = "{";
  for (int r = 0; r < 24; ++r) {
    if (rcodes[r] == 0) continue;
    const char* name = RcodeName(r);
    rc += Cat(rc.size() > 1 ? "," : "", "\"", name ? std::string(name) : Cat("RCODE", r), "\":", rcodes[r]);
  }
  rc += "}";
  return Cat("{\"queries\":", TotalQueries(), ",\"queries_udp_ipv4\":", queries[0][0], ",\"queries_udp_ipv6\":",
             queries[0][1], ",\"queries_tcp_ipv4\":", queries[1][0], ",\"queries_tcp_ipv6\":", queries[1][1],
             ",\"responses\":", TotalResponses(), ",\"dropped\":", dropped, ",\"rcodes\":", rc,
             ",\"truncated\":", truncated, ",\"edns\":", edns, ",\"dnssec_ok\":", dnssec_ok,
             ",\"response_bytes\":", response_bytes, ",\"rfc8145_ta_queries\":", ta_queries,
             ",\"rfc8145_ta_query_tags\":", tags(ta_query_tags), ",\"rfc8145_edns_key_tag_queries\":",
             edns_key_tag_queries, ",\"rfc8145_edns_key_tags\":", tags(edns_key_tags),
             ",\"tag_overflow\":", tag_overflow, ",\"tcp_accepted\":", tcp_accepted,
             ",\"tcp_closed_idle\":", tcp_closed_idle, ",\"tcp_evicted\":", tcp_evicted,
             ",\"tcp_closed_error\":", tcp_closed_error, ",\"udp_send_errors\":", udp_send_errors, "}");
}

}  // namespace rootd::server

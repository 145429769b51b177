#include "server/stats.h"

#include "server/json_writer.h"
#include "zone/text.h"

namespace rootd::server {

namespace {
constexpr auto kRelaxed = std::memory_order_relaxed;

const char* RcodeName(int rcode) {
  static const char* const kNames[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",  "REFUSED",
                                       "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",  "NOTZONE"};
  if (rcode >= 0 && rcode < 11) return kNames[rcode];
  if (rcode == 16) return "BADVERS";
  if (rcode == 23) return "OTHER";
  return nullptr;
}

std::string RcodeText(int rcode) {
  const char* name = RcodeName(rcode);
  return name ? std::string(name) : Cat("RCODE", rcode);
}

void AddCounts(const std::map<uint64_t, uint64_t>& counts, JsonWriter& json, bool as_image_keys) {
  json.BeginObject();
  for (const auto& [key, count] : counts) json.Key(as_image_keys ? zone::ImageIdentity::StatsKeyText(key) : Cat(key)).Number(count);
  json.EndObject();
}
}  // namespace

// In dataplane::Reason's order (the dataplane checks the count).
const char* const DataplaneCounters::kFrameReasonNames[kReasons] = {
    "dns_query",        "not_ip",          "ip_fragment",     "ip_options_or_ext",  "not_udp",
    "not_our_address",  "not_our_port",    "truncated",       "bad_ip_checksum",    "bad_udp_checksum",
    "bad_source_port",  "bad_source_address", "bad_ip_header"};

template <int kSlots>
void KeyCounter<kSlots>::Add(uint64_t key) {
  const uint64_t stored = key + 1;  // 0 marks a free slot
  for (int probe = 0; probe < kSlots; ++probe) {
    Entry& entry = entries_[(key + probe) % kSlots];
    uint64_t held = entry.key_plus_one.load(kRelaxed);
    if (held == 0) {
      entry.key_plus_one.store(stored, std::memory_order_release);
      held = stored;
    }
    if (held == stored) {
      Bump(entry.count);
      return;
    }
  }
  Bump(overflow_);
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

void WorkerStats::Record(const Request& request, const QueryInfo& info, uint64_t image_key) {
  const int t = request.transport == Transport::kTcp ? 1 : 0;
  const int f = request.client_address_size == 16 ? 1 : 0;
  Bump(queries[t][f]);
  Bump(query_bytes[t], info.query_size);
  if (info.dropped) {
    Bump(dropped);
    return;
  }
  Bump(responses[t][f]);
  Bump(response_bytes[t], info.response_size);
  Bump(rcodes[info.rcode < 23 ? info.rcode : 23]);
  if (info.truncated) Bump(truncated);
  if (info.edns) Bump(edns);
  if (info.dnssec_ok) Bump(dnssec_ok);
  answered_by_image.Add(image_key);
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
      s.query_bytes[t] += w->query_bytes[t].load(kRelaxed);
      s.response_bytes[t] += w->response_bytes[t].load(kRelaxed);
    }
    s.dropped += w->dropped.load(kRelaxed);
    for (int r = 0; r < 24; ++r) s.rcodes[r] += w->rcodes[r].load(kRelaxed);
    s.truncated += w->truncated.load(kRelaxed);
    s.edns += w->edns.load(kRelaxed);
    s.dnssec_ok += w->dnssec_ok.load(kRelaxed);
    s.ta_queries += w->ta_queries.load(kRelaxed);
    s.edns_key_tag_queries += w->edns_key_tag_queries.load(kRelaxed);
    w->ta_query_tags.AddTo(&s.ta_query_tags, &s.tag_overflow);
    w->edns_key_tags.AddTo(&s.edns_key_tags, &s.tag_overflow);
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
  return s;
}

uint64_t StatsSnapshot::TotalQueries() const { return queries[0][0] + queries[0][1] + queries[1][0] + queries[1][1]; }
uint64_t StatsSnapshot::TotalResponses() const {
  return responses[0][0] + responses[0][1] + responses[1][0] + responses[1][1];
}

std::string StatsSnapshot::ToText() const {
  auto line = [](std::string_view name, auto value) {
    return Cat(name, std::string(name.size() < 19 ? 19 - name.size() : 1, ' '), value, "\n");
  };
  std::string out;
  out += line("queries", TotalQueries());
  out += line("  udp ipv4", queries[0][0]) + line("  udp ipv6", queries[0][1]);
  out += line("  tcp ipv4", queries[1][0]) + line("  tcp ipv6", queries[1][1]);
  out += line("responses", TotalResponses());
  out += line("dropped", dropped);
  for (int r = 0; r < 24; ++r) {
    if (rcodes[r] != 0) out += line(Cat("rcode ", RcodeText(r)), rcodes[r]);
  }
  out += line("truncated (TC)", truncated) + line("edns", edns) + line("dnssec ok (DO)", dnssec_ok);
  out += line("query bytes udp", query_bytes[0]) + line("query bytes tcp", query_bytes[1]);
  out += line("response bytes udp", response_bytes[0]) + line("response bytes tcp", response_bytes[1]);
  out += line("rfc8145 _ta query", ta_queries);
  for (const auto& [tag, count] : ta_query_tags) out += line(Cat("  key tag ", tag), count);
  out += line("rfc8145 edns tags", edns_key_tag_queries);
  for (const auto& [tag, count] : edns_key_tags) out += line(Cat("  key tag ", tag), count);
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
  json.Key("responses").Number(TotalResponses()).Key("dropped").Number(dropped);
  json.Key("rcodes").BeginObject();
  for (int r = 0; r < 24; ++r) {
    if (rcodes[r] != 0) json.Key(RcodeText(r)).Number(rcodes[r]);
  }
  json.EndObject();
  json.Key("truncated").Number(truncated).Key("edns").Number(edns).Key("dnssec_ok").Number(dnssec_ok);
  json.Key("query_bytes_udp").Number(query_bytes[0]).Key("query_bytes_tcp").Number(query_bytes[1]);
  json.Key("response_bytes_udp").Number(response_bytes[0]).Key("response_bytes_tcp").Number(response_bytes[1]);
  json.Key("rfc8145_ta_queries").Number(ta_queries).Key("rfc8145_ta_query_tags");
  AddCounts(ta_query_tags, json, false);
  json.Key("rfc8145_edns_key_tag_queries").Number(edns_key_tag_queries).Key("rfc8145_edns_key_tags");
  AddCounts(edns_key_tags, json, false);
  json.Key("tag_overflow").Number(tag_overflow).Key("answered_by_image");
  AddCounts(answered_by_image, json, true);
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

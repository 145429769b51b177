#include "server/prometheus.h"

#include <cstdio>

#include "absl/time/time.h"
#include "zone/image.h"
#include "zone/text.h"

namespace rootd::server {

namespace {

// Label values are quoted with \, " and newline escaped (the exposition format's rules).
std::string Quoted(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    out += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  return out + "\"";
}

class Exposition {
 public:
  // One metric family: its HELP and TYPE lines, then samples.
  Exposition& Family(std::string_view name, std::string_view type, std::string_view help) {
    name_ = std::string(name);
    out_ += Cat("# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
    return *this;
  }
  // `labels`: `key="value",...` already quoted, or empty.
  Exposition& Sample(std::string_view labels, uint64_t value, std::string_view suffix = "") {
    out_ += Cat(name_, suffix, labels.empty() ? "" : "{", labels, labels.empty() ? "" : "}", " ", value, "\n");
    return *this;
  }
  Exposition& Gauge(std::string_view labels, double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", value);
    out_ += Cat(name_, labels.empty() ? "" : "{", labels, labels.empty() ? "" : "}", " ", text, "\n");
    return *this;
  }
  const std::string& str() const { return out_; }

 private:
  std::string name_;
  std::string out_;
};

const char* const kTransports[] = {"udp", "tcp"};
const char* const kFamilies[] = {"ipv4", "ipv6"};

std::string TransportFamily(int t, int f) { return Cat("transport=\"", kTransports[t], "\",family=\"", kFamilies[f], "\""); }

void AddExpiry(Exposition& out, std::string_view name, std::string_view help, absl::Time expire) {
  if (expire == absl::InfiniteFuture()) return;  // nothing verified or served: no sample
  out.Family(name, "gauge", help).Gauge("", static_cast<double>(absl::ToUnixSeconds(expire)));
}

}  // namespace

std::string PrometheusText(const StatsSnapshot& s, const ZoneStatus& zone) {
  Exposition out;
  out.Family("rootd_queries_total", "counter", "DNS queries received, by transport and address family.");
  for (int t = 0; t < 2; ++t) {
    for (int f = 0; f < 2; ++f) out.Sample(TransportFamily(t, f), s.queries[t][f]);
  }
  out.Family("rootd_responses_total", "counter", "DNS responses sent, by transport and address family.");
  for (int t = 0; t < 2; ++t) {
    for (int f = 0; f < 2; ++f) out.Sample(TransportFamily(t, f), s.responses[t][f]);
  }
  out.Family("rootd_dropped_queries_total", "counter", "Queries not answered (malformed beyond FORMERR).").Sample("", s.Dropped());
  out.Family("rootd_responses_by_rcode_total", "counter", "DNS responses by (extended) RCODE.");
  for (int r = 0; r < kRcodeSlots; ++r) {
    if (s.rcodes[r] != 0) out.Sample(Cat("rcode=\"", r == kOtherRcodeSlot ? std::string("other") : Cat(r), "\""), s.rcodes[r]);
  }
  out.Family("rootd_truncated_responses_total", "counter", "Responses with TC set (the client retries over TCP).")
      .Sample("", s.truncated);
  out.Family("rootd_edns_queries_total", "counter", "Queries with an OPT record.").Sample("", s.edns);
  out.Family("rootd_dnssec_ok_queries_total", "counter", "Queries with the DO bit.").Sample("", s.dnssec_ok);
  out.Family("rootd_query_bytes_total", "counter", "DNS message octets received, by transport.");
  for (int t = 0; t < 2; ++t) out.Sample(Cat("transport=\"", kTransports[t], "\""), s.query_bytes[t]);
  out.Family("rootd_response_bytes_total", "counter", "DNS message octets sent, by transport.");
  for (int t = 0; t < 2; ++t) out.Sample(Cat("transport=\"", kTransports[t], "\""), s.response_bytes[t]);

  out.Family("rootd_dnskey_response_size_bytes", "histogram", "Sizes of DNSKEY responses (the rollover watch).");
  uint64_t cumulative = 0;
  for (int b = 0; b < WorkerStats::kDnskeySizeBuckets; ++b) {
    cumulative += s.dnskey_responses[b];
    const std::string le = b < WorkerStats::kDnskeySizeBuckets - 1 ? Cat(WorkerStats::kDnskeySizeBounds[b]) : "+Inf";
    out.Sample(Cat("le=\"", le, "\""), cumulative, "_bucket");
  }
  out.Sample("", s.dnskey_response_bytes, "_sum").Sample("", cumulative, "_count");

  out.Family("rootd_rfc8145_queries_total", "counter", "Queries carrying an RFC 8145 signal, by kind.");
  out.Sample("signal=\"ta_query\"", s.ta_queries).Sample("signal=\"edns_key_tag\"", s.edns_key_tag_queries);
  out.Family("rootd_rfc8145_set_queries_total", "counter",
             "RFC 8145 signals per trust-anchor set, day of rootd's clock and DNSKEY RRset served.");
  auto set_labels = [](const TaSetKey& set) {
    return Cat("signal=\"", set.kind == SignalKind::kTaQuery ? "ta_query" : "edns_key_tag", "\",tags=\"", set.TagsText(),
               "\",dnskey=\"", zone::ImageIdentity::DnskeyIdText(set.dnskey_id), "\",date=\"",
               DayText(set.day), "\"");
  };
  for (const auto& [set, counts] : s.ta_signals.sets) out.Sample(set_labels(set), counts.queries[0] + counts.queries[1]);
  out.Family("rootd_rfc8145_set_sources", "gauge",
             "Distinct sources per trust-anchor set and day (estimated past the exact bound: see ta-report).");
  for (const auto& [set, counts] : s.ta_signals.sets) out.Sample(set_labels(set), counts.sources[0] + counts.sources[1]);
  out.Family("rootd_rfc8145_overflow_queries_total", "counter", "RFC 8145 signals whose set found no room.")
      .Sample("", s.SignalOverflow());

  out.Family("rootd_image_responses_total", "counter", "Responses per image served (zone serial and DNSKEY RRset).");
  for (const auto& [key, count] : s.answered_by_image) {
    out.Sample(Cat("serial=\"", key >> 32, "\",dnskey=\"", zone::ImageIdentity::DnskeyIdText(static_cast<uint32_t>(key)), "\""),
               count);
  }
  out.Family("rootd_worker_queries_total", "counter", "Queries handled per worker (the load spread).");
  for (size_t w = 0; w < s.worker_queries.size(); ++w) out.Sample(Cat("worker=\"", w, "\""), s.worker_queries[w]);
  out.Family("rootd_tcp_connections_total", "counter", "TCP connections accepted and how they ended.");
  out.Sample("event=\"accepted\"", s.tcp_accepted).Sample("event=\"closed_idle\"", s.tcp_closed_idle);
  out.Sample("event=\"evicted\"", s.tcp_evicted).Sample("event=\"closed_error\"", s.tcp_closed_error);

  if (s.dataplane_workers > 0) {
    out.Family("rootd_dataplane_frames_total", "counter", "DPDK dataplane frames, by what became of them.");
    out.Sample("event=\"rx\"", s.dp_rx).Sample("event=\"tx\"", s.dp_tx).Sample("event=\"tx_dropped\"", s.dp_tx_dropped);
    out.Sample("event=\"to_kernel\"", s.dp_to_kernel).Sample("event=\"from_kernel\"", s.dp_from_kernel);
    out.Sample("event=\"truncated_to_fit\"", s.dp_truncated_to_fit);
    out.Family("rootd_dataplane_frames_by_reason_total", "counter", "DPDK dataplane frames received, by verdict reason.");
    for (int r = 0; r < DataplaneCounters::kReasons; ++r) {
      out.Sample(Cat("reason=\"", DataplaneCounters::kFrameReasonNames[r], "\""), s.dp_frames[r]);
    }
  }
  out.Family("rootd_zone_serial", "gauge", "SOA serial of the zone served.").Sample("", zone.image ? zone.image->serial() : 0u);
  out.Family("rootd_bundle_info", "gauge", "The signature bundle served (\"\": the zone file's own DNSKEY RRset).")
      .Sample(Cat("bundle=", Quoted(zone.bundle)), 1);
  out.Family("rootd_bundle_swaps_total", "counter", "DNSKEY RRsets swapped in from signature bundles.").Sample("", zone.bundle_swaps);
  out.Family("rootd_bundle_refusals_total", "counter", "Signature bundles refused when due.").Sample("", zone.bundle_refusals);
  AddExpiry(out, "rootd_zone_signatures_expire_timestamp_seconds", "Earliest RRSIG expiration of the zone file.",
            zone.zone_signatures_expire);
  AddExpiry(out, "rootd_bundle_signatures_expire_timestamp_seconds", "RRSIG expiration of the bundle served.",
            zone.bundle_signatures_expire);
  out.Family("rootd_reloads_total", "counter", "Zone reloads, by outcome.");
  out.Sample("outcome=\"ok\"", zone.reloads_ok).Sample("outcome=\"failed\"", zone.reloads_failed);
  return out.str();
}

}  // namespace rootd::server

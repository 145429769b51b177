#include "server/ta_report.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "absl/time/time.h"
#include "server/daily_traffic.h"
#include "server/json_writer.h"
#include "zone/image.h"
#include "zone/text.h"

namespace rootd::server {

namespace {
const char* KindText(SignalKind kind) { return kind == SignalKind::kTaQuery ? "_ta query" : "edns-key-tag"; }
const char* KindKey(SignalKind kind) { return kind == SignalKind::kTaQuery ? "ta_query" : "edns_key_tag"; }

std::string Percent(double share) {
  char text[16];
  std::snprintf(text, sizeof text, "%.1f%%", share * 100);
  return text;
}

// "~1203" when estimated.
std::string SourcesText(uint64_t sources, bool estimated) { return Cat(estimated ? "~" : "", sources); }

uint64_t Sum(const uint64_t (&by_family)[2]) { return by_family[0] + by_family[1]; }

void WriteCounts(const TaSetCounts& counts, JsonWriter& json) {
  json.Key("queries").Number(Sum(counts.queries));
  json.Key("queries_ipv4").Number(counts.queries[0]).Key("queries_ipv6").Number(counts.queries[1]);
  json.Key("sources").Number(Sum(counts.sources));
  json.Key("sources_ipv4").Number(counts.sources[0]).Key("sources_ipv6").Number(counts.sources[1]);
  json.Key("sources_estimated").Bool(counts.estimated);
}
}  // namespace

std::vector<TaReportDay> TaReportDays(const TaSignalTotals& totals, const TaReportKeys& keys) {
  std::map<std::pair<int32_t, SignalKind>, TaReportDay> days;
  for (const auto& [set, counts] : totals.sets) {
    TaReportDay& day = days[{set.day, set.kind}];
    day.day = set.day;
    day.kind = set.kind;
    day.sets.emplace_back(set, counts);
    const uint64_t sources = Sum(counts.sources);
    const bool trusts_old = set.Trusts(keys.old_ksk), trusts_new = set.Trusts(keys.new_ksk);
    day.sources += sources;
    (trusts_old ? (trusts_new ? day.both : day.old_only) : (trusts_new ? day.new_only : day.neither)) += sources;
    day.estimated |= counts.estimated;
  }
  std::vector<TaReportDay> out;
  for (auto& [key, day] : days) out.push_back(std::move(day));
  return out;
}

std::string TaReportText(const TaSignalTotals& totals, const TaReportKeys& keys) {
  std::string out = Cat("RFC 8145 trust-anchor signals by day of rootd's clock (old KSK ", keys.old_ksk, ", new KSK ",
                        keys.new_ksk, "; ~ marks an estimate)\n");
  const std::vector<TaReportDay> days = TaReportDays(totals, keys);
  if (days.empty()) out += "no signals yet\n";
  for (const TaReportDay& day : days) {
    out += Cat("\n", DayText(day.day), "  ", KindText(day.kind), "\n");
    out += "  sources  queries  DNSKEY    key tags\n";
    for (const auto& [set, counts] : day.sets) {
      char line[64];
      std::snprintf(line, sizeof line, "  %7s  %7llu  %s  ", SourcesText(Sum(counts.sources), counts.estimated).c_str(),
                    static_cast<unsigned long long>(Sum(counts.queries)),
                    zone::ImageIdentity::DnskeyIdText(set.dnskey_id).c_str());
      out += Cat(line, set.TagsText(), "\n");
    }
    out += Cat("  ", SourcesText(day.sources, day.estimated), " sources: old only ", Percent(day.Share(day.old_only)),
               ", new only ", Percent(day.Share(day.new_only)), ", both ", Percent(day.Share(day.both)), ", neither ",
               Percent(day.Share(day.neither)), "\n");
  }
  const TaSetCounts& overflow = totals.overflow;
  out += Cat("\noverflow (no room for the set): ", Sum(overflow.queries), " queries, ",
             SourcesText(Sum(overflow.sources), overflow.estimated), " sources\n");
  return out;
}

std::string TaReportJson(const TaSignalTotals& totals, const TaReportKeys& keys) {
  JsonWriter json;
  json.BeginObject().Key("old_ksk").Number(uint64_t{keys.old_ksk}).Key("new_ksk").Number(uint64_t{keys.new_ksk});
  json.Key("days").BeginArray();
  for (const TaReportDay& day : TaReportDays(totals, keys)) {
    json.BeginObject().Key("date").String(DayText(day.day)).Key("signal").String(KindKey(day.kind));
    json.Key("sources").Number(day.sources).Key("sources_estimated").Bool(day.estimated);
    json.Key("old_only").Number(day.Share(day.old_only)).Key("new_only").Number(day.Share(day.new_only));
    json.Key("both").Number(day.Share(day.both)).Key("neither").Number(day.Share(day.neither));
    json.Key("sets").BeginArray();
    for (const auto& [set, counts] : day.sets) {
      json.BeginObject().Key("tags").BeginArray();
      for (int i = 0; i < set.tag_count; ++i) json.Number(uint64_t{set.tags[i]});
      json.EndArray().Key("dnskey").String(zone::ImageIdentity::DnskeyIdText(set.dnskey_id));
      WriteCounts(counts, json);
      json.EndObject();
    }
    json.EndArray().EndObject();
  }
  json.EndArray().Key("overflow").BeginObject();
  WriteCounts(totals.overflow, json);
  json.EndObject().EndObject();
  return json.str() + "\n";
}

// The chart's geometry and colours; the test reads the picture back at these places.
std::string TaReportSvg(const TaSignalTotals& totals, const TaReportKeys& keys) {
  constexpr int kLeft = 60, kTop = 60, kPlot = 200, kBar = 30, kStep = 40;
  const std::vector<TaReportDay> days = TaReportDays(totals, keys);
  const int width = std::max(kLeft + static_cast<int>(days.size()) * kStep + 20, kLeft + 4 * 150);  // bars, legend
  const int height = kTop + kPlot + 60;
  std::string svg = Cat("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"", width, "\" height=\"", height,
                        "\" font-family=\"sans-serif\" font-size=\"11\">\n", "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
  struct Part {
    const char* label;
    const char* colour;
    uint64_t TaReportDay::*sources;
  };
  const std::string old_label = Cat("trusts only KSK ", keys.old_ksk), new_label = Cat("trusts only KSK ", keys.new_ksk);
  const std::string both_label = Cat("trusts both");
  const Part parts[] = {{old_label.c_str(), "#d62728", &TaReportDay::old_only},
                        {both_label.c_str(), "#ff7f0e", &TaReportDay::both},
                        {new_label.c_str(), "#2ca02c", &TaReportDay::new_only},
                        {"trusts neither", "#7f7f7f", &TaReportDay::neither}};
  svg += Cat("<text x=\"", kLeft, "\" y=\"16\" font-size=\"13\">RFC 8145: share of reporting sources by trust anchor</text>\n");
  for (size_t p = 0; p < 4; ++p) {
    const int x = kLeft + static_cast<int>(p) * 150;
    svg += Cat("<rect x=\"", x, "\" y=\"26\" width=\"10\" height=\"10\" fill=\"", parts[p].colour, "\"/>");
    svg += Cat("<text x=\"", x + 14, "\" y=\"35\">", parts[p].label, "</text>\n");
  }
  svg += Cat("<line x1=\"", kLeft - 4, "\" y1=\"", kTop + kPlot, "\" x2=\"", width - 10, "\" y2=\"", kTop + kPlot,
             "\" stroke=\"#000000\"/>\n");
  for (int pct = 0; pct <= 100; pct += 50) {
    svg += Cat("<text x=\"", kLeft - 8, "\" y=\"", kTop + kPlot - pct * kPlot / 100 + 4, "\" text-anchor=\"end\">", pct,
               "%</text>\n");
  }
  for (size_t i = 0; i < days.size(); ++i) {
    const TaReportDay& day = days[i];
    const int x = kLeft + static_cast<int>(i) * kStep;
    double bottom = kTop + kPlot;
    for (const Part& part : parts) {
      const double h = day.Share(day.*part.sources) * kPlot;
      if (h <= 0) continue;
      char rect[160];
      std::snprintf(rect, sizeof rect, "<rect x=\"%d\" y=\"%.2f\" width=\"%d\" height=\"%.2f\" fill=\"%s\"/>\n", x,
                    bottom - h, kBar, h, part.colour);
      svg += rect;
      bottom -= h;
    }
    const std::string date = DayText(day.day);
    svg += Cat("<text x=\"", x + kBar / 2, "\" y=\"", kTop + kPlot + 14, "\" text-anchor=\"middle\">", date.substr(5),
               "</text>");
    svg += Cat("<text x=\"", x + kBar / 2, "\" y=\"", kTop + kPlot + 28, "\" text-anchor=\"middle\">",
               day.kind == SignalKind::kTaQuery ? "_ta" : "tag", "</text>\n");
  }
  return svg + "</svg>\n";
}

}  // namespace rootd::server

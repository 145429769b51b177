// rootd-pcap2dnsperf: the DNS queries of a pcap capture as a dnsperf input file.
// Exit status: 0 on success (even if packets were skipped), 1 if the capture cannot be read or
// the output written, 2 on usage errors.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "server/command_line.h"
#include "tools/pcap_reader.h"
#include "tools/query_extractor.h"
#include "zone/text.h"

namespace {

constexpr char kUsage[] =
    "usage: rootd-pcap2dnsperf [options] CAPTURE.pcap\n"
    "Writes the DNS queries of a classic pcap capture as dnsperf input, \"name TYPE\" per line.\n"
    "Queries: QR=0, opcode QUERY, one question, class IN, no compression in the question, to\n"
    "the DNS port. Link types: Ethernet (with VLAN tags), raw IP, Linux cooked (SLL, SLL2),\n"
    "BSD loopback; IPv4 and IPv6 (extension headers walked, fragments skipped). pcapng is not\n"
    "read: convert it with editcap -F pcap IN.pcapng OUT.pcap.\n"
    "options:\n"
    "  --out FILE       output file (default stdout)\n"
    "  --port N         destination port of the queries (default 53)\n"
    "  --tcp            also read TCP segments that hold whole DNS messages (no reassembly)\n"
    "  --limit N        stop after N queries\n"
    "  --skip-escaped   leave out names that need \\DDD escapes (see below)\n"
    "Counts go to stderr: packets, queries written, and packets skipped by reason.\n"
    "Names are in RFC 1035 presentation format. dnsperf 2.10 misreads \\DDD escapes (it\n"
    "sends \\032 as 0x17), so names with octets outside printable ASCII are sent differently\n"
    "from the capture; they are counted, and --skip-escaped drops them.\n";

// True if the presentation name has a \DDD escape (the form dnsperf 2.10 decodes wrongly).
bool HasDecimalEscape(const std::string& name) {
  for (size_t i = 0; i + 1 < name.size(); ++i) {
    if (name[i] == '\\') {
      if (name[i + 1] >= '0' && name[i + 1] <= '9') return true;
      ++i;  // "\\" or "\." : skip the escaped character
    }
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  std::string capture_path;
  std::string out_path;
  rootd::tools::ExtractOptions options;
  uint64_t limit = UINT64_MAX;
  bool skip_escaped = false;
  rootd::server::CommandLine command_line("rootd-pcap2dnsperf", kUsage);
  command_line.Option("out", &out_path)
      .Option("port",
              [&options](const std::string& v) {
                uint64_t port = 0;
                if (!rootd::server::ParseUint64(v, 65535, &port) || port == 0) return false;
                options.port = static_cast<uint16_t>(port);
                return true;
              })
      .Option("limit", [&limit](const std::string& v) { return rootd::server::ParseUint64(v, UINT64_MAX, &limit); })
      .Switch("tcp", &options.tcp)
      .Switch("skip-escaped", &skip_escaped)
      .Arguments({&capture_path});
  if (std::optional<int> status = command_line.Parse(argc, argv)) return *status;
  if (capture_path.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }

  auto reader = rootd::tools::PcapReader::Open(capture_path);
  if (!reader.ok()) {
    std::fprintf(stderr, "rootd-pcap2dnsperf: %s\n", std::string(reader.status().message()).c_str());
    return 1;
  }
  FILE* out = out_path.empty() ? stdout : std::fopen(out_path.c_str(), "w");
  if (out == nullptr) {
    std::fprintf(stderr, "rootd-pcap2dnsperf: cannot write %s: %s\n", out_path.c_str(), std::strerror(errno));
    return 1;
  }
  rootd::tools::QueryExtractor extractor(reader->link_type(), options);
  rootd::tools::PcapPacket packet;
  std::vector<rootd::tools::ExtractedQuery> queries;
  uint64_t written = 0;
  uint64_t escaped = 0;
  int status = 0;
  while (written < limit) {
    auto more = reader->Next(&packet);
    if (!more.ok()) {
      std::fprintf(stderr, "rootd-pcap2dnsperf: %s: %s\n", capture_path.c_str(), std::string(more.status().message()).c_str());
      status = 1;
      break;
    }
    if (!*more) break;
    queries.clear();
    extractor.Extract(packet.data, &queries);
    for (const auto& query : queries) {
      if (written >= limit) break;
      std::string line = rootd::tools::DnsperfLine(query);
      if (HasDecimalEscape(line)) {
        ++escaped;
        if (skip_escaped) continue;
      }
      line += '\n';
      std::fputs(line.c_str(), out);
      ++written;
    }
  }
  bool write_ok = std::fflush(out) == 0 && !std::ferror(out);
  if (out != stdout) write_ok = std::fclose(out) == 0 && write_ok;
  if (!write_ok) {
    std::fprintf(stderr, "rootd-pcap2dnsperf: writing %s failed\n", out_path.empty() ? "stdout" : out_path.c_str());
    status = 1;
  }

  const rootd::tools::ExtractStats& stats = extractor.stats();
  std::string report = rootd::Cat("rootd-pcap2dnsperf: link_type=", reader->link_type(), " packets=", stats.frames,
                                  " queries=", stats.queries, " written=", written);
  report += rootd::Cat(skip_escaped ? " skipped_escaped_names=" : " escaped_names=", escaped);
  for (int i = 0; i < rootd::tools::kSkipReasonCount; ++i) {
    if (stats.skipped[i] == 0) continue;
    report += rootd::Cat(" skipped_", rootd::tools::SkipReasonName(static_cast<rootd::tools::SkipReason>(i)), "=",
                         stats.skipped[i]);
  }
  if (reader->truncated_tail()) report += " truncated_last_record=1";
  if (written >= limit) report += " (stopped at --limit)";
  std::fprintf(stderr, "%s\n", report.c_str());
  if (escaped > 0 && !skip_escaped) {
    std::fprintf(stderr, "rootd-pcap2dnsperf: note: %llu names use \\DDD escapes, which dnsperf 2.10 misreads; "
                         "--skip-escaped leaves them out\n", static_cast<unsigned long long>(escaped));
  }
  return status;
}

// Helpers for engine tests: compile a zone from text, build queries, read responses.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "server/engine.h"
#include "zone/image.h"

namespace rootd::server::testing {

std::shared_ptr<const zone::ZoneImage> CompileText(const std::string& text);
std::shared_ptr<const zone::ZoneImage> CompileFile(const std::string& path);

struct QueryOptions {
  uint16_t id = 0x1234;
  uint16_t qclass = 1;
  bool rd = false;
  bool cd = false;
  bool edns = false;
  uint16_t udp_payload = 1232;
  bool dnssec_ok = false;
  std::vector<std::pair<uint16_t, std::string>> options;
};
// A query in wire form; `name` in presentation form, its case kept.
std::vector<uint8_t> MakeQuery(const std::string& name, uint16_t qtype, const QueryOptions& options = {});

struct Response {
  std::vector<uint8_t> bytes;
  QueryInfo info;
};
// Answers `query` into a separate buffer, and checks that answering it in place (over the
// query) and as a burst of one gives the same octets and QueryInfo.
Response Ask(const Engine& engine, const zone::ZoneImage& image, const std::vector<uint8_t>& query,
             Transport transport = Transport::kUdp);
// Answers every query in one AnswerBurst call, each in place.
std::vector<Response> AskBurst(const Engine& engine, const zone::ZoneImage& image,
                               const std::vector<std::vector<uint8_t>>& queries,
                               Transport transport = Transport::kUdp);

// Parsed view of a response, through ldns (an independent decoder).
struct Decoded {
  bool ok = false;
  uint8_t rcode = 0;
  bool aa = false, tc = false, rd = false, cd = false, ra = false, ad = false;
  int qd = 0, an = 0, ns = 0, ar = 0;  // counts, additional without OPT
  bool opt = false;
  bool opt_do = false;
  uint16_t opt_payload = 0;
  uint8_t opt_extended_rcode = 0;
  std::vector<std::string> answer, authority, additional;  // "owner TYPE" per record, lowercase owner
};
Decoded Decode(const std::vector<uint8_t>& bytes);

}  // namespace rootd::server::testing

#include "tests/server/engine_test_util.h"

#include <gtest/gtest.h>
#include <ldns/ldns.h>

#include <algorithm>

#include "zone/master_reader.h"
#include "zone/name.h"

namespace rootd::server::testing {

namespace {

std::shared_ptr<const zone::ZoneImage> Compile(absl::StatusOr<zone::Zone> zone) {
  if (!zone.ok()) {
    ADD_FAILURE() << zone.status();
    return nullptr;
  }
  auto image = zone::ZoneImage::Compile(*zone);
  if (!image.ok()) {
    ADD_FAILURE() << image.status();
    return nullptr;
  }
  return *image;
}

void Put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

std::vector<std::string> Section(ldns_rr_list* list, bool skip_opt) {
  std::vector<std::string> out;
  for (size_t i = 0; list != nullptr && i < ldns_rr_list_rr_count(list); ++i) {
    ldns_rr* rr = ldns_rr_list_rr(list, i);
    if (skip_opt && ldns_rr_get_type(rr) == LDNS_RR_TYPE_OPT) continue;
    char* owner = ldns_rdf2str(ldns_rr_owner(rr));
    char* type = ldns_rr_type2str(ldns_rr_get_type(rr));
    std::string s = std::string(owner) + " " + type;
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    out.push_back(s);
    free(owner);
    free(type);
  }
  return out;
}

}  // namespace

std::shared_ptr<const zone::ZoneImage> CompileText(const std::string& text) {
  return Compile(zone::ReadMasterText(text, "test.zone"));
}

std::shared_ptr<const zone::ZoneImage> CompileFile(const std::string& path) {
  return Compile(zone::ReadMasterFile(path));
}

std::vector<uint8_t> MakeQuery(const std::string& name, uint16_t qtype, const QueryOptions& o) {
  std::vector<uint8_t> q;
  Put16(q, o.id);
  q.push_back(o.rd ? 0x01 : 0x00);
  q.push_back(o.cd ? 0x10 : 0x00);
  Put16(q, 1);
  Put16(q, 0);
  Put16(q, 0);
  Put16(q, o.edns ? 1 : 0);
  const std::string wire = zone::NameFromText(name, std::string(1, '\0')).value();
  q.insert(q.end(), wire.begin(), wire.end());
  Put16(q, qtype);
  Put16(q, o.qclass);
  if (o.edns) {
    q.push_back(0);
    Put16(q, 41);
    Put16(q, o.udp_payload);
    q.push_back(0);
    q.push_back(0);
    Put16(q, o.dnssec_ok ? 0x8000 : 0);
    size_t rdlength = 0;
    for (const auto& [code, data] : o.options) rdlength += 4 + data.size();
    Put16(q, static_cast<uint16_t>(rdlength));
    for (const auto& [code, data] : o.options) {
      Put16(q, code);
      Put16(q, static_cast<uint16_t>(data.size()));
      q.insert(q.end(), data.begin(), data.end());
    }
  }
  return q;
}

namespace {
constexpr uint8_t kClient[4] = {127, 0, 0, 1};
constexpr uint32_t kNow = 1700000000;
constexpr size_t kOutCapacity = 65535;
}  // namespace

Response Ask(const Engine& engine, const zone::ZoneImage& image, const std::vector<uint8_t>& query,
             Transport transport) {
  Response r;
  r.bytes.resize(kOutCapacity);
  Request request{query.data(), query.size(), transport, kClient, 4, kNow};
  const size_t size = engine.Answer(image, request, r.bytes.data(), r.bytes.size(), &r.info);
  r.bytes.resize(size);

  // Every answer also in place, over a copy of the query: the same octets and the same info.
  std::vector<uint8_t> buffer(query);
  buffer.resize(kOutCapacity);
  request.data = buffer.data();
  QueryInfo in_place_info;
  buffer.resize(engine.Answer(image, request, buffer.data(), kOutCapacity, &in_place_info));
  EXPECT_EQ(buffer, r.bytes) << "in place";
  EXPECT_EQ(in_place_info, r.info) << "in place";
  // And as a burst of one.
  const std::vector<Response> burst = AskBurst(engine, image, {query}, transport);
  EXPECT_EQ(burst[0].bytes, r.bytes) << "burst";
  EXPECT_EQ(burst[0].info, r.info) << "burst";
  return r;
}

std::vector<Response> AskBurst(const Engine& engine, const zone::ZoneImage& image,
                               const std::vector<std::vector<uint8_t>>& queries, Transport transport) {
  std::vector<Response> responses(queries.size());
  std::vector<BurstQuery> burst(queries.size());
  for (size_t i = 0; i < queries.size(); ++i) {
    std::vector<uint8_t>& buffer = responses[i].bytes;
    buffer = queries[i];
    buffer.resize(kOutCapacity);
    burst[i].request = Request{buffer.data(), queries[i].size(), transport, kClient, 4, kNow};
    burst[i].out = buffer.data();  // in place
    burst[i].out_capacity = kOutCapacity;
  }
  engine.AnswerBurst(image, burst.data(), burst.size());
  for (size_t i = 0; i < queries.size(); ++i) {
    responses[i].bytes.resize(burst[i].response_size);
    responses[i].info = burst[i].info;
  }
  return responses;
}

Decoded Decode(const std::vector<uint8_t>& bytes) {
  Decoded d;
  ldns_pkt* pkt = nullptr;
  if (bytes.empty() || ldns_wire2pkt(&pkt, bytes.data(), bytes.size()) != LDNS_STATUS_OK) return d;
  d.ok = true;
  d.rcode = static_cast<uint8_t>(ldns_pkt_get_rcode(pkt));
  d.aa = ldns_pkt_aa(pkt);
  d.tc = ldns_pkt_tc(pkt);
  d.rd = ldns_pkt_rd(pkt);
  d.cd = ldns_pkt_cd(pkt);
  d.ra = ldns_pkt_ra(pkt);
  d.ad = ldns_pkt_ad(pkt);
  d.qd = ldns_pkt_qdcount(pkt);
  d.answer = Section(ldns_pkt_answer(pkt), false);
  d.authority = Section(ldns_pkt_authority(pkt), false);
  d.additional = Section(ldns_pkt_additional(pkt), true);
  d.an = static_cast<int>(d.answer.size());
  d.ns = static_cast<int>(d.authority.size());
  d.ar = static_cast<int>(d.additional.size());
  d.opt = ldns_pkt_edns(pkt);
  if (d.opt) {
    d.opt_do = ldns_pkt_edns_do(pkt);
    d.opt_payload = ldns_pkt_edns_udp_size(pkt);
    d.opt_extended_rcode = ldns_pkt_edns_extended_rcode(pkt);
  }
  ldns_pkt_free(pkt);
  return d;
}

}  // namespace rootd::server::testing

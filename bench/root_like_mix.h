// The root-like query mix the engine and dataplane benchmarks answer, over the real root zone
// compiled to an image (after ../shared/bench/peers/gen_queries.py): 50% nonexistent TLDs, 40%
// names below existing TLDs (referrals), 5% ". DNSKEY", 5% ". NS", ". SOA" and "<tld> DS".
// EDNS with a 1232-octet buffer, with or without DO. Deterministic (a fixed seed).
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tests/test_paths.h"
#include "zone/image.h"
#include "zone/master_reader.h"
#include "zone/name.h"
#include "zone/rr_types.h"

namespace rootd::bench {

struct RootFixture {
  std::shared_ptr<const zone::ZoneImage> image;
  std::vector<std::string> tlds;
};

// The root zone, read and compiled once per process; exits if it cannot be read.
inline const RootFixture& LoadRootFixture() {
  static const RootFixture* fixture = [] {
    auto* f = new RootFixture;
    auto zone = zone::ReadMasterFile(rootd::testing::SharedDataDir() + "/zones/root.zone");
    if (!zone.ok()) {
      fprintf(stderr, "%s\n", zone.status().ToString().c_str());
      exit(1);
    }
    f->image = zone::ZoneImage::Compile(*zone).value();
    for (const zone::Node& n : zone->nodes()) {
      if (zone::LabelCount(n.name) == 1) f->tlds.push_back(zone::NameToText(n.name));
    }
    return f;
  }();
  return *fixture;
}

// A DNS query message: one question, an OPT record with a 1232-octet buffer.
inline std::vector<uint8_t> Query(const std::string& name, uint16_t qtype, bool dnssec_ok, uint16_t id) {
  std::vector<uint8_t> q = {static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id), 0, 0, 0, 1, 0, 0, 0, 0, 0, 1};
  const std::string wire = zone::NameFromText(name, std::string(1, '\0')).value();
  q.insert(q.end(), wire.begin(), wire.end());
  q.insert(q.end(), {static_cast<uint8_t>(qtype >> 8), static_cast<uint8_t>(qtype), 0, 1});
  q.insert(q.end(), {0, 0, 41, 0x04, 0xd0, 0, 0, static_cast<uint8_t>(dnssec_ok ? 0x80 : 0), 0, 0, 0});
  return q;
}

inline std::vector<std::vector<uint8_t>> RootLikeMix(const RootFixture& f, bool dnssec_ok, size_t count) {
  std::mt19937 rng(42);
  auto random_label = [&](int min, int max) {
    static const char kAlnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string s(std::uniform_int_distribution<int>(min, max)(rng), 'a');
    for (char& c : s) c = kAlnum[rng() % 36];
    return s;
  };
  std::vector<std::vector<uint8_t>> out;
  for (size_t i = 0; i < count; ++i) {
    const double r = std::uniform_real_distribution<double>(0, 1)(rng);
    const std::string& tld = f.tlds[rng() % f.tlds.size()];
    if (r < 0.50) {
      out.push_back(Query(random_label(7, 15) + ".", dns::kTypeA, dnssec_ok, static_cast<uint16_t>(i)));
    } else if (r < 0.90) {
      out.push_back(Query("www." + random_label(3, 12) + "." + tld, (rng() & 1) ? dns::kTypeA : dns::kTypeAaaa, dnssec_ok,
                          static_cast<uint16_t>(i)));
    } else if (r < 0.95) {
      out.push_back(Query(".", dns::kTypeDnskey, dnssec_ok, static_cast<uint16_t>(i)));
    } else {
      const uint16_t types[] = {dns::kTypeNs, dns::kTypeSoa, dns::kTypeDs};
      const uint16_t t = types[rng() % 3];
      out.push_back(Query(t == dns::kTypeDs ? tld : ".", t, dnssec_ok, static_cast<uint16_t>(i)));
    }
  }
  return out;
}

}  // namespace rootd::bench

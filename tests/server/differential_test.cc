// Differential test of the query engine against NSD and Knot DNS serving the same zone file.
// Every query goes to both peers over UDP and to the engine in-process; the responses are
// compared semantically (rcode, AA, TC, and the RRsets of each section with their TTLs, order
// free). Every difference must fall into a known class, each named below with the reason
// tests/server/differential/README.md gives for it; anything else fails the test.
#include <gtest/gtest.h>
#include <ldns/ldns.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "server/engine.h"
#include "tests/server/engine_test_util.h"
#include "tests/server/peer_servers.h"
#include "tests/test_paths.h"
#include "zone/lab_zone.h"
#include "zone/master_reader.h"
#include "zone/name.h"
#include "zone/rr_types.h"
#include "zone/text.h"

namespace rootd::server {
namespace {

using testing::Ask;
using testing::AskBurst;
using testing::Response;
using testing::ExchangeUdp;
using testing::MakeQuery;
using testing::PeerKind;
using testing::PeerName;
using testing::PeerServer;
using testing::QueryOptions;

constexpr uint32_t kSeed = 20260822;
constexpr uint16_t kClassCh = dns::kClassCh;

// What a query is about, for classification and the report.
enum class Category { kApex, kTld, kBelowTld, kNonexistent, kBelowNonexistent, kTrustAnchor, kChaos, kTransfer, kMeta };

const char* CategoryName(Category c) {
  switch (c) {
    case Category::kApex: return "apex";
    case Category::kTld: return "tld";
    case Category::kBelowTld: return "below-tld";
    case Category::kNonexistent: return "nonexistent";
    case Category::kBelowNonexistent: return "below-nonexistent";
    case Category::kTrustAnchor: return "ta-signal";
    case Category::kChaos: return "chaos";
    case Category::kTransfer: return "transfer";
    case Category::kMeta: return "meta";
  }
  return "?";
}

struct TestQuery {
  Category category;
  std::string name;
  uint16_t qtype;
  QueryOptions options;
};

std::string Describe(const TestQuery& q) {
  std::string s = Cat(CategoryName(q.category), " ", q.name, " ", zone::TypeToText(q.qtype));
  if (q.options.qclass != dns::kClassIn) s += Cat(" class ", q.options.qclass);
  if (!q.options.edns) return s + " (no EDNS)";
  return Cat(s, " (EDNS ", q.options.udp_payload, q.options.dnssec_ok ? " DO)" : ")");
}

// ---------------------------------------------------------------------------------------------
// Query generation: deterministic from kSeed.

class QueryGenerator {
 public:
  explicit QueryGenerator(uint32_t seed) : rng_(seed) {}

  std::vector<TestQuery> Generate(const zone::Zone& zone) {
    std::vector<TestQuery> out;
    std::vector<std::string> tlds;
    for (const zone::Node& node : zone.nodes()) {
      if (zone::LabelCount(node.name) == 1) tlds.push_back(zone::NameToText(node.name));
    }
    // Apex: every type with every EDNS variant, DO on and off.
    const uint16_t apex_types[] = {dns::kTypeSoa,  dns::kTypeNs,  dns::kTypeDnskey, dns::kTypeNsec,
                                   dns::kTypeZonemd, dns::kTypeRrsig, dns::kTypeAny, dns::kTypeMx,
                                   dns::kTypeTxt, dns::kTypeA,   dns::kTypeAaaa,   65000};
    for (uint16_t type : apex_types) {
      for (int variant = 0; variant < 7; ++variant) {
        QueryOptions o;
        o.edns = variant > 0;
        o.udp_payload = std::array<uint16_t, 3>{512, 1232, 4096}[(variant + 2) % 3];
        o.dnssec_ok = variant > 3;
        out.push_back({Category::kApex, ".", type, o});
      }
    }
    // Every TLD, at the TLD and below it.
    const uint16_t tld_types[] = {dns::kTypeNs,   dns::kTypeA,    dns::kTypeAaaa, dns::kTypeDs,
                                  dns::kTypeAny,  dns::kTypeNsec, dns::kTypeRrsig, dns::kTypeTxt};
    for (const std::string& tld : tlds) {
      for (uint16_t type : tld_types) {
        out.push_back({Category::kTld, MixCase(tld), type, RandomOptions()});
        out.push_back({Category::kBelowTld, MixCase("www." + tld), type, RandomOptions()});
      }
    }
    // Nonexistent TLDs and names below them.
    const uint16_t any_types[] = {dns::kTypeA,  dns::kTypeAaaa, dns::kTypeNs,  dns::kTypeDs,   dns::kTypeSoa,
                                  dns::kTypeMx, dns::kTypeTxt,  dns::kTypeAny, dns::kTypeNsec, dns::kTypeRrsig,
                                  dns::kTypePtr, 65000};
    const char* leaked[] = {"local", "home", "lan", "corp", "localdomain", "internal", "invalid", "localhost",
                            "belkin", "domain", "dhcp", "intranet", "wpad", "workgroup"};
    std::set<std::string> existing;
    for (const std::string& tld : tlds) existing.insert(tld);
    for (int i = 0; i < 1600; ++i) {
      std::string label = i < 14 * 4 ? leaked[i % 14] : RandomLabel();
      if (existing.count(label + ".")) continue;
      const uint16_t type = any_types[rng_() % std::size(any_types)];
      if (i % 2 == 0) {
        out.push_back({Category::kNonexistent, MixCase(label + "."), type, RandomOptions()});
      } else {
        out.push_back({Category::kBelowNonexistent, MixCase(RandomLabel() + "." + label + "."), type, RandomOptions()});
      }
    }
    // RFC 8145 key tag signals: QTYPE NULL at "_ta-xxxx[-yyyy]."
    for (int i = 0; i < 100; ++i) {
      char label[32];
      const unsigned a = rng_() % 0x8000, b = a + 1 + rng_() % 0x7fff;
      if (i % 3 == 0) {
        std::snprintf(label, sizeof label, "_ta-%04x-%04x.", a, b);
      } else {
        std::snprintf(label, sizeof label, "_ta-%04x.", a);
      }
      out.push_back({Category::kTrustAnchor, MixCase(label), dns::kTypeNull, RandomOptions()});
    }
    // CHAOS: identity and version are not configured on any side, so all are refused.
    for (const char* name : {"version.bind.", "hostname.bind.", "id.server.", "version.server.", "authors.bind.", "."}) {
      for (uint16_t type : {dns::kTypeTxt, dns::kTypeAny, dns::kTypeSoa, dns::kTypeNs}) {
        for (int k = 0; k < 3; ++k) {
          QueryOptions o = RandomOptions();
          o.qclass = kClassCh;
          out.push_back({Category::kChaos, MixCase(name), type, o});
        }
      }
    }
    // Zone transfers over UDP, and meta types asked as questions.
    const std::vector<std::string> meta_names = {".", tlds.front(), "www." + tlds.back(), "nonexistent-tld."};
    for (const std::string& name : meta_names) {
      for (uint16_t type : {dns::kTypeAxfr, dns::kTypeIxfr}) {
        for (int k = 0; k < 4; ++k) out.push_back({Category::kTransfer, name, type, RandomOptions()});
      }
      for (uint16_t type : {dns::kTypeOpt, uint16_t{249}, uint16_t{250}, dns::kTypeMailb, dns::kTypeMaila, uint16_t{0},
                            uint16_t{128}, uint16_t{65535}}) {
        for (int k = 0; k < 4; ++k) out.push_back({Category::kMeta, name, type, RandomOptions()});
      }
    }
    for (size_t i = 0; i < out.size(); ++i) out[i].options.id = static_cast<uint16_t>(i);
    return out;
  }

 private:
  QueryOptions RandomOptions() {
    QueryOptions o;
    const uint32_t edns = rng_() % 4;
    o.edns = edns != 0;
    o.udp_payload = std::array<uint16_t, 4>{0, 512, 1232, 4096}[edns];
    o.dnssec_ok = o.edns && rng_() % 2 == 0;
    return o;
  }

  // About one name in four gets random letter case (the question is echoed as asked; owners
  // are compared lowercase).
  std::string MixCase(std::string name) {
    if (rng_() % 4 != 0) return name;
    for (char& c : name) {
      if (std::isalpha(static_cast<unsigned char>(c)) && rng_() % 2 == 0) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
    }
    return name;
  }

  std::string RandomLabel() {
    static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789-";
    const size_t length = 3 + rng_() % 12;
    std::string label;
    for (size_t i = 0; i < length; ++i) label += kChars[rng_() % (i == 0 || i + 1 == length ? 36 : 37)];
    return label;
  }

  std::mt19937 rng_;
};

// ---------------------------------------------------------------------------------------------
// Semantic view of a response.

struct Message {
  bool received = false;
  bool parsed = false;
  uint8_t rcode = 0;  // with the extended bits of the OPT
  bool aa = false, tc = false;
  // Per section: "owner ttl class type rdata", owner and names in RDATA lowercase (names
  // compare case-insensitively, RFC 4343); sorted (order free).
  std::vector<std::string> sections[3];
  // The same with names in RDATA as received.
  std::vector<std::string> exact_sections[3];
};

std::string Lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string RecordText(const ldns_rr* rr, bool fold_rdata_names) {
  char* owner = ldns_rdf2str(ldns_rr_owner(rr));
  char* rclass = ldns_rr_class2str(ldns_rr_get_class(rr));
  char* type = ldns_rr_type2str(ldns_rr_get_type(rr));
  std::string s = Cat(Lowercase(owner), " ", ldns_rr_ttl(rr), " ", rclass, " ", type);
  free(owner);
  free(rclass);
  free(type);
  for (size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
    const ldns_rdf* rdf = ldns_rr_rdf(rr, i);
    char* field = ldns_rdf2str(rdf);
    std::string text = field != nullptr ? field : "?";
    if (fold_rdata_names && ldns_rdf_get_type(rdf) == LDNS_RDF_TYPE_DNAME) text = Lowercase(text);
    s += Cat(" ", text);
    free(field);
  }
  return s;
}

Message Read(const std::vector<uint8_t>& bytes) {
  Message m;
  m.received = !bytes.empty();
  if (bytes.size() < 12) return m;
  m.rcode = bytes[3] & 0x0f;
  m.aa = bytes[2] & 0x04;
  m.tc = bytes[2] & 0x02;
  ldns_pkt* pkt = nullptr;
  if (ldns_wire2pkt(&pkt, bytes.data(), bytes.size()) != LDNS_STATUS_OK) return m;
  m.parsed = true;
  if (ldns_pkt_edns(pkt)) m.rcode = static_cast<uint8_t>(m.rcode | ldns_pkt_edns_extended_rcode(pkt) << 4);
  ldns_rr_list* lists[3] = {ldns_pkt_answer(pkt), ldns_pkt_authority(pkt), ldns_pkt_additional(pkt)};
  for (int s = 0; s < 3; ++s) {
    for (size_t i = 0; lists[s] != nullptr && i < ldns_rr_list_rr_count(lists[s]); ++i) {
      const ldns_rr* rr = ldns_rr_list_rr(lists[s], i);
      if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_OPT) continue;
      m.sections[s].push_back(RecordText(rr, true));
      m.exact_sections[s].push_back(RecordText(rr, false));
    }
    std::sort(m.sections[s].begin(), m.sections[s].end());
    std::sort(m.exact_sections[s].begin(), m.exact_sections[s].end());
  }
  ldns_pkt_free(pkt);
  return m;
}

// How two responses differ.
struct Difference {
  bool rcode = false, aa = false, tc = false, answer_emptiness = false;
  // Records only on one side, per section (empty when TC is set on either side).
  std::vector<std::string> only_engine[3], only_peer[3];
  bool any() const {
    if (rcode || aa || tc || answer_emptiness) return true;
    for (int s = 0; s < 3; ++s) {
      if (!only_engine[s].empty() || !only_peer[s].empty()) return true;
    }
    return false;
  }
};

Difference Compare(const Message& engine, const Message& peer) {
  Difference d;
  d.rcode = engine.rcode != peer.rcode;
  d.tc = engine.tc != peer.tc;
  if (engine.tc || peer.tc) {
    d.answer_emptiness = engine.sections[0].empty() != peer.sections[0].empty();
    return d;
  }
  d.aa = engine.aa != peer.aa;
  for (int s = 0; s < 3; ++s) {
    std::set_difference(engine.sections[s].begin(), engine.sections[s].end(), peer.sections[s].begin(),
                        peer.sections[s].end(), std::back_inserter(d.only_engine[s]));
    std::set_difference(peer.sections[s].begin(), peer.sections[s].end(), engine.sections[s].begin(),
                        engine.sections[s].end(), std::back_inserter(d.only_peer[s]));
  }
  return d;
}

const char* kSectionNames[3] = {"answer", "authority", "additional"};

std::string Explain(const TestQuery& q, const Message& engine, const Message& peer, const Difference& d) {
  std::ostringstream s;
  s << Describe(q) << "\n";
  s << "  engine: rcode " << int{engine.rcode} << " aa " << engine.aa << " tc " << engine.tc << " sections "
    << engine.sections[0].size() << "/" << engine.sections[1].size() << "/" << engine.sections[2].size() << "\n";
  s << "  peer:   rcode " << int{peer.rcode} << " aa " << peer.aa << " tc " << peer.tc << " sections "
    << peer.sections[0].size() << "/" << peer.sections[1].size() << "/" << peer.sections[2].size()
    << (peer.received ? "" : " (no response)") << "\n";
  for (int i = 0; i < 3; ++i) {
    for (const auto& r : d.only_engine[i]) s << "  only engine " << kSectionNames[i] << ": " << r.substr(0, 120) << "\n";
    for (const auto& r : d.only_peer[i]) s << "  only peer   " << kSectionNames[i] << ": " << r.substr(0, 120) << "\n";
  }
  return s.str();
}

// ---------------------------------------------------------------------------------------------
// Known classes of difference. Each has an entry with the same name and its reason in
// tests/server/differential/README.md.

struct Case {
  const TestQuery& query;
  const Message& engine;
  const Message& peer;
  const Message& full;  // the engine's answer over TCP: nothing cut
  const Difference& diff;
  PeerKind peer_kind;
};

// Fields of a record text: owner, TTL, class, type, RDATA fields.
std::vector<std::string> Fields(const std::string& record) {
  std::vector<std::string> out;
  std::istringstream in(record);
  for (std::string f; in >> f && out.size() < 64;) out.push_back(f);
  return out;
}
std::string Owner(const std::string& record) { return Fields(record)[0]; }
std::string Type(const std::string& record) { return Fields(record)[3]; }
bool IsAddress(const std::string& record) { return Type(record) == "A" || Type(record) == "AAAA"; }

bool Contains(const std::vector<std::string>& sorted, const std::string& record) {
  return std::binary_search(sorted.begin(), sorted.end(), record);
}
bool IsSubset(const std::vector<std::string>& sub, const std::vector<std::string>& super) {
  return std::includes(super.begin(), super.end(), sub.begin(), sub.end());
}
// A referral: rootd's complete answer is not authoritative and has the TLD's NS RRset in the
// authority section.
bool IsReferral(const Case& c) {
  if (c.full.aa || c.full.rcode != 0) return false;
  for (const std::string& r : c.full.sections[1]) {
    if (Type(r) == "NS") return true;
  }
  return false;
}
// The TLD of a presentation name, lowercase, with its trailing dot.
std::string TldOf(const std::string& name) {
  const std::string lower = Lowercase(name);
  const size_t dot = lower.rfind('.', lower.size() >= 2 ? lower.size() - 2 : 0);
  return dot == std::string::npos ? lower : lower.substr(dot + 1);
}
// Address records of `full` for name servers below the delegated TLD: required glue (RFC 9471).
std::vector<std::string> InDomainGlue(const Case& c) {
  if (!IsReferral(c)) return {};
  const std::string tld = TldOf(c.query.name);
  std::vector<std::string> out;
  for (const std::string& r : c.full.sections[2]) {
    const std::string owner = Owner(r);
    if (IsAddress(r) && owner.size() > tld.size() && owner.ends_with("." + tld)) out.push_back(r);
  }
  return out;
}
bool SameFlagsNoTc(const Case& c) { return !c.diff.rcode && !c.diff.aa && !c.diff.tc && !c.engine.tc; }

// NSD adds the root's NS RRset (signed with DO) to the authority section of positive apex
// answers, and the root servers' addresses to the additional section; rootd answers minimally.
bool NsdApexAuthorityNs(const Case& c) {
  if (c.peer_kind != PeerKind::kNsd || c.query.category != Category::kApex || !SameFlagsNoTc(c)) return false;
  if (c.engine.sections[0].empty()) return false;
  for (int s = 0; s < 3; ++s) {
    if (!c.diff.only_engine[s].empty() && s != 2) return false;
  }
  if (!c.diff.only_peer[0].empty()) return false;
  for (const std::string& r : c.diff.only_peer[1]) {
    const auto f = Fields(r);
    if (f[0] != "." || !(f[3] == "NS" || (f[3] == "RRSIG" && f[4] == "NS"))) return false;
  }
  for (const std::string& r : c.diff.only_peer[2]) {
    if (!IsAddress(r)) return false;
  }
  for (const std::string& r : c.diff.only_engine[2]) {
    if (!IsAddress(r)) return false;
  }
  return true;
}

// Same answer and authority; the additional sections hold different subsets of the full
// glue because not all of it fits (one side at least is cut short).
bool GlueSelectionUnderSizeLimit(const Case& c) {
  if (!SameFlagsNoTc(c)) return false;
  for (int s = 0; s < 2; ++s) {
    if (!c.diff.only_engine[s].empty() || !c.diff.only_peer[s].empty()) return false;
  }
  for (const auto* side : {&c.diff.only_engine[2], &c.diff.only_peer[2]}) {
    for (const std::string& r : *side) {
      if (!IsAddress(r) || !Contains(c.full.sections[2], r)) return false;
    }
  }
  const bool engine_cut = c.engine.sections[2].size() < c.full.sections[2].size();
  const bool peer_cut = c.peer.sections[2].size() < c.full.sections[2].size();
  // rootd keeps every in-domain glue record (RFC 9471) whenever it does not set TC.
  for (const std::string& r : InDomainGlue(c)) {
    if (!Contains(c.engine.sections[2], r)) return false;
  }
  return engine_cut || peer_cut;
}

// rootd sets TC when the in-domain glue of a referral does not fit (RFC 9471 2.1: it is
// required); the peer sends the referral with part of that glue left out and no TC.
bool RequiredGlueTruncation(const Case& c) {
  if (!IsReferral(c) || c.diff.rcode || !c.engine.tc || c.peer.tc) return false;
  for (const std::string& r : InDomainGlue(c)) {
    if (!Contains(c.peer.sections[2], r)) return true;
  }
  return false;
}

// The peer sets TC on a referral when not one glue record fits, though the delegation has no
// in-domain glue; rootd sends the complete referral with what optional glue fits (possibly
// none) and no TC (RFC 9471 2.2: sibling glue is optional).
bool TcWhenNoGlueFits(const Case& c) {
  if (!IsReferral(c) || c.diff.rcode || c.engine.tc || !c.peer.tc) return false;
  return InDomainGlue(c).empty() && c.engine.sections[1] == c.full.sections[1] && c.peer.sections[2].empty() &&
         c.peer.sections[1].size() == c.engine.sections[1].size();
}

// Knot sets TC where rootd fits the whole answer and authority sections and all in-domain glue:
// Knot writes longer names (rootd compresses every name suffix) and adds glue per name server
// (A then AAAA of each), so sibling glue can take the room in-domain glue needs; rootd adds
// in-domain glue first. What Knot keeps is part of rootd's complete answer and lacks records
// of it (fewer records, or some in-domain glue missing).
bool KnotTruncatesEarlier(const Case& c) {
  if (c.peer_kind != PeerKind::kKnot || c.diff.rcode || c.engine.tc || !c.peer.tc) return false;
  if (c.engine.sections[0] != c.full.sections[0] || c.engine.sections[1] != c.full.sections[1]) return false;
  bool peer_lacks_required_glue = false;
  for (const std::string& r : InDomainGlue(c)) {
    if (!Contains(c.engine.sections[2], r)) return false;
    if (!Contains(c.peer.sections[2], r)) peer_lacks_required_glue = true;
  }
  size_t peer_total = 0, engine_total = 0;
  for (int s = 0; s < 3; ++s) {
    if (!IsSubset(c.peer.sections[s], c.full.sections[s])) return false;
    peer_total += c.peer.sections[s].size();
    engine_total += c.engine.sections[s].size();
  }
  return peer_total < engine_total || peer_lacks_required_glue;
}

// Both set TC; Knot keeps the records that fit in the answer section, rootd sends none
// (RFC 2181 9 allows both; resolvers retry over TCP either way).
bool TruncatedAnswerKept(const Case& c) {
  return !c.diff.rcode && !c.diff.tc && c.engine.tc && c.engine.sections[0].empty() && !c.peer.sections[0].empty();
}

// Knot answers ANY over UDP with every RRset at the apex; rootd with the SOA only (RFC 8482
// 4.1; the full set over TCP).
bool KnotFullAnyOverUdp(const Case& c) {
  if (c.peer_kind != PeerKind::kKnot || c.query.category != Category::kApex || c.query.qtype != dns::kTypeAny) {
    return false;
  }
  if (c.diff.rcode || c.diff.aa || c.engine.tc) return false;
  return c.peer.tc || (IsSubset(c.peer.sections[0], c.full.sections[0]) &&
                       c.peer.sections[0].size() > c.engine.sections[0].size());
}

// Knot answers QTYPE RRSIG at the apex with the signatures of one RRset; rootd and NSD with
// all of them (and TC when they do not fit).
bool KnotRrsigQtypeOneRRset(const Case& c) {
  if (c.peer_kind != PeerKind::kKnot || c.query.category != Category::kApex || c.query.qtype != dns::kTypeRrsig) {
    return false;
  }
  return !c.diff.rcode && !c.peer.tc && IsSubset(c.peer.sections[0], c.full.sections[0]) &&
         c.peer.sections[0].size() < c.full.sections[0].size();
}

// QTYPE OPT, TKEY, TSIG (meta types, RFC 6895 3.1) get FORMERR and MAILA, MAILB NOTIMP from
// rootd, as from BIND; NSD and Knot look them up as data types.
bool MetaQtypeRcode(const Case& c) {
  const uint16_t t = c.query.qtype;
  const bool meta = t == dns::kTypeOpt || t == 249 || t == 250 || t == dns::kTypeMailb || t == dns::kTypeMaila;
  if (!meta || !c.diff.rcode) return false;
  const uint8_t expected = (t == dns::kTypeMailb || t == dns::kTypeMaila) ? 4 : 1;
  return c.engine.rcode == expected && c.peer.rcode != expected;
}

// Knot answers QTYPE 0 (reserved, RFC 6895 3.1) with NOTIMP; rootd and NSD look it up.
bool KnotQtype0NotImp(const Case& c) {
  return c.peer_kind == PeerKind::kKnot && c.query.qtype == 0 && c.peer.rcode == 4 && c.engine.rcode != 4;
}

// AXFR over UDP (undefined, RFC 5936 4.2): NOTIMP from both peers, REFUSED from rootd (no
// transfers at all). IXFR: NOTAUTH from both peers (transfer not authorised), REFUSED from rootd.
bool TransferRcode(const Case& c) {
  if (c.query.category != Category::kTransfer || c.engine.rcode != 5) return false;
  return (c.query.qtype == dns::kTypeAxfr && c.peer.rcode == 4) || (c.query.qtype == dns::kTypeIxfr && c.peer.rcode == 9);
}

struct KnownClass {
  const char* name;
  bool (*matches)(const Case&);
};

const KnownClass kKnownClasses[] = {
    {"NsdApexAuthorityNs", NsdApexAuthorityNs},
    {"GlueSelectionUnderSizeLimit", GlueSelectionUnderSizeLimit},
    {"RequiredGlueTruncation", RequiredGlueTruncation},
    {"TcWhenNoGlueFits", TcWhenNoGlueFits},
    {"KnotTruncatesEarlier", KnotTruncatesEarlier},
    {"TruncatedAnswerKept", TruncatedAnswerKept},
    {"KnotFullAnyOverUdp", KnotFullAnyOverUdp},
    {"KnotRrsigQtypeOneRRset", KnotRrsigQtypeOneRRset},
    {"MetaQtypeRcode", MetaQtypeRcode},
    {"KnotQtype0NotImp", KnotQtype0NotImp},
    {"TransferRcode", TransferRcode},
};

// The first known class the difference belongs to, or nullptr.
const KnownClass* Classify(const Case& c) {
  for (const KnownClass& k : kKnownClasses) {
    if (k.matches(c)) return &k;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------

class DifferentialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/rootd-difftest-XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr) << "mkdtemp " << pattern;
    dir_ = pattern;
  }
  void TearDown() override {
    peers_.clear();  // stops the servers
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }

  // Serves `zone_file` with NSD and Knot, asks them and the engine every generated query, and
  // expects every difference to be of a known class.
  void RunDifferential(const std::string& zone_label, const std::string& zone_file) {
    auto zone = zone::ReadMasterFile(zone_file);
    ASSERT_TRUE(zone.ok()) << zone.status();
    auto image = zone::ZoneImage::Compile(*zone);
    ASSERT_TRUE(image.ok()) << image.status();
    const std::vector<TestQuery> queries = QueryGenerator(kSeed).Generate(*zone);
    ASSERT_GE(queries.size(), 10000u);

    std::vector<std::vector<uint8_t>> wire;
    std::vector<std::vector<uint8_t>> engine_bytes;
    std::vector<Message> engine_messages, engine_full;
    const Engine engine{EngineConfig{}};
    for (const TestQuery& q : queries) {
      wire.push_back(MakeQuery(q.name, q.qtype, q.options));
      engine_bytes.push_back(Ask(engine, **image, wire.back()).bytes);
      engine_messages.push_back(Read(engine_bytes.back()));
      engine_full.push_back(Read(Ask(engine, **image, wire.back(), Transport::kTcp).bytes));
    }
    // The whole generated set in one burst (runs of Engine::kMaxBurst): octet for octet what
    // one query at a time gives.
    const std::vector<Response> burst = AskBurst(engine, **image, wire);
    for (size_t i = 0; i < wire.size(); ++i) {
      ASSERT_EQ(burst[i].bytes, engine_bytes[i]) << "burst, query " << i;
    }

    for (PeerKind kind : {PeerKind::kNsd, PeerKind::kKnot}) {
      SCOPED_TRACE(PeerName(kind));
      const std::string peer_dir = Cat(dir_, "/", zone_label, "-", PeerName(kind));
      ASSERT_TRUE(std::filesystem::create_directories(peer_dir));
      auto server = PeerServer::Start(kind, zone_file, peer_dir);
      ASSERT_TRUE(server.ok()) << server.status();
      peers_.push_back(std::move(*server));
      const std::vector<std::vector<uint8_t>> responses = ExchangeUdp(peers_.back()->port(), wire);

      std::map<std::string, size_t> known;  // class name -> count
      size_t agreements = 0, unknown = 0, case_only = 0, no_response = 0;
      std::map<std::string, std::vector<std::string>> unknown_examples;  // signature -> examples
      for (size_t i = 0; i < queries.size(); ++i) {
        const Message peer = Read(responses[i]);
        const Difference diff = Compare(engine_messages[i], peer);
        if (!diff.any() && peer.received) {
          ++agreements;
          bool exact = true;
          for (int s = 0; s < 3; ++s) exact = exact && engine_messages[i].exact_sections[s] == peer.exact_sections[s];
          if (!exact && !engine_messages[i].tc && !peer.tc) ++case_only;
          continue;
        }
        if (!peer.received) ++no_response;
        const Case c{queries[i], engine_messages[i], peer, engine_full[i], diff, kind};
        const KnownClass* k = peer.received ? Classify(c) : nullptr;
        if (k != nullptr) {
          ++known[k->name];
          continue;
        }
        ++unknown;
        std::string signature = Cat(CategoryName(queries[i].category), " ", zone::TypeToText(queries[i].qtype),
                                    diff.rcode ? " rcode" : "", diff.aa ? " aa" : "", diff.tc ? " tc" : "",
                                    diff.answer_emptiness ? " answer-emptiness" : "");
        for (int s = 0; s < 3; ++s) {
          if (!diff.only_engine[s].empty()) signature += Cat(" +engine-", kSectionNames[s]);
          if (!diff.only_peer[s].empty()) signature += Cat(" +peer-", kSectionNames[s]);
        }
        auto& examples = unknown_examples[signature];
        if (examples.size() < 2) examples.push_back(Explain(queries[i], engine_messages[i], peer, diff));
      }

      std::ostringstream table;
      table << "\n[differential] zone " << zone_label << ", peer " << PeerName(kind) << "\n";
      table << "  queries            " << queries.size() << "\n";
      table << "  agreements         " << agreements << "  (of which names in RDATA differ in case only: " << case_only
            << ")\n";
      for (const KnownClass& k : kKnownClasses) {
        if (known.count(k.name)) table << "  known: " << k.name << "  " << known[k.name] << "\n";
      }
      table << "  unknown            " << unknown << "  (of which no response: " << no_response << ")\n";
      std::cout << table.str();
      for (const auto& [signature, examples] : unknown_examples) {
        ADD_FAILURE() << "unknown difference [" << signature << "] with " << PeerName(kind) << ", e.g.\n"
                      << examples[0] << (examples.size() > 1 ? examples[1] : "");
      }
      EXPECT_EQ(unknown, 0u);
      peers_.pop_back();
    }
  }

  std::string dir_;
  std::vector<std::unique_ptr<PeerServer>> peers_;
};

TEST_F(DifferentialTest, RealRootZoneAgreesWithNsdAndKnot) {
  RunDifferential("real-root", rootd::testing::SharedDataDir() + "/zones/root.zone");
}

// The lab root zone (zone/lab_zone.h, default options: seed 1, 1,500 TLDs, ZONEMD), written
// to a temporary master file that all three serve.
TEST_F(DifferentialTest, LabRootZoneAgreesWithNsdAndKnot) {
  const auto lab = zone::GenerateLabZone(zone::LabZoneOptions{});
  ASSERT_TRUE(lab.ok()) << lab.status();
  const std::string path = dir_ + "/lab-root.zone";
  {
    std::ofstream out(path);
    out << lab->text;
    ASSERT_TRUE(out.good()) << "cannot write " << path;
  }
  RunDifferential("lab-root", path);
}

}  // namespace
}  // namespace rootd::server

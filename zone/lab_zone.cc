#include "zone/lab_zone.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "zone/anchor_files.h"
#include "zone/dnssec_wire.h"
#include "zone/name.h"
#include "zone/root_signing.h"
#include "zone/seeded_stream.h"
#include "zone/signer.h"
#include "zone/text.h"
#include "zone/wire.h"

namespace rootd::zone {

namespace {

#include "zone/lab_tld_names.inc"

// TTLs as in the real root zone.
constexpr uint32_t kApexNsTtl = 518400;
constexpr uint32_t kRootServerGlueTtl = 518400;
constexpr uint32_t kSoaTtl = 86400;
constexpr uint32_t kSoaMinimum = 86400;  // also the NSEC TTL (RFC 4035 2.3)
constexpr uint32_t kDnskeyTtl = 172800;
constexpr uint32_t kDelegationTtl = 172800;  // TLD NS and glue
constexpr uint32_t kDsTtl = 86400;
constexpr uint32_t kZonemdTtl = 86400;

constexpr int kSignedTldPercent = 90;
constexpr int kAaaaGluePercent = 85;

const std::string kRoot(1, '\0');

struct RootServer {
  char letter;
  const char* ipv4;
  const char* ipv6;
};
constexpr RootServer kRootServers[] = {
    {'a', "198.41.0.4", "2001:503:ba3e::2:30"}, {'b', "170.247.170.2", "2801:1b8:10::b"},
    {'c', "192.33.4.12", "2001:500:2::c"},      {'d', "199.7.91.13", "2001:500:2d::d"},
    {'e', "192.203.230.10", "2001:500:a8::e"},  {'f', "192.5.5.241", "2001:500:2f::f"},
    {'g', "192.112.36.4", "2001:500:12::d0d"},  {'h', "198.97.190.53", "2001:500:1::53"},
    {'i', "192.36.148.17", "2001:7fe::53"},     {'j', "192.58.128.30", "2001:503:c27::2:30"},
    {'k', "193.0.14.129", "2001:7fd::1"},       {'l', "199.7.83.42", "2001:500:9f::42"},
    {'m', "202.12.27.33", "2001:dc3::35"},
};

// Operators that serve many TLDs from shared name servers (names are made up, in the style
// of the real ones). Names under a TLD that is not in the zone simply get no glue.
constexpr const char* kSharedOperators[][6] = {
    {"a0.nic.lab-afilias-nst.info", "a2.nic.lab-afilias-nst.info", "b0.nic.lab-afilias-nst.org",
     "c0.nic.lab-afilias-nst.info", "b2.nic.lab-afilias-nst.org", nullptr},
    {"ns0.centralnic.net", "ns1.centralnic.net", "ns2.centralnic.net", "ns3.centralnic-dns.com",
     "ns4.centralnic.org", nullptr},
    {"a.dns.nic-registry.net", "b.dns.nic-registry.net", "c.dns.nic-registry.org", "d.dns.nic-registry.com",
     nullptr, nullptr},
    {"ns1.ariservice.com", "ns2.ariservice.com", "ns3.ariservice.net", "ns4.ariservice.org", nullptr, nullptr},
    {"sns-pb.isc.org", "ns.anycast.woodynet.net", "any.ns.labtld.ch", nullptr, nullptr, nullptr},
    {"a.nic.tldhost.de", "b.nic.tldhost.de", "c.nic.tldhost.eu", "d.nic.tldhost.nl", "e.nic.tldhost.fr", nullptr},
};

// Plausible public IPv4 first octets (no private, loopback, link-local or multicast space).
constexpr uint8_t kIpv4FirstOctets[] = {37,  41,  45,  62,  64,  65,  66,  68,  69,  74,  77,  78,  80,  81,  82,
                                        85,  86,  91,  93,  94,  95,  103, 108, 109, 128, 130, 131, 134, 136, 137,
                                        138, 139, 146, 147, 149, 150, 151, 154, 156, 158, 162, 163, 164, 165, 176,
                                        178, 185, 188, 193, 194, 195, 196, 199, 200, 202, 203, 204, 205, 206, 207,
                                        208, 209, 212, 213, 216, 217};
constexpr uint16_t kIpv6Prefixes[][2] = {{0x2001, 0x0500}, {0x2001, 0x0678}, {0x2001, 0x0dcd}, {0x2001, 0x0502},
                                         {0x2620, 0x0057}, {0x2a01, 0x08c0}, {0x2a02, 0x0418}, {0x2400, 0xcb00},
                                         {0x2600, 0x1401}, {0x2001, 0x0dcb}};

std::vector<std::string_view> Words(std::string_view list) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < list.size()) {
    const size_t end = std::min(list.find(' ', i), list.size());
    if (end > i) out.push_back(list.substr(i, end - i));
    i = end + 1;
  }
  return out;
}

// Wire format of a dotted name of plain labels ("a.nic.com"); "" is the root.
std::string Wire(std::string_view dotted) {
  std::string out;
  size_t i = 0;
  while (i < dotted.size()) {
    size_t end = dotted.find('.', i);
    if (end == std::string_view::npos) end = dotted.size();
    out += static_cast<char>(end - i);
    out.append(dotted.substr(i, end - i));
    i = end + 1;
  }
  out += '\0';
  return out;
}

std::string TldOf(std::string_view dotted) {
  const size_t dot = dotted.rfind('.');
  return std::string(dot == std::string_view::npos ? dotted : dotted.substr(dot + 1));
}

Record MakeRecord(std::string owner, uint16_t type, uint32_t ttl, std::string rdata) {
  Record r;
  r.owner = std::move(owner);
  r.type = type;
  r.rclass = dns::kClassIn;
  r.ttl = ttl;
  r.rdata = std::move(rdata);
  return r;
}

std::string ParseIpv4(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (i <= text.size()) {
    size_t end = text.find('.', i);
    if (end == std::string_view::npos) end = text.size();
    int v = 0;
    for (size_t k = i; k < end; ++k) v = v * 10 + (text[k] - '0');
    out += static_cast<char>(v);
    i = end + 1;
  }
  return out;
}

// "2001:503:ba3e::2:30" to 16 octets; the built-in addresses are well formed.
std::string ParseIpv6(std::string_view text) {
  auto groups = [](std::string_view part) {
    std::vector<uint16_t> out;
    size_t i = 0;
    while (i < part.size()) {
      size_t end = part.find(':', i);
      if (end == std::string_view::npos) end = part.size();
      uint16_t v = 0;
      for (size_t k = i; k < end; ++k) {
        const char c = part[k];
        v = static_cast<uint16_t>(v * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10));
      }
      out.push_back(v);
      i = end + 1;
    }
    return out;
  };
  const size_t gap = text.find("::");
  std::vector<uint16_t> head = groups(text.substr(0, gap));
  std::vector<uint16_t> tail = gap == std::string_view::npos ? std::vector<uint16_t>{} : groups(text.substr(gap + 2));
  head.resize(8 - tail.size(), 0);
  head.insert(head.end(), tail.begin(), tail.end());
  std::string out;
  for (uint16_t g : head) Put16(out, g);
  return out;
}

std::string RandomIpv4(SeededStream& s) {
  std::string out;
  const uint8_t first = kIpv4FirstOctets[s.Below(std::size(kIpv4FirstOctets))];
  out += static_cast<char>(first);
  out += static_cast<char>(s.Below(256));
  out += static_cast<char>(s.Below(256));
  out += static_cast<char>(1 + s.Below(254));  // neither network nor broadcast-looking
  return out;
}

// Prefix:site::host, the way operators number anycast name servers.
std::string RandomIpv6(SeededStream& s) {
  const auto& prefix = kIpv6Prefixes[s.Below(std::size(kIpv6Prefixes))];
  std::string out;
  Put16(out, prefix[0]);
  Put16(out, prefix[1]);
  Put16(out, static_cast<uint16_t>(s.Below(0x10000)));
  Put16(out, s.Percent(50) ? 0 : static_cast<uint16_t>(s.Below(0x100)));
  for (int i = 0; i < 3; ++i) Put16(out, 0);
  static constexpr uint16_t kHosts[] = {0x1, 0x2, 0x30, 0x53, 0x35, 0xa, 0xb, 0xc, 0x10};
  Put16(out, kHosts[s.Below(std::size(kHosts))]);
  return out;
}

// A pronounceable label of 3 to 12 letters, like the many new gTLDs that are words.
std::string PronounceableLabel(SeededStream& s) {
  static constexpr const char* kOnsets[] = {"b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r",
                                            "s", "t", "v", "w", "z", "br", "ch", "cl", "cr", "dr", "fl", "gr",
                                            "kl", "pl", "pr", "sh", "sk", "sl", "st", "str", "th", "tr"};
  static constexpr const char* kVowels[] = {"a", "e", "i", "o", "u", "a", "e", "o", "ai", "ea", "io", "ou", "y"};
  static constexpr const char* kCodas[] = {"", "", "", "", "n", "r", "s", "t", "x", "l", "m", "ng", "ck", "st"};
  std::string out;
  const int syllables = s.Between(1, 4);
  for (int i = 0; i < syllables; ++i) {
    out += kOnsets[s.Below(std::size(kOnsets))];
    out += kVowels[s.Below(std::size(kVowels))];
    if (i + 1 == syllables || s.Percent(25)) out += kCodas[s.Below(std::size(kCodas))];
  }
  return out.size() >= 3 ? out : out + "ia";
}

// An IDN label: 2-4 CJK ideographs, 3-8 Cyrillic or 3-7 Arabic letters, Punycode-encoded.
std::string IdnLabel(SeededStream& s) {
  std::vector<uint32_t> cps;
  switch (s.Below(3)) {
    case 0:
      for (int i = s.Between(2, 4); i > 0; --i) cps.push_back(0x4e00 + static_cast<uint32_t>(s.Below(0x5000)));
      break;
    case 1:
      for (int i = s.Between(3, 8); i > 0; --i) cps.push_back(0x0430 + static_cast<uint32_t>(s.Below(32)));
      break;
    default:
      for (int i = s.Between(3, 7); i > 0; --i) cps.push_back(0x0627 + static_cast<uint32_t>(s.Below(20)));
      break;
  }
  return "xn--" + Punycode(cps);
}

struct Glue {
  std::string ipv4;  // 4 octets
  std::string ipv6;  // 16 octets, or empty
  uint32_t ttl = kDelegationTtl;
};

// The name servers of one TLD (dotted names, in the order given).
std::vector<std::string> ChooseServers(std::string_view tld, SeededStream& s) {
  std::vector<std::string> out;
  if (tld == "com" || tld == "net") {
    for (char c = 'a'; c <= 'm'; ++c) out.push_back(Cat(c, ".gtld-servers.net"));
    return out;
  }
  // Mostly 4-6 servers, a few with 2-3 and a tail up to 13, as in the real root.
  static constexpr int kCounts[] = {2, 3, 3, 4, 4, 4, 4, 4, 4, 5, 5, 5, 6, 6, 6, 6, 7, 7, 8, 8, 9, 10, 11, 12, 13};
  const int count = kCounts[s.Below(std::size(kCounts))];
  const std::string t(tld);
  const uint64_t style = s.Below(100);
  if (style < 30) {  // a shared operator's servers, plus in-domain ones when it has too few
    const auto& op = kSharedOperators[s.Below(std::size(kSharedOperators))];
    for (int i = 0; i < 6 && op[i] != nullptr && static_cast<int>(out.size()) < count; ++i) out.push_back(op[i]);
  } else if (style < 40) {  // a ccTLD-style mix: own servers and a secondary under another TLD
    out.push_back(Cat(t, ".cctld.authdns.ripe.net"));
    if (count > 2) out.push_back(Cat("ns.", t, ".lab-nic.fr"));
  }
  static constexpr const char* kPatterns[] = {"%.nic.", "ns%.dns.", "%0.nic.", "dns%.nic.", "ns%.", "ns%.dns.nic."};
  const std::string_view pattern = kPatterns[s.Below(std::size(kPatterns))];
  const bool letters = pattern.front() == '%';
  for (int i = 0; static_cast<int>(out.size()) < count; ++i) {
    const std::string index = letters ? std::string(1, static_cast<char>('a' + i)) : std::to_string(i + 1);
    std::string name(pattern);
    name.replace(name.find('%'), 1, index);
    out.push_back(name + t);
  }
  return out;
}

std::string DsRdataFor(SeededStream& s, uint16_t key_tag, uint8_t algorithm) {
  std::string out;
  Put16(out, key_tag);
  out += static_cast<char>(algorithm);
  out += static_cast<char>(dns::kDigestSha256);
  out += s.Bytes(32);
  return out;
}

uint32_t SerialFromDate(absl::Time now) {
  const absl::CivilDay day = absl::ToCivilDay(now, absl::UTCTimeZone());
  return static_cast<uint32_t>(day.year() * 1000000 + day.month() * 10000 + day.day() * 100);
}

absl::StatusOr<std::vector<SigningKey>> KeysFromSpecs(const std::vector<LabKeySpec>& specs, uint64_t seed,
                                                      LabKeyRole role) {
  std::vector<SigningKey> out;
  for (size_t i = 0; i < specs.size(); ++i) {
    absl::StatusOr<SigningKey> key = LabKeyFromSeed(seed, role, static_cast<int>(i + 1), specs[i]);
    if (!key.ok()) return key.status();
    out.push_back(*std::move(key));
  }
  return out;
}

// `given` if there are any, else keys generated from `specs`.
absl::StatusOr<std::vector<SigningKey>> GivenOrGeneratedKeys(const std::vector<SigningKey>& given,
                                                             const std::vector<LabKeySpec>& specs, uint64_t seed,
                                                             LabKeyRole role) {
  if (!given.empty()) return given;
  return KeysFromSpecs(specs, seed, role);
}

}  // namespace

absl::StatusOr<SigningKey> LabKeyFromSeed(uint64_t seed, LabKeyRole role, int number, const LabKeySpec& spec) {
  const bool ksk = role == LabKeyRole::kKsk;
  const uint16_t flags = static_cast<uint16_t>((ksk ? kKskFlags : kZskFlags) | (spec.revoked ? dns::kDnskeyRevoke : 0));
  return SigningKey::FromSeed(spec.algorithm, flags, SeedBytes(seed), Cat(ksk ? "ksk" : "zsk", "-", number),
                              spec.rsa_bits);
}

std::string Punycode(const std::vector<uint32_t>& input) {
  constexpr uint32_t kBase = 36, kTmin = 1, kTmax = 26, kSkew = 38, kDamp = 700;
  auto adapt = [](uint32_t delta, uint32_t points, bool first) {
    delta = first ? delta / kDamp : delta / 2;
    delta += delta / points;
    uint32_t k = 0;
    while (delta > ((kBase - kTmin) * kTmax) / 2) {
      delta /= kBase - kTmin;
      k += kBase;
    }
    return k + (kBase - kTmin + 1) * delta / (delta + kSkew);
  };
  auto digit = [](uint32_t d) { return static_cast<char>(d < 26 ? 'a' + d : '0' + d - 26); };
  std::string out;
  for (uint32_t c : input) {
    if (c < 0x80) out += static_cast<char>(c);
  }
  const uint32_t basic = static_cast<uint32_t>(out.size());
  if (basic > 0) out += '-';
  uint32_t n = 0x80, delta = 0, bias = 72, handled = basic;
  while (handled < input.size()) {
    uint32_t m = UINT32_MAX;
    for (uint32_t c : input) {
      if (c >= n) m = std::min(m, c);
    }
    delta += (m - n) * (handled + 1);
    n = m;
    for (uint32_t c : input) {
      if (c < n) ++delta;
      if (c != n) continue;
      uint32_t q = delta;
      for (uint32_t k = kBase;; k += kBase) {
        const uint32_t t = k <= bias ? kTmin : (k >= bias + kTmax ? kTmax : k - bias);
        if (q < t) break;
        out += digit(t + (q - t) % (kBase - t));
        q = (q - t) / (kBase - t);
      }
      out += digit(q);
      bias = adapt(delta, handled + 1, handled == basic);
      delta = 0;
      ++handled;
    }
    ++delta;
    ++n;
  }
  return out;
}

std::vector<std::string> LabTldLabels(uint64_t seed, int count) {
  std::vector<std::string> builtin;
  std::set<std::string> seen;
  for (const char* list : {kLegacyGtlds, kCcTlds, kNewGtlds, kBrandTlds, kIdnTlds}) {
    for (std::string_view w : Words(list)) {
      if (seen.insert(std::string(w)).second) builtin.push_back(std::string(w));
    }
  }
  SeededStream s(SeedBytes(seed), "tld-labels");
  std::vector<std::string> out;
  if (count <= static_cast<int>(builtin.size())) {
    // A seeded subset: net first (the root servers live under it), then a shuffle.
    std::vector<std::string> rest;
    for (std::string& w : builtin) {
      if (w != "net") rest.push_back(std::move(w));
    }
    for (size_t i = rest.size(); i > 1; --i) std::swap(rest[i - 1], rest[s.Below(i)]);
    out.push_back("net");
    for (int i = 0; static_cast<int>(out.size()) < count; ++i) out.push_back(std::move(rest[i]));
  } else {
    out = builtin;
    while (static_cast<int>(out.size()) < count) {
      // About one in ten real TLDs is an IDN.
      std::string label = s.Percent(10) ? IdnLabel(s) : PronounceableLabel(s);
      if (label.size() <= kMaxLabelLength && seen.insert(label).second) out.push_back(std::move(label));
    }
  }
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return CanonicalCompare(Wire(a), Wire(b)) < 0;
  });
  return out;
}

absl::StatusOr<LabZoneContent> GenerateLabZoneContent(const LabZoneOptions& options) {
  if (options.tld_count < 1) return absl::InvalidArgumentError("tld_count must be at least 1");
  LabZoneContent content;
  content.serial = options.serial != 0 ? options.serial : SerialFromDate(options.now);
  std::vector<Record>& records = content.records;
  // Apex.
  {
    std::string soa = Wire("a.root-servers.net") + Wire("nstld.verisign-grs.com");
    Put32(soa, content.serial);
    for (uint32_t v : {1800u, 900u, 604800u, kSoaMinimum}) Put32(soa, v);
    records.push_back(MakeRecord(kRoot, dns::kTypeSoa, kSoaTtl, std::move(soa)));
    for (const RootServer& rs : kRootServers) {
      records.push_back(MakeRecord(kRoot, dns::kTypeNs, kApexNsTtl, Wire(Cat(rs.letter, ".root-servers.net"))));
    }
  }

  // Delegations.
  content.tlds = LabTldLabels(options.seed, options.tld_count);
  const std::set<std::string> tld_set(content.tlds.begin(), content.tlds.end());
  std::map<std::string, Glue> glue;  // dotted server name -> addresses
  for (const RootServer& rs : kRootServers) {
    glue[Cat(rs.letter, ".root-servers.net")] = Glue{ParseIpv4(rs.ipv4), ParseIpv6(rs.ipv6), kRootServerGlueTtl};
  }
  const std::string seed_bytes = SeedBytes(options.seed);
  for (const std::string& tld : content.tlds) {
    SeededStream s(seed_bytes, Cat("tld/", tld));
    const std::string owner = Wire(tld);
    for (const std::string& server : ChooseServers(tld, s)) {
      records.push_back(MakeRecord(owner, dns::kTypeNs, kDelegationTtl, Wire(server)));
      if (!tld_set.contains(TldOf(server)) || glue.contains(server)) continue;
      // Addresses come from a stream of their own so that a server shared by many TLDs
      // has the same addresses whichever TLD names it first.
      SeededStream a(seed_bytes, Cat("glue/", server));
      Glue g{RandomIpv4(a), "", kDelegationTtl};
      if (a.Percent(kAaaaGluePercent)) g.ipv6 = RandomIpv6(a);
      glue.emplace(server, std::move(g));
    }
    if (s.Percent(kSignedTldPercent)) {
      // Algorithm mix of signed TLDs: mostly RSA/SHA-256, a quarter ECDSA, a few others.
      const uint64_t pick = s.Below(100);
      const uint8_t algorithm = pick < 70 ? dns::kAlgRsaSha256
                                : pick < 95 ? dns::kAlgEcdsaP256
                                : pick < 98 ? dns::kAlgRsaSha512
                                            : dns::kAlgEd25519;
      const int ds_count = s.Percent(20) ? 2 : 1;  // two during a KSK rollover
      const uint16_t tag = static_cast<uint16_t>(s.Below(0x10000));
      for (int i = 0; i < ds_count; ++i) {
        records.push_back(MakeRecord(owner, dns::kTypeDs, kDsTtl,
                                     DsRdataFor(s, static_cast<uint16_t>(tag + i * 7919), algorithm)));
      }
    }
  }
  for (const auto& [server, g] : glue) {
    const std::string owner = Wire(server);
    records.push_back(MakeRecord(owner, dns::kTypeA, g.ttl, g.ipv4));
    if (!g.ipv6.empty()) records.push_back(MakeRecord(owner, dns::kTypeAaaa, g.ttl, g.ipv6));
  }

  return content;
}

absl::StatusOr<LabZone> GenerateLabZone(const LabZoneOptions& options) {
  absl::StatusOr<LabZoneContent> content = GenerateLabZoneContent(options);
  if (!content.ok()) return content.status();
  LabZone lab;
  lab.serial = content->serial;
  lab.tlds = std::move(content->tlds);
  absl::StatusOr<std::vector<SigningKey>> ksks =
      GivenOrGeneratedKeys(options.ksks, options.ksk_specs, options.seed, LabKeyRole::kKsk);
  if (!ksks.ok()) return ksks.status();
  lab.ksks = *std::move(ksks);
  absl::StatusOr<std::vector<SigningKey>> zsks =
      GivenOrGeneratedKeys(options.zsks, options.zsk_specs, options.seed, LabKeyRole::kZsk);
  if (!zsks.ok()) return zsks.status();
  lab.zsks = *std::move(zsks);

  RootSigningOptions signing;
  signing.ksks = lab.ksks;
  signing.zsks = lab.zsks;
  signing.validity = SignatureValidity::Between(options.inception.value_or(options.now - absl::Hours(1)),
                                                options.expiration.value_or(options.now + absl::Hours(24 * 14)));
  signing.dnskey_ttl = kDnskeyTtl;
  signing.zonemd_ttl = kZonemdTtl;
  signing.zonemd = options.zonemd;
  signing.threads = options.signing_threads;
  absl::StatusOr<std::vector<Record>> signed_records = SignRootZone(std::move(content->records), signing);
  if (!signed_records.ok()) return signed_records.status();
  lab.records = *std::move(signed_records);
  lab.text = ZoneFileText(Cat("; Lab root zone generated by rootd from seed ", options.seed, ", serial ", lab.serial,
                              ". Not the real root zone.\n"),
                          lab.records);
  absl::StatusOr<AnchorFiles> anchors = MakeAnchorFiles(lab.ksks, options.now);
  if (!anchors.ok()) return anchors.status();
  lab.trust_anchor_ds = std::move(anchors->ds);
  lab.trust_anchor_dnskey = std::move(anchors->dnskey);
  return lab;
}

}  // namespace rootd::zone

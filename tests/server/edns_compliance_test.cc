// ISC's EDNS compliance tests (genreport, DNS-Compliance-Testing, behind ednscomp.isc.org and
// DNS Flag Day), replayed against the engine in-process on the real, signed root zone: every
// query exactly as genreport builds it, every response judged by genreport's own rules
// (process() in genreport.c). rootd must pass them all; NSD and Knot DNS get the same table and
// their failures are printed, not asserted. See tests/server/edns_compliance.md.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "server/engine.h"
#include "tests/server/engine_test_util.h"
#include "tests/server/peer_servers.h"
#include "tests/test_paths.h"

namespace rootd::server {
namespace {

using testing::PeerKind;
using testing::PeerServer;

// genreport's test groups: EDNS is the default run (DNS Flag Day's), -f adds FULL, -c adds
// COMM, -t runs TYPE. EXTRA rows are not in genreport: the same generic judgement applied to
// options genreport does not send (see edns_compliance.md).
enum Group { kEdns, kFull, kComm, kType, kExtra };
const char* GroupName(Group g) {
  switch (g) {
    case kEdns: return "EDNS";
    case kFull: return "FULL";
    case kComm: return "COMM";
    case kType: return "TYPE";
    case kExtra: return "EXTRA";
  }
  return "?";
}

// One row of genreport's opts[] table, with the same columns.
struct GenreportTest {
  const char* name;
  Group group;
  std::string rdata;     // EDNS options, wire form
  uint16_t udpsize = 0;  // 0: no OPT at all
  uint16_t flags = 0;    // EDNS flags (OPT TTL low 16 bits)
  uint8_t version = 0;
  bool tcp = false;
  bool cookie = false;   // the OPT carries a client cookie
  bool ignore = false;   // ignore TC (do not retry over TCP); the response must fit udpsize
  bool tc = false, rd = false, ra = false, cd = false, ad = false, aa = false, z = false;
  uint8_t opcode = 0;
  uint16_t type = 6;     // SOA
};

const std::string kNsid("\x00\x03\x00\x00", 4);
const std::string kEcs("\x00\x08\x00\x04\x00\x01\x00\x00", 8);  // family 1, source /0, no address
const std::string kExpire("\x00\x09\x00\x00", 4);
const std::string kCookie("\x00\x0a\x00\x08\x01\x02\x03\x04\x05\x06\x07\x08", 12);
const std::string kOpt100("\x00\x64\x00\x00", 4);  // an unassigned option code
constexpr char kClientCookie[] = "\x01\x02\x03\x04\x05\x06\x07\x08";

constexpr uint16_t kSoa = 6, kDnskey = 48;

GenreportTest T(const char* name, Group group) { return GenreportTest{name, group}; }

std::vector<GenreportTest> AllTests() {
  std::vector<GenreportTest> t;
  auto add = [&](GenreportTest x) { t.push_back(std::move(x)); };
  auto edns = [](const char* name, Group g, uint8_t version, std::string rdata = "") {
    GenreportTest x = T(name, g);
    x.udpsize = 4096;
    x.version = version;
    x.rdata = std::move(rdata);
    return x;
  };
  // Plain DNS, one header flag at a time (genreport sets the flag, clears RD unless asked).
  add(T("dns", kEdns));
  { auto x = T("aa", kFull); x.aa = true; add(x); }
  { auto x = T("ad", kFull); x.ad = true; add(x); }
  { auto x = T("cd", kFull); x.cd = true; add(x); }
  { auto x = T("ra", kFull); x.ra = true; add(x); }
  { auto x = T("rd", kFull); x.rd = true; add(x); }
  { auto x = T("tc", kFull); x.tc = true; add(x); }
  { auto x = T("zflag", kFull); x.z = true; add(x); }
  // Opcode 15, header only (QDCOUNT 0): NOTIMP, no sections, no QUERY-only flags back.
  { auto x = T("opcode", kFull); x.opcode = 15; x.type = 0; add(x); }
  {
    auto x = T("opcodeflg", kFull);
    x.opcode = 15;
    x.type = 0;
    x.tc = x.rd = x.ra = x.cd = x.ad = x.aa = x.z = true;
    add(x);
  }
  { auto x = T("type666", kFull); x.type = 666; add(x); }
  { auto x = T("tcp", kFull); x.tcp = true; add(x); }
  // EDNS.
  add(edns("edns", kEdns, 0));
  add(edns("edns1", kEdns, 1));
  { auto x = edns("edns@512", kEdns, 0); x.udpsize = 512; x.ignore = true; x.type = kDnskey; add(x); }
  add(edns("ednsopt", kEdns, 0, kOpt100));
  add(edns("edns1opt", kEdns, 1, kOpt100));
  { auto x = edns("do", kEdns, 0); x.flags = 0x8000; add(x); }
  { auto x = edns("docd", kFull, 0); x.flags = 0x8000; x.cd = true; add(x); }
  { auto x = edns("edns1do", kFull, 1); x.flags = 0x8000; add(x); }
  { auto x = edns("ednsflags", kEdns, 0); x.flags = 0x0080; add(x); }
  { auto x = edns("optlist", kEdns, 0, kNsid + kEcs + kExpire + kCookie); x.cookie = true; add(x); }
  add(edns("ednsnsid", kFull, 0, kNsid));
  { auto x = edns("ednscookie", kFull, 0, kCookie); x.cookie = true; add(x); }
  add(edns("ednsexpire", kFull, 0, kExpire));
  add(edns("ednssubnet", kFull, 0, kEcs));
  add(edns("edns1nsid", kFull, 1, kNsid));
  { auto x = edns("edns1cookie", kFull, 1, kCookie); x.cookie = true; add(x); }
  add(edns("edns1expire", kFull, 1, kExpire));
  add(edns("edns1subnet", kFull, 1, kEcs));
  {
    auto x = edns("ednstcp", kEdns, 0);
    x.udpsize = 512;
    x.flags = 0x8000;
    x.tcp = true;
    x.type = kDnskey;
    add(x);
  }
  // What BIND 9.11 and its dig send by default.
  { auto x = edns("bind11", kComm, 0, kCookie); x.flags = 0x8000; x.cookie = true; add(x); }
  { auto x = edns("dig11", kComm, 0, kCookie); x.cookie = x.rd = x.ad = true; add(x); }
  // One query per type, no EDNS (genreport -t).
  static const std::pair<const char*, uint16_t> kTypes[] = {
      {"A", 1},        {"NS", 2},          {"MD", 3},         {"MF", 4},        {"CNAME", 5},      {"SOA", 6},
      {"MB", 7},       {"MG", 8},          {"MR", 9},         {"NULL", 10},     {"WKS", 11},       {"PTR", 12},
      {"HINFO", 13},   {"MINFO", 14},      {"MX", 15},        {"TXT", 16},      {"RP", 17},        {"AFSDB", 18},
      {"X25", 19},     {"ISDN", 20},       {"RT", 21},        {"NSAP", 22},     {"NSAP-PTR", 23},  {"SIG", 24},
      {"KEY", 25},     {"PX", 26},         {"GPOS", 27},      {"AAAA", 28},     {"LOC", 29},       {"NXT", 30},
      {"SRV", 33},     {"NAPTR", 35},      {"KX", 36},        {"CERT", 37},     {"A6", 38},        {"DNAME", 39},
      {"APL", 42},     {"DS", 43},         {"SSHFP", 44},     {"IPSECKEY", 45}, {"RRSIG", 46},     {"NSEC", 47},
      {"DNSKEY", 48},  {"DHCID", 49},      {"NSEC3", 50},     {"NSEC3PARAM", 51}, {"TLSA", 52},    {"SMIMEA", 53},
      {"HIP", 55},     {"CDS", 59},        {"CDNSKEY", 60},   {"OPENPGPKEY", 61}, {"SPF", 99},     {"NID", 104},
      {"L32", 105},    {"L64", 106},       {"LP", 107},       {"EUI48", 108},   {"EUI64", 109},    {"URI", 256},
      {"CAA", 257},    {"AVC", 258},       {"DOA", 259},      {"DLV", 32769},   {"TYPE1000", 1000}};
  for (const auto& [name, type] : kTypes) {
    auto x = T(name, kType);
    x.type = type;
    add(x);
  }
  // Not genreport rows: later EDNS options, judged by the same rules (answer normally, echo
  // nothing unknown). Keepalive over UDP must be ignored (RFC 7828 3.2.1).
  add(edns("x-ednskeepalive", kExtra, 0, std::string("\x00\x0b\x00\x00", 4)));
  add(edns("x-ednspadding", kExtra, 0, std::string("\x00\x0c\x00\x04\x00\x00\x00\x00", 8)));
  add(edns("x-ednszoneversion", kExtra, 0, std::string("\x00\x13\x00\x00", 4)));
  add(edns("x-edns1zoneversion", kExtra, 1, std::string("\x00\x13\x00\x00", 4)));
  // genreport's edns@512 row sends no DO, though its dig line and ISC's KB say +dnssec.
  { auto x = edns("x-edns@512do", kExtra, 0); x.udpsize = 512; x.ignore = true; x.flags = 0x8000; x.type = kDnskey; add(x); }
  add(edns("x-edns1optlist", kExtra, 1, kNsid + kEcs + kExpire + kOpt100));
  { auto x = edns("x-ednstcp-keepalive", kExtra, 0, std::string("\x00\x0b\x00\x00", 4)); x.tcp = true; add(x); }
  return t;
}

// The query genreport's dotest() sends: res_mkquery(QUERY, ".", IN, type) with RD cleared
// unless asked, the test's header flags, and an OPT when udpsize is set. Opcode tests keep only
// the 12-octet header (QDCOUNT 0).
std::vector<uint8_t> BuildQuery(const GenreportTest& t, uint16_t id) {
  std::vector<uint8_t> q = {static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id), 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
                            0,  // QNAME "."
                            static_cast<uint8_t>(t.type >> 8), static_cast<uint8_t>(t.type), 0, 1};
  if (t.opcode != 0) {
    q.resize(12);
    q[2] = static_cast<uint8_t>((t.opcode & 0x0f) << 3);
    q[4] = q[5] = 0;
  }
  if (t.aa) q[2] |= 0x04;
  if (t.tc) q[2] |= 0x02;
  if (t.rd) q[2] |= 0x01;
  if (t.ra) q[3] |= 0x80;
  if (t.z) q[3] |= 0x40;
  if (t.ad) q[3] |= 0x20;
  if (t.cd) q[3] |= 0x10;
  if (t.udpsize > 0 && t.opcode == 0) {
    const uint32_t ttl = static_cast<uint32_t>(t.version) << 16 | t.flags;
    const uint8_t opt[11] = {0,
                             0,
                             41,
                             static_cast<uint8_t>(t.udpsize >> 8),
                             static_cast<uint8_t>(t.udpsize),
                             static_cast<uint8_t>(ttl >> 24),
                             static_cast<uint8_t>(ttl >> 16),
                             static_cast<uint8_t>(ttl >> 8),
                             static_cast<uint8_t>(ttl),
                             static_cast<uint8_t>(t.rdata.size() >> 8),
                             static_cast<uint8_t>(t.rdata.size())};
    q.insert(q.end(), opt, opt + sizeof opt);
    q.insert(q.end(), t.rdata.begin(), t.rdata.end());
    q[11] = 1;
  }
  return q;
}

// A possibly compressed name, lowercase, "." for the root; false when malformed (dn_expand).
bool ReadName(const std::vector<uint8_t>& m, size_t& pos, std::string* out) {
  out->clear();
  size_t at = pos;
  bool jumped = false;
  for (int hops = 0; hops < 128; ++hops) {
    if (at >= m.size()) return false;
    const uint8_t len = m[at];
    if (len == 0) {
      if (!jumped) pos = at + 1;
      if (out->empty()) *out = ".";
      return true;
    }
    if ((len & 0xc0) == 0xc0) {
      if (at + 2 > m.size()) return false;
      if (!jumped) pos = at + 2;
      jumped = true;
      at = static_cast<size_t>((len & 0x3f) << 8 | m[at + 1]);
      continue;
    }
    if (len > 63 || at + 1 + len > m.size()) return false;
    for (size_t i = 0; i < len; ++i) out->push_back(static_cast<char>(std::tolower(m[at + 1 + i])));
    out->push_back('.');
    at += 1 + len;
  }
  return false;
}

uint16_t Get16(const std::vector<uint8_t>& m, size_t p) { return static_cast<uint16_t>(m[p] << 8 | m[p + 1]); }

// genreport's process() for one response to test `t` (an authoritative server, not in
// recursive mode): the tags it adds. Empty means "ok". TC is not judged here: genreport only
// uses it to retry over TCP, which RunTable does. `good_cookie`, when given, is set as
// genreport's goodcookie: a COOKIE option of 16 to 40 octets that starts with the client
// cookie (the client cookie echoed plus a server cookie). genreport does not make that part of
// the verdict, only of the informational tag printed after it ("cookie" rather than none or
// "cookie-mismatch"), so neither does Judge; callers that require it assert it themselves.
std::vector<std::string> Judge(const GenreportTest& t, const std::vector<uint8_t>& m, uint16_t id,
                               bool* good_cookie = nullptr) {
  if (good_cookie != nullptr) *good_cookie = false;
  std::vector<std::string> tags;
  if (m.empty()) return {"timeout"};
  if (m.size() < 12 || Get16(m, 0) != id || !(m[2] & 0x80)) return {"malformed"};
  const unsigned opcode = (m[2] >> 3) & 0xf, aa = (m[2] >> 2) & 1, rd = m[2] & 1;
  const unsigned ra = m[3] >> 7, z = (m[3] >> 6) & 1, ad = (m[3] >> 5) & 1, cd = (m[3] >> 4) & 1;
  unsigned rcode = m[3] & 0xf;
  const unsigned qd = Get16(m, 4), an = Get16(m, 6), ns = Get16(m, 8), ar = Get16(m, 10);
  size_t pos = 12;
  std::string name;
  bool seen_soa = false, seen_rrsig = false, seen_opt = false, seen_echo = false, seen_cookie = false;
  uint32_t edns_ttl = 0;
  auto skip_rr = [&](uint16_t* type, uint32_t* ttl, size_t* rdata, uint16_t* rdlen) {
    if (!ReadName(m, pos, &name) || pos + 10 > m.size()) return false;
    *type = Get16(m, pos);
    *ttl = static_cast<uint32_t>(Get16(m, pos + 4)) << 16 | Get16(m, pos + 6);
    *rdlen = Get16(m, pos + 8);
    pos += 10;
    if (pos + *rdlen > m.size()) return false;
    *rdata = pos;
    pos += *rdlen;
    return true;
  };
  if (t.opcode != 0 && qd != 0) {
    tags.push_back("non-empty-question-section");
  } else {
    for (unsigned i = 0; i < qd; ++i) {
      if (!ReadName(m, pos, &name) || pos + 4 > m.size()) return {"malformed"};
      if (name != "." || Get16(m, pos) != t.type) return {"mismatch"};
      pos += 4;
    }
  }
  uint16_t type, rdlen;
  uint32_t ttl;
  size_t rdata;
  if (t.opcode != 0 && an != 0) {
    tags.push_back("non-empty-answer-section");
  } else {
    for (unsigned i = 0; i < an; ++i) {
      if (!skip_rr(&type, &ttl, &rdata, &rdlen)) return {"malformed"};
      if (type == kSoa && name == ".") seen_soa = true;
      if (type == 46) seen_rrsig = true;
    }
  }
  if (t.opcode != 0 && ns != 0) {
    tags.push_back("non-empty-authority-section");
  } else {
    for (unsigned i = 0; i < ns; ++i) {
      if (!skip_rr(&type, &ttl, &rdata, &rdlen)) return {"malformed"};
    }
  }
  if (t.opcode != 0 && ar != 0) {
    tags.push_back("non-empty-additional-section");
  } else {
    for (unsigned i = 0; i < ar; ++i) {
      if (!skip_rr(&type, &ttl, &rdata, &rdlen)) return {"malformed"};
      if (type != 41) continue;
      if (seen_opt) return {"malformed"};  // a second OPT
      seen_opt = true;
      edns_ttl = ttl;
      size_t o = rdata;
      while (rdata + rdlen - o >= 4) {
        const uint16_t code = Get16(m, o), len = Get16(m, o + 2);
        o += 4;
        if (rdata + rdlen - o < len) return {"malformed"};
        if (code == 10 && len >= 16 && len <= 40) {
          seen_cookie = true;
          if (std::memcmp(m.data() + o, kClientCookie, 8) == 0) {
            if (good_cookie != nullptr) *good_cookie = true;
          } else if (t.cookie) {
            tags.push_back("cookie-mismatch");
          }
        }
        if (code == 100) seen_echo = true;
        o += len;
      }
      if (o != rdata + rdlen) return {"malformed"};
    }
  }
  if (pos != m.size()) return {"malformed"};

  rcode += (edns_ttl & 0xff000000) >> 20;
  auto rcode_text = [](unsigned r) -> std::string {
    static const std::map<unsigned, std::string> kNames = {
        {0, "noerror"}, {1, "formerr"}, {2, "servfail"}, {3, "nxdomain"}, {4, "notimp"},    {5, "refused"},
        {6, "yxdomain"}, {7, "yxrrset"}, {8, "nxrrset"}, {9, "notauth"},  {10, "notzone"}, {16, "badvers"},
        {23, "badcookie"}};
    auto it = kNames.find(r);
    return it != kNames.end() ? it->second : "rcode" + std::to_string(r);
  };
  if (t.opcode != opcode) tags.push_back("opcode" + std::to_string(opcode));
  if (t.version == 0) {
    // NOERROR, or BADCOOKIE with a server cookie when a client cookie was sent.
    if (t.opcode == 0 && rcode != 0 && (!t.cookie || rcode != 23 || !seen_cookie)) tags.push_back(rcode_text(rcode));
    if (t.opcode != 0 && rcode != 4) tags.push_back(rcode_text(rcode));  // NOTIMP
  }
  if (t.version != 0 && rcode != 16) tags.push_back(rcode_text(rcode));  // BADVERS
  const unsigned edns_version = (edns_ttl >> 16) & 0xff;
  if (seen_opt && edns_version != 0) tags.push_back("version-not-zero");
  if (seen_opt && ((edns_version < t.version && rcode != 16) || (edns_version >= t.version && rcode == 16))) {
    tags.push_back("badversion");
  }
  if (!seen_opt && t.udpsize) tags.push_back("noopt");
  if (seen_opt && t.udpsize == 0) tags.push_back("opt");
  if (t.type == kSoa && t.version == 0 && !t.ignore && !seen_soa && rcode == 0) tags.push_back("nosoa");
  if (t.type == kSoa && seen_soa && (t.version != 0 || rcode != 0)) tags.push_back("soa");
  if (seen_echo) tags.push_back("echoed");
  if (seen_opt && (t.flags & 0x8000) && !(edns_ttl & 0x8000) && seen_rrsig) tags.push_back("nodo");
  if (seen_opt && (t.flags & 0x8000) && t.cd && (edns_ttl & 0x8000) && !cd && seen_rrsig) tags.push_back("nocd");
  if (!aa && t.version == 0 && rcode == 0 && t.opcode == 0) tags.push_back("noaa");
  if (aa && t.opcode != 0) tags.push_back("aa");
  if (ra && t.opcode != 0) tags.push_back("ra");
  if (rd && (t.opcode != 0 || !t.rd)) tags.push_back("rd");
  if (!rd && t.rd && t.opcode == 0) tags.push_back("nord");
  if (ad && (t.opcode != 0 || (!t.ad && !(t.flags & 0x8000)))) tags.push_back("ad");
  if (cd && (t.opcode != 0 || !t.cd)) tags.push_back("cd");
  if (z) tags.push_back("z");
  if (edns_ttl & 0x7fff) tags.push_back("mbz");
  if (t.ignore && m.size() > (t.udpsize ? t.udpsize : 512u)) tags.push_back("toobig");
  return tags;
}

// The header of a response, dig style, to show why a peer failed.
std::string Describe(const std::vector<uint8_t>& m) {
  if (m.size() < 12) return m.empty() ? "no response" : "short response";
  static const std::pair<int, const char*> kFlags[] = {{0x8000, "qr"}, {0x0400, "aa"}, {0x0200, "tc"}, {0x0100, "rd"},
                                                       {0x0080, "ra"}, {0x0040, "z"},  {0x0020, "ad"}, {0x0010, "cd"}};
  const uint16_t flags = Get16(m, 2);
  std::string s = "opcode " + std::to_string((flags >> 11) & 0xf) + " rcode " + std::to_string(flags & 0xf) + " flags";
  for (const auto& [bit, name] : kFlags) {
    if (flags & bit) s += std::string(" ") + name;
  }
  s += " counts " + std::to_string(Get16(m, 4)) + "/" + std::to_string(Get16(m, 6)) + "/" +
       std::to_string(Get16(m, 8)) + "/" + std::to_string(Get16(m, 10));
  return s;
}

std::string Join(const std::vector<std::string>& tags) {
  if (tags.empty()) return "ok";
  std::string s;
  for (const std::string& tag : tags) s += (s.empty() ? "" : ",") + tag;
  return s;
}

// How one server is asked: over UDP (all queries), and over TCP one query at a time.
struct Asker {
  std::function<std::vector<std::vector<uint8_t>>(const std::vector<std::vector<uint8_t>>&)> udp;
  std::function<std::vector<uint8_t>(const std::vector<uint8_t>&)> tcp;
};

// genreport's flow per test: UDP unless the test says TCP; a TC=1 UDP response is retried over
// TCP unless the test ignores TC; the final response is judged.
std::vector<std::string> RunTable(const std::vector<GenreportTest>& tests, const Asker& asker,
                                  std::vector<std::vector<uint8_t>>* finals = nullptr) {
  std::vector<std::vector<uint8_t>> queries;
  for (size_t i = 0; i < tests.size(); ++i) queries.push_back(BuildQuery(tests[i], static_cast<uint16_t>(0x4000 + i)));
  std::vector<std::vector<uint8_t>> udp_queries;
  for (size_t i = 0; i < tests.size(); ++i) {
    if (!tests[i].tcp) udp_queries.push_back(queries[i]);
  }
  const std::vector<std::vector<uint8_t>> udp_responses = asker.udp(udp_queries);
  std::vector<std::string> results;
  size_t next_udp = 0;
  for (size_t i = 0; i < tests.size(); ++i) {
    std::vector<uint8_t> response;
    if (tests[i].tcp) {
      response = asker.tcp(queries[i]);
    } else {
      response = udp_responses[next_udp++];
      if (response.size() >= 12 && (response[2] & 0x02) && !tests[i].ignore) response = asker.tcp(queries[i]);
    }
    results.push_back(Join(Judge(tests[i], response, static_cast<uint16_t>(0x4000 + i))));
    if (finals != nullptr) finals->push_back(response);
  }
  return results;
}

Asker EngineAsker(const Engine& engine, const zone::ZoneImage& image) {
  return Asker{[&](const std::vector<std::vector<uint8_t>>& queries) {
                 std::vector<std::vector<uint8_t>> out;
                 for (const auto& q : queries) out.push_back(testing::Ask(engine, image, q).bytes);
                 return out;
               },
               [&](const std::vector<uint8_t>& q) { return testing::Ask(engine, image, q, Transport::kTcp).bytes; }};
}

// One query over a fresh TCP connection to 127.0.0.1:port; empty on any failure or timeout.
std::vector<uint8_t> ExchangeTcp(uint16_t port, const std::vector<uint8_t>& query) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return {};
  std::vector<uint8_t> response;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  std::vector<uint8_t> framed = {static_cast<uint8_t>(query.size() >> 8), static_cast<uint8_t>(query.size())};
  framed.insert(framed.end(), query.begin(), query.end());
  auto read_all = [&](uint8_t* p, size_t n) {
    while (n > 0) {
      const ssize_t got = read(fd, p, n);
      if (got <= 0) return false;
      p += got;
      n -= static_cast<size_t>(got);
    }
    return true;
  };
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      write(fd, framed.data(), framed.size()) == static_cast<ssize_t>(framed.size())) {
    uint8_t length[2];
    if (read_all(length, 2)) {
      response.resize(static_cast<size_t>(length[0] << 8 | length[1]));
      if (!read_all(response.data(), response.size())) response.clear();
    }
  }
  close(fd);
  return response;
}

class EdnsComplianceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    image_ = new std::shared_ptr<const zone::ZoneImage>(
        testing::CompileFile(rootd::testing::SharedDataDir() + "/zones/root.zone"));
  }
  static void TearDownTestSuite() {
    delete image_;
    image_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(*image_, nullptr) << "the real root zone did not compile"; }

  // The configurations rootd runs with: defaults (no NSID, no cookies) and everything on.
  static std::vector<std::pair<std::string, EngineConfig>> Configs() {
    EngineConfig full;
    full.nsid = "rootd-test";
    full.identity = "rootd-test";
    full.version = "rootd";
    full.cookie_secret = std::string("0123456789abcdef");
    return {{"default", EngineConfig{}}, {"nsid+cookies", full}};
  }

  static std::shared_ptr<const zone::ZoneImage>* image_;
};
std::shared_ptr<const zone::ZoneImage>* EdnsComplianceTest::image_ = nullptr;

// Every genreport test, in every group, passes against the engine. With server cookies on,
// every test that sends a client cookie also gets a good cookie back (the client cookie echoed
// plus a server cookie: genreport's "ok,cookie"); genreport prints that but does not require it,
// rootd does (RFC 7873 5.2).
TEST_F(EdnsComplianceTest, EngineFailsNone) {
  const std::vector<GenreportTest> tests = AllTests();
  for (const auto& [config_name, config] : Configs()) {
    const Engine engine(config);
    std::vector<std::vector<uint8_t>> finals;
    const std::vector<std::string> results = RunTable(tests, EngineAsker(engine, **image_), &finals);
    for (size_t i = 0; i < tests.size(); ++i) {
      SCOPED_TRACE(std::string(tests[i].name) + " (" + GroupName(tests[i].group) + ", config " + config_name + ")");
      EXPECT_EQ(results[i], "ok");
      if (tests[i].cookie && !config.cookie_secret.empty()) {
        bool good_cookie = false;
        Judge(tests[i], finals[i], static_cast<uint16_t>(0x4000 + i), &good_cookie);
        EXPECT_TRUE(good_cookie);
      }
    }
  }
}

// genreport's report line prints "signed=<do result>,yes" when the "do" answer carries an
// RRSIG: the root is signed, so it must, with DO echoed; and over TCP ("ednstcp") the whole
// DNSKEY RRset and its signature come back with no TC.
TEST_F(EdnsComplianceTest, SignedAnswersCarryRrsigsAndEchoDo) {
  const Engine engine{EngineConfig{}};
  for (const GenreportTest& t : AllTests()) {
    const std::string name = t.name;
    if (name != "do" && name != "docd" && name != "ednstcp" && name != "bind11") continue;
    SCOPED_TRACE(name);
    const auto response = testing::Ask(engine, **image_, BuildQuery(t, 7), t.tcp ? Transport::kTcp : Transport::kUdp);
    const testing::Decoded d = testing::Decode(response.bytes);
    ASSERT_TRUE(d.ok);
    EXPECT_FALSE(d.tc);
    EXPECT_TRUE(d.opt_do);
    EXPECT_EQ(d.cd, t.cd);
    int rrsigs = 0;
    for (const std::string& rr : d.answer) rrsigs += rr == ". rrsig";
    EXPECT_EQ(rrsigs, 1);
  }
}

// edns@512: the DNSKEY RRset with DO does not fit 512 octets; genreport ignores TC there and
// only asks that the response fit, be NOERROR with AA and carry an OPT (DO echoed).
TEST_F(EdnsComplianceTest, DnskeyAt512FitsAndIsTruncated) {
  const Engine engine{EngineConfig{}};
  GenreportTest t = T("edns@512", kEdns);
  t.udpsize = 512;
  t.ignore = true;
  t.type = kDnskey;
  const auto response = testing::Ask(engine, **image_, BuildQuery(t, 9));
  EXPECT_LE(response.bytes.size(), 512u);
  const testing::Decoded d = testing::Decode(response.bytes);
  ASSERT_TRUE(d.ok);
  EXPECT_TRUE(d.tc);
  EXPECT_TRUE(d.aa);
  EXPECT_TRUE(d.opt);
  EXPECT_EQ(d.rcode, 0);
}

// The same table against NSD and Knot DNS on the same zone. Their failures are printed (and
// recorded in edns_compliance.md), not asserted: this test only fails when a peer cannot start.
TEST_F(EdnsComplianceTest, PeersTable) {
  const std::vector<GenreportTest> tests = AllTests();
  std::string pattern = ::testing::TempDir() + "/rootd-ednscomp-XXXXXX";
  ASSERT_NE(mkdtemp(pattern.data()), nullptr) << "mkdtemp " << pattern;
  const std::string dir = pattern;

  const Engine engine{EngineConfig{}};
  std::vector<std::string> columns = {"rootd"};
  std::vector<std::vector<std::vector<uint8_t>>> responses(1);
  std::vector<std::vector<std::string>> results = {RunTable(tests, EngineAsker(engine, **image_), &responses[0])};
  for (PeerKind kind : {PeerKind::kNsd, PeerKind::kKnot, PeerKind::kBind}) {
    const std::string peer_dir = dir + "/" + testing::PeerName(kind);
    ASSERT_TRUE(std::filesystem::create_directories(peer_dir));
    auto server = PeerServer::Start(kind, rootd::testing::SharedDataDir() + "/zones/root.zone", peer_dir);
    ASSERT_TRUE(server.ok()) << testing::PeerName(kind) << " did not start: " << server.status();
    const uint16_t port = (*server)->port();
    Asker asker{[port](const std::vector<std::vector<uint8_t>>& queries) { return testing::ExchangeUdp(port, queries); },
                [port](const std::vector<uint8_t>& q) { return ExchangeTcp(port, q); }};
    columns.push_back(testing::PeerName(kind));
    responses.emplace_back();
    results.push_back(RunTable(tests, asker, &responses.back()));
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);

  std::ostringstream table;
  table << "\n[edns-compliance] genreport tests against the real root zone (non-ok rows only)\n";
  table << "  " << std::left << std::setw(22) << "test" << std::setw(7) << "group";
  for (const std::string& c : columns) table << std::setw(34) << c;
  table << "\n";
  std::map<std::string, int> failures;
  for (size_t i = 0; i < tests.size(); ++i) {
    bool all_ok = true;
    for (size_t s = 0; s < columns.size(); ++s) {
      if (results[s][i] != "ok") {
        all_ok = false;
        ++failures[columns[s]];
      }
    }
    if (all_ok) continue;
    table << "  " << std::setw(22) << tests[i].name << std::setw(7) << GroupName(tests[i].group);
    for (size_t s = 0; s < columns.size(); ++s) table << std::setw(34) << results[s][i];
    table << "\n";
    for (size_t s = 0; s < columns.size(); ++s) {
      if (results[s][i] != "ok") table << "      " << columns[s] << ": " << Describe(responses[s][i]) << "\n";
    }
  }
  table << "  failures of " << tests.size() << ":";
  for (const std::string& c : columns) table << " " << c << "=" << failures[c];
  table << "\n";
  std::cout << table.str();
  for (size_t i = 0; i < tests.size(); ++i) {
    SCOPED_TRACE(tests[i].name);
    EXPECT_EQ(results[0][i], "ok");
  }
}

}  // namespace
}  // namespace rootd::server

#include "zone/dnssec_wire.h"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>

#include "absl/status/status.h"
#include "zone/c_ptr.h"
#include "zone/name.h"
#include "zone/rr_types.h"
#include "zone/text.h"
#include "zone/wire.h"

namespace rootd::zone {

namespace {

class Digester {
 public:
  explicit Digester(const EVP_MD* md) : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_.get(), md, nullptr); }
  void Update(std::string_view s) { EVP_DigestUpdate(ctx_.get(), s.data(), s.size()); }
  std::string Final() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_.get(), out, &len);
    return std::string(reinterpret_cast<char*>(out), len);
  }

 private:
  CPtr<EVP_MD_CTX, EVP_MD_CTX_free> ctx_;
};

// One RR in canonical wire form: owner | type | class | ttl | rdlength | rdata.
void AppendCanonicalRr(std::string& out, std::string_view lower_owner, uint16_t type, uint16_t rclass, uint32_t ttl,
                       std::string_view canonical_rdata) {
  out.append(lower_owner);
  Put16(out, type);
  Put16(out, rclass);
  Put32(out, ttl);
  Put16(out, static_cast<uint16_t>(canonical_rdata.size()));
  out.append(canonical_rdata);
}

}  // namespace

uint16_t KeyTag(std::string_view rdata) {
  uint32_t ac = 0;
  for (size_t i = 0; i < rdata.size(); ++i) {
    ac += (i & 1) ? static_cast<uint8_t>(rdata[i]) : static_cast<uint32_t>(static_cast<uint8_t>(rdata[i])) << 8;
  }
  ac += (ac >> 16) & 0xffff;
  return static_cast<uint16_t>(ac & 0xffff);
}

uint16_t DnskeyFlags(std::string_view rdata) { return rdata.size() >= 2 ? Get16(rdata, 0) : 0; }
uint8_t DnskeyAlgorithm(std::string_view rdata) { return rdata.size() >= 4 ? static_cast<uint8_t>(rdata[3]) : 0; }
std::string_view DnskeyPublicKey(std::string_view rdata) { return rdata.size() >= 4 ? rdata.substr(4) : ""; }

absl::StatusOr<std::string> DsDigest(std::string_view owner, std::string_view dnskey_rdata, uint8_t digest_type) {
  const EVP_MD* md = nullptr;
  switch (digest_type) {
    case dns::kDigestSha1: md = EVP_sha1(); break;
    case dns::kDigestSha256: md = EVP_sha256(); break;
    case dns::kDigestSha384: md = EVP_sha384(); break;
    default: return absl::InvalidArgumentError(Cat("unsupported DS digest type ", int{digest_type}));
  }
  Digester d(md);
  d.Update(LowerName(owner));
  d.Update(dnskey_rdata);
  return d.Final();
}

absl::StatusOr<RrsigFields> ParseRrsig(std::string_view rdata) {
  if (rdata.size() < 19) return absl::InvalidArgumentError("RRSIG RDATA too short");
  RrsigFields f;
  f.type_covered = Get16(rdata, 0);
  f.algorithm = static_cast<uint8_t>(rdata[2]);
  f.labels = static_cast<uint8_t>(rdata[3]);
  f.original_ttl = Get32(rdata, 4);
  f.expiration = Get32(rdata, 8);
  f.inception = Get32(rdata, 12);
  f.key_tag = Get16(rdata, 16);
  size_t i = 18;
  while (i < rdata.size() && rdata[i] != 0) i += 1 + static_cast<uint8_t>(rdata[i]);
  if (i >= rdata.size()) return absl::InvalidArgumentError("RRSIG signer name runs past the RDATA");
  f.signer = std::string(rdata.substr(18, i + 1 - 18));
  f.prefix = rdata.substr(0, i + 1);
  f.signature = rdata.substr(i + 1);
  return f;
}

std::string SignedData(const RrsigFields& rrsig, std::string_view owner, uint16_t type, uint16_t rclass,
                       const std::vector<std::string_view>& rdatas) {
  std::string out(rrsig.prefix);
  // The signer name is part of the prefix and is signed lowercased (RFC 4034 3.1.8.1).
  const size_t signer_at = 18;
  for (size_t i = signer_at; i < out.size(); ++i) out[i] = static_cast<char>(LowerByte(static_cast<uint8_t>(out[i])));

  std::string signed_owner(owner);
  if (LabelCount(owner) > rrsig.labels) signed_owner = std::string("\1*", 2) + std::string(NameSuffix(owner, rrsig.labels));
  return out + CanonicalRRset(signed_owner, type, rclass, rrsig.original_ttl, rdatas);
}

std::string CanonicalRRset(std::string_view owner, uint16_t type, uint16_t rclass, uint32_t ttl,
                           const std::vector<std::string_view>& rdatas) {
  const std::string lower_owner = LowerName(owner);
  std::vector<std::string> canonical;
  canonical.reserve(rdatas.size());
  for (std::string_view r : rdatas) canonical.push_back(CanonicalRdata(type, r));
  std::sort(canonical.begin(), canonical.end());
  canonical.erase(std::unique(canonical.begin(), canonical.end()), canonical.end());
  std::string out;
  for (const std::string& r : canonical) AppendCanonicalRr(out, lower_owner, type, rclass, ttl, r);
  return out;
}

uint32_t DnskeyRRsetId(std::string_view owner, uint16_t rclass, const std::vector<std::string_view>& rdatas) {
  Digester d(EVP_sha256());
  d.Update(CanonicalRRset(owner, dns::kTypeDnskey, rclass, 0, rdatas));
  return Get32(d.Final(), 0);
}

bool SerialTimeAtOrAfter(uint32_t t, uint32_t ref) { return static_cast<int32_t>(t - ref) >= 0; }

absl::StatusOr<std::string> ZonemdDigest(const Zone& zone, uint8_t hash_algorithm) {
  const EVP_MD* md = nullptr;
  switch (hash_algorithm) {
    case dns::kZonemdSha384: md = EVP_sha384(); break;
    case dns::kZonemdSha512: md = EVP_sha512(); break;
    default: return absl::InvalidArgumentError(Cat("unsupported ZONEMD hash algorithm ", int{hash_algorithm}));
  }
  const Node* apex = zone.apex();
  Digester d(md);
  std::string rr;
  struct Sig {
    std::string rdata;
    const Record* record;
  };
  std::vector<Sig> sigs;
  for (const Node& node : zone.nodes()) {
    const bool at_apex = &node == apex;
    // RRSIGs sort as type 46 among the node's types, ordered by their own RDATA.
    sigs.clear();
    for (const RRset& set : node.rrsets) {
      if (at_apex && set.type == dns::kTypeZonemd) continue;
      for (const Record* s : set.signatures) sigs.push_back({CanonicalRdata(dns::kTypeRrsig, s->rdata), s});
    }
    for (const Record* s : node.orphan_signatures) {
      if (at_apex && RrsigTypeCovered(*s) == dns::kTypeZonemd) continue;
      sigs.push_back({CanonicalRdata(dns::kTypeRrsig, s->rdata), s});
    }
    std::sort(sigs.begin(), sigs.end(), [](const Sig& a, const Sig& b) { return a.rdata < b.rdata; });
    sigs.erase(std::unique(sigs.begin(), sigs.end(), [](const Sig& a, const Sig& b) { return a.rdata == b.rdata; }),
               sigs.end());
    bool sigs_done = false;
    auto emit_sigs = [&] {
      for (const Sig& s : sigs) {
        rr.clear();
        AppendCanonicalRr(rr, node.name, dns::kTypeRrsig, s.record->rclass, s.record->ttl, s.rdata);
        d.Update(rr);
      }
      sigs_done = true;
    };
    for (const RRset& set : node.rrsets) {
      if (at_apex && set.type == dns::kTypeZonemd) continue;
      if (!sigs_done && set.type > dns::kTypeRrsig) emit_sigs();
      for (const Record* r : set.records) {
        rr.clear();
        AppendCanonicalRr(rr, node.name, set.type, r->rclass, r->ttl, CanonicalRdata(set.type, r->rdata));
        d.Update(rr);
      }
    }
    if (!sigs_done) emit_sigs();
  }
  return d.Final();
}

}  // namespace rootd::zone

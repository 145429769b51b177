#include "zone/lab_init.h"

#include <arpa/inet.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "zone/anchor_files.h"
#include "zone/file_io.h"
#include "zone/lab_keystore.h"
#include "zone/lab_tld_zone.h"
#include "zone/lab_zone.h"
#include "zone/master_reader.h"
#include "zone/name.h"
#include "zone/root_signing.h"
#include "zone/text.h"
#include "zone/wire.h"

namespace rootd::zone {

namespace {

constexpr uint32_t kRootServerGlueTtl = 518400;
constexpr uint32_t kDelegationTtl = 172800;
constexpr uint32_t kDsTtl = 86400;

absl::StatusOr<std::string> Ipv4(const std::string& text) {
  std::string out(4, '\0');
  if (inet_pton(AF_INET, text.c_str(), out.data()) != 1) {
    return absl::InvalidArgumentError(Cat("'", text, "' is not an IPv4 address"));
  }
  return out;
}

Record MakeRecord(std::string owner, uint16_t type, uint32_t ttl, std::string rdata) {
  return Record{.owner = std::move(owner), .type = type, .rclass = dns::kClassIn, .ttl = ttl, .rdata = std::move(rdata)};
}

// The root zone's content without DNSSEC records, and its serial: generated, or read.
absl::StatusOr<std::vector<Record>> RootContent(const LabInitOptions& options) {
  if (options.from_zone.empty()) {
    LabZoneOptions generate;
    generate.tld_count = options.tld_count;
    generate.now = options.now;
    absl::StatusOr<LabZoneContent> content = GenerateLabZoneContent(generate);
    if (!content.ok()) return content.status();
    return std::move(content->records);
  }
  absl::StatusOr<Zone> zone = ReadMasterFile(options.from_zone);
  if (!zone.ok()) return zone.status();
  if (absl::Status s = CheckRootZoneShape(*zone); !s.ok()) return s;
  return StripDnssecRecords(zone->records());
}

// Points the root servers' glue at the lab server (A only: a resolver priming from the zone
// then only ever asks the lab), and delegates lab. to ns.lab. with the child's DS, replacing
// whatever the content had at or below those names.
absl::StatusOr<std::vector<Record>> LabDelegations(std::vector<Record> records, const LabInitOptions& options,
                                                   const std::string& tld_ds) {
  absl::StatusOr<std::string> server = Ipv4(options.server_address);
  if (!server.ok()) return server.status();
  absl::StatusOr<std::string> tld_server = Ipv4(options.lab_tld_address);
  if (!tld_server.ok()) return tld_server.status();
  std::vector<std::string> root_servers;
  for (char letter = 'a'; letter <= 'm'; ++letter) {
    root_servers.push_back(Cat('\1', letter, '\14', "root-servers", '\3', "net", std::string(1, '\0')));
  }
  const std::string lab = Cat('\3', kLabTld, std::string(1, '\0'));
  std::erase_if(records, [&](const Record& r) {
    if (IsSubdomainOf(r.owner, lab)) return true;
    if (r.type != dns::kTypeA && r.type != dns::kTypeAaaa) return false;
    for (const std::string& rs : root_servers) {
      if (CanonicalCompare(r.owner, rs) == 0) return true;
    }
    return false;
  });
  for (const std::string& rs : root_servers) records.push_back(MakeRecord(rs, dns::kTypeA, kRootServerGlueTtl, *server));
  const std::string ns = Cat('\2', "ns", lab);
  records.push_back(MakeRecord(lab, dns::kTypeNs, kDelegationTtl, ns));
  records.push_back(MakeRecord(lab, dns::kTypeDs, kDsTtl, tld_ds));
  records.push_back(MakeRecord(ns, dns::kTypeA, kDelegationTtl, *std::move(tld_server)));
  return records;
}

uint32_t SoaSerial(const std::vector<Record>& records) {
  for (const Record& r : records) {
    if (r.type == dns::kTypeSoa && r.owner.size() == 1 && r.rdata.size() >= 20) return Get32(r.rdata, r.rdata.size() - 20);
  }
  return 0;
}

}  // namespace

std::string LabRootZonePath(const std::string& dir) { return Cat(dir, "/root.zone"); }

absl::StatusOr<LabInitReport> InitLab(const LabInitOptions& options) {
  // Everything that can be refused is checked before the keys exist.
  if (absl::Status s = Ipv4(options.server_address).status(); !s.ok()) return s;
  if (absl::Status s = Ipv4(options.lab_tld_address).status(); !s.ok()) return s;
  absl::StatusOr<std::vector<Record>> content = RootContent(options);
  if (!content.ok()) return content.status();

  absl::StatusOr<LabKeyStore> store = LabKeyStore::Create(options.dir);
  if (!store.ok()) return store.status();
  absl::StatusOr<SigningKey> ksk = store->GetOrCreate("KSK-A", true, options.algorithm);
  if (!ksk.ok()) return ksk.status();
  absl::StatusOr<SigningKey> zsk = store->GetOrCreate("ZSK-1", false, options.algorithm);
  if (!zsk.ok()) return zsk.status();
  absl::StatusOr<SigningKey> tld_key = store->GetOrCreate("LAB-TLD", true, options.algorithm);
  if (!tld_key.ok()) return tld_key.status();

  LabInitReport report;
  report.ksk_tag = ksk->key_tag();
  report.zsk_tag = zsk->key_tag();
  report.lab_tld_tag = tld_key->key_tag();
  report.expiration = options.now + options.validity;
  const SignatureValidity validity = SignatureValidity::Between(options.now - absl::Hours(1), report.expiration);

  absl::StatusOr<std::string> tld_ds = tld_key->DsRdata(Cat('\3', kLabTld, std::string(1, '\0')), dns::kDigestSha256);
  if (!tld_ds.ok()) return tld_ds.status();
  absl::StatusOr<std::vector<Record>> records = LabDelegations(*std::move(content), options, *tld_ds);
  if (!records.ok()) return records.status();
  report.serial = SoaSerial(*records);
  absl::StatusOr<std::string> tld_address = Ipv4(options.lab_tld_address);
  absl::StatusOr<LabTldZone> tld = MakeLabTldZone(*tld_key, *tld_address, report.serial, validity);
  if (!tld.ok()) return tld.status();

  RootSigningOptions signing;
  signing.ksks = {*ksk};
  signing.zsks = {*zsk};
  signing.validity = validity;
  absl::StatusOr<std::vector<Record>> signed_root = SignRootZone(*std::move(records), signing);
  if (!signed_root.ok()) return signed_root.status();
  report.records = signed_root->size();

  absl::StatusOr<AnchorFiles> anchors = MakeAnchorFiles({*ksk}, options.now);
  if (!anchors.ok()) return anchors.status();
  const std::string anchor_dir = Cat(options.dir, "/anchors");
  if (mkdir(anchor_dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return absl::PermissionDeniedError(Cat("cannot create ", anchor_dir, ": ", std::strerror(errno)));
  }
  const std::pair<std::string, std::string> files[] = {
      {LabRootZonePath(options.dir),
       ZoneFileText(Cat("; Lab root zone made by rootlab init, serial ", report.serial, ". Not the real root zone.\n"),
                *signed_root)},
      {Cat(options.dir, "/lab.zone"), tld->text},
      {Cat(options.dir, "/root.ds"), anchors->ds},
      {Cat(anchor_dir, "/unbound-root.key"), anchors->dnskey},
      {Cat(anchor_dir, "/bind-trust-anchors.conf"), anchors->bind},
      {Cat(anchor_dir, "/kresd-root.keys"), anchors->ds},
      {Cat(anchor_dir, "/root-anchors.xml"), anchors->root_anchors_xml},
  };
  for (const auto& [path, text] : files) {
    if (absl::Status s = WriteFileAtomically(path, text); !s.ok()) return s;
  }
  return report;
}

}  // namespace rootd::zone

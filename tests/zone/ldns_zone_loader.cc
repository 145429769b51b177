#include "tests/zone/ldns_zone_loader.h"

#include <ldns/ldns.h>

#include <cstdio>

#include "absl/status/status.h"
#include "zone/text.h"

namespace rootd::testing {

namespace {

std::string RdfWire(const ldns_rdf* rdf) {
  return std::string(reinterpret_cast<const char*>(ldns_rdf_data(rdf)), ldns_rdf_size(rdf));
}

absl::StatusOr<zone::Zone> LoadFp(FILE* fp, const std::string& name) {
  std::vector<zone::Record> records;
  uint32_t ttl = 3600;
  ldns_rdf* origin = ldns_dname_new_frm_str(".");
  ldns_rdf* prev = nullptr;
  int line = 1;
  absl::Status status;
  while (!feof(fp)) {
    ldns_rr* rr = nullptr;
    const int line_before = line;
    const ldns_status s = ldns_rr_new_frm_fp_l(&rr, fp, &ttl, &origin, &prev, &line);
    if (s == LDNS_STATUS_SYNTAX_EMPTY || s == LDNS_STATUS_SYNTAX_TTL || s == LDNS_STATUS_SYNTAX_ORIGIN) continue;
    if (s != LDNS_STATUS_OK) {
      status = absl::InvalidArgumentError(Cat(name, ":", line, ": ", ldns_get_errorstr_by_id(s)));
      break;
    }
    zone::Record r;
    r.owner = RdfWire(ldns_rr_owner(rr));
    r.type = static_cast<uint16_t>(ldns_rr_get_type(rr));
    r.rclass = static_cast<uint16_t>(ldns_rr_get_class(rr));
    r.ttl = ldns_rr_ttl(rr);
    for (size_t i = 0; i < ldns_rr_rd_count(rr); ++i) r.rdata += RdfWire(ldns_rr_rdf(rr, i));
    r.line = static_cast<uint32_t>(line_before);  // ldns counts the newlines it has consumed
    records.push_back(std::move(r));
    ldns_rr_free(rr);
  }
  ldns_rdf_deep_free(origin);
  if (prev != nullptr) ldns_rdf_deep_free(prev);
  if (!status.ok()) return status;
  return zone::Zone::FromRecords({name}, std::move(records));
}

}  // namespace

absl::StatusOr<zone::Zone> LoadZoneWithLdns(const std::string& path) {
  FILE* fp = std::fopen(path.c_str(), "r");
  if (fp == nullptr) return absl::NotFoundError(Cat("cannot open ", path));
  const size_t slash = path.rfind('/');
  absl::StatusOr<zone::Zone> z = LoadFp(fp, slash == std::string::npos ? path : path.substr(slash + 1));
  std::fclose(fp);
  return z;
}

absl::StatusOr<zone::Zone> LoadZoneTextWithLdns(std::string_view text, const std::string& name) {
  FILE* fp = fmemopen(const_cast<char*>(text.data()), text.size(), "r");
  if (fp == nullptr) return absl::InternalError("fmemopen failed");
  absl::StatusOr<zone::Zone> z = LoadFp(fp, name);
  std::fclose(fp);
  return z;
}

}  // namespace rootd::testing

// ldns as the independent reference for DNSSEC tests: parse our presentation output with
// ldns, compute key tags and DS with it, verify signatures with it, and run ldnsutils.
#pragma once
#include <ldns/ldns.h>

#include <cstdio>
#include <ctime>
#include <memory>
#include <string>

#include "tests/run_command.h"

namespace rootd::zone::testing {

struct LdnsRrFree {
  void operator()(ldns_rr* rr) const { ldns_rr_free(rr); }
};
using LdnsRr = std::unique_ptr<ldns_rr, LdnsRrFree>;

struct LdnsRrListFree {
  void operator()(ldns_rr_list* l) const { ldns_rr_list_deep_free(l); }
};
using LdnsRrList = std::unique_ptr<ldns_rr_list, LdnsRrListFree>;

// One RR from its presentation line; null if ldns rejects it.
inline LdnsRr ParseRr(const std::string& line) {
  ldns_rr* rr = nullptr;
  if (ldns_rr_new_frm_str(&rr, line.c_str(), 0, nullptr, nullptr) != LDNS_STATUS_OK) return nullptr;
  return LdnsRr(rr);
}

// Raw bytes of RDATA field `n` as ldns holds them.
inline std::string RdfBytes(const ldns_rr* rr, size_t n) {
  const ldns_rdf* rdf = ldns_rr_rdf(rr, n);
  return std::string(reinterpret_cast<const char*>(ldns_rdf_data(rdf)), ldns_rdf_size(rdf));
}

using rootd::testing::CommandResult;
using rootd::testing::RunCommand;

}  // namespace rootd::zone::testing

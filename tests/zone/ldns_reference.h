// ldns as the independent reference for DNSSEC tests: parse our presentation output with
// ldns, compute key tags and DS with it, verify signatures with it, and run ldnsutils.
#pragma once
#include <ldns/ldns.h>

#include <cstdio>
#include <ctime>
#include <memory>
#include <string>

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

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

inline CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) result.output.append(buf, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace rootd::zone::testing

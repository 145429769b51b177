#include "server/check_command.h"

#include <cstdio>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "server/command_line.h"
#include "server/json_writer.h"
#include "zone/rr_types.h"
#include "zone/signature_verifier.h"
#include "zone/zone.h"
#include "zone/zone_loader.h"

namespace rootd::server {

namespace {

constexpr char kUsage[] =
    "usage: rootd check ZONE [--trust-anchor FILE] [--at 2026-11-20T00:00:00Z] [--no-verify] [--json]\n";

void WriteJson(const zone::LoadOptions& options, const absl::StatusOr<zone::LoadedZone>& loaded) {
  JsonWriter j;
  j.BeginObject().Key("zone").String(options.zone_path).Key("ok").Bool(loaded.ok());
  if (!loaded.ok()) {
    j.Key("error").String(std::string(loaded.status().message()));
    j.EndObject();
    std::printf("%s\n", j.str().c_str());
    return;
  }
  const zone::LoadedZone& z = *loaded;
  j.Key("serial").Number(uint64_t{z.image->serial()});
  j.Key("tlds").Number(uint64_t{z.image->tld_count()});
  j.Key("records").Number(uint64_t{z.records});
  j.Key("verified").Bool(z.verified);
  if (z.verified) {
    const zone::VerifyReport& r = z.report;
    j.Key("signatures").BeginObject();
    j.Key("checked").Number(uint64_t{r.signatures_checked}).Key("verified").Number(uint64_t{r.signatures_verified});
    if (r.earliest_expiration != absl::InfiniteFuture()) {
      j.Key("earliest_expiration").String(zone::FormatUtc(r.earliest_expiration));
      j.Key("earliest_expiring").String(r.earliest_expiring);
    }
    j.EndObject();
    j.Key("trust_anchor").BeginObject().Key("checked").Bool(r.anchor_checked).Key("dnskey_validated").Bool(r.dnskey_validated);
    j.Key("matches").BeginArray();
    for (const std::string& m : r.anchor_matches) j.String(m);
    j.EndArray().EndObject();
    j.Key("keys").BeginArray();
    for (const zone::KeyRole& k : r.keys) {
      j.BeginObject().Key("tag").Number(uint64_t{k.tag}).Key("algorithm").Number(uint64_t{k.algorithm});
      j.Key("bits").Number(uint64_t(k.bits)).Key("flags").Number(uint64_t{k.flags});
      j.Key("role").String(k.ksk ? "KSK" : "ZSK").Key("revoked").Bool(k.revoked);
      j.Key("trust_anchored").Bool(k.trust_anchored).Key("signs").BeginArray();
      for (uint16_t t : k.signs) j.String(zone::TypeToText(t));
      j.EndArray().Key("signatures").Number(uint64_t{k.signatures}).EndObject();
    }
    j.EndArray();
    j.Key("zonemd").String(r.zonemd.ToString());
  }
  j.Key("image").BeginObject().Key("answers").Number(uint64_t{z.image->body_count()});
  j.Key("bytes").Number(uint64_t{z.image->memory_bytes()}).EndObject();
  j.Key("times_ms").BeginObject().Key("read").Number(absl::ToDoubleMilliseconds(z.times.read));
  j.Key("verify").Number(absl::ToDoubleMilliseconds(z.times.verify));
  j.Key("compile").Number(absl::ToDoubleMilliseconds(z.times.compile)).EndObject();
  j.EndObject();
  std::printf("%s\n", j.str().c_str());
}

}  // namespace

int RunCheck(int argc, char** argv) {
  zone::LoadOptions options;
  bool json = false;
  CommandLine command_line("rootd check", kUsage);
  command_line.Option("trust-anchor", &options.trust_anchor_path)
      .Option(
          "at",
          [&options](const std::string& value) {
            std::string error;
            return absl::ParseTime(absl::RFC3339_full, value, &options.at, &error);
          },
          "a time like 2026-11-20T00:00:00Z")
      .Switch("json", &json)
      .Switch("no-verify", [&options] { options.verify = false; })
      .Arguments({&options.zone_path});
  if (std::optional<int> status = command_line.Parse(argc, argv, 0)) return *status;
  if (options.zone_path.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const absl::StatusOr<zone::LoadedZone> loaded = zone::LoadZone(options);
  if (json) {
    WriteJson(options, loaded);
  } else if (loaded.ok()) {
    std::printf("%s: OK\n%s", options.zone_path.c_str(), loaded->Summary().c_str());
  } else {
    std::fprintf(stderr, "%s\n", std::string(loaded.status().message()).c_str());
  }
  return loaded.ok() ? 0 : 1;
}

}  // namespace rootd::server

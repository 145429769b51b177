#include "zone/zone_loader.h"

#include "absl/status/status.h"
#include "zone/master_reader.h"
#include "zone/signature_verifier.h"
#include "zone/text.h"
#include "zone/trust_anchor.h"

namespace rootd::zone {

namespace {

std::string Millis(absl::Duration d) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.1f ms", absl::ToDoubleMilliseconds(d));
  return buf;
}

}  // namespace

absl::StatusOr<LoadedZone> LoadZone(const LoadOptions& options) {
  LoadedZone loaded;
  absl::Time start = absl::Now();
  auto zone = ReadMasterFile(options.zone_path);
  if (!zone.ok()) return zone.status();
  if (auto s = CheckRootZoneShape(*zone); !s.ok()) return s;
  loaded.records = zone->records().size();
  loaded.times.read = absl::Now() - start;

  if (options.verify) {
    start = absl::Now();
    std::unique_ptr<TrustAnchor> anchor;
    if (!options.trust_anchor_path.empty()) {
      auto a = TrustAnchor::LoadFile(options.trust_anchor_path);
      if (!a.ok()) return a.status();
      anchor = std::make_unique<TrustAnchor>(std::move(*a));
    }
    const absl::Time at = options.at == absl::InfinitePast() ? absl::Now() : options.at;
    loaded.report = VerifyZone(*zone, anchor.get(), at);
    loaded.verified = true;
    loaded.times.verify = absl::Now() - start;
    if (!loaded.report.ok()) {
      std::string message = Cat(options.zone_path, ": zone does not verify at ", FormatUtc(at), " (",
                                loaded.report.problem_count, " problems):");
      for (const std::string& p : loaded.report.problems) message += Cat("\n  ", p);
      if (loaded.report.problem_count > loaded.report.problems.size()) message += "\n  ...";
      return absl::InvalidArgumentError(message);
    }
  }

  start = absl::Now();
  auto image = ZoneImage::Compile(*zone);
  if (!image.ok()) return absl::InvalidArgumentError(Cat(options.zone_path, ": ", image.status().message()));
  loaded.image = std::move(*image);
  loaded.times.compile = absl::Now() - start;
  return loaded;
}

std::string LoadedZone::Summary() const {
  std::string out = Cat("serial ", image->serial(), ", ", image->tld_count(), " TLDs, ", records, " records\n");
  if (verified) out += report.ToString();
  out += Cat("image: ", image->body_count(), " precompiled answers, ", image->memory_bytes() / 1024, " KiB\n");
  out += Cat("time: read ", Millis(times.read), ", verify ", Millis(times.verify), ", compile ", Millis(times.compile),
             "\n");
  return out;
}

}  // namespace rootd::zone

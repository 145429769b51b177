#include "server/zone_manager.h"

#include "server/log.h"
#include "zone/text.h"

namespace rootd::server {

namespace {
std::string TimeText(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone()); }
}  // namespace

ZoneManager::ZoneManager(zone::LoadOptions options) : options_(std::move(options)) {}

absl::StatusOr<ZoneManager::Loaded> ZoneManager::LoadFile(const std::string& path) const {
  zone::LoadOptions options = options_;
  options.zone_path = path;
  const absl::Time start = absl::Now();
  absl::StatusOr<zone::LoadedZone> loaded = zone::LoadZone(options);
  if (!loaded.ok()) return loaded.status();
  return Loaded{loaded->image, loaded->Summary(), absl::Now() - start};
}

absl::Status ZoneManager::Load() {
  std::lock_guard reload_lock(reload_mutex_);
  absl::StatusOr<Loaded> loaded = LoadFile(options_.zone_path);
  if (!loaded.ok()) {
    return absl::Status(loaded.status().code(), Cat("zone not loaded: ", loaded.status().message()));
  }
  const zone::ZoneImage& image = *loaded->image;
  LogInfo(Cat("loaded ", options_.zone_path, " serial ", image.serial(), ", ", image.tld_count(), " TLDs, ",
              image.memory_bytes(), " bytes, in ", absl::FormatDuration(loaded->load_time)));
  publisher_.Publish(loaded->image);
  std::lock_guard lock(status_mutex_);
  status_.path = options_.zone_path;
  status_.summary = std::move(loaded->summary);
  status_.loaded_at = absl::Now();
  status_.load_time = loaded->load_time;
  return absl::OkStatus();
}

absl::StatusOr<std::string> ZoneManager::Reload(const std::string& zone_path) {
  std::lock_guard reload_lock(reload_mutex_);
  std::string path;
  {
    std::lock_guard lock(status_mutex_);
    path = zone_path.empty() ? status_.path : zone_path;
  }
  const std::shared_ptr<const zone::ZoneImage> old = publisher_.current();
  const uint32_t old_serial = old ? old->serial() : 0;
  LogInfo(Cat("reloading ", path));
  absl::StatusOr<Loaded> loaded = LoadFile(path);
  if (!loaded.ok()) {
    const std::string reason =
        Cat("reload of ", path, " failed, still serving serial ", old_serial, ": ", loaded.status().message());
    LogError(reason);
    std::lock_guard lock(status_mutex_);
    ++status_.reloads_failed;
    status_.last_reload = Cat(TimeText(absl::Now()), " failed: ", loaded.status().message());
    return absl::Status(loaded.status().code(), reason);
  }
  const std::string summary = Cat("serial ", old_serial, " -> ", loaded->image->serial(), " from ", path,
                                  " (loaded in ", absl::FormatDuration(loaded->load_time), ")");
  // Publish waits until every worker has moved past the old image; the last reference to
  // it (`old`, here) is dropped in this control or signal thread, never in a worker.
  publisher_.Publish(loaded->image);
  LogInfo(Cat("reloaded: ", summary));
  std::lock_guard lock(status_mutex_);
  status_.path = path;
  status_.summary = std::move(loaded->summary);
  status_.loaded_at = absl::Now();
  status_.load_time = loaded->load_time;
  ++status_.reloads_ok;
  status_.last_reload = Cat(TimeText(absl::Now()), " ok: ", summary);
  return summary;
}

ZoneStatus ZoneManager::Status() const {
  std::lock_guard lock(status_mutex_);
  ZoneStatus status = status_;
  status.image = publisher_.current();
  return status;
}

}  // namespace rootd::server

// The zone manager: the one owner of what is served, for every transport. It loads, verifies
// and compiles the zone, publishes the image through the one ImagePublisher the transports'
// workers read from, reloads it (rootctl reload, SIGHUP) off the serving threads, and keeps
// the status it reports. A failed load changes nothing: the old image keeps serving.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/image_publisher.h"
#include "zone/image.h"
#include "zone/zone_loader.h"

namespace rootd::server {

// What the zone manager reports (rootctl status).
struct ZoneStatus {
  std::shared_ptr<const zone::ZoneImage> image;  // null before the first load
  std::string path;
  std::string summary;  // LoadedZone::Summary() of the image served
  absl::Time loaded_at;
  absl::Duration load_time;
  uint64_t reloads_ok = 0, reloads_failed = 0;
  std::string last_reload;  // time and outcome of the last reload; empty if none
};

class ZoneManager {
 public:
  // `options.zone_path` is the zone loaded first and reloaded by Reload(""). Nothing is
  // published until Load().
  explicit ZoneManager(zone::LoadOptions options);
  ZoneManager(const ZoneManager&) = delete;
  ZoneManager& operator=(const ZoneManager&) = delete;

  // The publisher transports register their workers' readers with.
  ImagePublisher& publisher() { return publisher_; }

  // The first load: the zone of the options, published. Fails with the reason.
  absl::Status Load();

  // Loads `zone_path` (empty: the current zone file) and publishes it once it is valid,
  // waiting until no worker can still read the old image. Serialized; safe from any thread
  // but a serving one. Returns a one-line summary, or why the old image keeps serving.
  absl::StatusOr<std::string> Reload(const std::string& zone_path);

  ZoneStatus Status() const;

 private:
  struct Loaded {
    std::shared_ptr<const zone::ZoneImage> image;
    std::string summary;
    absl::Duration load_time;
  };
  absl::StatusOr<Loaded> LoadFile(const std::string& path) const;

  const zone::LoadOptions options_;
  ImagePublisher publisher_{nullptr};
  std::mutex reload_mutex_;  // one reload at a time (control socket and SIGHUP)
  mutable std::mutex status_mutex_;
  ZoneStatus status_;  // image unset here: Status() takes it from the publisher
};

}  // namespace rootd::server

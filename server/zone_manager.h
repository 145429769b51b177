// The zone manager: the one owner of what is served, for every transport. It loads, verifies
// and compiles the zone, publishes the image through the one ImagePublisher the transports'
// workers read from, reloads it (rootctl reload, SIGHUP) off the serving threads, and keeps
// the status it reports. A failed load changes nothing: the old image keeps serving.
//
// With signature bundles (SKR files), it also serves, at every moment, the DNSKEY RRset of
// the bundle BundleSchedule chooses for the lab clock's time: a thread of its own wakes at
// each bundle's inception (or when the clock is set, a bundle pinned, or the files reloaded),
// replaces the image's DNSKEY answers (ZoneImage::WithDnskeys, which refuses a bundle that
// does not fit the zone, saying why) and publishes the result through the same swap.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/bundle_schedule.h"
#include "server/image_publisher.h"
#include "server/lab_clock.h"
#include "zone/image.h"
#include "zone/zone_loader.h"

namespace rootd::server {

struct ZoneSource {
  zone::LoadOptions zone;          // zone.at: InfinitePast verifies at the clock's time
  std::vector<std::string> skrs;   // SKR files, in any order
};

// One zone version published (RSSAC002 load-time and zone-size).
struct LoadEvent {
  absl::Time at;             // by rootd's clock, when every worker served it
  uint32_t serial = 0;
  absl::Duration load_time;  // from the load or reload request to every worker serving it
  uint64_t zone_bytes = 0;   // the zone file's size
};

// What the zone manager reports (rootctl status).
struct ZoneStatus {
  std::shared_ptr<const zone::ZoneImage> image;  // null before the first load
  std::string path;
  std::vector<std::string> skrs;
  std::string summary;  // LoadedZone::Summary() of the zone file served
  absl::Time loaded_at;
  absl::Duration load_time;
  uint64_t reloads_ok = 0, reloads_failed = 0;
  std::string last_reload;  // time and outcome of the last reload; empty if none
  absl::Time clock;         // the lab clock's time when the status was taken
  bool clock_set = false;
  // Signature bundles: the one served (empty: the zone file's own DNSKEY RRset), whether it is
  // pinned, and why the one due was refused (empty if it was not).
  std::string bundle;
  bool pinned = false;
  std::string bundle_refused;
  uint64_t bundle_swaps = 0;
  uint64_t bundle_refusals = 0;  // bundles refused when due, each counted once
  // The earliest RRSIG expiration of the zone file (when verified) and of the bundle served:
  // what a monitor alerts on before validators start failing.
  absl::Time zone_signatures_expire = absl::InfiniteFuture();
  absl::Time bundle_signatures_expire = absl::InfiniteFuture();
  // The last kMaxLoadEvents loads and reloads that published a zone, oldest first.
  static constexpr size_t kMaxLoadEvents = 64;
  std::vector<LoadEvent> loads;
  // From when the last swap was due (the bundle's inception, or the command) to no worker
  // reading the previous image.
  absl::Duration last_swap_latency;
};

class ZoneManager {
 public:
  // Nothing is published until Load().
  explicit ZoneManager(ZoneSource source);
  ~ZoneManager();
  ZoneManager(const ZoneManager&) = delete;
  ZoneManager& operator=(const ZoneManager&) = delete;

  // The publisher transports register their workers' readers with.
  ImagePublisher& publisher() { return publisher_; }
  LabClock& clock() { return clock_; }

  // The first load: the zone and the SKRs of the source, published; then the bundle thread
  // starts. Fails with the reason.
  absl::Status Load();

  // Loads `zone_path` (empty: the current zone file) and the SKR files again, all or nothing,
  // and publishes the result once it is valid, waiting until no worker can still read the old
  // image. Serialized; safe from any thread but a serving one. Returns a one-line summary, or
  // why the old image keeps serving.
  absl::StatusOr<std::string> Reload(const std::string& zone_path);

  // Sets the lab clock and serves the bundle due at `t`. Returns what is served then.
  std::string SetClock(absl::Time t);
  // Serves bundle `id` whatever the clock says, until Unpin(). Fails for an unknown id or a
  // bundle the zone refuses.
  absl::StatusOr<std::string> Pin(const std::string& id);
  std::string Unpin();

  std::vector<ScheduledBundle> Bundles() const;
  ZoneStatus Status() const;

 private:
  struct Loaded {
    std::shared_ptr<const zone::ZoneImage> image;  // as compiled from the zone file
    BundleSchedule schedule;
    std::string summary;
    absl::Duration load_time;
    absl::Time signatures_expire;  // the zone file's earliest; InfiniteFuture if not verified
  };
  absl::StatusOr<Loaded> LoadFiles(const std::string& zone_path) const;
  // After a load or reload has been published, with mutex_ held.
  void RecordLoad(const std::string& zone_path, absl::Time requested);
  // The image to serve now from `base` and `schedule`; sets *bundle and *refused. Called with
  // mutex_ held.
  std::shared_ptr<const zone::ZoneImage> ImageFor(const std::shared_ptr<const zone::ZoneImage>& base,
                                                  const BundleSchedule& schedule, std::string* bundle,
                                                  std::string* refused) const;
  // Publishes the image due now if its bundle differs from the one served, or always with
  // `force` (a new zone). A refused bundle publishes nothing. Called with mutex_ held.
  // `since`: when the change became due (a bundle's inception, or the command), for the
  // reported latency.
  void ServeDueBundle(bool force, absl::Time since);
  void RunBundleThread();
  // Compiles, ahead of time, the image of the bundle due at `next`, so that at its inception
  // only the swap remains to be done (the swap is then well under a millisecond; the compile
  // and its signature check take a few). Called with mutex_ held.
  void Prepare(absl::Time next);

  const ZoneSource source_;
  LabClock clock_;
  ImagePublisher publisher_{nullptr};
  std::mutex reload_mutex_;  // one reload at a time (control socket and SIGHUP)

  mutable std::mutex mutex_;  // what follows
  std::condition_variable wake_;
  bool stopping_ = false;
  std::shared_ptr<const zone::ZoneImage> base_;  // the zone file's image, before any bundle
  BundleSchedule schedule_;
  std::string pinned_;
  struct Prepared {
    std::shared_ptr<const zone::ZoneImage> base;  // the zone image it was made from
    std::string bundle;
    std::shared_ptr<const zone::ZoneImage> image;
  } prepared_;
  ZoneStatus status_;  // image unset here: Status() takes it from the publisher
  std::thread bundle_thread_;
};

}  // namespace rootd::server

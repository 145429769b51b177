#include "server/zone_manager.h"

#include <filesystem>

#include "server/log.h"
#include "zone/signature_verifier.h"
#include "zone/text.h"

namespace rootd::server {

using zone::FormatUtc;

namespace {
// What a status_.bundle value serves, for messages.
std::string Served(const std::string& bundle) {
  return bundle.empty() ? "the zone's own DNSKEY RRset" : Cat("bundle ", bundle);
}
}  // namespace

ZoneManager::ZoneManager(ZoneSource source) : source_(std::move(source)) {
  status_.path = source_.zone.zone_path;
  status_.skrs = source_.skrs;
}

ZoneManager::~ZoneManager() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (bundle_thread_.joinable()) bundle_thread_.join();
}

absl::StatusOr<ZoneManager::Loaded> ZoneManager::LoadFiles(const std::string& zone_path) const {
  zone::LoadOptions options = source_.zone;
  options.zone_path = zone_path;
  if (options.at == absl::InfinitePast()) options.at = clock_.Now();
  const absl::Time start = absl::Now();
  absl::StatusOr<zone::LoadedZone> loaded = zone::LoadZone(options);
  if (!loaded.ok()) return loaded.status();
  std::vector<zone::SignedKeyResponse> responses;
  for (const std::string& path : source_.skrs) {
    absl::StatusOr<zone::SignedKeyResponse> response = zone::ReadSkrFile(path);
    if (!response.ok()) return response.status();
    responses.push_back(std::move(*response));
  }
  absl::StatusOr<BundleSchedule> schedule = BundleSchedule::Create(responses);
  if (!schedule.ok()) return schedule.status();
  return Loaded{loaded->image, std::move(*schedule), loaded->Summary(), absl::Now() - start,
                loaded->verified ? loaded->report.earliest_expiration : absl::InfiniteFuture()};
}

std::shared_ptr<const zone::ZoneImage> ZoneManager::ImageFor(const std::shared_ptr<const zone::ZoneImage>& base,
                                                             const BundleSchedule& schedule, std::string* bundle,
                                                             std::string* refused) const {
  const absl::Time now = clock_.Now();
  const ScheduledBundle* due = pinned_.empty() ? schedule.Choose(now) : schedule.Find(pinned_);
  bundle->clear();
  refused->clear();
  if (due == nullptr) return base;
  absl::StatusOr<std::shared_ptr<const zone::ZoneImage>> image =
      (prepared_.base == base && prepared_.bundle == due->bundle.id)
          ? prepared_.image
          : base->WithDnskeys(due->bundle.dnskeys, due->bundle.signatures, now);
  if (!image.ok()) {
    *refused = Cat("bundle ", due->bundle.id, " (", due->file, " #", due->index, ") refused at ", FormatUtc(now), ": ",
                   image.status().message());
    return nullptr;
  }
  *bundle = due->bundle.id;
  if (due == &schedule.bundles().back() && !due->bundle.signatures.empty()) {
    LogWarning(Cat("serving bundle ", due->bundle.id, ", the last of the loaded SKRs"));
  }
  if (due->bundle.expiration - now < absl::Hours(24 * 7)) {
    LogWarning(Cat("bundle ", due->bundle.id, ": its signatures expire at ", FormatUtc(due->bundle.expiration),
                   ", in less than 7 days"));
  }
  return *image;
}

void ZoneManager::ServeDueBundle(bool force, absl::Time since) {
  const absl::Time woke = absl::Now();
  std::string bundle, refused;
  std::shared_ptr<const zone::ZoneImage> image = ImageFor(base_, schedule_, &bundle, &refused);
  if (image == nullptr) {
    // The previous image keeps serving; say why once per refused bundle, not at every wake-up.
    if (refused != status_.bundle_refused) {
      LogError(refused);
      ++status_.bundle_refusals;
    }
    status_.bundle_refused = refused;
    return;
  }
  status_.bundle_refused.clear();
  if (!force && bundle == status_.bundle) return;
  const absl::Time published = absl::Now();
  publisher_.Publish(image);  // returns once no worker can still read the previous image
  const absl::Time swapped = absl::Now();
  status_.last_swap_latency = swapped - since;
  // The two parts apart: waking up is the scheduler's, the swap is the workers' next batch.
  LogInfo(Cat("serving ", Served(bundle), " (was ", Served(status_.bundle), ") after ",
              absl::FormatDuration(status_.last_swap_latency), " (woke ", absl::FormatDuration(woke - since),
              " after it was due, every worker on it ", absl::FormatDuration(swapped - published),
              " after publication), clock ", FormatUtc(clock_.Now()), ": ", image->identity().ToString()));
  status_.bundle = bundle;
  const ScheduledBundle* served = bundle.empty() ? nullptr : schedule_.Find(bundle);
  status_.bundle_signatures_expire = served ? served->bundle.expiration : absl::InfiniteFuture();
  ++status_.bundle_swaps;
}

void ZoneManager::RunBundleThread() {
  std::unique_lock lock(mutex_);
  absl::Time due = absl::Now();  // in real time: when what is due now became due
  while (!stopping_) {
    ServeDueBundle(/*force=*/false, std::min(due, absl::Now()));
    const absl::Time next = pinned_.empty() ? schedule_.NextChange(clock_.Now()) : absl::InfiniteFuture();
    Prepare(next);
    if (next == absl::InfiniteFuture()) {
      wake_.wait(lock);
      due = absl::Now();
    } else {
      due = clock_.RealTimeAt(next);
      // A timer set seconds ahead fires late on the VMs we measured (0.2-0.4 ms idle, over a
      // millisecond under load), one set 10 ms ahead within 0.1 ms: sleep until shortly before
      // the change, then the rest. A notify (clock set, pin, reload) may come first: then the
      // change is due from now.
      constexpr absl::Duration kFinalApproach = absl::Milliseconds(10);
      if (wake_.wait_until(lock, absl::ToChronoTime(due - kFinalApproach)) == std::cv_status::no_timeout ||
          wake_.wait_until(lock, absl::ToChronoTime(due)) == std::cv_status::no_timeout) {
        due = absl::Now();
      }
    }
  }
}

void ZoneManager::Prepare(absl::Time next) {
  prepared_ = Prepared{};
  const ScheduledBundle* upcoming = next == absl::InfiniteFuture() ? nullptr : schedule_.Choose(next);
  if (upcoming == nullptr) return;
  // Checked at its inception: by the time it is served, the clock is a moment past it.
  absl::StatusOr<std::shared_ptr<const zone::ZoneImage>> image =
      base_->WithDnskeys(upcoming->bundle.dnskeys, upcoming->bundle.signatures, next);
  if (image.ok()) prepared_ = Prepared{base_, upcoming->bundle.id, *image};
}

void ZoneManager::RecordLoad(const std::string& zone_path, absl::Time requested) {
  std::error_code error;
  const uintmax_t bytes = std::filesystem::file_size(zone_path, error);
  status_.loads.push_back(LoadEvent{clock_.Now(), base_->serial(), absl::Now() - requested, error ? 0 : bytes});
  if (status_.loads.size() > ZoneStatus::kMaxLoadEvents) status_.loads.erase(status_.loads.begin());
}

absl::Status ZoneManager::Load() {
  const absl::Time requested = absl::Now();
  std::lock_guard reload_lock(reload_mutex_);
  absl::StatusOr<Loaded> loaded = LoadFiles(source_.zone.zone_path);
  if (!loaded.ok()) {
    return absl::Status(loaded.status().code(), Cat("zone not loaded: ", loaded.status().message()));
  }
  const zone::ZoneImage& image = *loaded->image;
  LogInfo(Cat("loaded ", source_.zone.zone_path, " serial ", image.serial(), ", ", image.tld_count(), " TLDs, ",
              image.memory_bytes(), " bytes, ", loaded->schedule.bundles().size(), " signature bundles, in ",
              absl::FormatDuration(loaded->load_time)));
  {
    std::lock_guard lock(mutex_);
    base_ = loaded->image;
    schedule_ = std::move(loaded->schedule);
    status_.summary = std::move(loaded->summary);
    status_.zone_signatures_expire = loaded->signatures_expire;
    status_.loaded_at = absl::Now();
    status_.load_time = loaded->load_time;
    ServeDueBundle(/*force=*/true, absl::Now());
    // A bundle refused at start: the zone file's own keys serve until a bundle fits.
    if (publisher_.current() == nullptr) publisher_.Publish(base_);
    RecordLoad(source_.zone.zone_path, requested);
  }
  bundle_thread_ = std::thread([this] { RunBundleThread(); });
  return absl::OkStatus();
}

absl::StatusOr<std::string> ZoneManager::Reload(const std::string& zone_path) {
  const absl::Time requested = absl::Now();
  std::lock_guard reload_lock(reload_mutex_);
  std::string path;
  {
    std::lock_guard lock(mutex_);
    path = zone_path.empty() ? status_.path : zone_path;
  }
  const std::shared_ptr<const zone::ZoneImage> old = publisher_.current();
  const uint32_t old_serial = old ? old->serial() : 0;
  LogInfo(Cat("reloading ", path, source_.skrs.empty() ? "" : " and the SKR files"));
  absl::StatusOr<Loaded> loaded = LoadFiles(path);
  std::lock_guard lock(mutex_);
  if (!loaded.ok()) {
    const std::string reason =
        Cat("reload of ", path, " failed, still serving serial ", old_serial, ": ", loaded.status().message());
    LogError(reason);
    ++status_.reloads_failed;
    status_.last_reload = Cat(FormatUtc(absl::Now()), " failed: ", loaded.status().message());
    return absl::Status(loaded.status().code(), reason);
  }
  const std::string summary = Cat("serial ", old_serial, " -> ", loaded->image->serial(), " from ", path,
                                  " (loaded in ", absl::FormatDuration(loaded->load_time), ")");
  base_ = loaded->image;
  schedule_ = std::move(loaded->schedule);
  if (!pinned_.empty() && schedule_.Find(pinned_) == nullptr) pinned_.clear();  // gone with the old files
  // Publish (in ServeDueBundle) waits until every worker has moved past the old image; the
  // last reference to it (`old`, here) is dropped in this control or signal thread.
  ServeDueBundle(/*force=*/true, absl::Now());
  if (!status_.bundle_refused.empty()) {
    publisher_.Publish(base_);  // the new zone, with its own keys, rather than the old zone
    status_.bundle.clear();
    status_.bundle_signatures_expire = absl::InfiniteFuture();
  }
  LogInfo(Cat("reloaded: ", summary));
  status_.path = path;
  status_.summary = std::move(loaded->summary);
  status_.zone_signatures_expire = loaded->signatures_expire;
  status_.loaded_at = absl::Now();
  status_.load_time = loaded->load_time;
  ++status_.reloads_ok;
  RecordLoad(path, requested);
  status_.last_reload = Cat(FormatUtc(absl::Now()), " ok: ", summary);
  wake_.notify_all();  // the next bundle boundary may have moved
  return summary;
}

std::string ZoneManager::SetClock(absl::Time t) {
  std::lock_guard lock(mutex_);
  clock_.Set(t);
  ServeDueBundle(/*force=*/false, absl::Now());
  wake_.notify_all();
  return Cat("clock ", FormatUtc(t), ", serving ", Served(status_.bundle),
             status_.bundle_refused.empty() ? "" : Cat(" (", status_.bundle_refused, ")"));
}

absl::StatusOr<std::string> ZoneManager::Pin(const std::string& id) {
  std::lock_guard lock(mutex_);
  if (schedule_.Find(id) == nullptr) return absl::NotFoundError(Cat("no bundle ", id, " in the loaded SKRs"));
  const std::string previous = pinned_;
  pinned_ = id;
  ServeDueBundle(/*force=*/false, absl::Now());
  if (!status_.bundle_refused.empty()) {
    const std::string reason = status_.bundle_refused;
    pinned_ = previous;
    status_.bundle_refused.clear();
    return absl::FailedPreconditionError(reason);
  }
  wake_.notify_all();
  return Cat("pinned bundle ", id);
}

std::string ZoneManager::Unpin() {
  std::lock_guard lock(mutex_);
  pinned_.clear();
  ServeDueBundle(/*force=*/false, absl::Now());
  wake_.notify_all();
  return Cat("unpinned, serving ", Served(status_.bundle));
}

std::vector<ScheduledBundle> ZoneManager::Bundles() const {
  std::lock_guard lock(mutex_);
  return schedule_.bundles();
}

ZoneStatus ZoneManager::Status() const {
  std::lock_guard lock(mutex_);
  ZoneStatus status = status_;
  status.image = publisher_.current();
  status.clock = clock_.Now();
  status.clock_set = clock_.is_set();
  status.pinned = !pinned_.empty();
  return status;
}

}  // namespace rootd::server

#include "server/image_publisher.h"

#include <thread>

namespace rootd::server {

ImagePublisher::ImagePublisher(std::shared_ptr<const zone::ZoneImage> initial)
    : current_(initial.get()), current_owner_(std::move(initial)) {}

ImagePublisher::~ImagePublisher() = default;

ImagePublisher::Reader::Reader(Reader&& other) noexcept : publisher_(other.publisher_), slot_(other.slot_) {
  other.publisher_ = nullptr;
}

ImagePublisher::Reader::~Reader() {
  if (publisher_ != nullptr) publisher_->Unregister(slot_);
}

void ImagePublisher::Reader::QuiescentState() {
  Slot& slot = publisher_->slots_[slot_];
  // seq_cst: the announcement must not be reordered before the loads of the batch just done,
  // nor after the image load of the next batch.
  slot.epoch.store(publisher_->global_epoch_.load(std::memory_order_seq_cst), std::memory_order_seq_cst);
}

void ImagePublisher::Reader::Offline() {
  publisher_->slots_[slot_].epoch.store(kOffline, std::memory_order_seq_cst);
}

void ImagePublisher::Reader::Online() { QuiescentState(); }

std::unique_ptr<ImagePublisher::Reader> ImagePublisher::RegisterReader() {
  for (int i = 0; i < kMaxReaders; ++i) {
    bool expected = false;
    if (slots_[i].in_use.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) {
      slots_[i].epoch.store(kOffline, std::memory_order_seq_cst);
      return std::unique_ptr<Reader>(new Reader(this, i));
    }
  }
  return nullptr;
}

void ImagePublisher::Unregister(int slot) {
  slots_[slot].epoch.store(kOffline, std::memory_order_seq_cst);
  slots_[slot].in_use.store(false, std::memory_order_release);
}

int ImagePublisher::reader_count() const {
  int count = 0;
  for (const Slot& slot : slots_) count += slot.in_use.load(std::memory_order_relaxed) ? 1 : 0;
  return count;
}

std::shared_ptr<const zone::ZoneImage> ImagePublisher::current() const {
  std::lock_guard lock(mutex_);
  return current_owner_;
}

void ImagePublisher::PublishDeferred(std::shared_ptr<const zone::ZoneImage> image) {
  std::lock_guard lock(mutex_);
  current_.store(image.get(), std::memory_order_seq_cst);
  // Readers that announce this epoch (or later) loaded the pointer after the store above.
  uint64_t epoch = global_epoch_.fetch_add(1, std::memory_order_seq_cst) + 1;
  retired_.push_back({epoch, std::move(current_owner_)});
  current_owner_ = std::move(image);
}

void ImagePublisher::Publish(std::shared_ptr<const zone::ZoneImage> image) {
  PublishDeferred(std::move(image));
  Synchronize();
}

bool ImagePublisher::AllReadersReached(uint64_t epoch) const {
  for (const Slot& slot : slots_) {
    if (!slot.in_use.load(std::memory_order_acquire)) continue;
    uint64_t seen = slot.epoch.load(std::memory_order_seq_cst);
    if (seen != kOffline && seen < epoch) return false;
  }
  return true;
}

void ImagePublisher::Synchronize() {
  uint64_t target = global_epoch_.load(std::memory_order_seq_cst);
  // Spin briefly (readers pass quiescent states every batch), then back off to sleeping.
  for (int round = 0; !AllReadersReached(target); ++round) {
    if (round < 100) {
      std::this_thread::yield();
    } else {
      std::this_thread::sleep_for(std::chrono::microseconds(round < 1000 ? 50 : 1000));
    }
  }
  Reclaim();
}

size_t ImagePublisher::Reclaim() {
  std::vector<std::shared_ptr<const zone::ZoneImage>> release;  // destroyed outside the lock
  std::lock_guard lock(mutex_);
  size_t kept = 0;
  for (Retired& retired : retired_) {
    if (AllReadersReached(retired.epoch)) {
      release.push_back(std::move(retired.image));
    } else {
      retired_[kept++] = std::move(retired);
    }
  }
  retired_.resize(kept);
  return kept;
}

}  // namespace rootd::server

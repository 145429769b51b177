// Publication of the current ZoneImage to the serving threads: quiescent-state-based RCU.
//
// Readers (UDP/TCP workers; DPDK lcores once the dataplane lands) register once and get a slot with its own epoch
// counter on its own cache line. Between batches a reader announces a quiescent state (it
// holds no image pointer then) by copying the global epoch into its slot; a reader about to
// block in a system call goes offline so that it never holds up a writer. Reading the image
// is one acquire load: no lock, no reference count, no shared cache line written.
//
// Publish() swaps the pointer, advances the global epoch and retires the old image; a
// retired image is released once every online reader's slot has reached that epoch: Publish
// waits for that (Synchronize). PublishDeferred + Reclaim are the non-blocking pair, for a
// publisher that must not wait (a polling loop); the server's reload path uses Publish.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/time/time.h"
#include "zone/image.h"

namespace rootd::server {

class ImagePublisher {
 public:
  // One reader per serving thread (UDP workers, TCP loops, DPDK lcores): 256 covers the largest
  // machines rootd targets with room to spare, and a writer's scan of every slot (64 octets
  // each, 16 KiB in all) stays cheap next to the compile it follows.
  static constexpr int kMaxReaders = 256;

  explicit ImagePublisher(std::shared_ptr<const zone::ZoneImage> initial);
  ~ImagePublisher();
  ImagePublisher(const ImagePublisher&) = delete;
  ImagePublisher& operator=(const ImagePublisher&) = delete;

  // A registered reader. Owned by one thread; starts offline.
  class Reader {
   public:
    Reader(Reader&& other) noexcept;
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;
    ~Reader();

    // The current image; valid until this reader's next QuiescentState() or Offline().
    // Only call while online.
    const zone::ZoneImage* Current() const { return publisher_->current_.load(std::memory_order_acquire); }

    // This thread holds no image pointer now.
    void QuiescentState();
    // Before a blocking call: the writer stops waiting for this reader.
    void Offline();
    // After it: announces the current epoch before any new image read.
    void Online();

   private:
    friend class ImagePublisher;
    Reader(ImagePublisher* publisher, int slot) : publisher_(publisher), slot_(slot) {}
    ImagePublisher* publisher_;
    int slot_;
  };

  // Returns null only when kMaxReaders readers are registered.
  std::unique_ptr<Reader> RegisterReader();

  // The image now published (for the control thread: status, serial). Holds a reference.
  std::shared_ptr<const zone::ZoneImage> current() const;

  // Makes `image` current and waits until no reader can hold the previous one, then releases
  // it. The swap itself is serialized by an internal mutex; the wait is not.
  void Publish(std::shared_ptr<const zone::ZoneImage> image);
  // Makes `image` current; the previous one is released by a later Reclaim/Synchronize.
  void PublishDeferred(std::shared_ptr<const zone::ZoneImage> image);

  // Waits until every online reader has passed a quiescent state, then releases what was
  // retired before the call.
  void Synchronize();
  // Releases the retired images every reader has moved past; returns how many are still retired.
  size_t Reclaim();

  int reader_count() const;
  uint64_t epoch() const { return global_epoch_.load(std::memory_order_acquire); }

 private:
  static constexpr uint64_t kOffline = 0;

  struct alignas(64) Slot {
    std::atomic<uint64_t> epoch{kOffline};
    std::atomic<bool> in_use{false};
  };
  struct Retired {
    uint64_t epoch;  // released once every online reader reaches it
    std::shared_ptr<const zone::ZoneImage> image;
  };

  bool AllReadersReached(uint64_t epoch) const;
  void Unregister(int slot);

  alignas(64) std::atomic<const zone::ZoneImage*> current_;
  alignas(64) std::atomic<uint64_t> global_epoch_{1};
  Slot slots_[kMaxReaders];

  mutable std::mutex mutex_;  // writers only
  std::shared_ptr<const zone::ZoneImage> current_owner_;
  std::vector<Retired> retired_;
};

}  // namespace rootd::server

#include "server/image_publisher.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <unordered_map>
#include <vector>

#include "gtest/gtest.h"

namespace rootd::server {
namespace {

// Images that are never really freed during a test: the "deleter" only marks them dead, so
// a reader still holding a released image is detected instead of crashing.
class ImagePool {
 public:
  explicit ImagePool(int count) : alive_(count) {
    for (int i = 0; i < count; ++i) {
      raw_.push_back(new zone::ZoneImage(nullptr, nullptr));
      index_[raw_.back()] = i;
    }
  }
  ~ImagePool() {
    for (const zone::ZoneImage* image : raw_) delete image;
  }
  std::shared_ptr<const zone::ZoneImage> Get(int i) {
    alive_[i].store(true);
    return std::shared_ptr<const zone::ZoneImage>(raw_[i], [this, i](const zone::ZoneImage*) { alive_[i].store(false); });
  }
  bool Alive(const zone::ZoneImage* image) const { return alive_[index_.at(image)].load(); }
  bool Alive(int i) const { return alive_[i].load(); }

 private:
  std::vector<const zone::ZoneImage*> raw_;
  std::unordered_map<const zone::ZoneImage*, int> index_;
  std::vector<std::atomic<bool>> alive_;
};

TEST(ImagePublisherTest, PublishReplacesAndReleasesWithoutReaders) {
  ImagePool pool(2);
  ImagePublisher publisher(pool.Get(0));
  auto reader = publisher.RegisterReader();
  reader->Online();
  EXPECT_TRUE(pool.Alive(reader->Current()));
  reader->Offline();
  publisher.Publish(pool.Get(1));  // the only reader is offline: returns at once
  EXPECT_FALSE(pool.Alive(0));
  reader->Online();
  EXPECT_EQ(reader->Current(), publisher.current().get());
  EXPECT_TRUE(pool.Alive(1));
}

TEST(ImagePublisherTest, OnlineReaderDelaysReclamationUntilQuiescent) {
  ImagePool pool(2);
  ImagePublisher publisher(pool.Get(0));
  auto reader = publisher.RegisterReader();
  reader->Online();
  const zone::ZoneImage* held = reader->Current();
  publisher.PublishDeferred(pool.Get(1));
  EXPECT_EQ(publisher.Reclaim(), 1u);  // the reader may still use `held`
  EXPECT_TRUE(pool.Alive(held));
  reader->QuiescentState();
  EXPECT_EQ(publisher.Reclaim(), 0u);
  EXPECT_FALSE(pool.Alive(0));
  EXPECT_TRUE(pool.Alive(reader->Current()));
}

TEST(ImagePublisherTest, SynchronizeWaitsForEveryOnlineReader) {
  ImagePool pool(2);
  ImagePublisher publisher(pool.Get(0));
  auto reader = publisher.RegisterReader();
  reader->Online();
  std::atomic<bool> published{false};
  std::thread writer([&] {
    publisher.Publish(pool.Get(1));
    published.store(true);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(published.load());  // blocked on our reader
  EXPECT_TRUE(pool.Alive(0));
  reader->QuiescentState();
  writer.join();
  EXPECT_TRUE(published.load());
  EXPECT_FALSE(pool.Alive(0));
}

TEST(ImagePublisherTest, SlotsAreBoundedAndReused) {
  ImagePool pool(1);
  ImagePublisher publisher(pool.Get(0));
  std::vector<std::unique_ptr<ImagePublisher::Reader>> readers;
  for (int i = 0; i < ImagePublisher::kMaxReaders; ++i) {
    readers.push_back(publisher.RegisterReader());
    ASSERT_NE(readers.back(), nullptr);
  }
  EXPECT_EQ(publisher.RegisterReader(), nullptr);
  EXPECT_EQ(publisher.reader_count(), ImagePublisher::kMaxReaders);
  readers.pop_back();
  EXPECT_NE(publisher.RegisterReader(), nullptr);
}

TEST(ImagePublisherTest, UnregisteredReaderNeverBlocksWriters) {
  ImagePool pool(2);
  ImagePublisher publisher(pool.Get(0));
  {
    auto reader = publisher.RegisterReader();
    reader->Online();
  }  // gone while online
  publisher.Publish(pool.Get(1));
  EXPECT_FALSE(pool.Alive(0));
}

// Many readers in tight batches (some going offline now and then, like workers blocking in
// epoll_wait), one writer publishing as fast as it can: no reader ever sees a released image,
// and every retired image is released in the end. Bounded by count and by time.
TEST(ImagePublisherTest, StressManyReadersOneWriter) {
  constexpr int kImages = 400;
  constexpr int kReaders = 12;
  ImagePool pool(kImages);
  ImagePublisher publisher(pool.Get(0));
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> violations{0}, batches{0};
  std::atomic<int> started{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&, r] {
      auto reader = publisher.RegisterReader();
      reader->Online();
      started.fetch_add(1);
      uint64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        const zone::ZoneImage* image = reader->Current();
        if (!pool.Alive(image)) violations.fetch_add(1);
        for (int spin = 0; spin < 50; ++spin) std::atomic_signal_fence(std::memory_order_seq_cst);
        if (!pool.Alive(image)) violations.fetch_add(1);  // still alive at the end of the batch
        reader->QuiescentState();
        if (++n % (64 + r) == 0) {
          reader->Offline();
          std::this_thread::yield();
          reader->Online();
        }
      }
      reader->Offline();
      batches.fetch_add(n);
    });
  }
  while (started.load() < kReaders) std::this_thread::yield();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  int published = 1;
  for (; published < kImages && std::chrono::steady_clock::now() < deadline; ++published) {
    if (published % 3 == 0) {
      publisher.PublishDeferred(pool.Get(published));
      publisher.Reclaim();
    } else {
      publisher.Publish(pool.Get(published));
    }
  }
  stop.store(true);
  for (std::thread& t : readers) t.join();
  publisher.Synchronize();
  EXPECT_EQ(violations.load(), 0u);
  EXPECT_GT(batches.load(), 0u);
  EXPECT_GT(published, 10);
  for (int i = 0; i < published - 1; ++i) EXPECT_FALSE(pool.Alive(i)) << i;
  EXPECT_TRUE(pool.Alive(published - 1));
}

}  // namespace
}  // namespace rootd::server

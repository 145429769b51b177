// The server core with a transport of the test's own: the seam the DPDK dataplane plugs into.
// A Service gets the engine, the publisher and the statistics through ServiceContext, and
// sees every image the zone manager publishes without any code of its own for it.
#include "server/server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/server/engine_test_util.h"
#include "tests/server/rootd_process.h"
#include "tests/test_paths.h"

namespace rootd::server {
namespace {

using ::testing::HasSubstr;
using rootd::testing::MakeTempDir;
using rootd::testing::ReadFileText;
using rootd::testing::SoaSerial;
using rootd::testing::WriteFileText;

constexpr uint32_t kRealSerial = 2017082100;

// A transport without sockets: Ask() answers a query the way a worker does, through its own
// reader and statistics.
class InProcessService final : public Service {
 public:
  explicit InProcessService(ServiceContext context)
      : context_(context), reader_(context.publisher->RegisterReader()), stats_(context.stats->Add()) {}

  void Start() override { started_ = true; }
  void Stop() override { started_ = false; }
  std::string Describe() const override { return "in-process: 1 worker"; }

  std::vector<uint8_t> Ask(const std::vector<uint8_t>& query) {
    reader_->Online();
    const zone::ZoneImage& image = *reader_->Current();
    std::vector<uint8_t> out(query);
    out.resize(1232);
    Request request{out.data(), query.size(), Transport::kUdp, kClient, 4, 0};
    QueryInfo info;
    out.resize(context_.engine->Answer(image, request, out.data(), out.size(), &info));  // in place
    stats_->Record(request, info, image.identity().StatsKey());
    reader_->Offline();  // no image pointer held between calls: a reload never waits for us
    return out;
  }
  bool started() const { return started_; }

 private:
  static constexpr uint8_t kClient[4] = {192, 0, 2, 7};
  ServiceContext context_;
  std::unique_ptr<ImagePublisher::Reader> reader_;
  WorkerStats* stats_;
  bool started_ = false;
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("server");
    config_.zone = rootd::testing::SharedDataDir() + "/zones/root.zone";
    config_.verify = false;  // the changed-serial copy below is no longer validly signed
    config_.state_dir = dir_;
  }
  std::string dir_;
  ServerConfig config_;
};

TEST_F(ServerTest, AServiceOfItsOwnAnswersFromEveryPublishedImage) {
  auto server = Server::Create(config_);
  ASSERT_TRUE(server.ok()) << server.status();
  auto owned = std::make_unique<InProcessService>((*server)->context());
  InProcessService* service = owned.get();
  (*server)->AddService(std::move(owned));
  ASSERT_TRUE((*server)->LoadZone().ok());
  (*server)->Start();
  EXPECT_TRUE(service->started());

  const std::vector<uint8_t> soa = server::testing::MakeQuery(".", 6);
  EXPECT_EQ(SoaSerial(service->Ask(soa)), kRealSerial);

  std::string text = ReadFileText(config_.zone);
  for (size_t at = text.find("2017082100"); at != std::string::npos; at = text.find("2017082100", at)) {
    text.replace(at, 10, "2017082101");
  }
  const std::string changed = dir_ + "/changed.zone";
  WriteFileText(changed, text);
  absl::StatusOr<std::string> reloaded = (*server)->zones().Reload(changed);
  ASSERT_TRUE(reloaded.ok()) << reloaded.status();
  EXPECT_THAT(*reloaded, HasSubstr("serial 2017082100 -> 2017082101"));
  EXPECT_EQ(SoaSerial(service->Ask(soa)), 2017082101u);

  // A failed reload changes nothing, and says why.
  absl::StatusOr<std::string> failed = (*server)->zones().Reload(dir_ + "/absent.zone");
  EXPECT_FALSE(failed.ok());
  EXPECT_THAT(std::string(failed.status().message()), HasSubstr("absent.zone"));
  EXPECT_EQ(SoaSerial(service->Ask(soa)), 2017082101u);

  const StatsSnapshot stats = (*server)->Stats();
  EXPECT_EQ(stats.TotalQueries(), 3u);
  // The same keys, two serials: two images.
  ASSERT_EQ(stats.answered_by_image.size(), 2u);
  EXPECT_EQ(stats.answered_by_image.begin()->first >> 32, kRealSerial);
  EXPECT_EQ(stats.answered_by_image.begin()->second, 1u);
  EXPECT_EQ(stats.answered_by_image.rbegin()->first >> 32, 2017082101u);
  EXPECT_EQ(stats.answered_by_image.rbegin()->second, 2u);
  const std::string status = (*server)->StatusText();
  EXPECT_THAT(status, HasSubstr("transport     in-process: 1 worker\n"));
  EXPECT_THAT(status, HasSubstr("reloads       1 ok, 1 failed\n"));
  (*server)->Stop();
  EXPECT_FALSE(service->started());
}

TEST_F(ServerTest, FirstLoadFailureNamesTheFile) {
  config_.zone = dir_ + "/absent.zone";
  auto server = Server::Create(config_);
  ASSERT_TRUE(server.ok()) << server.status();
  const absl::Status loaded = (*server)->LoadZone();
  EXPECT_FALSE(loaded.ok());
  EXPECT_THAT(std::string(loaded.message()), HasSubstr("absent.zone"));
}

}  // namespace
}  // namespace rootd::server

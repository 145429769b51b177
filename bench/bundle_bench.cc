// Signature bundles: what reading a quarter's SKR, preparing a bundle and swapping it in cost,
// each against a baseline measured in the same run.
//   BM_SkrRead        ReadSkrFile on the production 2017 Q3 SKR; vs_xml_parse: over libxml2's
//                     own parse of the same file (the floor of any XML reader).
//   BM_SkrReadAndVerify  the same, then every RRSIG of every bundle verified over its DNSKEY
//                     RRset and every key tag recomputed (skrtool verify); vs_xml_parse too.
//   BM_BundlePrepare  ZoneImage::WithDnskeys with bundle 8 of that SKR over the real root zone
//                     (signature checks and the apex rebuild, done ahead of the inception);
//                     vs_full_compile: over compiling the whole image, what a reload costs.
//   BM_BundleSwap     ImagePublisher::Publish of the prepared image while a reader thread serves
//                     (announces quiescent states in a loop, as workers do between batches): the
//                     time from the inception to no worker reading the old image, timer wake-up
//                     aside; vs_no_readers: over the same Publish with no reader registered. One
//                     reader, not more: the publisher and one spinning reader fill this 2-core
//                     machine, and more readers would time the scheduler, not the swap. Do not
//                     pin it to one core: there each swap waits for the reader's scheduler slice
//                     (1.2 ms here), and the run, sized by CPU time, takes minutes.
#include <benchmark/benchmark.h>
#include <libxml/parser.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "server/image_publisher.h"
#include "tests/test_paths.h"
#include "tools/skr_report.h"
#include "zone/image.h"
#include "zone/master_reader.h"
#include "zone/skr.h"

namespace rootd::server {
namespace {

std::string SkrPath() { return rootd::testing::SharedDataDir() + "/skr/skr-root-2017-q3-0-c_to_d.xml"; }

struct Fixture {
  std::shared_ptr<const zone::ZoneImage> image;
  zone::SkrBundle bundle;  // the eighth, from 2017-09-09
  double full_compile_ns = 0;
};

const Fixture& LoadFixture() {
  static const Fixture* fixture = [] {
    auto* f = new Fixture;
    auto zone = zone::ReadMasterFile(rootd::testing::SharedDataDir() + "/zones/root.zone");
    auto skr = zone::ReadSkrFile(SkrPath());
    if (!zone.ok() || !skr.ok() || skr->bundles.size() < 8) {
      fprintf(stderr, "bundle_bench: cannot read the real zone or SKR\n");
      exit(1);
    }
    const auto start = std::chrono::steady_clock::now();
    f->image = zone::ZoneImage::Compile(*zone).value();
    f->full_compile_ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    f->bundle = skr->bundles[7];
    return f;
  }();
  return *fixture;
}

double NsPerIteration(const benchmark::State& state, std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count() /
         static_cast<double>(state.iterations());
}

double g_xml_parse_ns = 0;

void BM_XmlParseBaseline(benchmark::State& state) {
  const std::string path = SkrPath();
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    xmlDocPtr doc = xmlReadFile(path.c_str(), nullptr, XML_PARSE_NONET);
    benchmark::DoNotOptimize(doc);
    xmlFreeDoc(doc);
  }
  g_xml_parse_ns = NsPerIteration(state, start);
}
BENCHMARK(BM_XmlParseBaseline)->Unit(benchmark::kMicrosecond);

void BM_SkrRead(benchmark::State& state) {
  const std::string path = SkrPath();
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) benchmark::DoNotOptimize(zone::ReadSkrFile(path));
  if (g_xml_parse_ns > 0) state.counters["vs_xml_parse"] = NsPerIteration(state, start) / g_xml_parse_ns;
}
BENCHMARK(BM_SkrRead)->Unit(benchmark::kMicrosecond);

void BM_SkrReadAndVerify(benchmark::State& state) {
  const std::string path = SkrPath();
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    const zone::SignedKeyResponse skr = zone::ReadSkrFile(path).value();
    const tools::SkrVerification verification = tools::VerifySkr(skr);
    if (!verification.ok()) state.SkipWithError("the SKR does not verify");
  }
  if (g_xml_parse_ns > 0) state.counters["vs_xml_parse"] = NsPerIteration(state, start) / g_xml_parse_ns;
}
BENCHMARK(BM_SkrReadAndVerify)->Unit(benchmark::kMicrosecond);

void BM_BundlePrepare(benchmark::State& state) {
  const Fixture& f = LoadFixture();
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    auto image = f.image->WithDnskeys(f.bundle.dnskeys, f.bundle.signatures, f.bundle.inception);
    if (!image.ok()) state.SkipWithError(std::string(image.status().message()).c_str());
    benchmark::DoNotOptimize(image);
  }
  state.counters["vs_full_compile"] = NsPerIteration(state, start) / f.full_compile_ns;
}
BENCHMARK(BM_BundlePrepare)->Unit(benchmark::kMicrosecond);

double g_publish_alone_ns = 0;

// Publish alternating two images with `readers` threads serving meanwhile.
void BM_BundleSwap(benchmark::State& state) {
  const Fixture& f = LoadFixture();
  const auto prepared = f.image->WithDnskeys(f.bundle.dnskeys, f.bundle.signatures, f.bundle.inception).value();
  ImagePublisher publisher(f.image);
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  for (int i = 0; i < state.range(0); ++i) {
    readers.emplace_back([&publisher, &stop] {
      std::unique_ptr<ImagePublisher::Reader> reader = publisher.RegisterReader();
      reader->Online();
      while (!stop.load(std::memory_order_relaxed)) {
        benchmark::DoNotOptimize(reader->Current()->serial());
        reader->QuiescentState();
      }
      reader->Offline();
    });
  }
  bool flip = false;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    publisher.Publish((flip = !flip) ? prepared : f.image);
  }
  const double ns = NsPerIteration(state, start);
  stop.store(true);
  for (std::thread& t : readers) t.join();
  if (state.range(0) == 0) g_publish_alone_ns = ns;
  if (state.range(0) > 0 && g_publish_alone_ns > 0) state.counters["vs_no_readers"] = ns / g_publish_alone_ns;
}
BENCHMARK(BM_BundleSwap)->Arg(0)->Arg(1)->ArgName("readers")->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
}  // namespace rootd::server

BENCHMARK_MAIN();

// Root-server metrics against real clients: the Prometheus endpoint with curl, promtool's
// linter, the Python client's parser (Debian's python3-prometheus-client) and a real
// Prometheus server scraping it; the RSSAC002 documents with a YAML parser (python3-yaml).
#include <chrono>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/rootd_process.h"
#include "tests/test_paths.h"

namespace rootd::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Zones() { return SharedDataDir() + "/zones"; }

class RootdMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = FreePort();
    metrics_port_ = FreePort();
    dir_ = MakeTempDir("metrics");
    server_ = std::make_unique<RootdProcess>(
        dir_,
        std::vector<std::string>{"--zone", Zones() + "/root.zone", "--trust-anchor", Zones() + "/root.zone.ds",
                                 "--clock", "2017-08-25T12:00:00Z", "--listen", "127.0.0.1", "--threads", "2",
                                 "--metrics-listen", "127.0.0.1@" + std::to_string(metrics_port_)},
        port_);
    ASSERT_TRUE(server_->WaitReady()) << server_->Log();
  }

  std::string Url(const std::string& path = "/metrics") const {
    return "http://127.0.0.1:" + std::to_string(metrics_port_) + path;
  }
  std::string Scrape() const { return RunCommand("curl -s --max-time 5 " + Url()).output; }
  void Dig(const std::string& args) const {
    RunCommand("dig @127.0.0.1 -p " + std::to_string(port_) + " +tries=1 +time=3 " + args);
  }

  uint16_t port_ = 0, metrics_port_ = 0;
  std::string dir_;
  std::unique_ptr<RootdProcess> server_;
};

TEST_F(RootdMetricsTest, CountersOnTheWireAsTheQueriesWere) {
  Dig("+bufsize=512 +dnssec +ignore . DNSKEY");  // too large for 512: TC
  Dig("+tcp +dnssec . DNSKEY");
  RunCommand("kdig -b 127.0.0.2 @127.0.0.1 -p " + std::to_string(port_) + " +retry=0 +timeout=3 _ta-4f66. NULL");
  const std::string metrics = Scrape();
  EXPECT_THAT(metrics, HasSubstr("# TYPE rootd_queries_total counter\n"));
  // (UDP counts also hold WaitReady's SOA queries, as many as it took.)
  EXPECT_THAT(metrics, HasSubstr("\nrootd_queries_total{transport=\"tcp\",family=\"ipv4\"} 1\n")) << metrics;
  EXPECT_THAT(metrics, HasSubstr("\nrootd_responses_total{transport=\"tcp\",family=\"ipv4\"} 1\n"));
  EXPECT_THAT(metrics, HasSubstr("\nrootd_truncated_responses_total 1\n"));
  EXPECT_THAT(metrics, HasSubstr("\nrootd_responses_by_rcode_total{rcode=\"3\"} 1\n"));  // _ta-: NXDOMAIN
  // The truncated DNSKEY answer fits 512 octets; the whole one (3 keys, 1 RRSIG with DO) is
  // 1167 octets, under 1232.
  EXPECT_THAT(metrics, HasSubstr("\nrootd_dnskey_response_size_bytes_bucket{le=\"512\"} 1\n"
                                 "rootd_dnskey_response_size_bytes_bucket{le=\"1232\"} 2\n"
                                 "rootd_dnskey_response_size_bytes_bucket{le=\"1452\"} 2\n"
                                 "rootd_dnskey_response_size_bytes_bucket{le=\"4096\"} 2\n"
                                 "rootd_dnskey_response_size_bytes_bucket{le=\"+Inf\"} 2\n"));
  EXPECT_THAT(metrics, HasSubstr("\nrootd_response_bytes_total{transport=\"tcp\"} 1167\n"));
  EXPECT_THAT(metrics, HasSubstr("\nrootd_dnskey_response_size_bytes_sum 1223\n"  // 1167 + the 56 truncated
                                 "rootd_dnskey_response_size_bytes_count 2\n"));
  EXPECT_THAT(metrics, HasSubstr("\nrootd_rfc8145_set_queries_total{signal=\"ta_query\",tags=\"20326\","
                                 "dnskey=\"90ba1bb5\",date=\"2017-08-25\"} 1\n"));
  EXPECT_THAT(metrics, HasSubstr("\nrootd_rfc8145_set_sources{signal=\"ta_query\",tags=\"20326\","
                                 "dnskey=\"90ba1bb5\",date=\"2017-08-25\"} 1\n"));
  EXPECT_THAT(metrics, HasSubstr("\nrootd_zone_serial 2017082100\n"));
  EXPECT_THAT(metrics, HasSubstr("\nrootd_bundle_info{bundle=\"\"} 1\n"));
  // The 2017 zone's earliest RRSIG expiration, 2017-09-03T05:00:00Z.
  EXPECT_THAT(metrics, HasSubstr("\nrootd_zone_signatures_expire_timestamp_seconds 1504414800\n"));
  EXPECT_THAT(metrics, Not(HasSubstr("rootd_bundle_signatures_expire")));  // no bundle served
  EXPECT_THAT(metrics, HasSubstr("\nrootd_worker_queries_total{worker=\"0\"} "));

  // What Prometheus' own linter and the Python client's parser make of it.
  const std::string file = dir_ + "/metrics.txt";
  WriteFileText(file, metrics);
  const CommandResult lint = RunCommand("promtool check metrics < " + file);
  EXPECT_EQ(lint.exit_code, 0) << lint.output;
  const CommandResult parsed = RunCommand(
      "/usr/bin/python3 -c 'import sys\n"
      "from prometheus_client.parser import text_string_to_metric_families as parse\n"
      "for f in parse(open(sys.argv[1]).read()):\n"
      "  for s in f.samples:\n"
      "    if s.name == \"rootd_truncated_responses_total\": print(\"truncated\", int(s.value))\n"
      "    if s.name == \"rootd_rfc8145_set_queries_total\": print(\"set\", s.labels[\"tags\"], int(s.value))' " +
      file);
  EXPECT_EQ(parsed.exit_code, 0) << parsed.output;
  EXPECT_EQ(parsed.output, "truncated 1\nset 20326 1\n");
}

TEST_F(RootdMetricsTest, OnlyGetMetricsIsServed) {
  auto status = [](const std::string& args) {
    return RunCommand("curl -s -o /dev/null -w '%{http_code}' --max-time 5 " + args).output;
  };
  EXPECT_EQ(status(Url()), "200");
  EXPECT_EQ(status(Url("/metrics?name[]=x")), "200");
  EXPECT_EQ(status(Url("/")), "404");
  EXPECT_EQ(status(Url("/metricsx")), "404");
  EXPECT_EQ(status("-X POST " + Url()), "405");
  // A client that sends half a request and stalls is given up on; the next scrape is served.
  RunCommand("timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(metrics_port_) +
             "; printf \"GET /metr\" >&3; sleep 3' || true");
  EXPECT_EQ(status(Url()), "200");
}

// A real Prometheus server (Debian's) scrapes rootd every second; its query API returns what
// rootd counted.
TEST_F(RootdMetricsTest, PrometheusScrapesIt) {
  const uint16_t prometheus_port = FreePort();
  WriteFileText(dir_ + "/prometheus.yml", "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: rootd\n"
                                          "    static_configs:\n      - targets: ['127.0.0.1:" +
                                              std::to_string(metrics_port_) + "']\n");
  // `timeout` bounds its life whatever happens to this test.
  RunCommand("cd " + dir_ + " && (timeout 90 prometheus --config.file=prometheus.yml --storage.tsdb.path=tsdb "
             "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port) +
             " > prometheus.log 2>&1 & echo $! > prometheus.pid)");
  Dig("+dnssec . DNSKEY");
  const std::string query = "curl -s --max-time 2 'http://127.0.0.1:" + std::to_string(prometheus_port) +
                            "/api/v1/query?query=rootd_dnskey_response_size_bytes_count'";
  std::string answer;
  for (int i = 0; i < 60 && answer.find("\"value\":[") == std::string::npos; ++i) {  // at most ~60 s
    std::this_thread::sleep_for(std::chrono::seconds(1));
    answer = RunCommand(query).output;
  }
  RunCommand("kill $(cat " + dir_ + "/prometheus.pid) 2>/dev/null");
  EXPECT_THAT(answer, HasSubstr("\"job\":\"rootd\"")) << answer << ReadFileText(dir_ + "/prometheus.log");
  EXPECT_THAT(answer, HasSubstr(",\"1\"]")) << answer;  // one DNSKEY response
}

// A day of queries on the lab clock; when the clock passes midnight the day's six documents
// are written, parse as YAML, carry RSSAC002's field names and the counts rootctl showed.
TEST(RootdRssac002Test, TheDaysDocumentsAreWrittenWhenItEnds) {
  const uint16_t port = FreePort();
  const std::string dir = MakeTempDir("rssac002");
  RootdProcess server(dir,
                      {"--zone", Zones() + "/root.zone", "--trust-anchor", Zones() + "/root.zone.ds", "--clock",
                       "2017-08-25T12:00:00Z", "--listen", "127.0.0.1", "--listen", "::1", "--identity", "lab1",
                       "--rssac002-dir", dir + "/rssac002"},
                      port);
  ASSERT_TRUE(server.WaitReady()) << server.Log();
  for (const char* source : {"127.0.0.2", "127.0.0.3"}) {
    RunCommand(std::string("dig -b ") + source + " @127.0.0.1 -p " + std::to_string(port) + " +tries=1 +time=3 . SOA");
  }
  RunCommand("dig @::1 -p " + std::to_string(port) + " +tries=1 +time=3 +tcp no-such-tld. A");
  const std::string rootctl = Rootctl() + " --socket " + server.control_socket();
  const std::string today = RunCommand(rootctl + " rssac002").output;
  EXPECT_THAT(today, HasSubstr("---\nversion: rssac002v5\nservice: lab1\nstart-period: 2017-08-25T00:00:00Z\n"
                               "metric: traffic-volume\n"));
  EXPECT_THAT(today, HasSubstr("dns-tcp-queries-received-ipv6: 1\n"));
  EXPECT_THAT(today, HasSubstr("metric: rcode-volume\n0: "));
  EXPECT_THAT(today, HasSubstr("\n3: 1\n"));  // the NXDOMAIN
  EXPECT_THAT(RunCommand(rootctl + " rssac002 2017-08-20").output, HasSubstr("no counters held for 2017-08-20"));

  RunCommand(rootctl + " clock set 2017-08-26T00:00:01Z");
  const std::string file = dir + "/rssac002/lab1-20170825-traffic-volume.yaml";
  for (int i = 0; i < 50 && ReadFileText(dir + "/rssac002/lab1-20170825-zone-size.yaml").empty(); ++i) {  // <= 5 s
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // The file holds the day as it ended: what rootctl says of that day now.
  EXPECT_EQ(ReadFileText(file), RunCommand(rootctl + " rssac002 2017-08-25").output.substr(0, ReadFileText(file).size()));
  const CommandResult parsed = RunCommand(
      "cd " + dir + "/rssac002 && /usr/bin/python3 -c 'import yaml, glob\n"
      "for path in sorted(glob.glob(\"lab1-20170825-*.yaml\")):\n"
      "  d = yaml.safe_load(open(path))\n"
      "  assert d[\"version\"] == \"rssac002v5\" and d[\"service\"] == \"lab1\", d\n"
      "  m = d[\"metric\"]\n"
      "  if m == \"traffic-volume\": print(m, d[\"dns-tcp-queries-received-ipv6\"], d[\"dns-tcp-responses-sent-ipv6\"])\n"
      "  if m == \"unique-sources\": print(m, d[\"num-sources-ipv6\"], d[\"num-sources-ipv6-aggregate\"])\n"
      "  if m == \"load-time\": print(m, list(d.keys())[-1])\n"
      "  if m == \"zone-size\": print(m, d[2017082100])\n"
      "  if m == \"traffic-sizes\": print(m, sorted(k for k in d if k.endswith(\"sizes\")))\n"
      "  if m == \"rcode-volume\": print(m, d[3])'");
  EXPECT_EQ(parsed.exit_code, 0) << parsed.output;
  EXPECT_EQ(parsed.output,
            "load-time 2017082100\nrcode-volume 1\n"
            "traffic-sizes ['tcp-request-sizes', 'tcp-response-sizes', 'udp-request-sizes', 'udp-response-sizes']\n"
            "traffic-volume 1 1\nunique-sources 1 1\n"
            "zone-size " + std::to_string(ReadFileText(Zones() + "/root.zone").size()) + "\n");
}

}  // namespace
}  // namespace rootd::testing

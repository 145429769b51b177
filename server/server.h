// rootd's composition root: the engine, the zone manager, the statistics, the transports and
// the control channel. It knows transports only as Services: the rootd main creates them
// from configuration with context() and hands them over, so adding a transport (the DPDK
// dataplane) touches neither this class nor the other transports.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/config.h"
#include "server/control.h"
#include "server/engine.h"
#include "server/metrics_server.h"
#include "server/rssac002.h"
#include "server/service.h"
#include "server/stats.h"
#include "server/zone_manager.h"

namespace rootd::server {

// mkdir -p.
absl::Status MakeDirectories(const std::string& path);

class Server {
 public:
  // Makes the engine and the zone manager and binds the control socket; loads nothing yet,
  // so that transports can bind their sockets (and report a port taken) before the seconds
  // of zone verification.
  static absl::StatusOr<std::unique_ptr<Server>> Create(const ServerConfig& config);
  ~Server();

  // What a transport is created with.
  ServiceContext context() { return {engine_.get(), &zones_.publisher(), &stats_}; }
  // Before Start().
  void AddService(std::unique_ptr<Service> service);

  // The first load of the configured zone; fails with the reason.
  absl::Status LoadZone() { return zones_.Load(); }

  // Starts every transport, then the control channel. After LoadZone().
  void Start();
  // Stops the control channel, then the transports in reverse order of addition (each
  // finishing what it has received), joining every thread.
  void Stop();

  ZoneManager& zones() { return zones_; }
  std::string StatusText() const;
  std::string StatusJson() const;
  std::string StatsText() const;
  std::string StatsJson() const;
  StatsSnapshot Stats() const { return stats_.Snapshot(); }

 private:
  explicit Server(const ServerConfig& config);
  ControlReply HandleControl(const ControlRequest& request);
  ControlReply Clock(const ControlRequest& request);
  ControlReply Bundle(const ControlRequest& request);
  ControlReply TaReport(const ControlRequest& request);
  ControlReply Rssac002(const ControlRequest& request);
  std::string ServiceName() const { return config_.identity.empty() ? "rootd" : config_.identity; }

  const ServerConfig config_;
  const absl::Time started_at_;
  std::unique_ptr<Engine> engine_;
  ZoneManager zones_;
  StatsRegistry stats_;
  std::vector<std::unique_ptr<Service>> services_;
  std::unique_ptr<ControlServer> control_;
  std::unique_ptr<MetricsServer> metrics_;  // when configured
  std::unique_ptr<Rssac002Writer> rssac002_;  // when configured
  bool started_ = false;
};

}  // namespace rootd::server

// rootd on kernel sockets: owns the engine, the image publisher, the UDP and TCP services and
// the control channel, and reloads the zone off the serving threads.
#pragma once
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/config.h"
#include "server/control.h"
#include "server/engine.h"
#include "server/image_publisher.h"
#include "server/stats.h"
#include "server/tcp_service.h"
#include "server/udp_service.h"

namespace rootd::server {

// mkdir -p.
absl::Status MakeDirectories(const std::string& path);

class Server {
 public:
  // Binds every socket, then loads, verifies and compiles the zone. Nothing is served until
  // Start(). Fails with a message fit for the operator (port taken, invalid zone, ...).
  static absl::StatusOr<std::unique_ptr<Server>> Create(const ServerConfig& config);
  ~Server();

  void Start();
  // Stops accepting, finishes TCP answers in flight (bounded), joins every thread.
  void Stop();

  // Loads `zone_path` (empty: the current zone file) and publishes it; on failure the old
  // image keeps serving and the reason is returned. Serialized; safe from any thread but a
  // serving one. On success returns a one-line summary.
  absl::StatusOr<std::string> Reload(const std::string& zone_path);

  std::string StatusText() const;
  std::string StatusJson() const;
  StatsSnapshot Stats() const { return stats_.Snapshot(); }
  uint32_t serial() const;

 private:
  explicit Server(const ServerConfig& config);
  ControlReply HandleControl(const ControlRequest& request);

  struct ZoneInfo {
    std::string path;
    std::string summary;
    absl::Time loaded_at;
    absl::Duration load_time;
  };
  absl::StatusOr<std::shared_ptr<const zone::ZoneImage>> Load(const std::string& path, ZoneInfo* info) const;

  ServerConfig config_;
  absl::Time started_at_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<ImagePublisher> publisher_;
  StatsRegistry stats_;
  std::unique_ptr<UdpService> udp_;
  std::unique_ptr<TcpService> tcp_;
  std::unique_ptr<ControlServer> control_;

  std::mutex reload_mutex_;  // one reload at a time (control socket and SIGHUP)
  mutable std::mutex info_mutex_;
  ZoneInfo zone_info_;
  std::string last_reload_;  // outcome of the last reload, for status
  uint64_t reloads_ok_ = 0, reloads_failed_ = 0;
  bool started_ = false;
};

}  // namespace rootd::server

// The seam between the server core and its transports (UDP and TCP on kernel sockets, the
// DPDK dataplane). A transport is created with the ServiceContext: at creation it registers
// one image reader and takes one WorkerStats per worker, and from then on answers with the
// one engine over whatever image the zone manager publishes. The core knows transports only
// through Service; a transport knows nothing of the others.
#pragma once
#include <string>

#include "server/engine.h"
#include "server/image_publisher.h"
#include "server/stats.h"

namespace rootd::server {

// What every transport worker shares: all read-only to it but its own reader and stats.
struct ServiceContext {
  const Engine* engine = nullptr;
  ImagePublisher* publisher = nullptr;
  StatsRegistry* stats = nullptr;
};

class Service {
 public:
  virtual ~Service() = default;

  // Starts the workers. Called once, after the first image is published.
  virtual void Start() = 0;
  // Stops taking queries, answers (within a bounded time) those already received, joins the
  // workers. Idempotent; also run by the destructor.
  virtual void Stop() = 0;
  // One line for `rootctl status`: what it serves on, with how many workers.
  virtual std::string Describe() const = 0;
};

}  // namespace rootd::server

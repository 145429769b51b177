// What every transport worker shares: the engine, the published image, the statistics.
#pragma once
#include "server/engine.h"
#include "server/image_publisher.h"
#include "server/stats.h"

namespace rootd::server {

struct ServiceContext {
  const Engine* engine = nullptr;
  ImagePublisher* publisher = nullptr;
  StatsRegistry* stats = nullptr;
};

}  // namespace rootd::server

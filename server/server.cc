#include "server/server.h"

#include <sys/random.h>
#include <sys/stat.h>

#include <cerrno>

#include "server/log.h"
#include "zone/text.h"
#include "zone/zone_loader.h"

namespace rootd::server {

namespace {

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static const char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[(c >> 4) & 0xf];
      out += kHex[c & 0xf];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string TimeText(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone()); }

std::string CookieSecret() {
  std::string secret(16, '\0');
  if (getrandom(secret.data(), secret.size(), 0) != static_cast<ssize_t>(secret.size())) return "";
  return secret;
}

}  // namespace

absl::Status MakeDirectories(const std::string& path) {
  for (size_t slash = 1; slash <= path.size(); ++slash) {
    if (slash < path.size() && path[slash] != '/') continue;
    std::string prefix = path.substr(0, slash);
    if (mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST)
      return absl::PermissionDeniedError(Cat("cannot create directory ", prefix, ": ", ErrnoText(errno)));
  }
  return absl::OkStatus();
}

Server::Server(const ServerConfig& config) : config_(config), started_at_(absl::Now()) {}

Server::~Server() { Stop(); }

absl::StatusOr<std::shared_ptr<const zone::ZoneImage>> Server::Load(const std::string& path, ZoneInfo* info) const {
  zone::LoadOptions options;
  options.zone_path = path;
  options.trust_anchor_path = config_.trust_anchor;
  options.at = config_.verify_at;
  options.verify = config_.verify;
  absl::Time start = absl::Now();
  absl::StatusOr<zone::LoadedZone> loaded = zone::LoadZone(options);
  if (!loaded.ok()) return loaded.status();
  info->path = path;
  info->summary = loaded->Summary();
  info->loaded_at = absl::Now();
  info->load_time = info->loaded_at - start;
  return loaded->image;
}

absl::StatusOr<std::unique_ptr<Server>> Server::Create(const ServerConfig& config) {
  std::unique_ptr<Server> server(new Server(config));
  if (config.zone.empty()) return absl::InvalidArgumentError("no zone file given");
  if (absl::Status s = MakeDirectories(config.state_dir); !s.ok()) return s;
  if (std::string control = config.ControlSocketPath(); control.find('/') != std::string::npos) {
    if (absl::Status s = MakeDirectories(control.substr(0, control.rfind('/'))); !s.ok()) return s;
  }

  EngineConfig engine_config;
  engine_config.max_udp_payload = config.max_udp_payload;
  engine_config.nsid = config.nsid;
  engine_config.identity = config.identity;
  engine_config.version = config.version;
  engine_config.cookie_secret = CookieSecret();
  server->engine_ = std::make_unique<Engine>(engine_config);
  // Empty until the zone is loaded; nothing reads it before Start().
  server->publisher_ = std::make_unique<ImagePublisher>(nullptr);
  ServiceContext context{server->engine_.get(), server->publisher_.get(), &server->stats_};

  // Sockets first: a port already taken is reported before seconds of zone verification.
  std::vector<SocketAddress> addresses = config.ListenAddresses();
  absl::StatusOr<std::unique_ptr<UdpService>> udp = UdpService::Create(addresses, config.EffectiveWorkers(), context);
  if (!udp.ok()) return udp.status();
  server->udp_ = std::move(*udp);
  TcpOptions tcp_options;
  tcp_options.loops = config.EffectiveTcpWorkers();
  tcp_options.max_connections = config.tcp_max_connections;
  tcp_options.idle_timeout = absl::Milliseconds(config.tcp_idle_timeout_ms);
  absl::StatusOr<std::unique_ptr<TcpService>> tcp = TcpService::Create(addresses, tcp_options, context);
  if (!tcp.ok()) return tcp.status();
  server->tcp_ = std::move(*tcp);

  std::string control_path = config.ControlSocketPath();
  absl::StatusOr<std::unique_ptr<ControlServer>> control =
      ControlServer::Create(control_path, [s = server.get()](const ControlRequest& r) { return s->HandleControl(r); });
  if (!control.ok()) return control.status();
  server->control_ = std::move(*control);

  ZoneInfo info;
  absl::StatusOr<std::shared_ptr<const zone::ZoneImage>> image = server->Load(config.zone, &info);
  if (!image.ok()) return absl::Status(image.status().code(), Cat("zone not loaded: ", std::string(image.status().message())));
  LogInfo(Cat("loaded ", config.zone, " serial ", (*image)->serial(), ", ", (*image)->tld_count(), " TLDs, ",
              (*image)->memory_bytes(), " bytes, in ", absl::FormatDuration(info.load_time)));
  server->publisher_->Publish(std::move(*image));
  server->zone_info_ = std::move(info);
  return server;
}

void Server::Start() {
  if (started_) return;
  started_ = true;
  udp_->Start();
  tcp_->Start();
  control_->Start();
  std::string listening;
  for (const SocketAddress& address : config_.ListenAddresses()) listening += Cat(" ", address.ToString());
  LogInfo(Cat("serving serial ", serial(), " on", listening, " (UDP ", config_.EffectiveWorkers(), " workers, TCP ",
              config_.EffectiveTcpWorkers(), " loops); control socket ", control_->path()));
}

void Server::Stop() {
  if (!started_) return;
  started_ = false;
  control_->Stop();
  // TCP first: answers in flight are finished while UDP keeps serving for that short moment.
  tcp_->Stop();
  udp_->Stop();
  StatsSnapshot totals = stats_.Snapshot();
  LogInfo(Cat("stopped after ", totals.TotalQueries(), " queries"));
}

uint32_t Server::serial() const {
  std::shared_ptr<const zone::ZoneImage> image = publisher_->current();
  return image ? image->serial() : 0;
}

absl::StatusOr<std::string> Server::Reload(const std::string& zone_path) {
  std::lock_guard reload_lock(reload_mutex_);
  std::string path;
  {
    std::lock_guard lock(info_mutex_);
    path = zone_path.empty() ? zone_info_.path : zone_path;
  }
  uint32_t old_serial = serial();
  LogInfo(Cat("reloading ", path));
  ZoneInfo info;
  absl::StatusOr<std::shared_ptr<const zone::ZoneImage>> image = Load(path, &info);
  if (!image.ok()) {
    std::string reason = Cat("reload of ", path, " failed, still serving serial ", old_serial, ": ",
                             std::string(image.status().message()));
    LogError(reason);
    std::lock_guard lock(info_mutex_);
    ++reloads_failed_;
    last_reload_ = Cat(TimeText(absl::Now()), " failed: ", std::string(image.status().message()));
    return absl::Status(image.status().code(), reason);
  }
  uint32_t new_serial = (*image)->serial();
  absl::Duration load_time = info.load_time;
  // Publish waits until every worker has moved past the old image, then frees it here, in
  // this (control or signal) thread.
  publisher_->Publish(std::move(*image));
  std::string summary = Cat("serial ", old_serial, " -> ", new_serial, " from ", path, " (loaded in ",
                            absl::FormatDuration(load_time), ")");
  LogInfo(Cat("reloaded: ", summary));
  std::lock_guard lock(info_mutex_);
  zone_info_ = std::move(info);
  ++reloads_ok_;
  last_reload_ = Cat(TimeText(absl::Now()), " ok: ", summary);
  return summary;
}

std::string Server::StatusText() const {
  std::shared_ptr<const zone::ZoneImage> image = publisher_->current();
  StatsSnapshot totals = stats_.Snapshot();
  std::lock_guard lock(info_mutex_);
  std::string listening;
  for (const SocketAddress& address : config_.ListenAddresses()) listening += Cat(" ", address.ToString());
  std::string out;
  out += Cat("zone          ", zone_info_.path, "\n");
  out += Cat("serial        ", image ? image->serial() : 0, "\n");
  out += Cat("tlds          ", image ? image->tld_count() : 0, "\n");
  out += Cat("image bytes   ", image ? image->memory_bytes() : 0, "\n");
  out += Cat("loaded at     ", TimeText(zone_info_.loaded_at), " (", absl::FormatDuration(zone_info_.load_time), ")\n");
  out += Cat("uptime        ", absl::ToInt64Seconds(absl::Now() - started_at_), " s\n");
  out += Cat("listening    ", listening, "\n");
  out += Cat("workers       ", config_.EffectiveWorkers(), " udp, ", config_.EffectiveTcpWorkers(), " tcp\n");
  out += Cat("queries       ", totals.TotalQueries(), "\n");
  out += Cat("responses     ", totals.TotalResponses(), "\n");
  out += Cat("reloads       ", reloads_ok_, " ok, ", reloads_failed_, " failed\n");
  if (!last_reload_.empty()) out += Cat("last reload   ", last_reload_, "\n");
  if (!zone_info_.summary.empty()) out += Cat("zone summary:\n", zone_info_.summary, zone_info_.summary.back() == '\n' ? "" : "\n");
  return out;
}

std::string Server::StatusJson() const {
  std::shared_ptr<const zone::ZoneImage> image = publisher_->current();
  StatsSnapshot totals = stats_.Snapshot();
  std::lock_guard lock(info_mutex_);
  std::string listening = "[";
  for (const SocketAddress& address : config_.ListenAddresses())
    listening += Cat(listening.size() > 1 ? "," : "", JsonString(address.ToString()));
  listening += "]";
  return Cat("{\"zone\":", JsonString(zone_info_.path), ",\"serial\":", image ? image->serial() : 0,
             ",\"tlds\":", image ? image->tld_count() : 0, ",\"image_bytes\":", image ? image->memory_bytes() : 0,
             ",\"loaded_at\":", JsonString(TimeText(zone_info_.loaded_at)),
             ",\"load_seconds\":", absl::ToDoubleSeconds(zone_info_.load_time),
             ",\"uptime_seconds\":", absl::ToInt64Seconds(absl::Now() - started_at_), ",\"listen\":", listening,
             ",\"udp_workers\":", config_.EffectiveWorkers(), ",\"tcp_workers\":", config_.EffectiveTcpWorkers(),
             ",\"queries\":", totals.TotalQueries(), ",\"responses\":", totals.TotalResponses(),
             ",\"reloads_ok\":", reloads_ok_, ",\"reloads_failed\":", reloads_failed_,
             ",\"last_reload\":", JsonString(last_reload_), ",\"summary\":", JsonString(zone_info_.summary), "}\n");
}

ControlReply Server::HandleControl(const ControlRequest& request) {
  if (request.command == "status") return {true, request.json ? StatusJson() : StatusText()};
  if (request.command == "stats") {
    StatsSnapshot totals = stats_.Snapshot();
    return {true, request.json ? Cat(totals.ToJson(), "\n") : totals.ToText()};
  }
  if (request.command == "reload") {
    absl::StatusOr<std::string> result = Reload(request.argument);
    if (request.json) {
      return {result.ok(), Cat("{\"ok\":", result.ok() ? "true" : "false", ",\"serial\":", serial(), ",\"message\":",
                               JsonString(result.ok() ? *result : std::string(result.status().message())), "}\n")};
    }
    return {result.ok(), Cat(result.ok() ? *result : std::string(result.status().message()), "\n")};
  }
  return {false, Cat("unknown command '", request.command, "' (status, stats, reload [ZONE])\n")};
}

}  // namespace rootd::server

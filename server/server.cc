#include "server/server.h"

#include <sys/random.h>
#include <sys/stat.h>

#include <cerrno>

#include "absl/strings/str_split.h"
#include "server/command_line.h"
#include "server/json_writer.h"
#include "server/log.h"
#include "server/prometheus.h"
#include "server/ta_report.h"
#include "zone/dnssec_wire.h"
#include "zone/signature_verifier.h"
#include "zone/text.h"

namespace rootd::server {

namespace {

using zone::FormatUtc;

// RFC 9018 server cookies are keyed with a secret of this server's run: a restart invalidates
// old cookies, which clients handle (they get a fresh one with the next answer).
std::string CookieSecret() {
  std::string secret(16, '\0');
  if (getrandom(secret.data(), secret.size(), 0) != static_cast<ssize_t>(secret.size())) return "";
  return secret;
}

ZoneSource Source(const ServerConfig& config) {
  ZoneSource source;
  source.zone.zone_path = config.zone;
  source.zone.trust_anchor_path = config.trust_anchor;
  source.zone.at = config.verify_at;
  source.zone.verify = config.verify;
  source.skrs = config.skr;
  return source;
}

// "ID  INCEPTION .. EXPIRATION  FILE #INDEX": a bundle in `bundle list` and `bundle show`.
std::string BundleLine(const ScheduledBundle& b) {
  return Cat(b.bundle.id, "  ", FormatUtc(b.bundle.inception), " .. ", FormatUtc(b.bundle.expiration), "  ", b.file,
             " #", b.index, "\n");
}

std::string BundleText(const ScheduledBundle& b) {
  std::string out = BundleLine(b);
  for (const zone::Record& key : b.bundle.dnskeys) {
    out += Cat("    key ", zone::KeyTag(key.rdata), " flags ", zone::DnskeyFlags(key.rdata), "\n");
  }
  for (const zone::Record& sig : b.bundle.signatures) {
    absl::StatusOr<zone::RrsigFields> fields = zone::ParseRrsig(sig.rdata);
    if (fields.ok()) out += Cat("    signed by ", fields->key_tag, "\n");
  }
  return out;
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

Server::Server(const ServerConfig& config)
    : config_(config), started_at_(absl::Now()), zones_(Source(config)), stats_(config.ta_signals, &zones_.clock()) {
  if (config.clock != absl::InfinitePast()) zones_.clock().Set(config.clock);
}

Server::~Server() { Stop(); }

absl::StatusOr<std::unique_ptr<Server>> Server::Create(const ServerConfig& config) {
  if (config.zone.empty()) return absl::InvalidArgumentError("no zone file given");
  if (absl::Status s = MakeDirectories(config.state_dir); !s.ok()) return s;
  const std::string control_path = config.ControlSocketPath();
  if (control_path.find('/') != std::string::npos) {
    if (absl::Status s = MakeDirectories(control_path.substr(0, control_path.rfind('/'))); !s.ok()) return s;
  }
  std::unique_ptr<Server> server(new Server(config));
  EngineConfig engine_config;
  engine_config.max_udp_payload = config.max_udp_payload;
  engine_config.nsid = config.nsid;
  engine_config.identity = config.identity;
  engine_config.version = config.version;
  engine_config.cookie_secret = CookieSecret();
  server->engine_ = std::make_unique<Engine>(engine_config);
  absl::StatusOr<std::unique_ptr<ControlServer>> control =
      ControlServer::Create(control_path, [s = server.get()](const ControlRequest& r) { return s->HandleControl(r); });
  if (!control.ok()) return control.status();
  server->control_ = std::move(*control);
  if (config.metrics) {
    absl::StatusOr<std::unique_ptr<MetricsServer>> metrics = MetricsServer::Create(
        config.metrics_address, [s = server.get()] { return PrometheusText(s->stats_.Snapshot(), s->zones_.Status()); });
    if (!metrics.ok()) return metrics.status();
    server->metrics_ = std::move(*metrics);
  }
  if (!config.rssac002_dir.empty()) {
    if (absl::Status s = MakeDirectories(config.rssac002_dir); !s.ok()) return s;
    server->rssac002_ =
        std::make_unique<Rssac002Writer>(config.rssac002_dir, server->ServiceName(), &server->stats_, &server->zones_);
  }
  return server;
}

void Server::AddService(std::unique_ptr<Service> service) { services_.push_back(std::move(service)); }

void Server::Start() {
  if (started_) return;
  started_ = true;
  for (const auto& service : services_) service->Start();
  control_->Start();
  std::string serving;
  for (const auto& service : services_) serving += Cat("; ", service->Describe());
  if (rssac002_) {
    if (absl::Status s = rssac002_->Start(); !s.ok()) LogError(Cat("rssac002: ", s.message()));
  }
  if (metrics_) {
    metrics_->Start();
    std::string address = metrics_->address().ToString();  // "127.0.0.1@9153" or "[::1]:9153"
    if (const size_t at = address.find('@'); at != std::string::npos) address[at] = ':';
    serving += Cat("; metrics on http://", address, "/metrics");
  }
  const ZoneStatus zone = zones_.Status();
  LogInfo(Cat("serving serial ", zone.image ? zone.image->serial() : 0, serving, "; control socket ", control_->path()));
}

void Server::Stop() {
  if (!started_) return;
  started_ = false;
  control_->Stop();
  if (metrics_) metrics_->Stop();
  if (rssac002_) rssac002_->Stop();
  // The last added first: the TCP service (added after UDP) finishes its answers in flight
  // while UDP keeps serving for that short moment.
  for (auto it = services_.rbegin(); it != services_.rend(); ++it) (*it)->Stop();
  LogInfo(Cat("stopped after ", stats_.Snapshot().TotalQueries(), " queries"));
}

std::string Server::StatusText() const {
  const ZoneStatus zone = zones_.Status();
  const StatsSnapshot totals = stats_.Snapshot();
  const zone::ZoneImage* image = zone.image.get();
  std::string out;
  out += Cat("zone          ", zone.path, "\n");
  out += Cat("serial        ", image ? image->serial() : 0, "\n");
  if (image) out += Cat("identity      ", image->identity().ToString(), "\n");
  out += Cat("tlds          ", image ? image->tld_count() : 0, "\n");
  out += Cat("image bytes   ", image ? image->memory_bytes() : 0, "\n");
  out += Cat("loaded at     ", FormatUtc(zone.loaded_at), " (", absl::FormatDuration(zone.load_time), ")\n");
  for (const std::string& skr : zone.skrs) out += Cat("skr           ", skr, "\n");
  out += Cat("clock         ", FormatUtc(zone.clock), zone.clock_set ? " (lab clock)" : "", "\n");
  out += Cat("bundle        ", zone.bundle.empty() ? "none (the zone's own DNSKEY RRset)" : zone.bundle,
             zone.pinned ? " (pinned)" : "", ", ", zone.bundle_swaps, " swaps, the last in ",
             absl::FormatDuration(zone.last_swap_latency), "\n");
  if (!zone.bundle_refused.empty()) out += Cat("refused       ", zone.bundle_refused, "\n");
  out += Cat("uptime        ", absl::ToInt64Seconds(absl::Now() - started_at_), " s\n");
  for (const auto& service : services_) out += Cat("transport     ", service->Describe(), "\n");
  out += Cat("queries       ", totals.TotalQueries(), "\n");
  out += Cat("responses     ", totals.TotalResponses(), "\n");
  out += Cat("reloads       ", zone.reloads_ok, " ok, ", zone.reloads_failed, " failed\n");
  if (!zone.last_reload.empty()) out += Cat("last reload   ", zone.last_reload, "\n");
  if (!zone.summary.empty()) out += Cat("zone summary:\n", zone.summary, zone.summary.back() == '\n' ? "" : "\n");
  return out;
}

std::string Server::StatusJson() const {
  const ZoneStatus zone = zones_.Status();
  const StatsSnapshot totals = stats_.Snapshot();
  const zone::ZoneImage* image = zone.image.get();
  JsonWriter json;
  json.BeginObject();
  json.Key("zone").String(zone.path);
  json.Key("serial").Number(uint64_t{image ? image->serial() : 0u});
  if (image) {
    const zone::ImageIdentity& identity = image->identity();
    json.Key("identity").String(identity.ToString());
    json.Key("dnskey_id").String(zone::ImageIdentity::DnskeyIdText(identity.dnskey_id));
    json.Key("keys").BeginArray();
    for (const zone::ServedKey& key : identity.keys) {
      json.BeginObject().Key("tag").Number(uint64_t{key.tag}).Key("algorithm").Number(uint64_t{key.algorithm});
      json.Key("role").String(key.ksk ? "KSK" : "ZSK").Key("revoked").Bool(key.revoked).EndObject();
    }
    json.EndArray();
  }
  json.Key("tlds").Number(uint64_t{image ? image->tld_count() : 0u});
  json.Key("image_bytes").Number(uint64_t{image ? image->memory_bytes() : 0u});
  json.Key("loaded_at").String(FormatUtc(zone.loaded_at));
  json.Key("clock").String(FormatUtc(zone.clock)).Key("clock_set").Bool(zone.clock_set);
  json.Key("bundle").String(zone.bundle).Key("pinned").Bool(zone.pinned);
  json.Key("bundle_swaps").Number(zone.bundle_swaps).Key("bundle_refused").String(zone.bundle_refused);
  json.Key("last_swap_seconds").Number(absl::ToDoubleSeconds(zone.last_swap_latency));
  json.Key("load_seconds").Number(absl::ToDoubleSeconds(zone.load_time));
  json.Key("uptime_seconds").Number(static_cast<uint64_t>(absl::ToInt64Seconds(absl::Now() - started_at_)));
  json.Key("transports").BeginArray();
  for (const auto& service : services_) json.String(service->Describe());
  json.EndArray();
  json.Key("queries").Number(totals.TotalQueries()).Key("responses").Number(totals.TotalResponses());
  json.Key("reloads_ok").Number(zone.reloads_ok).Key("reloads_failed").Number(zone.reloads_failed);
  json.Key("last_reload").String(zone.last_reload);
  json.Key("summary").String(zone.summary);
  json.EndObject();
  return json.str() + "\n";
}

// The workers' counters, then the bundle swaps and refusals: a refused bundle shows in the
// stats a monitoring system scrapes, not only in status.
std::string Server::StatsText() const {
  const ZoneStatus zone = zones_.Status();
  std::string out = stats_.Snapshot().ToText();
  out += Cat("bundle swaps       ", zone.bundle_swaps, "\n", "bundle refusals    ", zone.bundle_refusals, "\n");
  if (!zone.bundle_refused.empty()) out += Cat("bundle refused     ", zone.bundle_refused, "\n");
  return out;
}

std::string Server::StatsJson() const {
  const ZoneStatus zone = zones_.Status();
  JsonWriter json;
  json.BeginObject();
  stats_.Snapshot().WriteJsonFields(json);
  json.Key("bundle_swaps").Number(zone.bundle_swaps).Key("bundle_refusals").Number(zone.bundle_refusals);
  json.Key("bundle_refused").String(zone.bundle_refused);
  json.EndObject();
  return json.str() + "\n";
}

ControlReply Server::HandleControl(const ControlRequest& request) {
  if (request.command == "status") return {true, request.json ? StatusJson() : StatusText()};
  if (request.command == "stats") return {true, request.json ? StatsJson() : StatsText()};
  if (request.command == "reload") {
    const absl::StatusOr<std::string> result = zones_.Reload(request.argument);
    const std::string message = result.ok() ? *result : std::string(result.status().message());
    if (!request.json) return {result.ok(), Cat(message, "\n")};
    const std::shared_ptr<const zone::ZoneImage> image = zones_.Status().image;
    JsonWriter json;
    json.BeginObject().Key("ok").Bool(result.ok());
    json.Key("serial").Number(uint64_t{image ? image->serial() : 0u}).Key("message").String(message);
    json.EndObject();
    return {result.ok(), json.str() + "\n"};
  }
  if (request.command == "clock") return Clock(request);
  if (request.command == "bundle") return Bundle(request);
  if (request.command == "ta-report") return TaReport(request);
  if (request.command == "rssac002") return Rssac002(request);
  return {false, Cat("unknown command '", request.command,
                     "' (status, stats, reload [ZONE], clock [set TIME], bundle list|show ID|pin ID|unpin, "
                     "ta-report [svg] [OLD-KSK NEW-KSK], rssac002 [DATE])\n")};
}

// rssac002 [YYYY-MM-DD]: that day's documents (default today, by rootd's clock), while the
// workers still hold it (today and the day before).
ControlReply Server::Rssac002(const ControlRequest& request) {
  int32_t day = stats_.Today();
  if (!request.argument.empty()) {
    absl::Time t;
    std::string error;
    if (!absl::ParseTime("%Y-%m-%d", request.argument, absl::UTCTimeZone(), &t, &error)) {
      return {false, "usage: rssac002 [YYYY-MM-DD]\n"};
    }
    day = static_cast<int32_t>(absl::ToUnixSeconds(t) / 86400);
  }
  const DailyTotals totals = stats_.Daily(day);
  if (!totals.seen && day != stats_.Today()) {
    return {false, Cat("no counters held for ", request.argument, ": rootd keeps today and the day before",
                       config_.rssac002_dir.empty() ? "" : Cat("; earlier days are in ", config_.rssac002_dir), "\n")};
  }
  return {true, Rssac002Documents(ServiceName(), totals, zones_.Status().loads)};
}

// ta-report [svg] [OLD-KSK-TAG NEW-KSK-TAG]
ControlReply Server::TaReport(const ControlRequest& request) {
  std::vector<std::string> words = absl::StrSplit(request.argument, ' ', absl::SkipEmpty());
  const bool svg = !words.empty() && words.front() == "svg";
  if (svg) words.erase(words.begin());
  TaReportKeys keys;
  uint64_t old_ksk = 0, new_ksk = 0;
  if (!words.empty()) {
    if (words.size() != 2 || !ParseUint64(words[0], 65535, &old_ksk) || !ParseUint64(words[1], 65535, &new_ksk)) {
      return {false, "usage: ta-report [svg] [OLD-KSK-TAG NEW-KSK-TAG], e.g. ta-report 20326 38696\n"};
    }
    keys = {static_cast<uint16_t>(old_ksk), static_cast<uint16_t>(new_ksk)};
  }
  const TaSignalTotals totals = stats_.Snapshot().ta_signals;
  if (svg) return {true, TaReportSvg(totals, keys)};
  return {true, request.json ? TaReportJson(totals, keys) : TaReportText(totals, keys)};
}

ControlReply Server::Clock(const ControlRequest& request) {
  if (request.argument.empty()) return {true, Cat(FormatUtc(zones_.Status().clock), "\n")};
  constexpr std::string_view kSet = "set ";
  absl::Time t;
  std::string error;
  if (request.argument.rfind(kSet, 0) != 0 ||
      !absl::ParseTime(absl::RFC3339_full, request.argument.substr(kSet.size()), &t, &error)) {
    return {false, "usage: clock [set RFC3339-TIME], e.g. clock set 2017-09-12T00:00:00Z\n"};
  }
  return {true, Cat(zones_.SetClock(t), "\n")};
}

ControlReply Server::Bundle(const ControlRequest& request) {
  const std::string& arg = request.argument;
  const size_t space = arg.find(' ');
  const std::string verb = arg.substr(0, space);
  const std::string id = space == std::string::npos ? "" : arg.substr(space + 1);
  if (verb == "list" || verb.empty()) {
    const std::string served = zones_.Status().bundle;
    std::string out;
    for (const ScheduledBundle& b : zones_.Bundles()) {
      out += Cat(b.bundle.id == served ? "* " : "  ", BundleLine(b));
    }
    return {true, out.empty() ? "no signature bundles loaded\n" : out};
  }
  if (verb == "show") {
    for (const ScheduledBundle& b : zones_.Bundles()) {
      if (b.bundle.id == id) return {true, BundleText(b)};
    }
    return {false, Cat("no bundle ", id, "\n")};
  }
  if (verb == "pin") {
    absl::StatusOr<std::string> pinned = zones_.Pin(id);
    return {pinned.ok(), Cat(pinned.ok() ? *pinned : std::string(pinned.status().message()), "\n")};
  }
  if (verb == "unpin") return {true, Cat(zones_.Unpin(), "\n")};
  return {false, "usage: bundle list|show ID|pin ID|unpin\n"};
}

}  // namespace rootd::server

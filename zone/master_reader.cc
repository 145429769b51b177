#include "zone/master_reader.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <utility>
#include <vector>

#include "zone/file_io.h"
#include "zone/master_lexer.h"
#include "zone/name.h"
#include "zone/rdata_text.h"
#include "zone/rr_types.h"
#include "zone/text.h"

namespace rootd::zone {

namespace {

// Deep enough for any real layout, shallow enough to stop a runaway chain quickly.
constexpr int kMaxIncludeDepth = 16;

// The path with symbolic links and dot segments resolved, to recognise a file read twice.
std::filesystem::path Canonical(const std::filesystem::path& path) {
  std::error_code error;
  std::filesystem::path canonical = std::filesystem::weakly_canonical(path, error);
  return error ? path : canonical;
}

// The state of one file being read; $INCLUDE starts a fresh one so that the including
// file's origin and previous owner are back in force after the included file ends
// (RFC 1035 5.1).
struct FileState {
  std::string_view name;   // for messages
  std::filesystem::path dir;  // base of relative $INCLUDE paths
  uint32_t file_id = 0;
  std::string origin;
  std::string previous_owner;  // empty until the first record
  int depth = 0;
};

class Reader {
 public:
  explicit Reader(const ReadOptions& options) : options_(options) {}

  absl::Status ReadFile(const std::filesystem::path& path, std::string origin, int depth);
  absl::Status ReadText(std::string_view text, const std::string& name, std::filesystem::path dir,
                        std::string origin, int depth);
  absl::StatusOr<Zone> Finish() { return Zone::FromRecords(std::move(files_), std::move(records_)); }

 private:
  absl::Status Directive(FileState& state, const Entry& entry);
  absl::Status Include(FileState& state, const Entry& entry);
  absl::Status AddRecord(FileState& state, const Entry& entry);
  uint32_t DefaultTtl() const;

  const ReadOptions& options_;
  std::vector<std::string> files_;
  std::vector<Record> records_;
  std::vector<std::filesystem::path> open_files_;  // the $INCLUDE chain, to refuse loops
  std::optional<uint32_t> ttl_directive_;          // the last $TTL
  std::optional<uint32_t> last_explicit_ttl_;
  uint16_t last_class_ = dns::kClassIn;
};

absl::Status Reader::ReadText(std::string_view text, const std::string& name, std::filesystem::path dir,
                              std::string origin, int depth) {
  FileState state;
  state.file_id = static_cast<uint32_t>(files_.size());
  files_.push_back(name);
  state.name = name;
  state.dir = std::move(dir);
  state.origin = std::move(origin);
  state.depth = depth;
  // A root zone has about one record per 100 octets; reserving avoids regrowth copies.
  records_.reserve(records_.size() + text.size() / 96);

  MasterLexer lexer(text, state.name);
  Entry entry;
  absl::Status status;
  while (lexer.Next(entry, status)) {
    const Token& first = entry.tokens[0];
    const bool directive = !entry.owner_omitted && !first.quoted && first.text[0] == '$';
    status = directive ? Directive(state, entry) : AddRecord(state, entry);
    if (!status.ok()) return status;
  }
  return status;
}

uint32_t Reader::DefaultTtl() const {
  // $TTL wins (RFC 2308 4); without it the last explicit TTL carries over (RFC 1035 5.1).
  if (ttl_directive_) return *ttl_directive_;
  if (last_explicit_ttl_) return *last_explicit_ttl_;
  return options_.default_ttl;
}

absl::Status Reader::Directive(FileState& state, const Entry& entry) {
  const std::string_view keyword = entry.tokens[0].text;
  const size_t args = entry.tokens.size() - 1;
  if (keyword == "$INCLUDE") return Include(state, entry);
  if (keyword == "$ORIGIN") {
    if (args != 1) return SyntaxError(state.name, entry.line, "$ORIGIN takes one name");
    std::string origin;
    if (const char* reason = AppendNameFromText(entry.tokens[1].text, state.origin, origin)) {
      return SyntaxError(state.name, entry.line, Cat(reason, " '", entry.tokens[1].text, "'"));
    }
    state.origin = std::move(origin);
    return absl::OkStatus();
  }
  if (keyword == "$TTL") {
    if (args != 1) return SyntaxError(state.name, entry.line, "$TTL takes one TTL");
    const auto ttl = ParseTtl(entry.tokens[1].text);
    if (!ttl) return SyntaxError(state.name, entry.line, Cat("bad TTL '", entry.tokens[1].text, "'"));
    ttl_directive_ = *ttl;
    return absl::OkStatus();
  }
  return SyntaxError(state.name, entry.line, Cat("unknown directive '", keyword, "'"));
}

absl::Status Reader::Include(FileState& state, const Entry& entry) {
  const size_t args = entry.tokens.size() - 1;
  if (args < 1 || args > 2) return SyntaxError(state.name, entry.line, "$INCLUDE takes a file and an optional origin");
  std::string origin = state.origin;
  if (args == 2) {
    origin.clear();
    if (const char* reason = AppendNameFromText(entry.tokens[2].text, state.origin, origin)) {
      return SyntaxError(state.name, entry.line, Cat(reason, " '", entry.tokens[2].text, "'"));
    }
  }
  if (state.depth + 1 > kMaxIncludeDepth) {
    return SyntaxError(state.name, entry.line, Cat("$INCLUDE nested deeper than ", kMaxIncludeDepth));
  }
  const std::filesystem::path path = state.dir / std::string(entry.tokens[1].text);
  if (std::find(open_files_.begin(), open_files_.end(), Canonical(path)) != open_files_.end()) {
    return SyntaxError(state.name, entry.line, Cat("$INCLUDE loop: ", path.string(), " is already being read"));
  }
  absl::Status status = ReadFile(path, std::move(origin), state.depth + 1);
  // I/O failures of the included file get the location of the $INCLUDE; syntax errors have theirs.
  if (!status.ok() && !absl::IsInvalidArgument(status)) {
    return SyntaxError(state.name, entry.line, std::string(status.message()));
  }
  return status;
}

absl::Status Reader::ReadFile(const std::filesystem::path& path, std::string origin, int depth) {
  auto text = ReadWholeFile(path.string());
  if (!text.ok()) return text.status();
  open_files_.push_back(Canonical(path));
  absl::Status status = ReadText(*text, path.string(), path.parent_path(), std::move(origin), depth);
  open_files_.pop_back();
  return status;
}

absl::Status Reader::AddRecord(FileState& state, const Entry& entry) {
  Record record;
  record.file_id = state.file_id;
  record.line = entry.line;
  size_t next = 0;
  if (entry.owner_omitted) {
    if (state.previous_owner.empty()) return SyntaxError(state.name, entry.line, "no owner name and no previous record");
    record.owner = state.previous_owner;
  } else {
    const Token& owner = entry.tokens[next++];
    if (const char* reason = AppendNameFromText(owner.text, state.origin, record.owner)) {
      return SyntaxError(state.name, owner.line, Cat(reason, " '", owner.text, "'"));
    }
  }

  // TTL and class are both optional and may come in either order (RFC 1035 5.1).
  std::optional<uint32_t> ttl;
  std::optional<uint16_t> rclass;
  for (; next < entry.tokens.size(); ++next) {
    const Token& t = entry.tokens[next];
    if (!rclass && (rclass = ParseClass(t.text))) continue;
    if (ttl || t.text.empty() || t.text[0] < '0' || t.text[0] > '9') break;
    ttl = ParseTtl(t.text);
    if (!ttl) return SyntaxError(state.name, t.line, Cat("bad TTL '", t.text, "'"));
  }
  if (next == entry.tokens.size()) return SyntaxError(state.name, entry.line, "missing type");
  const Token& type_token = entry.tokens[next++];
  const auto type = ParseType(type_token.text);
  if (!type) return SyntaxError(state.name, type_token.line, Cat("unknown type '", type_token.text, "'"));

  if (ttl) last_explicit_ttl_ = *ttl;
  record.ttl = ttl ? *ttl : DefaultTtl();
  record.rclass = rclass ? *rclass : last_class_;
  last_class_ = record.rclass;
  record.type = *type;
  const RdataSource source{state.name, entry.line, state.origin, *type,
                           std::span<const Token>(entry.tokens).subspan(next)};
  if (absl::Status s = EncodeRdata(source, record.rdata); !s.ok()) return s;
  state.previous_owner = record.owner;
  records_.push_back(std::move(record));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Zone> ReadMasterFile(const std::string& path, const ReadOptions& options) {
  Reader reader(options);
  if (absl::Status s = reader.ReadFile(path, options.origin, 0); !s.ok()) return s;
  return reader.Finish();
}

absl::StatusOr<Zone> ReadMasterText(std::string_view text, const std::string& name, const ReadOptions& options) {
  Reader reader(options);
  if (absl::Status s = reader.ReadText(text, name, std::filesystem::path(), options.origin, 0); !s.ok()) return s;
  return reader.Finish();
}

absl::Status CheckRootZoneShape(const Zone& zone) {
  const Record* soa = nullptr;
  for (const Record& r : zone.records()) {
    if (r.rclass != dns::kClassIn) {
      return absl::InvalidArgumentError(Cat("record not in class IN (class ", r.rclass, "): ", zone.Describe(r)));
    }
    if (r.type != dns::kTypeSoa) continue;
    if (soa != nullptr) {
      return absl::InvalidArgumentError(
          Cat("more than one SOA: ", zone.Describe(r), " after ", zone.Describe(*soa)));
    }
    soa = &r;
  }
  if (soa == nullptr) return absl::InvalidArgumentError("not a root zone: no SOA at '.'");
  if (soa->owner != std::string_view("\0", 1)) {
    return absl::InvalidArgumentError(
        Cat("not a root zone: SOA owned by ", NameToText(soa->owner), " (", zone.Where(*soa), ")"));
  }
  return absl::OkStatus();
}

}  // namespace rootd::zone

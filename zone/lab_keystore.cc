#include "zone/lab_keystore.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "zone/file_io.h"
#include "zone/text.h"

namespace rootd::zone {

namespace {

constexpr char kListHeader[] = "# name role tag algorithm file\n";

std::string ListPath(const std::string& folder) { return Cat(folder, "/keys.txt"); }

}  // namespace

absl::StatusOr<LabKeyStore> LabKeyStore::Create(const std::string& dir) {
  LabKeyStore store(Cat(dir, "/keys"));
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return absl::PermissionDeniedError(Cat("cannot create ", dir, ": ", error.message()));
  if (mkdir(store.folder_.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::PermissionDeniedError(Cat("cannot create ", store.folder_, ": ", std::strerror(errno)));
  }
  struct stat st;
  if (stat(ListPath(store.folder_).c_str(), &st) == 0) {
    return absl::AlreadyExistsError(Cat(dir, " already holds a lab (", ListPath(store.folder_), ")"));
  }
  if (chmod(store.folder_.c_str(), 0700) != 0) {
    return absl::PermissionDeniedError(Cat("cannot restrict ", store.folder_, ": ", std::strerror(errno)));
  }
  if (absl::Status s = store.SaveList(); !s.ok()) return s;
  return store;
}

absl::StatusOr<LabKeyStore> LabKeyStore::Open(const std::string& dir) {
  LabKeyStore store(Cat(dir, "/keys"));
  absl::StatusOr<std::string> list = ReadWholeFile(ListPath(store.folder_));
  if (!list.ok()) return absl::NotFoundError(Cat(dir, " is not a lab (rootlab init makes one): ", list.status().message()));
  std::istringstream lines(*list);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name, role, file;
    int tag = 0, algorithm = 0;
    if (!(fields >> name >> role >> tag >> algorithm >> file) || (role != "ksk" && role != "zsk")) {
      return absl::InvalidArgumentError(Cat(ListPath(store.folder_), ":", number, ": expected 'name ksk|zsk tag algorithm file'"));
    }
    absl::StatusOr<std::string> pem = ReadWholeFile(Cat(store.folder_, "/", file));
    if (!pem.ok()) return pem.status();
    absl::StatusOr<SigningKey> key = SigningKey::FromPem(*pem, role == "ksk" ? kKskFlags : kZskFlags);
    if (!key.ok()) return absl::InvalidArgumentError(Cat(store.folder_, "/", file, ": ", key.status().message()));
    if (key->key_tag() != tag || key->algorithm() != algorithm) {
      return absl::InvalidArgumentError(Cat(ListPath(store.folder_), ":", number, ": ", file, " is key ", key->key_tag(),
                                            " algorithm ", int{key->algorithm()}, ", not ", tag, " algorithm ", algorithm));
    }
    store.keys_.push_back(LabStoredKey{name, *std::move(key), file});
  }
  return store;
}

const LabStoredKey* LabKeyStore::Find(std::string_view name) const {
  for (const LabStoredKey& k : keys_) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

absl::StatusOr<SigningKey> LabKeyStore::GetOrCreate(std::string_view name, bool ksk, uint8_t algorithm) {
  if (const LabStoredKey* k = Find(name)) {
    if (k->key.is_ksk() != ksk || k->key.algorithm() != algorithm) {
      return absl::FailedPreconditionError(Cat("the lab's ", name, " is a ", k->key.is_ksk() ? "KSK" : "ZSK",
                                               " of algorithm ", int{k->key.algorithm()}, ", not a ",
                                               ksk ? "KSK" : "ZSK", " of algorithm ", int{algorithm}));
    }
    return k->key;
  }
  absl::StatusOr<SigningKey> key = SigningKey::Generate(algorithm, ksk ? kKskFlags : kZskFlags);
  if (!key.ok()) return key.status();
  absl::StatusOr<std::string> pem = key->ToPem();
  if (!pem.ok()) return pem.status();
  // Tags collide now and then (RFC 4034 B): the file name takes the next free suffix.
  std::string file = Cat(ksk ? "ksk-" : "zsk-", key->key_tag(), ".pem");
  auto taken = [this](const std::string& f) {
    for (const LabStoredKey& k : keys_) {
      if (k.file == f) return true;
    }
    return false;
  };
  for (int i = 2; taken(file); ++i) file = Cat(ksk ? "ksk-" : "zsk-", key->key_tag(), "-", i, ".pem");
  if (absl::Status s = WriteFileAtomically(Cat(folder_, "/", file), *pem, 0600); !s.ok()) return s;
  keys_.push_back(LabStoredKey{std::string(name), *key, file});
  if (absl::Status s = SaveList(); !s.ok()) return s;
  return *key;
}

absl::Status LabKeyStore::SaveList() const {
  std::string text = kListHeader;
  for (const LabStoredKey& k : keys_) {
    text += Cat(k.name, " ", k.key.is_ksk() ? "ksk" : "zsk", " ", k.key.key_tag(), " ", int{k.key.algorithm()}, " ",
                k.file, "\n");
  }
  return WriteFileAtomically(ListPath(folder_), text, 0600);
}

}  // namespace rootd::zone

// A lab's own keys, kept in DIR/keys (mode 0700): each a fresh random OpenSSL key in PKCS#8 PEM,
// `ksk-<tag>.pem` or `zsk-<tag>.pem` (mode 0600), and `keys.txt` naming what each is for:
//
//   # name role tag algorithm file
//   KSK-A ksk 20326 8 ksk-20326.pem
//
// The names are the keys' parts in the lab's scenarios (KSK-A the lab's first KSK, KSK-B its
// successor, ZSK-1 ...) and their keyIdentifiers in the SKRs written from them. Unlike
// lab_zone.h's seed-derived keys, these are secrets: whoever holds the folder holds the lab root.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "zone/signing_key.h"

namespace rootd::zone {

struct LabStoredKey {
  std::string name;  // "KSK-A"
  SigningKey key;    // flags 257 (KSK) or 256 (ZSK)
  std::string file;  // "ksk-20326.pem", relative to the keys folder
};

class LabKeyStore {
 public:
  // DIR (and its parents) and DIR/keys (0700) with an empty keys.txt; fails if DIR/keys/keys.txt
  // exists.
  static absl::StatusOr<LabKeyStore> Create(const std::string& dir);
  // The keys recorded in DIR/keys/keys.txt.
  static absl::StatusOr<LabKeyStore> Open(const std::string& dir);

  // The key recorded as `name`, or null (until the next GetOrCreate, which may add a key).
  const LabStoredKey* Find(std::string_view name) const;
  // The key `name`: the one recorded, or a fresh one of `algorithm` (RSA: 2048 bits) saved and
  // recorded. A recorded key of another role or algorithm is an error.
  absl::StatusOr<SigningKey> GetOrCreate(std::string_view name, bool ksk, uint8_t algorithm);

  const std::vector<LabStoredKey>& keys() const { return keys_; }
  const std::string& folder() const { return folder_; }

 private:
  explicit LabKeyStore(std::string folder) : folder_(std::move(folder)) {}
  absl::Status SaveList() const;

  std::string folder_;  // DIR/keys
  std::vector<LabStoredKey> keys_;
};

}  // namespace rootd::zone
